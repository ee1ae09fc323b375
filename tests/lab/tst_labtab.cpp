// The Lab tab, offscreen: a trainer selects a scenario and clicks Start; the window switches to
// the live view filtered to the victim, with its flagged module selected; Apply the mitigation
// runs the attack again; Stop all removes everything; closing the window stops what it started.
// LOADLENS_LAB_SCREENSHOT=FILE saves the live view after the start (for slides and review).
#include <QtTest>

#include "lab/lab_catalog.h"
#include "lab/lab_process.h"
#include "lab/labscenariomodel.h"
#include "lab/labtab.h"
#include "mainwindow.h"
#include "model_lookup.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "verdictdetails.h"

#include <QAbstractItemModelTester>
#include <QPushButton>
#include <QSignalSpy>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTextBrowser>
#include <QTreeView>

using namespace loadlens;
using namespace loadlens::ui;
using loadlens::testing::findPid;

class TestLabTab : public QObject {
    Q_OBJECT
private slots:
    void initTestCase()
    {
        QVERIFY(m_tmp.isValid());
        qputenv("LOADLENS_LAB_BINARIES", LOADLENS_LAB_BINARIES);
        qputenv("LOADLENS_LAB_DIR", m_tmp.filePath(QStringLiteral("lab")).toLocal8Bit());
    }

    void modelIsSound()
    {
        LabScenarioModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
        QCOMPARE(model.rowCount(), int(loadlens::lab::catalogue().size()));
        QCOMPARE(model.rowCount(), 9);
        QCOMPARE(model.nameAt(0), QStringLiteral("preload-env"));
        QCOMPARE(model.index(0, LabScenarioModel::StatusColumn).data().toString(), QStringLiteral("stopped"));
        model.setRunning({{QStringLiteral("preload-env"), 4242}});
        QCOMPARE(model.index(0, LabScenarioModel::StatusColumn).data().toString(), QStringLiteral("running (pid 4242)"));
        QCOMPARE(model.index(0, 0).data(LabScenarioModel::PidRole).toInt(), 4242);
        QCOMPARE(model.index(1, 0).data(LabScenarioModel::PidRole).toInt(), 0);
        QCOMPARE(model.nameAt(99), QString());
    }

    void startScanMitigateStop()
    {
        MainWindow window({});
        window.show();
        LabTab *lab = window.labTab();
        QVERIFY(lab);
        QAbstractItemModelTester tester(lab->model(), QAbstractItemModelTester::FailureReportingMode::QtTest);
        QVERIFY(window.selectTab(QStringLiteral("lab")));
        QVERIFY(lab->selectScenario(QStringLiteral("preload-env")));
        const QString details = lab->details()->toPlainText();
        for (const char *part : {"LD_PRELOAD", "T1574.006", "preload-env, unowned, writable-path", "chmod 0755"})
            QVERIFY2(details.contains(QLatin1String(part)), qPrintable(details));

        QSignalSpy started(lab, &LabTab::scenarioStarted);
        QSignalSpy failed(lab, &LabTab::failed);
        QSignalSpy applied(&window, &MainWindow::resultApplied);
        lab->startSelected();
        QTRY_COMPARE_WITH_TIMEOUT(started.count() + failed.count(), 1, 30000);
        QVERIFY2(failed.isEmpty(), failed.isEmpty() ? "" : qPrintable(failed.first().first().toString()));
        const int pid = started.first().at(1).toInt();
        QVERIFY(pid > 0);
        QCOMPARE(window.tabs()->currentIndex(), 0);  // the live view
        QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 1, 240000);

