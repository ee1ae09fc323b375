// Module rows as schema 4 keeps them (ranges relative to the module's start and confirmations
// interned in module_shapes, dev and inode taken from the file row): read back they equal the
// scan; a bundle of the older layout (absolute ranges and confirmation in each row) imports to
// the same snapshot, and a case of schema 3 migrates to it.
#include <QtTest>

#include "analysis/case_queries.h"
#include "case_test_support.h"
#include "fixture_process.h"
#include "store/bundle_import.h"
#include "store/module_ranges.h"
#include "store/snapshot_reader.h"

#include <QFile>
#include <QTemporaryDir>
#include <algorithm>
#include <sqlite3.h>

using namespace loadlens;
using loadlens::testing::countRows;
using loadlens::testing::FixtureProcess;
using loadlens::testing::integrityOf;
using loadlens::testing::scanPid;
using loadlens::testing::writeBundle;

namespace {

std::string str(const QString &s) { return s.toStdString(); }

// Rewrites a bundle of schema 4 into the module layout of schema 3, as an older LoadLens wrote it.
QString downgradeToSchema3(const QString &path)
{
    sqlite3 *h = nullptr;
    if (sqlite3_open(QFile::encodeName(path).constData(), &h) != SQLITE_OK)
        return QStringLiteral("cannot open");
    if (store::registerRangeFunctions(h) != SQLITE_OK) {
        sqlite3_close(h);
        return QStringLiteral("cannot register functions");
    }
    const char *sql = R"sql(
CREATE TABLE modules_v3(
  snapshot_id INTEGER NOT NULL REFERENCES snapshots(id),
  process_id INTEGER NOT NULL REFERENCES processes(id),
  path_id INTEGER NOT NULL REFERENCES paths(id),
  start INTEGER NOT NULL,
  file_id INTEGER REFERENCES files(id),
  dev INTEGER NOT NULL,
  inode INTEGER NOT NULL,
  flags INTEGER NOT NULL,
  level INTEGER NOT NULL,
  verdict_id INTEGER NOT NULL REFERENCES verdicts(id),
  confirmation TEXT NOT NULL,
  ranges TEXT NOT NULL,
  PRIMARY KEY(snapshot_id, process_id, path_id, start)) WITHOUT ROWID;
INSERT INTO modules_v3 SELECT m.snapshot_id, m.process_id, m.path_id, m.start, m.file_id, coalesce(m.dev, f.dev),
  coalesce(m.inode, f.inode), m.flags, m.level, m.verdict_id, sh.confirmation, loadlens_absolute_ranges(m.start, sh.ranges)
  FROM modules m JOIN module_shapes sh ON sh.id = m.shape_id LEFT JOIN files f ON f.id = m.file_id;
DROP TABLE modules;
DROP TABLE module_shapes;
ALTER TABLE modules_v3 RENAME TO modules;
CREATE INDEX modules_by_path ON modules(path_id, snapshot_id);
DELETE FROM schema_version WHERE version > 3;
)sql";
    QString error;
    if (sqlite3_exec(h, sql, nullptr, nullptr, nullptr) != SQLITE_OK)
        error = QString::fromUtf8(sqlite3_errmsg(h));
    sqlite3_close(h);
    return error;
}

std::vector<ModuleRecord> byStart(std::vector<ModuleRecord> modules)
{
    std::stable_sort(modules.begin(), modules.end(), [](const ModuleRecord &a, const ModuleRecord &b) {
        const auto start = [](const ModuleRecord &m) { return m.ranges.empty() ? 0 : m.ranges.front().start; };
        return start(a) < start(b);
    });
    return modules;
}

