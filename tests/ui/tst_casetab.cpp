// Import and the Case tab on real data: a bundle written from a live scan of this process is
// imported by the import worker (progress, report, duplicates, cancel), the hosts view shows
// it, two snapshots are diffed, modules are stacked, and a table view exports to CSV that
// parses back to what the view shows.
#include <QAbstractItemModelTester>
#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <QFile>
#include <QSortFilterProxyModel>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>
#include <QLineEdit>
#include <QPointer>

#include "case_builders.h"
#include "csv_reader.h"
#include "casemodels.h"
#include "caseproxies.h"
#include "casequeryrunner.h"
#include "casetab.h"
#include "importcontroller.h"
#include "importdialog.h"
#include "mainwindow.h"
#include "posturemodels.h"
#include "filterproxies.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "snapshotbrowser.h"
#include "verdictdetails.h"
#include "tableexport.h"
#include "shared_data.h"

#include <QItemSelectionModel>

using namespace loadlens;

namespace {

// A module that is a real file mapped once in the process: removing it from a copy of the scan
// removes its path from that snapshot.
std::optional<ModuleRecord> takeUniqueFileModule(ScanResult &scan)
{
    auto &modules = scan.processes.front().modules;
    for (auto it = modules.begin(); it != modules.end(); ++it) {
        if (it->pseudo || it->path.empty() || it->path.front() != '/' || it->file == FileKey{} || it->deleted)
            continue;
        const auto same = std::count_if(modules.begin(), modules.end(), [&](const ModuleRecord &m) { return m.path == it->path; });
        if (same != 1)
            continue;
        ModuleRecord taken = *it;
        modules.erase(it);
        return taken;
    }
    return std::nullopt;
}

constexpr std::int64_t kScannedAt = 1'700'000'000;

} // namespace

class TestCaseTab : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void init();
    void importWorkerImportsABundle();
    void importCancel();
    void importReportsABrokenFile();
    void hostsViewShowsTheImportedSnapshot();
    void diffOfTwoSnapshots();
    void stackingAndRareFilter_data();
    void stackingAndRareFilter();
    void exportedCsvParsesBack();
    void moduleVerdictsPerSnapshot();
    void diffHeaderFollowsTheSelection();
    void hostsKnownOnlyFromEventsAreListed();
    void doubleClickBrowsesASnapshot();
    void browsingAMissingSnapshotSaysSo();

private:
    ImportReport importBundle(const QString &casePath);
    void loadTab(ui::CaseTab &tab, const QString &casePath);

    ScanResult m_scan;
    std::unique_ptr<QTemporaryDir> m_dir;
    QString m_bundle;
    QString m_casePath;
};

void TestCaseTab::initTestCase()
{
    m_scan = testing::scanSelf();
    QVERIFY(!m_scan.processes.empty());
    QVERIFY(m_scan.processes.front().modules.size() > 3);
}

void TestCaseTab::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
    m_bundle = m_dir->filePath(QStringLiteral("host.llsnap"));
    m_casePath = m_dir->filePath(QStringLiteral("case.sqlite"));
    QVERIFY(testing::writeBundle(m_bundle.toStdString(), m_scan, kScannedAt).ok());
}

ImportReport TestCaseTab::importBundle(const QString &casePath)
{
    ui::ImportController controller;
    controller.setProgressInterval(0);
    QSignalSpy progress(&controller, &ui::ImportController::progress);
    QSignalSpy imported(&controller, &ui::ImportController::fileImported);
    QSignalSpy finished(&controller, &ui::ImportController::finished);
    QSignalSpy failed(&controller, &ui::ImportController::failed);
    const quint64 generation = controller.start(casePath, {m_bundle}, QString());
    [&] { QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, 60000); }();
    if (failed.count() != 0)
        qWarning() << failed.first().at(1).toString();
    if (finished.count() != 1 || imported.count() != 1)
        return {};
    if (finished.first().at(0).toULongLong() != generation || progress.isEmpty())
        return {};
    // Progress names the file and counts processes of the bundle.
    const QList<QVariant> last = progress.last();
    if (last.at(1).toInt() != 0 || last.at(2).toInt() != 1 || !last.at(5).toString().contains(QStringLiteral("host.llsnap")))
        return {};
    QTest::qWait(50);  // nothing more arrives after the end
    if (finished.count() + failed.count() != 1)
        return {};
    return imported.first().at(1).value<ImportReport>();
}

