// The classifier's rules on plain facts: which reason codes and which level each situation gives.
#include "verdict/interposition.h"
#include "verdict/module_classifier.h"
#include "verdict/module_rank.h"
#include "verdict/reason_catalog.h"

#include <QtTest>

#include <optional>

using namespace loadlens;
using namespace loadlens::verdict;

namespace {

QStringList codesOf(const Verdict &v)
{
    QStringList codes;
    for (const auto &r : v.reasons)
        codes << QString::fromStdString(r.code);
    codes.sort();
    return codes;
}

ModuleRecord library(const std::string &path)
{
    ModuleRecord m;
    m.path = path;
    m.file = {0x801, 1234};
    m.executable = true;
    m.ranges.push_back({0x7f0000000000, 0x7f0000001000, 0, "r-xp"});
    return m;
}

PackageFacts verified()
{
    PackageFacts p;
    p.state = PackageFacts::State::Verified;
    p.package = "libc6:amd64";
    p.actualDigest = p.expectedDigest = "0123";
    return p;
}

QStringList names(std::initializer_list<const char *> items)
{
    QStringList out;
    for (const char *item : items)
        out << QString::fromLatin1(item);
    return out;
}

PackageFacts unowned()
{
    PackageFacts p;
    p.state = PackageFacts::State::Unowned;
    return p;
}

// The preload-env reason of an unowned /tmp/x/libhook.so named by LD_PRELOAD that exports
// `interposes`; nullopt when the classifier gives none.
std::optional<Reason> preloadEnvReason(std::vector<std::string> interposes = {})
{
    ProcessInfo proc;
    proc.loaderEnv["LD_PRELOAD"] = "/tmp/x/libhook.so";
    ModuleFacts f;
    f.package = unowned();
    f.inPreloadEnv = true;
    f.preloadVariable = "LD_PRELOAD";
    f.interposes = std::move(interposes);
    const Verdict v = classifyModule(proc, library("/tmp/x/libhook.so"), f);
    for (const Reason &r : v.reasons)
        if (r.code == "preload-env")
            return r;
    return std::nullopt;
}

} // namespace

Q_DECLARE_METATYPE(loadlens::verdict::ModuleFacts)
Q_DECLARE_METATYPE(loadlens::ModuleRecord)