void compareModules(const ScanResult &got, const ScanResult &want)
{
    QCOMPARE(got.processes.size(), want.processes.size());
    for (std::size_t p = 0; p < want.processes.size(); ++p) {
        const auto g = byStart(got.processes[p].modules);
        const auto w = byStart(want.processes[p].modules);
        QCOMPARE(g.size(), w.size());
        for (std::size_t i = 0; i < w.size(); ++i) {
            QCOMPARE(g[i].path, w[i].path);
            QCOMPARE(g[i].file.dev, w[i].file.dev);
            QCOMPARE(g[i].file.inode, w[i].file.inode);
            QCOMPARE(g[i].deleted, w[i].deleted);
            QCOMPARE(g[i].memfd, w[i].memfd);
            QCOMPARE(g[i].anonymousExec, w[i].anonymousExec);
            QCOMPARE(g[i].pseudo, w[i].pseudo);
            QCOMPARE(g[i].confirmation, w[i].confirmation);
            QCOMPARE(int(g[i].verdict.level), int(w[i].verdict.level));
            QCOMPARE(g[i].ranges.size(), w[i].ranges.size());
            for (std::size_t r = 0; r < w[i].ranges.size(); ++r) {
                QCOMPARE(g[i].ranges[r].start, w[i].ranges[r].start);
                QCOMPARE(g[i].ranges[r].end, w[i].ranges[r].end);
                QCOMPARE(g[i].ranges[r].offset, w[i].ranges[r].offset);
                QCOMPARE(g[i].ranges[r].perms, w[i].ranges[r].perms);
            }
        }
    }
}

ScanResult onlySnapshot(const store::CaseDatabase &db)
{
    auto id = db.queryInt("SELECT id FROM snapshots");
    if (!id)
        return {};
    auto read = store::readSnapshot(db, *id);
    return read ? read->scan : ScanResult{};
}

} // namespace

class TestModuleLayout : public QObject {
    Q_OBJECT

private slots:
    void rangesRoundTripAroundAnyBase()
    {
        const std::vector<MappedRange> ranges = {{0x7f0000001000, 0x7f0000002000, 0, "r--p"},
                                                 {0x7f0000002000, 0x7f0000005000, 0x1000, "r-xp"},
                                                 {0x10, 0x20, 0xffffffffffffffffull, "rw-s"}};
        for (std::uint64_t base : {std::uint64_t(0), std::uint64_t(0x7f0000001000), ~std::uint64_t(0)}) {
            const std::string text = store::rangesText(ranges, base);
            const auto back = store::rangesFromText(text, base);
            QCOMPARE(back.size(), ranges.size());
            for (std::size_t i = 0; i < ranges.size(); ++i) {
                QCOMPARE(back[i].start, ranges[i].start);
                QCOMPARE(back[i].end, ranges[i].end);
                QCOMPARE(back[i].offset, ranges[i].offset);
                QCOMPARE(back[i].perms, ranges[i].perms);
            }
        }
        QCOMPARE(store::rangesText(ranges, 0x7f0000001000).substr(0, 14), std::string("0-1000 r--p 0;"));
        // A malformed entry is left out, the others kept.
        QCOMPARE(store::rangesFromText("zz-1 r--p 0;10-20 r--p 0;30-40", 0).size(), std::size_t(1));
    }

