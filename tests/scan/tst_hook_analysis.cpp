// Hook analysis: a module that defines functions of the C library, the loader, libpam, libcrypt,
// libssl or libaudit is named with what they give it (interposes-system-functions), whether it
// was preloaded or loaded like any library. Real processes load fixture libraries built by the
// tests (tests/fixtures/ll_hooks.c): by dlopen, through LD_LIBRARY_PATH and by LD_PRELOAD.
#include <QtTest>

#include "fixture_process.h"
#include "scan/scanner.h"

#include <QCryptographicHash>
#include <QTemporaryDir>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

QString hookLibrary(const QString &group)
{
    return QStringLiteral(LOADLENS_HOOK_DIR "/libll_hook_") + group + QStringLiteral(".so");
}

ScanResult scanPid(int pid, bool allModules = false)
{
    scan::ScanOptions options;
    options.pid = pid;
    options.probeHiddenPids = false;
    options.interpositionOfAllModules = allModules;
    return scan::runScan(options);
}

const ModuleRecord *moduleAt(const ScanResult &scan, int pid, const QString &path)
{
    for (const auto &p : scan.processes)
        if (p.pid == pid)
            for (const auto &m : p.modules)
                if (QString::fromStdString(m.path) == QFileInfo(path).canonicalFilePath())
                    return &m;
    return nullptr;
}

const Reason *reasonOf(const ModuleRecord &m, std::string_view code)
{
    for (const auto &r : m.verdict.reasons)
        if (r.code == code)
            return &r;
    return nullptr;
}

QString evidenceOf(const Reason &r, const std::string &key)
{
    for (const auto &[k, v] : r.evidence)
        if (k == key)
            return QString::fromStdString(v);
    return {};
}

QString codes(const ModuleRecord &m)
{
    QStringList out;
    for (const auto &r : m.verdict.reasons)
        out << QString::fromStdString(r.code + " " + std::string(levelName(r.level)) + ": " + r.text);
    return out.join(u'\n');
}

} // namespace

class TestHookAnalysis : public QObject {
    Q_OBJECT
private slots:
    // One fixture per group, loaded by dlopen (no preload, no library path): medium, the group
    // named in the text, the functions in the evidence, the system library they belong to.
    void hookLoadedLikeAnyLibraryIsMedium_data()
    {
        QTest::addColumn<QString>("fixture");
        QTest::addColumn<QString>("group");
        QTest::addColumn<QStringList>("functions");
        QTest::addColumn<QString>("systemLibrary");
        auto row = [](const char *name, const char *fixture, const char *group,
                      std::initializer_list<const char *> functions, const char *systemLibrary) {
            QStringList list;
            for (const char *f : functions)
                list << QString::fromLatin1(f);
            QTest::newRow(name) << QString::fromLatin1(fixture) << QString::fromLatin1(group) << list
                                << QString::fromLatin1(systemLibrary);
        };
        row("readdir (versioned)", "readdir", "directory listing", {"readdir"}, "libc.so.6");
        row("open/stat", "file", "file access", {"open", "stat"}, "libc.so.6");
        row("accept", "net", "network", {"accept"}, "libc.so.6");
        row("execve", "exec", "process execution", {"execve"}, "libc.so.6");
        row("pam/shadow/crypt", "auth", "authentication", {"crypt", "getspnam", "pam_authenticate"}, "libpam.so.0");
        row("syslog", "log", "logging", {"syslog"}, "libc.so.6");
        row("dlsym", "loader", "loader", {"dlsym"}, "libc.so.6");
    }