class TestModuleClassifier : public QObject {
    Q_OBJECT
private slots:
    void classify_data()
    {
        QTest::addColumn<ModuleRecord>("module");
        QTest::addColumn<ModuleFacts>("facts");
        QTest::addColumn<QStringList>("codes");
        QTest::addColumn<int>("level");

        ModuleFacts f;
        f.package = verified();
        f.location.systemLibraryDir = true;
        QTest::addRow("package library") << library("/usr/lib/x86_64-linux-gnu/libc.so.6") << f
                                         << QStringList{QStringLiteral("package-verified")} << int(Level::Info);

        f = {};
        f.package = verified();
        f.package.state = PackageFacts::State::Modified;
        QTest::addRow("modified package file") << library("/usr/lib/x86_64-linux-gnu/libz.so.1") << f
                                               << QStringList{QStringLiteral("package-modified")} << int(Level::High);

        f = {};
        f.package = unowned();
        QTest::addRow("unowned in /opt") << library("/opt/app/libfoo.so") << f << QStringList{QStringLiteral("unowned")}
                                         << int(Level::Low);

        f = {};
        f.package = unowned();
        f.location.systemLibraryDir = true;
        QTest::addRow("unowned in system dir") << library("/usr/lib/x86_64-linux-gnu/libevil.so") << f
                                               << QStringList{QStringLiteral("unowned")} << int(Level::Medium);

        f = {};
        f.package = unowned();
        f.inPreloadEnv = true;
        f.preloadVariable = "LD_PRELOAD";
        f.writable.writableByNonRoot = true;
        f.writable.summary = "/tmp/x is writable by everyone";
        f.writable.writers.push_back({"/tmp/x", "everyone", true});
        f.location.temporaryDir = true;
        f.location.matchedPrefix = "/tmp";
        QTest::addRow("unowned writable preload in tmp")
            << library("/tmp/x/libhook.so") << f
            << QStringList{QStringLiteral("preload-env"), QStringLiteral("unowned"), QStringLiteral("untrusted-location"),
                           QStringLiteral("writable-path")}
            << int(Level::High);

        f = {};
        f.package = verified();
        f.inPreloadEnv = true;
        f.preloadVariable = "LD_PRELOAD";
        QTest::addRow("package library preloaded") << library("/usr/lib/x86_64-linux-gnu/libjemalloc.so.2") << f
                                                   << QStringList{QStringLiteral("package-verified"),
                                                                  QStringLiteral("preload-env")}
                                                   << int(Level::Medium);

        f = {};
        f.package.state = PackageFacts::State::NoDatabase;
        f.package.detail = "/var/lib/dpkg not found";
        QTest::addRow("no package database")
            << library("/usr/lib64/libc.so.6") << f << QStringList{QStringLiteral("no-package-database")} << int(Level::Info);

        ModuleRecord memfd = library("/memfd:payload");
        memfd.memfd = true;
        memfd.deleted = true;
        QTest::addRow("memfd") << memfd << ModuleFacts{} << QStringList{QStringLiteral("memfd-exec")} << int(Level::High);

        ModuleRecord gone = library("/usr/lib/x86_64-linux-gnu/libssl.so.3");
        gone.deleted = true;
        f = {};
        f.deletion.replacedByPackageFile = true;
        f.deletion.replacementPackage = "libssl3:amd64";
        QTest::addRow("deleted by upgrade")
            << gone << f << QStringList{QStringLiteral("deleted-upgraded")} << int(Level::Low);
        f = {};
        f.deletion.pathNowAbsent = true;
        QTest::addRow("deleted") << gone << f << QStringList{QStringLiteral("deleted")} << int(Level::High);
        f = {};
        f.deletion.replacementPackage = "libssl3:amd64";
        f.deletion.replacementMismatch = "its MD5 differs from the manifest";
        QTest::addRow("deleted, path holds a package's file that is not the package's")
            << gone << f << QStringList{QStringLiteral("deleted")} << int(Level::High);

        ModuleRecord anon;
        anon.anonymousExec = true;
        anon.executable = true;
        anon.ranges.push_back({0x1000, 0x2000, 0, "rwxp"});
        QTest::addRow("anonymous exec") << anon << ModuleFacts{} << QStringList{QStringLiteral("anonymous-exec")}
                                        << int(Level::Info);

        ModuleRecord vdso;
        vdso.path = "[vdso]";
        vdso.pseudo = true;
        QTest::addRow("vdso") << vdso << ModuleFacts{} << QStringList{QStringLiteral("kernel-provided")} << int(Level::Ok);

        f = {};
        f.package = verified();
        f.searchPath.push_back({"libz.so.1", "/opt/app/bin/app", "/opt/app/lib", "DT_RUNPATH of /opt/app/bin/app",
                                "everyone", "/usr/lib/x86_64-linux-gnu"});
        QTest::addRow("search path hijackable")
            << library("/usr/lib/x86_64-linux-gnu/libz.so.1") << f
            << QStringList{QStringLiteral("package-verified"), QStringLiteral("search-path-hijackable")} << int(Level::High);

        f = {};
        f.package = unowned();
        f.soname = "libz.so.1";
        f.shadowedBy = {"/usr/lib/x86_64-linux-gnu/libz.so.1"};
        f.viaLibraryPathEnv = true;
        f.libraryPathDir = "/srv/lib";
        QTest::addRow("shadowing via LD_LIBRARY_PATH")
            << library("/srv/lib/libz.so.1") << f
            << QStringList{QStringLiteral("library-path-env"), QStringLiteral("shadowed-system-library"),
                           QStringLiteral("unowned")}
            << int(Level::High);

        f = {};
        f.package = verified();
        f.rpath.push_back({RpathFact::Kind::Relative, "lib", "lib", "DT_RUNPATH", ""});
        f.rpath.push_back({RpathFact::Kind::MissingCreatable, "/build/x/lib", "/build/x/lib", "DT_RUNPATH", "everyone"});
        QTest::addRow("rpath entries") << library("/usr/bin/tool") << f
                                       << QStringList{QStringLiteral("package-verified"), QStringLiteral("rpath-relative"),
                                                      QStringLiteral("rpath-writable")}
                                       << int(Level::High);
        // Windows images in a Wine process.
        f = {};
        f.package = unowned();
        f.windows.isPe = true;
        f.windows.prefix = "/home/u/.wine";
        f.windows.prefixSource = "WINEPREFIX";
        f.windows.system32Copy = "/home/u/.wine/drive_c/windows/system32/version.dll";
        f.windows.dllOverrides = "version=n,b";
        f.windows.signatureChecked = true;
        f.windows.signatureState = "unsigned";
        QTest::addRow("wine: planted DLL shadows system32, unsigned")
            << library("/home/u/.wine/drive_c/Program Files/App/version.dll") << f
            << QStringList{QStringLiteral("pe-unsigned"), QStringLiteral("unowned"), QStringLiteral("wine-dll-shadows-system32")}
            << int(Level::High);
        f.windows.windowsPath = "c:\\program files\\app\\version.dll";
        f.windows.hijackLibsEntry = "yml/microsoft/built-in/version.yml";
        f.windows.hijackLibsVendor = "Microsoft";
        f.windows.hijackLibsTypes = "Sideloading";
        f.windows.hijackLibsExpected = "%SYSTEM32%; %SYSWOW64%";
        QTest::addRow("wine: planted DLL that HijackLibs lists")
            << library("/home/u/.wine/drive_c/Program Files/App/version.dll") << f
            << QStringList{QStringLiteral("hijacklibs-match"), QStringLiteral("pe-unsigned"), QStringLiteral("unowned"),
                           QStringLiteral("wine-dll-shadows-system32")}
            << int(Level::High);
        f.windows.hijackLibsEntry.clear();
        f.windows.system32Copy.clear();
        f.windows.signatureState = "invalid";
        QTest::addRow("wine: own DLL with a broken signature")
            << library("/home/u/.wine/drive_c/Program Files/App/appcore.dll") << f
            << QStringList{QStringLiteral("pe-signature-invalid"), QStringLiteral("unowned")} << int(Level::High);
        f.windows.signatureState = "signature-valid-chain-unknown";
        f.windows.signedOk = true;
        QTest::addRow("wine: signed DLL of its own")
            << library("/home/u/.wine/drive_c/Program Files/App/appcore.dll") << f
            << QStringList{QStringLiteral("unowned")} << int(Level::Low);
        f = {};
        f.package = verified();
        f.windows.isPe = true;  // Wine's builtin DLL: packaged, so neither signature nor shadowing is looked at
        QTest::addRow("wine: builtin DLL")
            << library("/usr/lib/x86_64-linux-gnu/wine/x86_64-windows/version.dll") << f
            << QStringList{QStringLiteral("package-verified")} << int(Level::Info);
    }

