// A snapshot read back from a bundle equals the live scan it was written from: every process
// field, module (flags, ranges, verdict with its reasons and evidence), file fact, finding and
// counter. Unknown ids and cut-short snapshots say so.
#include <QtTest>

#include "case_test_support.h"
#include "fixture_process.h"
#include "store/snapshot_reader.h"

#include <QFile>
#include <QTemporaryDir>
#include <sys/stat.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;
using loadlens::testing::scanPid;
using loadlens::testing::writeBundle;

namespace {

std::string str(const QString &s) { return s.toStdString(); }

void compareReasons(const Verdict &got, const Verdict &want)
{
    QCOMPARE(int(got.level), int(want.level));
    QCOMPARE(got.reasons.size(), want.reasons.size());
    for (std::size_t i = 0; i < want.reasons.size(); ++i) {
        QCOMPARE(got.reasons[i].code, want.reasons[i].code);
        QCOMPARE(int(got.reasons[i].level), int(want.reasons[i].level));
        QCOMPARE(got.reasons[i].text, want.reasons[i].text);
        QCOMPARE(got.reasons[i].technique, want.reasons[i].technique);
        QCOMPARE(got.reasons[i].measure, want.reasons[i].measure);
        QCOMPARE(got.reasons[i].evidence, want.reasons[i].evidence);
    }
}

void compareModule(const ModuleRecord &got, const ModuleRecord &want)
{
    QCOMPARE(got.path, want.path);
    QVERIFY(got.file == want.file);
    QCOMPARE(got.deleted, want.deleted);
    QCOMPARE(got.memfd, want.memfd);
    QCOMPARE(got.anonymousExec, want.anonymousExec);
    QCOMPARE(got.executable, want.executable);
    QCOMPARE(got.pseudo, want.pseudo);
    QCOMPARE(got.confirmation, want.confirmation);
    QCOMPARE(got.ranges.size(), want.ranges.size());
    for (std::size_t i = 0; i < want.ranges.size(); ++i) {
        QCOMPARE(got.ranges[i].start, want.ranges[i].start);
        QCOMPARE(got.ranges[i].end, want.ranges[i].end);
        QCOMPARE(got.ranges[i].offset, want.ranges[i].offset);
        QCOMPARE(got.ranges[i].perms, want.ranges[i].perms);
    }
    compareReasons(got.verdict, want.verdict);
}

// Modules in a stable order: the store keeps them by first address, the scan by maps order.
std::vector<ModuleRecord> sortedModules(std::vector<ModuleRecord> modules)
{
    std::stable_sort(modules.begin(), modules.end(), [](const ModuleRecord &a, const ModuleRecord &b) {
        const auto start = [](const ModuleRecord &m) { return m.ranges.empty() ? 0 : m.ranges.front().start; };
        return start(a) < start(b);
    });
    return modules;
}

} // namespace