void TestCaseTab::importWorkerImportsABundle()
{
    const ImportReport first = importBundle(m_casePath);
    QCOMPARE(first.format, std::string("bundle"));
    QVERIFY(first.complete);
    QVERIFY(first.recordsRead > 0);
    QCOMPARE(first.imported, first.recordsRead);
    QCOMPARE(first.duplicates, std::uint64_t(0));

    const ImportReport again = importBundle(m_casePath);
    QCOMPARE(again.imported, std::uint64_t(0));
    QCOMPARE(again.duplicates, again.recordsRead);

    // The dialog lists the reports under a model tester.
    ui::ImportController controller;
    ui::ImportDialog dialog(&controller);
    QAbstractItemModelTester tester(dialog.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy done(&dialog, &ui::ImportDialog::imported);
    dialog.start(m_casePath, {m_bundle, m_bundle}, QString());
    QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
    QCOMPARE(dialog.model()->rowCount(), 2);
    const auto cell = [&dialog](int row, int column) {
        return dialog.model()->index(row, column).data(ui::ImportReportModel::SortRole).toULongLong();
    };
    for (int row = 0; row < 2; ++row) {
        QCOMPARE(cell(row, ui::ImportReportModel::ImportedColumn), 0ULL);
        QVERIFY(cell(row, ui::ImportReportModel::ReadColumn) > 0);
        QCOMPARE(cell(row, ui::ImportReportModel::DuplicatesColumn), cell(row, ui::ImportReportModel::ReadColumn));
    }
    QCOMPARE(dialog.model()->index(1, ui::ImportReportModel::StatusColumn).data().toString(), QStringLiteral("complete"));
}

void TestCaseTab::importCancel()
{
    ui::ImportController controller;
    QSignalSpy finished(&controller, &ui::ImportController::finished);
    QSignalSpy failed(&controller, &ui::ImportController::failed);
    QStringList files;
    for (int i = 0; i < 50; ++i)
        files << m_bundle;
    controller.start(m_casePath, files, QString());
    controller.cancel();
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 60000);
    QCOMPARE(finished.count(), 0);
    QVERIFY2(failed.first().at(1).toString().contains(QStringLiteral("cancelled")), qPrintable(failed.first().at(1).toString()));
    QVERIFY(!controller.isRunning());
}

void TestCaseTab::importReportsABrokenFile()
{
    const QString junk = m_dir->filePath(QStringLiteral("junk.bin"));
    QFile file(junk);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("SQLite format 3\0 but then nothing useful", 41);
    file.close();
    ui::ImportController controller;
    QSignalSpy imported(&controller, &ui::ImportController::fileImported);
    QSignalSpy finished(&controller, &ui::ImportController::finished);
    controller.start(m_casePath, {junk}, QString());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QCOMPARE(imported.count(), 1);
    const auto report = imported.first().at(1).value<ImportReport>();
    QCOMPARE(report.imported, std::uint64_t(0));
    QVERIFY(!report.errors.empty());
    QVERIFY(ui::importReportHtml(report).contains(QStringLiteral("Error:")));
}

void TestCaseTab::loadTab(ui::CaseTab &tab, const QString &casePath)
{
    QSignalSpy settled(&tab, &ui::CaseTab::settled);
    tab.setCasePath(casePath);
    QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && tab.runner()->isIdle(), 30000);
}