    void classify()
    {
        QFETCH(ModuleRecord, module);
        QFETCH(ModuleFacts, facts);
        QFETCH(QStringList, codes);
        QFETCH(int, level);
        ProcessInfo proc;
        proc.pid = 4242;
        proc.name = "target";
        proc.loaderEnv["LD_PRELOAD"] = "/tmp/x/libhook.so";
        const Verdict v = classifyModule(proc, module, facts);
        QCOMPARE(codesOf(v), codes);
        QCOMPARE(int(v.level), level);
        for (const auto &r : v.reasons) {
            QVERIFY2(!r.text.empty(), r.code.c_str());
            if (r.level >= Level::Medium)
                QVERIFY2(!r.measure.empty(), r.code.c_str());
        }
    }

    void preloadReasonNamesVariableAndValue()
    {
        const auto it = preloadEnvReason();
        QVERIFY(it);
        QCOMPARE(QString::fromStdString(it->technique), QStringLiteral("T1574.006"));
        QCOMPARE(QString::fromStdString(it->measure), QStringLiteral("Restrict LD_PRELOAD and LD_LIBRARY_PATH usage"));
        QCOMPARE(it->level, Level::High);
        bool sawValue = false;
        for (const auto &[k, val] : it->evidence)
            sawValue = sawValue || (k == "value" && val == "/tmp/x/libhook.so");
        QVERIFY(sawValue);
    }

