// Bundles from real scans imported into a case: idempotent, per-host files, incomplete
// snapshots left out, a cancelled import finished by running it again, bad files refused.
#include <QtTest>

#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "case_test_support.h"
#include "fixture_process.h"
#include "store/bundle_import.h"
#include "synthetic_case.h"

#include <QTemporaryDir>
#include <array>
#include <sstream>
#include <sqlite3.h>
#include <unistd.h>

using namespace loadlens;
using loadlens::testing::FixtureProcess;
using loadlens::testing::countRows;
using loadlens::testing::integrityOf;
using loadlens::testing::scanPid;
using loadlens::testing::writeBundle;

namespace {

std::string str(const QString &s) { return s.toStdString(); }

QString errorsOf(const ImportReport &r)
{
    QString out;
    for (const auto &e : r.errors)
        out += QString::fromStdString(e) + QLatin1Char('\n');
    return out;
}

} // namespace

class TestBundleImport : public QObject {
    Q_OBJECT

private slots:
    void importIsIdempotent()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QCOMPARE(scan.processes.size(), std::size_t(1));
        QVERIFY(scan.processes.front().modules.size() >= 3);

        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("host.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(db.ok());

        const ImportReport first = store::importBundle(*db, str(bundle));
        QVERIFY2(first.errors.empty(), qPrintable(errorsOf(first)));
        QVERIFY(first.complete);
        QCOMPARE(first.format, std::string("bundle"));
        QVERIFY(first.recordsRead > scan.processes.front().modules.size());
        QCOMPARE(first.imported, first.recordsRead);
        QCOMPARE(first.duplicates, std::uint64_t(0));
        QCOMPARE(first.countsByKind.at("modules"), std::uint64_t(scan.processes.front().modules.size()));

        const qint64 modules = countRows(*db, QStringLiteral("modules"));
        const qint64 files = countRows(*db, QStringLiteral("files"));
        const qint64 stackRows = countRows(*db, QStringLiteral("snapshot_module_stack"));
        QCOMPARE(modules, qint64(scan.processes.front().modules.size()));
        QVERIFY(stackRows > 0);
        QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 1")), qint64(1));

        const ImportReport second = store::importBundle(*db, str(bundle));
        QVERIFY2(second.errors.empty(), qPrintable(errorsOf(second)));
        QCOMPARE(second.imported, std::uint64_t(0));
        QCOMPARE(second.duplicates, second.recordsRead);
        QVERIFY(second.recordsRead > 0);
        QCOMPARE(countRows(*db, QStringLiteral("modules")), modules);
        QCOMPARE(countRows(*db, QStringLiteral("files")), files);
        QCOMPARE(countRows(*db, QStringLiteral("snapshot_module_stack")), stackRows);
        QCOMPARE(countRows(*db, QStringLiteral("snapshots")), qint64(1));

        // The fixture's verdicts and file digests came through.
        QCOMPARE(countRows(*db, QStringLiteral("files WHERE length(sha256) = 64")), files);
        QVERIFY(countRows(*db, QStringLiteral("verdicts WHERE reasons LIKE '%\"code\"%'")) > 0);
        QCOMPARE(integrityOf(dir.filePath(QStringLiteral("case.sqlite"))), QStringLiteral("ok"));
    }