void TestCaseTab::hostsViewShowsTheImportedSnapshot()
{
    QVERIFY(importBundle(m_casePath).imported > 0);
    ui::CaseTab tab;
    QAbstractItemModelTester sourceTester(tab.snapshotModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(tab.hostsView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    QCOMPARE(tab.snapshotModel()->rowCount(), 1);
    const QModelIndex host = tab.hostsView()->model()->index(0, ui::SnapshotTableModel::HostColumn);
    QCOMPARE(host.data().toString(), QString::fromStdString(m_scan.host.hostname));
    const QModelIndex modules = tab.hostsView()->model()->index(0, ui::SnapshotTableModel::ModulesColumn);
    QVERIFY(modules.data(ui::SnapshotTableModel::SortRole).toLongLong() >= static_cast<qint64>(m_scan.processes.front().modules.size()));
    QCOMPARE(tab.hostsView()->model()->index(0, ui::SnapshotTableModel::ScannedAtColumn).data().toString(),
             QStringLiteral("2023-11-14 22:13:20"));

    auto *proxy = qobject_cast<ui::SnapshotFilterProxy *>(tab.hostsView()->model());
    QVERIFY(proxy);
    proxy->setHostFilter(QStringLiteral("no-such-host"));
    QCOMPARE(proxy->rowCount(), 0);
    proxy->setHostFilter(QString::fromStdString(m_scan.host.hostname).toUpper());
    QCOMPARE(proxy->rowCount(), 1);
}

void TestCaseTab::diffOfTwoSnapshots()
{
    ScanResult later = m_scan;
    const auto taken = takeUniqueFileModule(later);
    QVERIFY(taken);
    const ModuleRecord removed = *taken;
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt).ok());
        QVERIFY(testing::writeSnapshot(*db, later, kScannedAt + 3600).ok());
    }
    ui::CaseTab tab;
    QAbstractItemModelTester diffTester(tab.diffModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(tab.diffView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    QCOMPARE(tab.snapshotModel()->rowCount(), 2);
    QSignalSpy settled(&tab, &ui::CaseTab::settled);
    QVERIFY(tab.selectNewestPair());
    QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && tab.runner()->isIdle(), 30000);
    QVERIFY2(tab.diffModel()->rowCount() > 0, qPrintable(tab.diffSummaryText()));

    bool found = false;
    const QAbstractItemModel *diff = tab.diffModel();
    for (int row = 0; row < diff->rowCount(); ++row) {
        const QModelIndex subject = diff->index(row, ui::SnapshotDiffModel::SubjectColumn);
        if (subject.data().toString() == QString::fromStdString(removed.path)
            && diff->index(row, ui::SnapshotDiffModel::ChangeColumn).data(ui::SnapshotDiffModel::KindRole).toString()
                   == QStringLiteral("module-removed"))
            found = true;
        QVERIFY(diff->index(row, 0).data(ui::SnapshotDiffModel::KindRole).toString() != QStringLiteral("module-added"));
    }
    QVERIFY2(found, qPrintable(QString::fromStdString(removed.path)));

    auto *proxy = qobject_cast<ui::DiffFilterProxy *>(tab.diffView()->model());
    QVERIFY(proxy);
    const int hostWide = proxy->rowCount();
    proxy->setShowProcessChanges(true);
    QVERIFY(proxy->rowCount() > hostWide);  // the removal is also listed under the process's executable
    QCOMPARE(proxy->rowCount(), diff->rowCount());
}

void TestCaseTab::stackingAndRareFilter_data()
{
    QTest::addColumn<int>("maxHosts");
    QTest::addColumn<bool>("expectRows");
    QTest::addRow("any") << 0 << true;
    QTest::addRow("rare <= 1") << 1 << true;
    QTest::addRow("rare <= 2") << 2 << true;
}