    // Each group of interposed functions is named with what it gives an attacker; a function of
    // no group (or one a loose prefix would catch: openlog is logging, not file access) is not.
    void interposedFunctionsAreGrouped_data()
    {
        QTest::addColumn<QStringList>("functions");
        QTest::addColumn<QStringList>("groups");
        QTest::newRow("process hider") << names({"readdir", "readdir64", "opendir"}) << names({"directory listing"});
        QTest::newRow("file hider") << names({"open", "openat", "fopen", "__xstat", "unlink"}) << names({"file access"});
        QTest::newRow("backdoor") << names({"accept", "recvmsg"}) << names({"network"});
        QTest::newRow("exec watcher") << names({"execve", "system", "posix_spawn"}) << names({"process execution"});
        QTest::newRow("credentials") << names({"pam_authenticate", "crypt", "getspnam"}) << names({"authentication"});
        QTest::newRow("log scrubber") << names({"syslog", "openlog", "audit_log_user_message"}) << names({"logging"});
        QTest::newRow("loader") << names({"dlsym", "__libc_start_main"}) << names({"loader"});
        QTest::newRow("rootkit") << names({"readdir", "fopen", "accept", "execve", "strlen"})
                                 << names({"directory listing", "file access", "network", "process execution"});
        QTest::newRow("harmless") << names({"strlen", "malloc", "exec", "pam_"}) << names({});
    }

    void interposedFunctionsAreGrouped()
    {
        QFETCH(QStringList, functions);
        QFETCH(QStringList, groups);
        std::vector<std::string> names;
        for (const QString &f : functions)
            names.push_back(f.toStdString());
        QStringList got;
        std::size_t grouped = 0;
        for (const auto &g : groupInterposedFunctions(names)) {
            got << QString::fromStdString(g.name);
            grouped += g.functions.size();
            QVERIFY(!g.implies.empty());
        }
        QCOMPARE(got, groups);
        if (groups.isEmpty())
            QVERIFY(interpositionImplies(names).empty());
        else
            QVERIFY(grouped >= std::size_t(groups.size()));
    }

    // What the injected library can do is said once, in words, with the functions, by
    // interposes-system-functions; the preload reason points there and keeps the list.
    void preloadReasonSaysWhatTheHooksGive()
    {
        ProcessInfo proc;
        proc.loaderEnv["LD_PRELOAD"] = "/tmp/x/libhook.so";
        ModuleFacts f;
        f.package = unowned();
        f.inPreloadEnv = true;
        f.preloadVariable = "LD_PRELOAD";
        f.interposes = {"accept", "open", "readdir"};
        f.interposedLibraries = {"/lib/x86_64-linux-gnu/libc.so.6"};
        const Verdict v = classifyModule(proc, library("/tmp/x/libhook.so"), f);
        const Reason *hook = nullptr;
        const Reason *preload = nullptr;
        for (const Reason &r : v.reasons) {
            if (r.code == "interposes-system-functions")
                hook = &r;
            if (r.code == "preload-env")
                preload = &r;
        }
        QVERIFY(hook && preload);
        QVERIFY2(hook->text.find("hide files and processes from directory listings such as ps and ls (directory "
                                 "listing: readdir)") != std::string::npos,
                 hook->text.c_str());
        QVERIFY2(hook->text.find("hide or protect files") != std::string::npos, hook->text.c_str());
        QVERIFY2(hook->text.find("open a backdoor") != std::string::npos, hook->text.c_str());
        QVERIFY2(preload->text.find("hide or protect files") == std::string::npos, preload->text.c_str());
        QVERIFY2(preload->text.find("interposes-system-functions") != std::string::npos, preload->text.c_str());
        QCOMPARE(preload->evidence.back().second, std::string("accept, open, readdir"));
    }

    // The hook reason's level: high when the module was injected (preload, LD_LIBRARY_PATH) and
    // nothing vouches for it, medium otherwise; nothing for functions of no group (an allocator).
    void hookLevelFollowsHowItCameIn_data()
    {
        QTest::addColumn<ModuleFacts>("facts");
        QTest::addColumn<int>("level");  // -1: no reason
        ModuleFacts base;
        base.package = unowned();
        base.interposes = {"malloc", "readdir"};
        base.interposedLibraries = {"/lib/x86_64-linux-gnu/libc.so.6"};
        QTest::addRow("dependency or dlopen") << base << int(Level::Medium);
        ModuleFacts preloaded = base;
        preloaded.inPreloadEnv = true;
        preloaded.preloadVariable = "LD_PRELOAD";
        QTest::addRow("LD_PRELOAD") << preloaded << int(Level::High);
        ModuleFacts file = base;
        file.inPreloadFile = true;
        QTest::addRow("ld.so.preload") << file << int(Level::High);
        ModuleFacts libraryPath = base;
        libraryPath.viaLibraryPathEnv = true;
        libraryPath.libraryPathDir = "/opt/x";
        QTest::addRow("LD_LIBRARY_PATH") << libraryPath << int(Level::High);
        ModuleFacts packaged = preloaded;
        packaged.package = verified();
        QTest::addRow("preloaded, package-verified (snoopy, fakeroot)") << packaged << int(Level::Medium);
        ModuleFacts allocator = preloaded;
        allocator.interposes = {"calloc", "free", "malloc"};
        QTest::addRow("allocator only") << allocator << -1;
        ModuleFacts none = base;
        none.interposes.clear();
        QTest::addRow("defines nothing of theirs") << none << -1;
    }