class TestSnapshotReader : public QObject {
    Q_OBJECT

private slots:
    void readsBackWhatWasWritten()
    {
        // A preloaded library from a writable directory, a deleted mapping, a memfd and anonymous
        // code: modules with flags, several reasons and evidence, and process findings.
        QTemporaryDir dir;
        // World-writable, so LD_LIBRARY_PATH naming it is a process finding too.
        QVERIFY(::chmod(QFile::encodeName(dir.path()).constData(), 0777) == 0);
        const QString library = dir.filePath(QStringLiteral("libplanted.so"));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), library));
        const QString deleted = dir.filePath(QStringLiteral("libgone.so"));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), deleted));
        auto environment = QProcessEnvironment::systemEnvironment();
        environment.insert(QStringLiteral("LD_PRELOAD"), library);
        environment.insert(QStringLiteral("LD_LIBRARY_PATH"), dir.path());
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--map-deleted"), deleted, QStringLiteral("--memfd"),
                                QStringLiteral("payload"), QStringLiteral("--anon-exec")},
                               environment),
                 qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QCOMPARE(scan.processes.size(), std::size_t(1));
        const ProcessInfo &want = scan.processes.front();
        QVERIFY(want.modules.size() >= 4);
        QVERIFY(!scan.files.empty());

        const QString bundle = dir.filePath(QStringLiteral("host.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(bundle), store::OpenMode::ReadOnly);
        QVERIFY2(db.ok(), db.ok() ? "" : db.error().message.c_str());
        auto id = db->queryInt("SELECT id FROM snapshots");
        QVERIFY(id.ok());
        auto read = store::readSnapshot(*db, *id);
        QVERIFY2(read.ok(), read.ok() ? "" : read.error().message.c_str());
        QVERIFY(!read->incomplete);
        const ScanResult &got = read->scan;

        QCOMPARE(got.host.hostname, scan.host.hostname);
        QCOMPARE(got.host.kernel, scan.host.kernel);
        QCOMPARE(got.host.osRelease, scan.host.osRelease);
        QCOMPARE(got.host.machine, scan.host.machine);
        QCOMPARE(got.host.bootId, scan.host.bootId);
        QCOMPARE(got.scannedAt, scan.scannedAt);
        QCOMPARE(got.stats.processesListed, scan.stats.processesListed);
        QCOMPARE(got.stats.processesScanned, scan.stats.processesScanned);
        QCOMPARE(got.stats.modules, scan.stats.modules);
        QCOMPARE(got.stats.uniqueFiles, scan.stats.uniqueFiles);
        QCOMPARE(got.stats.errorCounts, scan.stats.errorCounts);
        QCOMPARE(got.stats.cancelled, false);

        QCOMPARE(got.processes.size(), std::size_t(1));
        const ProcessInfo &p = got.processes.front();
        QCOMPARE(p.pid, want.pid);
        QCOMPARE(p.ppid, want.ppid);
        QCOMPARE(p.uid, want.uid);
        QCOMPARE(p.user, want.user);
        QCOMPARE(p.name, want.name);
        QCOMPARE(p.exe, want.exe);
        QCOMPARE(p.cmdline, want.cmdline);
        QCOMPARE(p.startTime, want.startTime);
        QCOMPARE(p.state, want.state);
        QCOMPARE(p.kernelThread, want.kernelThread);
        QCOMPARE(p.hidden, want.hidden);
        QCOMPARE(p.namespaceHint, want.namespaceHint);
        QCOMPARE(p.loaderEnv, want.loaderEnv);
        QVERIFY(p.loaderEnv.count("LD_PRELOAD"));
        QCOMPARE(p.errors, want.errors);

        const auto gotModules = sortedModules(p.modules);
        const auto wantModules = sortedModules(want.modules);
        QCOMPARE(gotModules.size(), wantModules.size());
        bool sawPreload = false, sawDeleted = false, sawMemfd = false, sawAnonymous = false;
        for (std::size_t i = 0; i < wantModules.size(); ++i) {
            compareModule(gotModules[i], wantModules[i]);
            if (QTest::currentTestFailed())
                QFAIL(qPrintable(QStringLiteral("module %1 differs").arg(QString::fromStdString(wantModules[i].path))));
            sawPreload |= gotModules[i].verdict.has("preload-env");
            sawDeleted |= gotModules[i].deleted;
            sawMemfd |= gotModules[i].memfd;
            sawAnonymous |= gotModules[i].anonymousExec;
        }
        QVERIFY(sawPreload);
        QVERIFY(sawDeleted);
        QVERIFY(sawMemfd);
        QVERIFY(sawAnonymous);

        // Files: every fact of every file a module maps.
        for (const auto &[key, facts] : scan.files) {
            bool mapped = false;
            for (const auto &m : want.modules)
                mapped |= m.file == key && !m.anonymousExec && !m.pseudo;
            if (!mapped)
                continue;
            const auto it = got.files.find(key);
            QVERIFY2(it != got.files.end(), facts.path.c_str());
            const FileFacts &f = it->second;
            QCOMPARE(f.path, facts.path);
            QCOMPARE(f.size, facts.size);
            QCOMPARE(f.mtimeNs, facts.mtimeNs);
            QCOMPARE(f.ctimeNs, facts.ctimeNs);
            QCOMPARE(f.uid, facts.uid);
            QCOMPARE(f.gid, facts.gid);
            QCOMPARE(f.mode, facts.mode);
            QCOMPARE(f.ownerName, facts.ownerName);
            QCOMPARE(f.groupName, facts.groupName);
            QCOMPARE(f.sha256, facts.sha256);
            QCOMPARE(f.md5, facts.md5);
            QCOMPARE(f.package, facts.package);
            QCOMPARE(f.errors, facts.errors);
        }

        QCOMPARE(got.findings.size(), scan.findings.size());
        QVERIFY(!scan.findings.empty());
        for (std::size_t i = 0; i < scan.findings.size(); ++i) {
            QCOMPARE(got.findings[i].code, scan.findings[i].code);
            QCOMPARE(int(got.findings[i].level), int(scan.findings[i].level));
            QCOMPARE(got.findings[i].pid, scan.findings[i].pid);
            QCOMPARE(got.findings[i].text, scan.findings[i].text);
            QCOMPARE(got.findings[i].technique, scan.findings[i].technique);
            QCOMPARE(got.findings[i].measure, scan.findings[i].measure);
            QCOMPARE(got.findings[i].evidence, scan.findings[i].evidence);
        }
    }

    void unknownSnapshotIsAnError()
    {
        QTemporaryDir dir;
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(db.ok());
        auto read = store::readSnapshot(*db, 42);
        QVERIFY(!read.ok());
        QVERIFY2(read.error().message.find("no snapshot 42") != std::string::npos, read.error().message.c_str());
    }

    void incompleteSnapshotSaysSo()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("host.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(bundle));
        QVERIFY(db.ok());
        // What an import cut short leaves: the rows, without the complete mark.
        QVERIFY(db->exec("UPDATE snapshots SET complete = 0").ok());
        auto read = store::readSnapshot(*db, *db->queryInt("SELECT id FROM snapshots"));
        QVERIFY(read.ok());
        QVERIFY(read->incomplete);
        QVERIFY(read->scan.stats.cancelled);
        QCOMPARE(read->scan.processes.size(), std::size_t(1));
    }
};

QTEST_GUILESS_MAIN(TestSnapshotReader)
#include "tst_snapshot_reader.moc"