void TestCaseTab::stackingAndRareFilter()
{
    QFETCH(int, maxHosts);
    QFETCH(bool, expectRows);
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt, "alpha").ok());
        ScanResult other = m_scan;
        QVERIFY(takeUniqueFileModule(other));  // one module on alpha only
        QVERIFY(testing::writeSnapshot(*db, other, kScannedAt, "beta").ok());
    }
    ui::CaseTab tab;
    QAbstractItemModelTester sourceTester(tab.stackModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(tab.stackProxy(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    const auto &result = tab.stackModel()->result();
    QCOMPARE(result.hostsInCase, std::int64_t(2));
    QVERIFY(tab.stackModel()->rowCount() > 1);
    tab.stackProxy()->setMaxHosts(maxHosts);
    QCOMPARE(tab.stackProxy()->rowCount() > 0, expectRows);
    int onOneHost = 0;
    for (const auto &entry : result.entries)
        onOneHost += entry.hosts == 1 ? 1 : 0;
    QVERIFY(onOneHost >= 1);
    const int expected = maxHosts == 1 ? onOneHost : tab.stackModel()->rowCount();
    QCOMPARE(tab.stackProxy()->rowCount(), expected);
    for (int row = 0; row < tab.stackProxy()->rowCount(); ++row) {
        const auto hosts = tab.stackProxy()->index(row, 0).data(ui::StackTableModel::HostsRole).toLongLong();
        QVERIFY(maxHosts == 0 || hosts <= maxHosts);
    }
}

void TestCaseTab::exportedCsvParsesBack()
{
    QVERIFY(importBundle(m_casePath).imported > 0);
    scan::ScanOptions options;
    options.pid = static_cast<int>(::getpid());
    ui::MainWindow window(options);
    QSignalSpy settled(window.caseTab(), &ui::CaseTab::settled);
    QVERIFY(window.openCase(m_casePath).ok());
    QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && window.caseTab()->runner()->isIdle(), 30000);

    QTreeView *view = window.caseTab()->stackView();
    const QAbstractItemModel *model = view->model();
    QVERIFY(model->rowCount() > 3);
    const QString file = m_dir->filePath(QStringLiteral("stack.csv"));
    QVERIFY(window.exportView(view, file).ok());
    QFile csv(file);
    QVERIFY(csv.open(QIODevice::ReadOnly));
    const QList<QStringList> records = testing::parseCsv(QString::fromUtf8(csv.readAll()));
    QCOMPARE(records.size(), model->rowCount() + 1);
    for (int column = 0; column < model->columnCount(); ++column)
        QCOMPARE(records[0][column], model->headerData(column, Qt::Horizontal).toString());
    QCOMPARE(records[0].last(), QStringLiteral("Hosts in case"));
    // Raw values, not the view's text: the full SHA-256 (the view shows 12 characters) and the
    // host count as a number (the view says "1 of 1").
    int fullHashes = 0;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QStringList &record = records[row + 1];
        QCOMPARE(record.size(), model->columnCount() + 1);
        QCOMPARE(record[ui::StackTableModel::ModuleColumn], model->index(row, ui::StackTableModel::ModuleColumn).data().toString());
        const QString hash = model->index(row, ui::StackTableModel::HashColumn).data(ui::StackTableModel::SortRole).toString();
        QCOMPARE(record[ui::StackTableModel::HashColumn], hash);
        if (hash.size() == 64) {
            ++fullHashes;
            QVERIFY(model->index(row, ui::StackTableModel::HashColumn).data().toString().size() < 64);
        }
        QCOMPARE(record[ui::StackTableModel::HostsColumn], QStringLiteral("1"));
        QCOMPARE(record.last(), QStringLiteral("1"));
    }
    QVERIFY(fullHashes > 0);

    // JSON by suffix, typed cells where the view shows a plain number.
    const QString json = m_dir->filePath(QStringLiteral("stack.json"));
    QVERIFY(window.exportView(view, json).ok());
    QFile jsonFile(json);
    QVERIFY(jsonFile.open(QIODevice::ReadOnly));
    const QByteArray bytes = jsonFile.readAll();
    QVERIFY(bytes.startsWith('['));
    QVERIFY(bytes.contains("\"Processes\""));
    QVERIFY(!window.exportView(nullptr, file).ok());
}

// High/Medium/Low count the modules of each snapshot by verdict; host-level findings have their
// own column.
void TestCaseTab::moduleVerdictsPerSnapshot()
{
    ScanResult judged = m_scan;
    auto &modules = judged.processes.front().modules;
    modules[0].verdict.level = Level::High;  // one module of each flagged level, whatever this build's verdicts are
    modules[1].verdict.level = Level::Medium;
    modules[2].verdict.level = Level::Low;
    std::array<qint64, 5> expected{};
    for (const auto &module : modules)
        ++expected[static_cast<std::size_t>(module.verdict.level)];
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, judged, kScannedAt).ok());
    }
    ui::CaseTab tab;
    QAbstractItemModelTester tester(tab.snapshotModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    QCOMPARE(tab.snapshotModel()->rowCount(), 1);
    const auto cell = [&tab](int column) { return tab.snapshotModel()->index(0, column).data(ui::SnapshotTableModel::SortRole).toLongLong(); };
    QCOMPARE(cell(ui::SnapshotTableModel::HighColumn), expected[static_cast<std::size_t>(Level::High)]);
    QCOMPARE(cell(ui::SnapshotTableModel::MediumColumn), expected[static_cast<std::size_t>(Level::Medium)]);
    QCOMPARE(cell(ui::SnapshotTableModel::LowColumn), expected[static_cast<std::size_t>(Level::Low)]);
    QCOMPARE(cell(ui::SnapshotTableModel::InfoColumn), expected[static_cast<std::size_t>(Level::Info)]);
    QVERIFY(cell(ui::SnapshotTableModel::HighColumn) >= 1);
    QCOMPARE(tab.snapshotModel()->index(0, ui::SnapshotTableModel::HighColumn).data().toString(),
             QString::number(expected[static_cast<std::size_t>(Level::High)]));
    QCOMPARE(cell(ui::SnapshotTableModel::FindingsColumn), qint64(m_scan.findings.size()));
    QCOMPARE(tab.snapshotModel()->headerData(ui::SnapshotTableModel::FindingsColumn, Qt::Horizontal).toString(),
             QStringLiteral("Host findings"));
}