    void hookLevelFollowsHowItCameIn()
    {
        QFETCH(ModuleFacts, facts);
        QFETCH(int, level);
        ProcessInfo proc;
        const Verdict v = classifyModule(proc, library("/opt/x/libhook.so"), facts);
        const Reason *hook = nullptr;
        for (const Reason &r : v.reasons)
            if (r.code == "interposes-system-functions")
                hook = &r;
        if (level < 0) {
            QVERIFY(!hook);
            return;
        }
        QVERIFY(hook);
        QCOMPARE(int(hook->level), level);
        QCOMPARE(QString::fromStdString(hook->technique), QStringLiteral("T1574.006"));
        QVERIFY(!hook->measure.empty());
        QVERIFY(v.level >= hook->level);
    }

    // A pyenv/conda/venv prefix: found through the executable's own RUNPATH, one non-root owner,
    // nobody else can write. Info, saying why; injected the same copy stays high.
    void ownPrefixCopyIsInfo()
    {
        ModuleFacts f;
        f.package = unowned();
        f.soname = "libpython3.12.so.1.0";
        f.shadowedBy = {"/usr/lib/x86_64-linux-gnu/libpython3.12.so.1.0"};
        f.foundThrough = "DT_RUNPATH of /home/ann/.pyenv/versions/3.12.1/bin/python3.12";
        f.ownPrefixOwner = "ann";
        ProcessInfo proc;
        auto shadowLevel = [&](const ModuleFacts &facts) {
            const Verdict v = classifyModule(proc, library("/home/ann/.pyenv/versions/3.12.1/lib/libpython3.12.so.1.0"), facts);
            for (const Reason &r : v.reasons)
                if (r.code == "shadowed-system-library")
                    return std::optional<Reason>(r);
            return std::optional<Reason>();
        };
        const auto own = shadowLevel(f);
        QVERIFY(own);
        QCOMPARE(own->level, Level::Info);
        QVERIFY2(own->text.find("pyenv, conda") != std::string::npos, own->text.c_str());
        ModuleFacts injected = f;
        injected.viaLibraryPathEnv = true;
        injected.libraryPathDir = "/home/ann/.pyenv/versions/3.12.1/lib";
        QCOMPARE(shadowLevel(injected)->level, Level::High);
        ModuleFacts notOwn = f;
        notOwn.ownPrefixOwner.clear();
        QCOMPARE(shadowLevel(notOwn)->level, Level::High);
    }