    // A bundle collected by an older loadlens-cli (schema version 2: no recovered column on
    // events) imports into a case of this version: snapshot tables are the same in both. A case
    // of that version opened read-only is still refused, since it would need migrating.
    void olderBundleImports()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("old.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        {
            sqlite3 *h = nullptr;
            QCOMPARE(sqlite3_open(QFile::encodeName(bundle).constData(), &h), SQLITE_OK);
            for (const char *sql : {"DROP INDEX IF EXISTS events_recovered", "ALTER TABLE events DROP COLUMN recovered",
                                    "DELETE FROM schema_version WHERE version > 2"})
                QVERIFY2(sqlite3_exec(h, sql, nullptr, nullptr, nullptr) == SQLITE_OK, sqlite3_errmsg(h));
            sqlite3_close(h);
        }
        auto readOnly = store::CaseDatabase::open(str(bundle), store::OpenMode::ReadOnly);
        QVERIFY(!readOnly.ok());
        QVERIFY2(readOnly.error().message.find("needs migrating") != std::string::npos, readOnly.error().message.c_str());
        auto asBundle = store::CaseDatabase::open(str(bundle), store::OpenMode::ReadBundle, true);
        QVERIFY2(asBundle.ok(), asBundle.ok() ? "" : asBundle.error().message.c_str());

        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(db.ok());
        const ImportReport report = store::importBundle(*db, str(bundle));
        QVERIFY2(report.errors.empty(), qPrintable(errorsOf(report)));
        QVERIFY(report.complete);
        QCOMPARE(countRows(*db, QStringLiteral("modules")), qint64(scan.processes.front().modules.size()));
        QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 1")), qint64(1));
    }

    // The case list counts module verdicts per snapshot (what the GUI's High/Medium/Low and
    // `loadlens-cli case list` show), apart from the host-level findings.
    void moduleVerdictsAreCountedPerSnapshot()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--memfd"), QStringLiteral("llcount"), QStringLiteral("--anon-exec")}),
                 qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QCOMPARE(scan.processes.size(), std::size_t(1));
        std::array<std::int64_t, 5> expected{};
        for (const auto &module : scan.processes.front().modules)
            ++expected[static_cast<std::size_t>(module.verdict.level)];
        QVERIFY2(expected[static_cast<std::size_t>(Level::High)] > 0, "the memfd code is judged high");

        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("host.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(db.ok());
        QVERIFY(store::importBundle(*db, str(bundle)).errors.empty());
        auto summaries = analysis::listSnapshots(*db);
        QVERIFY(summaries.ok());
        QCOMPARE(summaries->size(), std::size_t(1));
        const auto &summary = summaries->front();
        for (std::size_t level = 0; level < expected.size(); ++level)
            QCOMPARE(summary.moduleLevels[level], expected[level]);
        QCOMPARE(summary.modules, std::int64_t(scan.processes.front().modules.size()));
        QCOMPARE(summary.findings, std::int64_t(scan.findings.size()));

        auto one = analysis::snapshotSummary(*db, summary.id);
        QVERIFY(one.ok());
        QCOMPARE(one->moduleLevels, summary.moduleLevels);
        QCOMPARE(one->modules, summary.modules);

        std::ostringstream text;
        analysis::writeSnapshots(text, *summaries);
        const QString listing = QString::fromStdString(text.str());
        QVERIFY2(listing.contains(QStringLiteral("HIGH")) && listing.contains(QStringLiteral("HOST-FINDINGS")), qPrintable(listing));
        const QStringList fields = listing.split(QLatin1Char('\n')).at(1).split(QLatin1Char(' '), Qt::SkipEmptyParts);
        // ID HOST DATE TIME PROCESSES MODULES HIGH MEDIUM LOW HOST-FINDINGS
        QVERIFY2(fields.size() >= 10, qPrintable(listing));
        QCOMPARE(fields[6].toLongLong(), summary.modulesAt(Level::High));
        QCOMPARE(fields[7].toLongLong(), summary.modulesAt(Level::Medium));
        QCOMPARE(fields[8].toLongLong(), summary.modulesAt(Level::Low));
        QCOMPARE(fields[9].toLongLong(), summary.findings);
        const auto json = analysis::snapshotsToJson(*summaries);
        QCOMPARE(json[0]["module_levels"]["high"].get<std::int64_t>(), summary.modulesAt(Level::High));
    }

    void unreadableProcessesKeepTheirErrors()
    {
        if (::geteuid() == 0)
            QSKIP("running as root: every process is readable");
        const ScanResult scan = scanPid(1);
        QVERIFY(!scan.processes.empty());
        QVERIFY2(!scan.processes.front().errors.empty(), "pid 1 was fully readable without root");
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("init.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(store::importBundle(*db, str(bundle)).errors.empty());
        auto summaries = analysis::listSnapshots(*db);
        QCOMPARE(summaries->size(), std::size_t(1));
        QCOMPARE(summaries->front().processesWithErrors, std::int64_t(1));
        auto stmt = db->statement("SELECT errors FROM processes WHERE pid = 1");
        QVERIFY(*stmt->step());
        QVERIFY(QString::fromStdString(stmt->text(0)).contains(QString::fromStdString(scan.processes.front().errors.front())));
    }

    void hostsKeepTheirOwnFiles()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        ScanResult scan = scanPid(fixture.pid());
        QTemporaryDir dir;
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        for (const char *host : {"alpha", "beta"}) {
            scan.host.hostname = host;
            const QString bundle = dir.filePath(QString::fromLatin1(host) + QStringLiteral(".llsnap"));
            QCOMPARE(writeBundle(bundle, scan), QString());
            QVERIFY(store::importBundle(*db, str(bundle)).errors.empty());
        }
        QCOMPARE(countRows(*db, QStringLiteral("hosts")), qint64(2));
        QCOMPARE(countRows(*db, QStringLiteral("files")), 2 * qint64(scan.files.size()));
        // Paths and verdicts are stored once for both hosts.
        QCOMPARE(countRows(*db, QStringLiteral("paths WHERE path LIKE '%ll_fixture_target'")), qint64(1));
    }

    void cancelledImportIsFinishedByRunningAgain()
    {
        bench::SyntheticCaseOptions options;
        options.processesPerHost = 120;
        options.modulesPerProcess = 30;
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("big.llsnap"));
        QCOMPARE(writeBundle(bundle, bench::syntheticScan(options, 3)), QString());
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));

        store::BundleImportOptions cancelling;
        cancelling.processesPerBatch = 10;
        cancelling.progress = [&](std::size_t done, std::size_t, const std::string &) {
            if (done >= 30)
                cancelling.cancel.cancel();
        };
        const ImportReport partial = store::importBundle(*db, str(bundle), cancelling);
        QVERIFY(!partial.complete);
        QCOMPARE(countRows(*db, QStringLiteral("processes")), qint64(30));
        QCOMPARE(countRows(*db, QStringLiteral("modules")), qint64(30 * 30 + 1));  // process 7 has the rare library
        QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 0")), qint64(1));
        // Analysis does not see the half-imported snapshot.
        QCOMPARE(analysis::stack(*db)->entries.size(), std::size_t(0));

        store::BundleImportOptions plain;
        plain.processesPerBatch = 10;
        const ImportReport rest = store::importBundle(*db, str(bundle), plain);
        QVERIFY2(rest.errors.empty(), qPrintable(errorsOf(rest)));
        QVERIFY(rest.complete);
        QCOMPARE(countRows(*db, QStringLiteral("processes")), qint64(120));
        QCOMPARE(countRows(*db, QStringLiteral("modules")), qint64(120 * 30 + 1));
        // Already there: the snapshot row, the files, the first 30 processes and their modules.
        QCOMPARE(rest.duplicates, std::uint64_t(1 + partial.countsByKind.at("files") + 30 + 30 * 30 + 1));
        QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 1")), qint64(1));
        auto stacked = analysis::stack(*db, {analysis::StackBy::Hash, 1, 0, false});
        QVERIFY(stacked.ok());
        QVERIFY(!stacked->entries.empty());
    }

    void incompleteBundleSnapshotIsLeftOut()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("cut.llsnap"));
        QCOMPARE(writeBundle(bundle, scanPid(fixture.pid())), QString());
        sqlite3 *raw = nullptr;
        QCOMPARE(sqlite3_open(bundle.toUtf8().constData(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, "UPDATE snapshots SET complete = 0", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        const ImportReport report = store::importBundle(*db, str(bundle));
        QVERIFY(report.errors.empty());
        QCOMPARE(report.imported, std::uint64_t(0));
        QCOMPARE(report.notes.size(), std::size_t(1));
        QVERIFY(QString::fromStdString(report.notes.front()).contains(QLatin1String("incomplete")));
        QCOMPARE(countRows(*db, QStringLiteral("snapshots")), qint64(0));
    }

    void refusesBadBundles()
    {
        QTemporaryDir dir;
        const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));
        auto db = store::CaseDatabase::open(str(casePath));
        const QString foreign = dir.filePath(QStringLiteral("foreign.sqlite"));
        sqlite3 *raw = nullptr;
        QCOMPARE(sqlite3_open(foreign.toUtf8().constData(), &raw), SQLITE_OK);
        QCOMPARE(sqlite3_exec(raw, "CREATE TABLE modules(x)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(raw);
        for (const QString &file : {foreign, casePath, dir.filePath(QStringLiteral("missing.llsnap"))}) {
            const ImportReport report = store::importBundle(*db, str(file));
            QVERIFY(!report.complete);
            QCOMPARE(report.errors.size(), std::size_t(1));
            QVERIFY2(QString::fromStdString(report.errors.front()).contains(file), qPrintable(errorsOf(report)));
        }
        QCOMPARE(countRows(*db, QStringLiteral("snapshots")), qint64(0));
    }
};

QTEST_GUILESS_MAIN(TestBundleImport)
#include "tst_bundle_import.moc"
