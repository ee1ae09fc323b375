// The Posture tab runs the real M1044 checks on a root the test writes, off the GUI thread,
// and shows every check of the report with its status, evidence and remediation.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QMainWindow>
#include <QStatusBar>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include "posture/posture.h"
#include "posturecontroller.h"
#include "posturemodels.h"
#include "posturetab.h"

using namespace loadlens;

class TestPostureTab : public QObject {
    Q_OBJECT

private slots:
    void showsEveryCheckOfTheReport();
    void statusTextAndSortOrder_data();
    void statusTextAndSortOrder();
    void newerRunSupersedesOlder();
    void savingNamesTheFile();
};

void TestPostureTab::showsEveryCheckOfTheReport()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QVERIFY(QDir(root.path()).mkpath(QStringLiteral("etc")));
    QFile preload(root.filePath(QStringLiteral("etc/ld.so.preload")));
    QVERIFY(preload.open(QIODevice::WriteOnly));
    preload.write("/tmp/evil.so\n");
    preload.close();

    ui::PostureTab tab;
    QAbstractItemModelTester tester(tab.model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
    tab.setOptions(posture::PostureOptions::forRoot(root.path().toStdString()));
    QSignalSpy settled(&tab, &ui::PostureTab::settled);
    tab.runChecks();
    QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);
    QVERIFY(tab.hasReport());

    const auto report = tab.report();
    // The same checks as the engine gives for that root, in the same order.
    const auto direct = posture::runPostureChecks(posture::PostureOptions::forRoot(root.path().toStdString()), nullptr);
    QCOMPARE(report->checks.size(), direct.checks.size());
    QCOMPARE(tab.model()->rowCount(), static_cast<int>(report->checks.size()));
    for (int row = 0; row < tab.model()->rowCount(); ++row) {
        const auto &check = report->checks[static_cast<std::size_t>(row)];
        QCOMPARE(check.id, direct.checks[static_cast<std::size_t>(row)].id);
        QCOMPARE(tab.model()->index(row, ui::PostureCheckModel::TitleColumn).data().toString(), QString::fromStdString(check.title));
        QCOMPARE(tab.model()->index(row, ui::PostureCheckModel::StatusColumn).data().toString(),
                 QString::fromStdString(std::string(posture::statusName(check.status))));
        QCOMPARE(tab.model()->index(row, ui::PostureCheckModel::MeasureColumn).data().toString(), QString::fromStdString(check.measure));
        QCOMPARE(tab.model()->index(row, ui::PostureCheckModel::RemediationColumn).data().toString(),
                 QString::fromStdString(check.remediation));
        const QString evidence = tab.model()->index(row, ui::PostureCheckModel::EvidenceColumn).data().toString();
        for (const auto &line : check.evidenceLines())
            QVERIFY(evidence.contains(QString::fromStdString(line)));
        QVERIFY(!tab.model()->index(row, ui::PostureCheckModel::StatusColumn).data(Qt::DecorationRole).isNull());
    }
    const posture::PostureCheck *preloadCheck = report->find(posture::check_id::RestrictPreload);
    QVERIFY(preloadCheck);
    QCOMPARE(preloadCheck->status, posture::Status::Fail);
    const QString html = tab.reportHtml();
    QVERIFY(html.contains(QStringLiteral("<html"), Qt::CaseInsensitive));
    QVERIFY(html.contains(QString::fromStdString(preloadCheck->title).toHtmlEscaped()));
    if (!report->auditGaps.empty())
        QVERIFY(tab.auditdRules().contains(QStringLiteral("-w ")));
}

void TestPostureTab::statusTextAndSortOrder_data()
{
    QTest::addColumn<posture::Status>("status");
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("rank");
    QTest::addRow("fail") << posture::Status::Fail << QStringLiteral("fail") << 3;
    QTest::addRow("unknown") << posture::Status::Unknown << QStringLiteral("unknown") << 2;
    QTest::addRow("info") << posture::Status::Info << QStringLiteral("info") << 1;
    QTest::addRow("pass") << posture::Status::Pass << QStringLiteral("pass") << 0;
}

void TestPostureTab::statusTextAndSortOrder()
{
    QFETCH(posture::Status, status);
    QFETCH(QString, text);
    QFETCH(int, rank);
    posture::PostureReport report;
    posture::PostureCheck check;
    check.id = "x";
    check.status = status;
    check.evidence.push_back({status, "seen"});
    report.checks.push_back(check);
    ui::PostureCheckModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setReport(report);
    const QModelIndex index = model.index(0, ui::PostureCheckModel::StatusColumn);
    QCOMPARE(index.data().toString(), text);
    QCOMPARE(index.data(ui::PostureCheckModel::SortRole).toInt(), rank);
    QCOMPARE(model.index(0, ui::PostureCheckModel::EvidenceColumn).data().toString(), text + QStringLiteral(": seen"));
    QVERIFY(ui::postureStatusColor(status).isValid());
}

void TestPostureTab::newerRunSupersedesOlder()
{
    std::atomic<int> calls{0};
    ui::PostureController controller([&calls](const posture::PostureOptions &, const ScanResult *) {
        posture::PostureReport report;
        posture::PostureCheck check;
        check.id = "run-" + std::to_string(++calls);
        report.checks.push_back(check);
        return report;
    });
    QSignalSpy finished(&controller, &ui::PostureController::finished);
    QSignalSpy failed(&controller, &ui::PostureController::failed);
    controller.start({}, nullptr);
    const quint64 second = controller.start({}, nullptr);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 10000);
    QTest::qWait(100);
    QCOMPARE(finished.count(), 1);
    QCOMPARE(failed.count(), 0);
    QCOMPARE(finished.first().at(0).toULongLong(), second);
    const auto report = finished.first().at(1).value<std::shared_ptr<const posture::PostureReport>>();
    QCOMPARE(report->checks.front().id, std::string("run-2"));  // one worker: runs in order
}

// Saving the report says where it went, in the window's status bar; the page names the host
// and the time of the checks.
void TestPostureTab::savingNamesTheFile()
{
    QTemporaryDir root;
    QVERIFY(root.isValid());
    QMainWindow window;
    auto *tab = new ui::PostureTab;
    window.setCentralWidget(tab);
    tab->setOptions(posture::PostureOptions::forRoot(root.path().toStdString()));
    QSignalSpy settled(tab, &ui::PostureTab::settled);
    tab->runChecks();
    QTRY_COMPARE_WITH_TIMEOUT(settled.count(), 1, 60000);

    QSignalSpy saved(tab, &ui::PostureTab::saved);
    const QString file = root.filePath(QStringLiteral("report.html"));
    QVERIFY(tab->saveReportHtml(file));
    QCOMPARE(saved.count(), 1);
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Saved the posture report to ") + file);
    QFile written(file);
    QVERIFY(written.open(QIODevice::ReadOnly));
    const QString html = QString::fromUtf8(written.readAll());
    QVERIFY2(html.contains(QStringLiteral("Host: ")), qPrintable(html.left(800)));
    QVERIFY2(html.contains(QStringLiteral("Checked: ")), qPrintable(html.left(800)));

    const QString rules = root.filePath(QStringLiteral("50-loadlens.rules"));
    QVERIFY(tab->saveAuditRulesTo(rules));
    QCOMPARE(window.statusBar()->currentMessage(), QStringLiteral("Saved the auditd rules to ") + rules);
}

QTEST_MAIN(TestPostureTab)
#include "tst_posturetab.moc"