    // The shadowed-library text names the way the copy really came in, never a variable that
    // played no part.
    void shadowTextFollowsLoadingPath_data()
    {
        QTest::addColumn<ModuleFacts>("facts");
        QTest::addColumn<QString>("through");
        QTest::addColumn<QString>("mentions");
        QTest::addColumn<QString>("neverMentions");
        ModuleFacts base;
        base.package = unowned();
        base.soname = "libz.so.1";
        base.shadowedBy = {"/usr/lib/x86_64-linux-gnu/libz.so.1"};

        ModuleFacts f = base;
        f.inPreloadEnv = true;
        f.preloadVariable = "LD_PRELOAD";
        QTest::addRow("LD_PRELOAD") << f << QStringLiteral("LD_PRELOAD") << QStringLiteral("through LD_PRELOAD")
                                    << QStringLiteral("LD_LIBRARY_PATH");
        f = base;
        f.inPreloadFile = true;
        QTest::addRow("ld.so.preload") << f << QStringLiteral("/etc/ld.so.preload")
                                       << QStringLiteral("through /etc/ld.so.preload") << QStringLiteral("LD_LIBRARY_PATH");
        f = base;
        f.viaLibraryPathEnv = true;
        f.libraryPathDir = "/srv/lib";
        f.foundThrough = "LD_LIBRARY_PATH";
        QTest::addRow("LD_LIBRARY_PATH") << f << QStringLiteral("LD_LIBRARY_PATH")
                                         << QStringLiteral("LD_LIBRARY_PATH (/srv/lib)") << QStringLiteral("LD_PRELOAD");
        f = base;
        f.foundThrough = "DT_RUNPATH of /opt/app/bin/app";
        QTest::addRow("RUNPATH") << f << QStringLiteral("DT_RUNPATH of /opt/app/bin/app")
                                 << QStringLiteral("searched DT_RUNPATH of /opt/app/bin/app first")
                                 << QStringLiteral("LD_LIBRARY_PATH");
        f = base;
        QTest::addRow("unknown") << f << QStringLiteral("unknown") << QStringLiteral("loaded by path")
                                 << QStringLiteral("LD_LIBRARY_PATH");
    }

    void shadowTextFollowsLoadingPath()
    {
        QFETCH(ModuleFacts, facts);
        QFETCH(QString, through);
        QFETCH(QString, mentions);
        QFETCH(QString, neverMentions);
        ProcessInfo proc;
        proc.loaderEnv["LD_PRELOAD"] = "/srv/lib/libz.so.1";
        const Verdict v = classifyModule(proc, library("/srv/lib/libz.so.1"), facts);
        const auto it = std::find_if(v.reasons.begin(), v.reasons.end(),
                                     [](const Reason &r) { return r.code == "shadowed-system-library"; });
        QVERIFY(it != v.reasons.end());
        const QString text = QString::fromStdString(it->text);
        QVERIFY2(text.contains(mentions), qPrintable(text));
        QVERIFY2(!text.contains(neverMentions), qPrintable(text));
        QString evidence;
        for (const auto &[k, val] : it->evidence)
            if (k == "loaded_through")
                evidence = QString::fromStdString(val);
        QCOMPARE(evidence, through);
    }

    // A library the loader was steered to outranks one that only could have been hijacked,
    // whatever their levels; within one loading path the level decides.
    void rankPutsHowFoundBeforeLevel()
    {
        ProcessInfo proc;
        proc.loaderEnv["LD_LIBRARY_PATH"] = "/tmp/shared";
        ModuleFacts planted;
        planted.package = verified();
        planted.viaLibraryPathEnv = true;
        planted.libraryPathDir = "/tmp/shared";
        const Verdict plantedVerdict = classifyModule(proc, library("/tmp/shared/libz.so.1"), planted);
        QCOMPARE(plantedVerdict.level, Level::Low);

        ModuleFacts libc;
        libc.package = verified();
        libc.searchPath.push_back({"libc.so.6", "/usr/bin/app", "/tmp/shared", "LD_LIBRARY_PATH", "everyone",
                                   "/usr/lib/x86_64-linux-gnu"});
        const Verdict libcVerdict = classifyModule(proc, library("/usr/lib/x86_64-linux-gnu/libc.so.6"), libc);
        QCOMPARE(libcVerdict.level, Level::High);

        ModuleFacts preloaded;
        preloaded.package = verified();
        preloaded.inPreloadEnv = true;
        preloaded.preloadVariable = "LD_PRELOAD";
        const Verdict preloadVerdict = classifyModule(proc, library("/usr/lib/libfakeroot.so"), preloaded);

        QCOMPARE(loadingPath(plantedVerdict), LoadingPath::LibraryPathEnv);
        QCOMPARE(loadingPath(libcVerdict), LoadingPath::SystemSearch);
        QCOMPARE(loadingPath(preloadVerdict), LoadingPath::Preload);
        QVERIFY(moduleRank(plantedVerdict) > moduleRank(libcVerdict));
        QVERIFY(moduleRank(preloadVerdict) > moduleRank(plantedVerdict));
        Verdict low;
        low.level = Level::Low;
        Verdict high;
        high.level = Level::High;
        QVERIFY(moduleRank(high) > moduleRank(low));
    }
};

QTEST_GUILESS_MAIN(TestModuleClassifier)
#include "tst_module_classifier.moc"