// The header says what the table shows: never "comparing" once the diff is there, and no diff
// once fewer than two snapshots are selected.
void TestCaseTab::diffHeaderFollowsTheSelection()
{
    ScanResult later = m_scan;
    QVERIFY(takeUniqueFileModule(later));
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt).ok());
        QVERIFY(testing::writeSnapshot(*db, later, kScannedAt + 3600).ok());
    }
    ui::CaseTab tab;
    QAbstractItemModelTester diffTester(tab.diffModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    QItemSelectionModel *selection = tab.hostsView()->selectionModel();
    // Several rounds: the summary and the diff run in parallel and may arrive in either order.
    for (int round = 0; round < 8; ++round) {
        QSignalSpy settled(&tab, &ui::CaseTab::settled);
        QVERIFY(tab.selectNewestPair());
        QTRY_VERIFY_WITH_TIMEOUT(settled.count() >= 1 && tab.runner()->isIdle(), 30000);
        QVERIFY(tab.diffModel()->rowCount() > 0);
        QVERIFY2(!tab.diffSummaryText().contains(QStringLiteral("comparing")), qPrintable(tab.diffSummaryText()));
        QVERIFY2(tab.diffSummaryText().contains(QStringLiteral("host-wide module change")), qPrintable(tab.diffSummaryText()));

        const QModelIndex first = tab.hostsView()->model()->index(0, 0);
        selection->select(first, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
        QCOMPARE(tab.diffModel()->rowCount(), 0);
        QVERIFY2(tab.diffSummaryText().contains(QStringLiteral("select two snapshots")), qPrintable(tab.diffSummaryText()));
        QTest::qWait(20);  // a result of the old pair still on its way must not bring the diff back
        QTRY_VERIFY_WITH_TIMEOUT(tab.runner()->isIdle(), 30000);
        QCOMPARE(tab.diffModel()->rowCount(), 0);
        QVERIFY(tab.diffSummaryText().contains(QStringLiteral("select two snapshots")));
    }
    // Selecting the pair again right after one row diffs again (the old pair is not remembered).
    QVERIFY(tab.selectNewestPair());
    selection->select(tab.hostsView()->model()->index(0, 0), QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QTest::qWait(200);
    QCOMPARE(tab.diffModel()->rowCount(), 0);
    QVERIFY(tab.diffSummaryText().contains(QStringLiteral("select two snapshots")));
}

// Windows hosts of imported Sysmon logs have no snapshot; the hosts view lists them too, with
// their event counts, and a diff of such a row is not attempted.
void TestCaseTab::hostsKnownOnlyFromEventsAreListed()
{
    LOADLENS_SHARED_DATA_OR_SKIP(sideloading, "sysmon-evtx/attack_sideloading_wwlib_sysmon_7_1_11.evtx");
    LOADLENS_SHARED_DATA_OR_SKIP(sysmon, "sysmon-evtx/evtxrs_sysmon.evtx");
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt).ok());
    }
    ui::ImportController controller;
    QSignalSpy finished(&controller, &ui::ImportController::finished);
    QSignalSpy failed(&controller, &ui::ImportController::failed);
    controller.start(m_casePath, {sideloading, sysmon}, QString());
    QTRY_COMPARE_WITH_TIMEOUT(finished.count() + failed.count(), 1, 120000);
    QCOMPARE(failed.count(), 0);

    std::map<QString, qint64> expected;  // straight from the events table
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString(), store::OpenMode::ReadOnly);
        QVERIFY(db.ok());
        auto stmt = db->statement("SELECT host, count(*) FROM events GROUP BY host");
        QVERIFY(stmt.ok());
        QVERIFY(stmt->forEach([&](const store::Statement &row) {
            expected[QString::fromStdString(row.text(0))] = row.integer(1);
        }).ok());
    }
    QVERIFY(!expected.empty());
    const QString scanned = QString::fromStdString(m_scan.host.hostname);
    QVERIFY(!expected.count(scanned));

    ui::CaseTab tab;
    QAbstractItemModelTester tester(tab.snapshotModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(tab.hostsView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    loadTab(tab, m_casePath);
    const ui::SnapshotTableModel *model = tab.snapshotModel();
    QCOMPARE(model->rowCount(), 1 + static_cast<int>(expected.size()));
    int eventOnly = 0;
    int eventRow = -1;
    for (int row = 0; row < model->rowCount(); ++row) {
        const QString host = model->index(row, ui::SnapshotTableModel::HostColumn).data().toString();
        const qint64 id = model->index(row, 0).data(ui::SnapshotTableModel::SnapshotIdRole).toLongLong();
        const qint64 events = model->index(row, ui::SnapshotTableModel::EventsColumn).data(ui::SnapshotTableModel::SortRole).toLongLong();
        if (host == scanned) {
            QVERIFY(id > 0);
            QCOMPARE(events, qint64(0));
            continue;
        }
        ++eventOnly;
        eventRow = row;
        QCOMPARE(id, qint64(0));
        QVERIFY2(expected.count(host), qPrintable(host));
        QCOMPARE(events, expected[host]);
        QCOMPARE(model->index(row, ui::SnapshotTableModel::SnapshotsColumn).data().toString(), QStringLiteral("0"));
        QCOMPARE(model->index(row, ui::SnapshotTableModel::ModulesColumn).data().toString(), QString());
        QCOMPARE(model->index(row, ui::SnapshotTableModel::ScannedAtColumn).data().toString(), QStringLiteral("events only"));
    }
    QCOMPARE(eventOnly, static_cast<int>(expected.size()));
    QVERIFY(tab.hostsView()->model()->rowCount() == model->rowCount());

    // A snapshot and an events-only host: nothing to diff.
    QItemSelection both;
    for (const int row : {0, eventRow}) {
        const QModelIndex index = qobject_cast<QSortFilterProxyModel *>(tab.hostsView()->model())->mapFromSource(model->index(row, 0));
        both.select(index, index);
    }
    tab.hostsView()->selectionModel()->select(both, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    QVERIFY(tab.diffSummaryText().contains(QStringLiteral("select two snapshots")));
    QTest::qWait(50);
    QTRY_VERIFY_WITH_TIMEOUT(tab.runner()->isIdle(), 30000);
    QCOMPARE(tab.diffModel()->rowCount(), 0);
}


void TestCaseTab::doubleClickBrowsesASnapshot()
{
    // Two hosts: the snapshot browsed is the one double-clicked, not the first or the newest.
    ScanResult other = m_scan;
    other.processes.front().name = "other-host-process";
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt).ok());
        QVERIFY(testing::writeSnapshot(*db, other, kScannedAt + 60, "second-host").ok());
    }
    ui::CaseTab tab;
    loadTab(tab, m_casePath);
    QCOMPARE(tab.snapshotModel()->rowCount(), 2);
    int row = -1;
    for (int r = 0; r < tab.hostsView()->model()->rowCount(); ++r)
        if (tab.hostsView()->model()->index(r, ui::SnapshotTableModel::HostColumn).data().toString() == QStringLiteral("second-host"))
            row = r;
    QVERIFY(row >= 0);
    const qint64 id = tab.hostsView()->model()->index(row, 0).data(ui::SnapshotTableModel::SnapshotIdRole).toLongLong();
    QVERIFY(id > 0);

    QSignalSpy opened(&tab, &ui::CaseTab::snapshotBrowserOpened);
    tab.show();
    QVERIFY(QTest::qWaitForWindowExposed(&tab));
    QTreeView *view = tab.hostsView();
    const QModelIndex index = view->model()->index(row, ui::SnapshotTableModel::HostColumn);
    view->scrollTo(index);
    const QPoint centre = view->visualRect(index).center();
    QTest::mouseClick(view->viewport(), Qt::LeftButton, {}, centre);
    QTest::mouseDClick(view->viewport(), Qt::LeftButton, {}, centre);
    QTRY_COMPARE_WITH_TIMEOUT(opened.count(), 1, 30000);
    // The window belongs to the tab's window (here the tab itself): it closes with it.
    QPointer<ui::SnapshotBrowser> browser = tab.findChild<ui::SnapshotBrowser *>();
    QVERIFY(browser);
    QCOMPARE(browser->snapshotId(), id);
    QVERIFY(browser->windowTitle().contains(QStringLiteral("second-host")));
    QVERIFY(browser->windowTitle().contains(QStringLiteral("read-only")));
    QVERIFY(browser->windowTitle().contains(QStringLiteral("2023-11-14 22:14:20")));
    QVERIFY2(browser->headerText().contains(QStringLiteral("second-host")), qPrintable(browser->headerText()));

    QAbstractItemModelTester processTester(browser->processModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester proxyTester(browser->processView()->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester moduleTester(browser->moduleModel(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(browser->processModel()->processCount(), static_cast<int>(other.processes.size()));
    const ProcessInfo &process = other.processes.front();
    QVERIFY(browser->selectProcess(process.pid));
    QCOMPARE(browser->processView()->currentIndex().siblingAtColumn(ui::ProcessTreeModel::NameColumn).data().toString(),
             QStringLiteral("other-host-process"));
    QCOMPARE(browser->moduleModel()->rowCount(), static_cast<int>(process.modules.size()));
    // The modules show what the scan found: the same paths, and a verdict in the details pane.
    QStringList shown, scanned;
    for (int r = 0; r < browser->moduleModel()->rowCount(); ++r)
        shown << browser->moduleModel()->index(r, ui::ModuleTableModel::PathColumn).data(ui::ModuleTableModel::PathRole).toString();
    for (const auto &m : process.modules)
        scanned << QString::fromStdString(m.path);
    shown.sort();
    scanned.sort();
    QCOMPARE(shown, scanned);
    QVERIFY(browser->moduleView()->currentIndex().isValid());
    const QString details = browser->details()->toPlainText();
    const ModuleRecord *module = browser->moduleModel()->moduleAt(
        qobject_cast<QSortFilterProxyModel *>(browser->moduleView()->model())->mapToSource(browser->moduleView()->currentIndex()).row());
    QVERIFY(module);
    QVERIFY2(details.contains(QString::fromStdString(module->path)), qPrintable(details));

    // The filter finds processes by a module they load, as in the live view.
    const QString libc = [&] {
        for (const auto &m : process.modules)
            if (m.path.find("libc.so") != std::string::npos)
                return QString::fromStdString(m.path);
        return QString();
    }();
    QVERIFY(!libc.isEmpty());
    browser->processFilter()->setText(QStringLiteral("libc.so"));
    QCOMPARE(browser->processView()->model()->rowCount(), 1);
    browser->processFilter()->setText(QStringLiteral("no-such-module-anywhere"));
    QCOMPARE(browser->processView()->model()->rowCount(), 0);
    browser->close();
    QTRY_VERIFY(browser.isNull());  // deleted on close
}

void TestCaseTab::browsingAMissingSnapshotSaysSo()
{
    {
        auto db = store::CaseDatabase::open(m_casePath.toStdString());
        QVERIFY(db.ok());
        QVERIFY(testing::writeSnapshot(*db, m_scan, kScannedAt).ok());
    }
    ui::CaseTab tab;
    loadTab(tab, m_casePath);
    QSignalSpy opened(&tab, &ui::CaseTab::snapshotBrowserOpened);
    QSignalSpy failed(&tab, &ui::CaseTab::queryFailed);
    tab.browseSnapshot(9999);
    QTRY_COMPARE_WITH_TIMEOUT(failed.count(), 1, 30000);
    QCOMPARE(opened.count(), 0);
    QVERIFY2(failed.first().at(0).toString().contains(QStringLiteral("no snapshot 9999")),
             qPrintable(failed.first().at(0).toString()));
}

QTEST_MAIN(TestCaseTab)
#include "tst_casetab.moc"
