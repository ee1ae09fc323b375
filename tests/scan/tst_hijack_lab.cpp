// Library-loading situations the trainer lab does not stage, scanned with verdicts: a library in
// /dev/shm, look-alike processes judged once, system libraries verified against dpkg, and the
// writable LD_LIBRARY_PATH directory as a finding of the process itself. The lab's
// own scenarios (preload, ld.so.preload, LD_LIBRARY_PATH, RUNPATH, planted, deleted, memfd) are
// asserted through `loadlens-cli lab start` + `scan --json` in tests/lab/tst_lab.
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