    void hookLoadedLikeAnyLibraryIsMedium()
    {
        QFETCH(QString, fixture);
        QFETCH(QString, group);
        QFETCH(QStringList, functions);
        QFETCH(QString, systemLibrary);
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), hookLibrary(fixture)}), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), hookLibrary(fixture));
        QVERIFY2(m, "the fixture library is not among the process's modules");
        const Reason *r = reasonOf(*m, "interposes-system-functions");
        QVERIFY2(r, qPrintable(codes(*m)));
        QCOMPARE(r->level, Level::Medium);
        QCOMPARE(QString::fromStdString(r->technique), QStringLiteral("T1574.006"));
        QVERIFY(!r->measure.empty());
        QVERIFY2(QString::fromStdString(r->text).contains(group), r->text.c_str());
        QCOMPARE(evidenceOf(*r, "groups"), group);
        QCOMPARE(evidenceOf(*r, "functions"), functions.join(QStringLiteral(", ")));
        QVERIFY2(evidenceOf(*r, "system_libraries").contains(systemLibrary),
                 qPrintable(evidenceOf(*r, "system_libraries")));
    }

    // Calling readdir imports it: no hook.
    void importerIsNoHook()
    {
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), hookLibrary(QStringLiteral("uses_readdir"))}),
                 qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid(), true);
        const ModuleRecord *m = moduleAt(scan, target.pid(), hookLibrary(QStringLiteral("uses_readdir")));
        QVERIFY(m);
        QVERIFY2(!reasonOf(*m, "interposes-system-functions"), qPrintable(codes(*m)));
    }

    // Injected: by LD_PRELOAD (a process hider that replaces readdir, open, openat, fopen) and
    // through LD_LIBRARY_PATH. High; the preload reason points at the hook reason instead of
    // saying it again, and keeps the function list for filters.
    void injectedHookIsHigh()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), QStringLiteral(LOADLENS_HOOK_PROC_LIBRARY));
        FixtureProcess target;
        QVERIFY2(target.start({}, env), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), QStringLiteral(LOADLENS_HOOK_PROC_LIBRARY));
        QVERIFY(m);
        const Reason *r = reasonOf(*m, "interposes-system-functions");
        QVERIFY2(r, qPrintable(codes(*m)));
        QCOMPARE(r->level, Level::High);
        QCOMPARE(evidenceOf(*r, "groups"), QStringLiteral("directory listing, file access"));
        for (const char *function : {"readdir", "open", "openat", "fopen"})
            QVERIFY2(evidenceOf(*r, "functions").split(QStringLiteral(", ")).contains(QLatin1String(function)),
                     qPrintable(evidenceOf(*r, "functions")));
        const Reason *preload = reasonOf(*m, "preload-env");
        QVERIFY(preload);
        QVERIFY2(preload->text.find("see interposes-system-functions") != std::string::npos, preload->text.c_str());
        QVERIFY2(preload->text.find("hide files and processes") == std::string::npos, preload->text.c_str());
        QCOMPARE(evidenceOf(*preload, "interposes"), evidenceOf(*r, "functions"));
    }

    void libraryPathHookIsHigh()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), QStringLiteral(LOADLENS_HOOK_DIR));
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), QStringLiteral("libll_hook_net.so")}, env),
                 qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), hookLibrary(QStringLiteral("net")));
        QVERIFY(m);
        const Reason *r = reasonOf(*m, "interposes-system-functions");
        QVERIFY2(r, qPrintable(codes(*m)));
        QCOMPARE(r->level, Level::High);
        QVERIFY2(QString::fromStdString(r->text).contains(QStringLiteral("LD_LIBRARY_PATH")), r->text.c_str());
    }

    // A library owned by the same package as the system library it repeats names of (libc6's
    // libpthread and ld.so against its libc) is that library's kin, not a hook; owned by another
    // package it is one. A dpkg database made by the test owns the fixture and this host's libc.
    void ownPackageIsNoHook_data()
    {
        QTest::addColumn<QString>("fixturePackage");
        QTest::addColumn<bool>("hook");
        QTest::newRow("same package as libc") << QStringLiteral("libc6") << false;
        QTest::newRow("another package") << QStringLiteral("hookpkg") << true;
    }

    void ownPackageIsNoHook()
    {
        QFETCH(QString, fixturePackage);
        QFETCH(bool, hook);
        const QString fixture = QFileInfo(hookLibrary(QStringLiteral("net"))).canonicalFilePath();
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), fixture}), qPrintable(target.error()));
        QString libc;
        {
            const ScanResult first = scanPid(target.pid());
            for (const auto &m : first.processes.front().modules)
                if (QFileInfo(QString::fromStdString(m.path)).fileName() == QStringLiteral("libc.so.6"))
                    libc = QString::fromStdString(m.path);
        }
        QVERIFY(!libc.isEmpty());
        QTemporaryDir admin;
        QVERIFY(admin.isValid());
        QVERIFY(QDir(admin.path()).mkpath(QStringLiteral("info")));
        auto md5Line = [](const QString &path) -> QByteArray {
            QFile f(path);
            if (!f.open(QIODevice::ReadOnly))
                return QByteArray();
            return QCryptographicHash::hash(f.readAll(), QCryptographicHash::Md5).toHex() + "  " +
                   path.mid(1).toLocal8Bit() + "\n";
        };
        auto write = [&](const QString &name, const QByteArray &content) {
            QFile f(admin.filePath(name));
            return f.open(QIODevice::WriteOnly) && f.write(content) == content.size();
        };
        QByteArray libcList = libc.toLocal8Bit() + "\n";
        QByteArray libcSums = md5Line(libc);
        QByteArray hookList, hookSums;
        (fixturePackage == QStringLiteral("libc6") ? libcList : hookList) += fixture.toLocal8Bit() + "\n";
        (fixturePackage == QStringLiteral("libc6") ? libcSums : hookSums) += md5Line(fixture);
        QVERIFY(write(QStringLiteral("status"), "Package: libc6\nStatus: install ok installed\n\n"
                                                "Package: hookpkg\nStatus: install ok installed\n\n"));
        QVERIFY(write(QStringLiteral("info/libc6.list"), libcList));
        QVERIFY(write(QStringLiteral("info/libc6.md5sums"), libcSums));
        QVERIFY(write(QStringLiteral("info/hookpkg.list"), hookList));
        QVERIFY(write(QStringLiteral("info/hookpkg.md5sums"), hookSums));

        scan::ScanOptions options;
        options.pid = target.pid();
        options.probeHiddenPids = false;
        options.interpositionOfAllModules = true;
        options.dpkgAdminDir = admin.path().toStdString();
        const ScanResult scan = scan::runScan(options);
        const ModuleRecord *m = moduleAt(scan, target.pid(), fixture);
        QVERIFY(m);
        QVERIFY2(reasonOf(*m, "package-verified"), qPrintable(codes(*m)));
        QCOMPARE(QString::fromStdString(scan.files.at(m->file).package), fixturePackage);
        const Reason *r = reasonOf(*m, "interposes-system-functions");
        QVERIFY2(bool(r) == hook, qPrintable(codes(*m)));
        if (r)
            QCOMPARE(r->level, Level::Medium);
        for (const auto &other : scan.processes.front().modules)
            if (QString::fromStdString(other.path) == libc)
                QVERIFY2(!reasonOf(other, "interposes-system-functions"), qPrintable(codes(other)));
    }

    // This host's own libraries, every one read ("all modules"): libc6's libm, libpthread and
    // ld.so export libc's names, libssl3's libcrypto sits beside libssl, and none of that is a hook.
    // (Other packages' libraries may well be hooks by design: ASan's runtime replaces hundreds of
    // libc functions, and is named when it is loaded and every module is read.)
    void systemLibrariesDoNotHookThemselves()
    {
        auto env = QProcessEnvironment::systemEnvironment();
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), QStringLiteral("libm.so.6"), QStringLiteral("--dlopen"),
                               QStringLiteral("libpam.so.0"), QStringLiteral("--dlopen"), QStringLiteral("libssl.so.3"),
                               QStringLiteral("--dlopen"), QStringLiteral("libcrypt.so.1"), QStringLiteral("--dlopen"),
                               QStringLiteral("libaudit.so.1")},
                              env),
                 qPrintable(target.error()));
        int examined = 0;
        for (int pid : {target.pid(), static_cast<int>(::getpid())}) {
            const ScanResult scan = scanPid(pid, true);
            QVERIFY(!scan.processes.empty());
            for (const auto &m : scan.processes.front().modules) {
                const auto *facts = scan.files.count(m.file) ? &scan.files.at(m.file) : nullptr;
                if (!facts)
                    continue;
                const QString package = QString::fromStdString(facts->package);
                static const QRegularExpression systemPackages(
                    QStringLiteral("^(libc6|libpam[-0-9a-z]*|libssl[0-9.]*|libcrypt[0-9]*|libaudit[0-9]*)(:|$)"));
                if (!systemPackages.match(package).hasMatch())
                    continue;
                ++examined;
                const Reason *r = reasonOf(m, "interposes-system-functions");
                QVERIFY2(!r, qPrintable(QString::fromStdString(m.path + " (" + facts->package + "): ") + codes(m)));
            }
        }
        if (examined == 0)
            QSKIP("no module here is owned by libc6, libpam, libssl, libcrypt or libaudit: nothing to compare");
    }
};

QTEST_GUILESS_MAIN(TestHookAnalysis)
#include "tst_hook_analysis.moc"
