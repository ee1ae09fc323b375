// The hijack lab: real processes in real library-loading situations (preload, LD_LIBRARY_PATH
// into a world-writable directory, RUNPATH into a writable directory, deleted library, library
// in /dev/shm, memfd), scanned with verdicts. Asserts the exact reason codes. Trainers can run
// the same scenarios by hand with tests/fixtures/ll_fixture_target.
#include <QtTest>

#include "fixture_process.h"
#include "scan/scanner.h"
#include "verdict/module_rank.h"

#include <QTemporaryDir>
#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;

namespace {

ScanResult scanPid(int pid)
{
    scan::ScanOptions options;
    options.pid = pid;
    return scan::runScan(options);
}

const ProcessInfo *processOf(const ScanResult &scan, int pid)
{
    for (const auto &p : scan.processes)
        if (p.pid == pid)
            return &p;
    return nullptr;
}

const ModuleRecord *moduleAt(const ScanResult &scan, int pid, const QString &path)
{
    if (const auto *p = processOf(scan, pid))
        for (const auto &m : p->modules)
            if (QString::fromStdString(m.path) == path)
                return &m;
    return nullptr;
}

QSet<QString> codesOf(const ModuleRecord &m)
{
    QSet<QString> codes;
    for (const auto &r : m.verdict.reasons)
        codes.insert(QString::fromStdString(r.code));
    return codes;
}

QString describe(const ScanResult &scan, int pid)
{
    QString out;
    if (const auto *p = processOf(scan, pid)) {
        for (const auto &e : p->errors)
            out += QStringLiteral("error: ") + QString::fromStdString(e) + QLatin1Char('\n');
        for (const auto &m : p->modules) {
            out += QString::fromStdString(m.path) + QStringLiteral(" [");
            for (const auto &r : m.verdict.reasons)
                out += QString::fromStdString(r.code) + QLatin1Char(' ');
            out += QStringLiteral("]\n");
        }
    }
    return out;
}

bool copyExecutable(const QString &from, const QString &to, QFileDevice::Permissions perms)
{
    QFile::remove(to);
    return QFile::copy(from, to) && QFile::setPermissions(to, perms);
}

constexpr auto kLibraryPerms = QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner |
                               QFileDevice::ReadGroup | QFileDevice::ExeGroup | QFileDevice::ReadOther |
                               QFileDevice::ExeOther;

#define VERIFY_CODES(module, expected)                                                                       \
    do {                                                                                                     \
        const QSet<QString> actual = codesOf(*(module));                                                     \
        for (const QString &code : expected)                                                                 \
            QVERIFY2(actual.contains(code), qPrintable(code + QStringLiteral(" missing; got: ") +            \
                                                       QStringList(actual.begin(), actual.end()).join(u' '))); \
    } while (0)

} // namespace

