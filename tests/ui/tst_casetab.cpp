// Import and the Case tab on real data: a bundle written from a live scan of this process is
// imported by the import worker (progress, report, duplicates, cancel), the hosts view shows
// it, two snapshots are diffed, modules are stacked, and a table view exports to CSV that
// parses back to what the view shows.
#include <QAbstractItemModelTester>
#include <algorithm>
#include <optional>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include "case_builders.h"
#include "casemodels.h"
#include "caseproxies.h"
#include "casequeryrunner.h"
#include "casetab.h"
#include "importcontroller.h"
#include "importdialog.h"
#include "mainwindow.h"
#include "posturemodels.h"
#include "tableexport.h"

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

// RFC 4180 records: quoted fields may hold commas, quotes ("") and line breaks.
QList<QStringList> parseCsv(const QString &text)
{
    QList<QStringList> records;
    QStringList record;
    QString field;
    bool quoted = false;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const QChar c = text[i];
        if (quoted) {
            if (c == QLatin1Char('"') && i + 1 < text.size() && text[i + 1] == QLatin1Char('"')) {
                field += c;
                ++i;
            } else if (c == QLatin1Char('"')) {
                quoted = false;
            } else {
                field += c;
            }
        } else if (c == QLatin1Char('"')) {
            quoted = true;
        } else if (c == QLatin1Char(',')) {
            record << field;
            field.clear();
        } else if (c == QLatin1Char('\r') && i + 1 < text.size() && text[i + 1] == QLatin1Char('\n')) {
            record << field;
            field.clear();
            records << record;
            record.clear();
            ++i;
        } else {
            field += c;
        }
    }
    if (!field.isEmpty() || !record.isEmpty())
        records << (record << field);
    return records;
}

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
    const QList<QStringList> records = parseCsv(QString::fromUtf8(csv.readAll()));
    QCOMPARE(records.size(), model->rowCount() + 1);
    for (int column = 0; column < model->columnCount(); ++column)
        QCOMPARE(records[0][column], model->headerData(column, Qt::Horizontal).toString());
    for (int row = 0; row < model->rowCount(); ++row) {
        QCOMPARE(records[row + 1].size(), model->columnCount());
        for (int column = 0; column < model->columnCount(); ++column)
            QCOMPARE(records[row + 1][column], model->index(row, column).data().toString());
    }

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

QTEST_MAIN(TestCaseTab)
#include "tst_casetab.moc"