        // Filtered to the victim, which is selected with its flagged payload.
        const QModelIndex row = findPid(window.processView()->model(), pid);
        QVERIFY2(row.isValid(), qPrintable(window.statusText()));
        QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), pid);
        const QString payload = m_tmp.filePath(QStringLiteral("lab/preload-env/drop/libll_lab_payload.so"));
        const QAbstractItemModel *modules = window.moduleView()->model();
        QModelIndex payloadRow;
        for (int r = 0; r < modules->rowCount(); ++r)
            if (modules->index(r, 0).data(ModuleTableModel::PathRole).toString() == payload)
                payloadRow = modules->index(r, 0);
        QVERIFY2(payloadRow.isValid(), "the payload is listed");
        QVERIFY(payloadRow.data(ModuleTableModel::FlaggedRole).toBool());
        QCOMPARE(window.moduleView()->currentIndex().data(ModuleTableModel::PathRole).toString(), payload);
        QVERIFY2(window.detailsView()->toPlainText().contains(QStringLiteral("LD_PRELOAD")), qPrintable(window.detailsView()->toPlainText()));
        if (const QByteArray shot = qgetenv("LOADLENS_LAB_SCREENSHOT"); !shot.isEmpty())
            QVERIFY(window.grab().save(QString::fromLocal8Bit(shot)));

        // Apply the mitigation: the attack runs again as a new process, the view follows it.
        QVERIFY(window.selectTab(QStringLiteral("lab")));
        lab->mitigateSelected();
        QTRY_COMPARE_WITH_TIMEOUT(started.count() + failed.count(), 2, 30000);
        QVERIFY(failed.isEmpty());
        const int again = started.at(1).at(1).toInt();
        QVERIFY(again > 0 && again != pid);
        QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 2, 240000);
        QVERIFY(findPid(window.processView()->model(), again).isValid());
        QVERIFY(!findPid(window.processView()->model(), pid).isValid());

        QSignalSpy stopped(lab, &LabTab::scenarioStopped);
        lab->stopAll();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 30000);
        QVERIFY(!loadlens::lab::processStartTime(again));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("lab"))));
    }

    // The Windows scenario through the Lab tab: the live view selects the planted version.dll of
    // the Wine process, and its details name the prefix's system32 copy it was chosen over.
    // LOADLENS_LAB_WINE_SCREENSHOT=FILE saves that view.
    void wineScenarioInTheLiveView()
    {
        MainWindow window({});
        window.show();
        LabTab *lab = window.labTab();
        QVERIFY(window.selectTab(QStringLiteral("lab")));
        QVERIFY(lab->selectScenario(QStringLiteral("wine-dll-hijack")));
        const QString details = lab->details()->toPlainText();
        for (const char *part : {"version.dll", "T1574.001", "WINEDLLOVERRIDES", "wine-dll-shadows-system32"})
            QVERIFY2(details.contains(QLatin1String(part)), qPrintable(details));

        QSignalSpy started(lab, &LabTab::scenarioStarted);
        QSignalSpy failed(lab, &LabTab::failed);
        QSignalSpy applied(&window, &MainWindow::resultApplied);
        lab->startSelected();
        QTRY_COMPARE_WITH_TIMEOUT(started.count() + failed.count(), 1, 200000);
        if (!failed.isEmpty()) {
            const QString why = failed.first().first().toString();
            if (why.contains(QLatin1String("needs Wine")) || why.contains(QLatin1String("were not built")))
                QSKIP(qPrintable(why));
            QFAIL(qPrintable(why));
        }
        const int pid = started.first().at(1).toInt();
        QVERIFY(pid > 0);
        QTRY_COMPARE_WITH_TIMEOUT(applied.count(), 1, 240000);
        QCOMPARE(window.processView()->currentIndex().data(ProcessTreeModel::PidRole).toInt(), pid);
        const QString planted = m_tmp.filePath(QStringLiteral("lab/wine-dll-hijack/app/version.dll"));
        QCOMPARE(window.moduleView()->currentIndex().data(ModuleTableModel::PathRole).toString(), planted);
        QVERIFY(window.moduleView()->currentIndex().data(ModuleTableModel::FlaggedRole).toBool());
        const QString shown = window.detailsView()->toPlainText();
        QVERIFY2(shown.contains(m_tmp.filePath(QStringLiteral("lab/wine-dll-hijack/prefix/drive_c/windows/system32/version.dll"))),
                 qPrintable(shown));
        if (const QByteArray shot = qgetenv("LOADLENS_LAB_WINE_SCREENSHOT"); !shot.isEmpty())
            QVERIFY(window.grab().save(QString::fromLocal8Bit(shot)));

        QSignalSpy stopped(lab, &LabTab::scenarioStopped);
        QVERIFY(window.selectTab(QStringLiteral("lab")));
        lab->stopAll();
        QTRY_COMPARE_WITH_TIMEOUT(stopped.count(), 1, 60000);
        QVERIFY(!loadlens::lab::processStartTime(pid));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("lab"))));
    }

    void closingTheWindowStopsItsScenarios()
    {
        int pid = 0;
        {
            MainWindow window({});
            LabTab *lab = window.labTab();
            QVERIFY(lab->selectScenario(QStringLiteral("memfd-exec")));
            QSignalSpy started(lab, &LabTab::scenarioStarted);
            lab->startSelected();
            QTRY_COMPARE_WITH_TIMEOUT(started.count(), 1, 30000);
            pid = started.first().at(1).toInt();
            QVERIFY(loadlens::lab::processStartTime(pid));
            window.cancelScan();
        }
        QVERIFY(!loadlens::lab::processStartTime(pid));
        QVERIFY(!QFileInfo::exists(m_tmp.filePath(QStringLiteral("lab/memfd-exec"))));
    }

private:
    QTemporaryDir m_tmp;
};

QTEST_MAIN(TestLabTab)
#include "tst_labtab.moc"