class TestHijackLab : public QObject {
    Q_OBJECT
private slots:
    void preloadFromTemporaryDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = dir.filePath(QStringLiteral("libhook.so"));
        QVERIFY(copyExecutable(loadlens::testing::fixtureLibraryPath(), lib, kLibraryPerms));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), lib);
        FixtureProcess target;
        QVERIFY2(target.start({}, env), qPrintable(target.error()));

        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, qPrintable(describe(scan, target.pid())));
        VERIFY_CODES(m, (QStringList{QStringLiteral("preload-env"), QStringLiteral("unowned"),
                                     QStringLiteral("untrusted-location")}));
        QCOMPARE(m->verdict.level, Level::High);
        const auto &facts = scan.files.at(m->file);
        QCOMPARE(facts.sha256.size(), size_t(64));
    }

    void libraryPathIntoWorldWritableDirectory()
    {
        const QString systemZlib = QStringLiteral("/usr/lib/x86_64-linux-gnu/libz.so.1");
        if (!QFileInfo::exists(systemZlib))
            QSKIP("this host has no /usr/lib/x86_64-linux-gnu/libz.so.1 to shadow");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString shared = dir.filePath(QStringLiteral("shared"));
        QVERIFY(QDir().mkpath(shared));
        QVERIFY(::chmod(shared.toLocal8Bit().constData(), 0777) == 0);
        QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0755) == 0);
        const QString copy = shared + QStringLiteral("/libz.so.1");
        QVERIFY(copyExecutable(QFileInfo(systemZlib).canonicalFilePath(), copy, kLibraryPerms));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), shared);
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), QStringLiteral("libz.so.1")}, env), qPrintable(target.error()));

        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), copy);
        QVERIFY2(m, qPrintable(describe(scan, target.pid())));
        VERIFY_CODES(m, (QStringList{QStringLiteral("library-path-env"), QStringLiteral("shadowed-system-library"),
                                     QStringLiteral("unowned"), QStringLiteral("writable-path"),
                                     QStringLiteral("untrusted-location")}));
        QCOMPARE(m->verdict.level, Level::High);
    }

    // The writable LD_LIBRARY_PATH directory is a finding of the process itself, and the library
    // actually taken from it ranks above the system libraries that merely could have been.
    void libraryPathDirectoryIsAProcessFinding()
    {
        const QString systemZlib = QStringLiteral("/usr/lib/x86_64-linux-gnu/libz.so.1");
        if (!QFileInfo::exists(systemZlib))
            QSKIP("this host has no /usr/lib/x86_64-linux-gnu/libz.so.1 to shadow");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0755) == 0);
        const QString shared = dir.filePath(QStringLiteral("shared"));
        QVERIFY(QDir().mkpath(shared));
        QVERIFY(::chmod(shared.toLocal8Bit().constData(), 0777) == 0);
        const QString planted = shared + QStringLiteral("/libz.so.1");
        QVERIFY(copyExecutable(QFileInfo(systemZlib).canonicalFilePath(), planted, kLibraryPerms));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_LIBRARY_PATH"), shared);
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), QStringLiteral("libz.so.1")}, env), qPrintable(target.error()));

        const ScanResult scan = scanPid(target.pid());
        const Finding *finding = nullptr;
        for (const auto &f : scan.findings)
            if (f.pid == target.pid() && f.code == "loader-env-writable-dir")
                finding = &f;
        QVERIFY2(finding, "no process-level finding for the world-writable LD_LIBRARY_PATH directory");
        QCOMPARE(finding->level, Level::High);
        QCOMPARE(QString::fromStdString(finding->technique), QStringLiteral("T1574.006"));
        QCOMPARE(QString::fromStdString(finding->measure), QStringLiteral("Restrict LD_PRELOAD and LD_LIBRARY_PATH usage"));
        QMap<QString, QString> evidence;
        for (const auto &[k, v] : finding->evidence)
            evidence.insert(QString::fromStdString(k), QString::fromStdString(v));
        QCOMPARE(evidence.value(QStringLiteral("variable")), QStringLiteral("LD_LIBRARY_PATH"));
        QCOMPARE(evidence.value(QStringLiteral("directory")), shared);
        QCOMPARE(evidence.value(QStringLiteral("mode")), QStringLiteral("0777"));
        QVERIFY2(evidence.value(QStringLiteral("owner")).endsWith(QStringLiteral("(%1)").arg(::getuid())),
                 qPrintable(evidence.value(QStringLiteral("owner"))));
        QVERIFY(evidence.value(QStringLiteral("writer")).contains(QStringLiteral("everyone")));

        const ModuleRecord *plantedModule = moduleAt(scan, target.pid(), planted);
        QVERIFY2(plantedModule, qPrintable(describe(scan, target.pid())));
        const ProcessInfo *p = processOf(scan, target.pid());
        const ModuleRecord *libc = nullptr;
        for (const auto &m : p->modules) {
            if (&m != plantedModule)
                QVERIFY2(verdict::moduleRank(m.verdict) < verdict::moduleRank(plantedModule->verdict),
                         qPrintable(QString::fromStdString(m.path) + QStringLiteral(" ranks with the planted library")));
            if (QFileInfo(QString::fromStdString(m.path)).fileName() == QStringLiteral("libc.so.6"))
                libc = &m;
        }
        QVERIFY2(libc, qPrintable(describe(scan, target.pid())));
        QVERIFY(codesOf(*libc).contains(QStringLiteral("search-path-hijackable")));
        QCOMPARE(libc->verdict.level, plantedModule->verdict.level);
    }

    void runpathIntoWritableDirectory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(::chmod(dir.path().toLocal8Bit().constData(), 0755) == 0);
        const QString app = dir.filePath(QStringLiteral("app"));
        QVERIFY(QDir().mkpath(app + QStringLiteral("/lib")));
        QVERIFY(QDir().mkpath(app + QStringLiteral("/plugins")));
        QVERIFY(::chmod((app + QStringLiteral("/plugins")).toLocal8Bit().constData(), 0777) == 0);
        const QString exe = app + QStringLiteral("/ll_fixture_runpath");
        const QString lib = app + QStringLiteral("/lib/libllfixture.so.1");
        QVERIFY(copyExecutable(loadlens::testing::fixtureRunpathTargetPath(), exe, kLibraryPerms));
        QVERIFY(copyExecutable(QFileInfo(loadlens::testing::fixtureLibraryPath()).canonicalFilePath(), lib,
                               kLibraryPerms));
        FixtureProcess target;
        QVERIFY2(target.start({}, QProcessEnvironment::systemEnvironment(), exe), qPrintable(target.error()));

        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *exeModule = moduleAt(scan, target.pid(), exe);
        QVERIFY2(exeModule, qPrintable(describe(scan, target.pid())));
        VERIFY_CODES(exeModule, QStringList{QStringLiteral("rpath-writable")});
        const ModuleRecord *libModule = moduleAt(scan, target.pid(), lib);
        QVERIFY2(libModule, qPrintable(describe(scan, target.pid())));
        VERIFY_CODES(libModule, QStringList{QStringLiteral("search-path-hijackable")});
        const std::string pluginsDir = QString(app + QStringLiteral("/plugins")).toStdString();
        bool namesPlugins = false;
        for (const auto &r : libModule->verdict.reasons)
            if (r.code == "search-path-hijackable")
                for (const auto &[k, v] : r.evidence)
                    namesPlugins = namesPlugins || (k == "writable_dir" && v == pluginsDir);
        QVERIFY2(namesPlugins, "the hijackable reason must name the writable plugins directory");
        QCOMPARE(libModule->verdict.level, Level::High);
    }

    void deletedLibrary()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = dir.filePath(QStringLiteral("libgone.so"));
        QVERIFY(copyExecutable(loadlens::testing::fixtureLibraryPath(), lib, kLibraryPerms));
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--dlopen"), lib}), qPrintable(target.error()));
        QVERIFY(QFile::remove(lib));

        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, qPrintable(describe(scan, target.pid())));
        QVERIFY(m->deleted);
        VERIFY_CODES(m, QStringList{QStringLiteral("deleted")});
        QVERIFY(!codesOf(*m).contains(QStringLiteral("package-modified")));
        QCOMPARE(m->verdict.level, Level::High);
    }

    void libraryInDevShm()
    {
        if (!QFileInfo(QStringLiteral("/dev/shm")).isDir())
            QSKIP("no /dev/shm on this host");
        const QString lib = QStringLiteral("/dev/shm/loadlens-lab-%1.so").arg(QCoreApplication::applicationPid());
        QVERIFY(copyExecutable(loadlens::testing::fixtureLibraryPath(), lib, kLibraryPerms));
        FixtureProcess target;
        const bool started = target.start({QStringLiteral("--dlopen"), lib});
        auto removeLib = qScopeGuard([&] { QFile::remove(lib); });
        if (!started && target.error().contains(QStringLiteral("failed to map segment")))
            QSKIP("/dev/shm is mounted noexec here");
        QVERIFY2(started, qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ModuleRecord *m = moduleAt(scan, target.pid(), lib);
        QVERIFY2(m, qPrintable(describe(scan, target.pid())));
        VERIFY_CODES(m, QStringList{QStringLiteral("untrusted-location")});
    }

    void memfdCode()
    {
        FixtureProcess target;
        QVERIFY2(target.start({QStringLiteral("--memfd"), QStringLiteral("payload")}), qPrintable(target.error()));
        const ScanResult scan = scanPid(target.pid());
        const ProcessInfo *p = processOf(scan, target.pid());
        QVERIFY(p);
        const ModuleRecord *memfd = nullptr;
        for (const auto &m : p->modules)
            if (m.memfd)
                memfd = &m;
        QVERIFY2(memfd, qPrintable(describe(scan, target.pid())));
        QVERIFY(codesOf(*memfd).contains(QStringLiteral("memfd-exec")));
        QCOMPARE(memfd->verdict.level, Level::High);
    }

    // Processes that look alike are judged once; a different loader environment must still
    // give a different verdict.
    void lookalikeProcessesKeepTheirOwnVerdicts()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString lib = dir.filePath(QStringLiteral("libtwin.so"));
        QVERIFY(copyExecutable(loadlens::testing::fixtureLibraryPath(), lib, kLibraryPerms));
        auto preloaded = QProcessEnvironment::systemEnvironment();
        preloaded.insert(QStringLiteral("LD_PRELOAD"), lib);
        FixtureProcess viaPreload;
        QVERIFY2(viaPreload.start({}, preloaded), qPrintable(viaPreload.error()));
        FixtureProcess viaDlopenA;
        QVERIFY2(viaDlopenA.start({QStringLiteral("--dlopen"), lib}), qPrintable(viaDlopenA.error()));
        FixtureProcess viaDlopenB;
        QVERIFY2(viaDlopenB.start({QStringLiteral("--dlopen"), lib}), qPrintable(viaDlopenB.error()));

        scan::ScanOptions options;
        options.probeHiddenPids = false;
        const ScanResult scan = scan::runScan(options);
        const ModuleRecord *preloadedModule = moduleAt(scan, viaPreload.pid(), lib);
        const ModuleRecord *a = moduleAt(scan, viaDlopenA.pid(), lib);
        const ModuleRecord *b = moduleAt(scan, viaDlopenB.pid(), lib);
        QVERIFY(preloadedModule && a && b);
        QVERIFY(codesOf(*preloadedModule).contains(QStringLiteral("preload-env")));
        QVERIFY(!codesOf(*a).contains(QStringLiteral("preload-env")));
        QCOMPARE(codesOf(*a), codesOf(*b));
        QVERIFY(codesOf(*a).contains(QStringLiteral("unowned")));
    }

    void systemLibrariesArePackageVerified_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addRow("libc") << QStringLiteral("libc.so.6");
        QTest::addRow("libstdc++") << QStringLiteral("libstdc++.so.6");
    }
    void systemLibrariesArePackageVerified()
    {
        QFETCH(QString, name);
        if (!QFileInfo(QStringLiteral("/var/lib/dpkg/info")).isDir())
            QSKIP("no dpkg database on this host");
        const int self = static_cast<int>(QCoreApplication::applicationPid());
        const ScanResult scan = scanPid(self);
        const ProcessInfo *p = processOf(scan, self);
        QVERIFY(p);
        const ModuleRecord *found = nullptr;
        for (const auto &m : p->modules)
            if (QFileInfo(QString::fromStdString(m.path)).fileName().startsWith(name))
                found = &m;
        QVERIFY2(found, qPrintable(describe(scan, self)));
        QCOMPARE(codesOf(*found), QSet<QString>{QStringLiteral("package-verified")});
        QCOMPARE(found->verdict.level, Level::Info);
    }
};

QTEST_GUILESS_MAIN(TestHijackLab)
#include "tst_hijack_lab.moc"