    void olderBundleLayoutImportsAlike()
    {
        QTemporaryDir dir;
        const QString deleted = dir.filePath(QStringLiteral("libgone.so"));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), deleted));
        FixtureProcess fixture;
        QVERIFY2(fixture.start({QStringLiteral("--map-deleted"), deleted, QStringLiteral("--memfd"),
                                QStringLiteral("payload"), QStringLiteral("--anon-exec")}),
                 qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QCOMPARE(scan.processes.size(), std::size_t(1));

        const QString current = dir.filePath(QStringLiteral("new.llsnap"));
        QCOMPARE(writeBundle(current, scan), QString());
        const QString older = dir.filePath(QStringLiteral("old.llsnap"));
        QVERIFY(QFile::copy(current, older));
        QCOMPARE(downgradeToSchema3(older), QString());

        // Schema 4 keeps dev and inode only where no file row has them.
        {
            auto bundle = store::CaseDatabase::open(str(current), store::OpenMode::ReadOnly);
            QVERIFY(bundle.ok());
            QCOMPARE(countRows(*bundle, QStringLiteral("modules WHERE file_id IS NOT NULL AND dev IS NOT NULL")), qint64(0));
            QVERIFY(countRows(*bundle, QStringLiteral("modules WHERE file_id IS NULL AND dev IS NOT NULL")) > 0);
        }

        for (const QString &file : {current, older}) {
            auto db = store::CaseDatabase::open(str(dir.filePath(QFileInfo(file).baseName() + QStringLiteral(".case"))));
            QVERIFY(db.ok());
            const ImportReport report = store::importBundle(*db, str(file));
            QVERIFY(report.errors.empty());
            QVERIFY(report.complete);
            QCOMPARE(countRows(*db, QStringLiteral("modules")), qint64(scan.processes.front().modules.size()));
            QCOMPARE(countRows(*db, QStringLiteral("modules WHERE file_id IS NOT NULL AND dev IS NOT NULL")), qint64(0));
            compareModules(onlySnapshot(*db), scan);
            QCOMPARE(integrityOf(QString::fromStdString(db->path())), QStringLiteral("ok"));
        }

        // The old bundle opened as a case migrates to schema 4 and reads the same.
        {
            auto db = store::CaseDatabase::open(str(older));
            QVERIFY2(db.ok(), db.ok() ? "" : db.error().message.c_str());
            QCOMPARE(db->schemaVersion(), store::CaseDatabase::kSchemaVersion);
            QCOMPARE(countRows(*db, QStringLiteral("modules")), qint64(scan.processes.front().modules.size()));
            QCOMPARE(countRows(*db, QStringLiteral("modules WHERE file_id IS NOT NULL AND dev IS NOT NULL")), qint64(0));
            QCOMPARE(countRows(*db, QStringLiteral("sqlite_schema WHERE name = 'modules_by_path'")), qint64(0));
            compareModules(onlySnapshot(*db), scan);
        }
        QCOMPARE(integrityOf(older), QStringLiteral("ok"));
    }

    // Without an index on path_id who-loads goes through the module stack, which leaves out
    // kernel code pages ([vdso]); those come through their partial index. Every module row of
    // each path is found either way.
    void whoLoadsFindsEveryModuleRow()
    {
        FixtureProcess fixture;
        QVERIFY2(fixture.start({}), qPrintable(fixture.error()));
        const ScanResult scan = scanPid(fixture.pid());
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("host.llsnap"));
        QCOMPARE(writeBundle(bundle, scan), QString());
        auto db = store::CaseDatabase::open(str(dir.filePath(QStringLiteral("case.sqlite"))));
        QVERIFY(db.ok());
        QVERIFY(store::importBundle(*db, str(bundle)).errors.empty());
        std::size_t kernelPages = 0;
        for (const ModuleRecord &m : scan.processes.front().modules) {
            if (m.path.empty())
                continue;
            kernelPages += m.pseudo ? 1 : 0;
            const auto want = std::count_if(scan.processes.front().modules.begin(), scan.processes.front().modules.end(),
                                            [&](const ModuleRecord &o) { return o.path.find(m.path) != std::string::npos; });
            auto hits = analysis::whoLoads(*db, m.path);
            QVERIFY(hits.ok());
            QCOMPARE(std::ptrdiff_t(hits->size()), want);
            for (const auto &h : *hits)
                QCOMPARE(h.pid, scan.processes.front().pid);
        }
        QVERIFY(kernelPages > 0);  // [vdso] at least
        auto none = analysis::whoLoads(*db, "no-such-library-anywhere");
        QVERIFY(none.ok());
        QVERIFY(none->empty());
    }
};

QTEST_GUILESS_MAIN(TestModuleLayout)
#include "tst_module_layout.moc"
