// The window as a workbench: the theme choice and the Events details splitter are remembered
// (QSettings, redirected into a temporary directory here), and switching tabs does not move
// the tab bar.
#include "eventstab.h"
#include "mainwindow.h"
#include "theme.h"

#include <QAction>
#include <QApplication>
#include <QSettings>
#include <QSplitter>
#include <QTabBar>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QToolBar>

using namespace loadlens;
using namespace loadlens::ui;

class TestWorkbench : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_settings;
    QPalette m_desktop;

private slots:
    void initTestCase()
    {
        QVERIFY(m_settings.isValid());
        QCoreApplication::setOrganizationName(QStringLiteral("loadlens-test"));
        QCoreApplication::setApplicationName(QStringLiteral("workbench"));
        QSettings::setDefaultFormat(QSettings::IniFormat);
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settings.path());
        QVERIFY(QSettings().fileName().startsWith(m_settings.path()));
        m_desktop = QApplication::palette();
    }

    void themeIsAppliedAndRemembered()
    {
        {
            MainWindow window({});
            auto *system = window.findChild<QAction *>(QStringLiteral("theme-system"));
            auto *dark = window.findChild<QAction *>(QStringLiteral("theme-dark"));
            QVERIFY(system && dark);
            QVERIFY(system->isChecked());  // follows the desktop until told otherwise
            dark->trigger();
            QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
            QVERIFY(QApplication::palette().color(QPalette::WindowText).lightness() > 150);
            QCOMPARE(QSettings().value(QStringLiteral("view/theme")).toString(), QStringLiteral("dark"));
        }
        QApplication::setPalette(m_desktop);  // as a fresh start would have it
        MainWindow again({});
        QVERIFY(again.findChild<QAction *>(QStringLiteral("theme-dark"))->isChecked());
        QVERIFY(QApplication::palette().color(QPalette::Window).lightness() < 100);
        again.findChild<QAction *>(QStringLiteral("theme-system"))->trigger();
        QCOMPARE(QApplication::palette().color(QPalette::Window), m_desktop.color(QPalette::Window));
        QCOMPARE(savedTheme(), Theme::System);
    }

    void eventsDetailsSplitterIsRemembered()
    {
        {
            EventsTab tab;
            tab.resize(1200, 800);
            tab.show();
            QVERIFY(QTest::qWaitForWindowExposed(&tab));
            auto *splitter = tab.findChild<QSplitter *>(QStringLiteral("eventsDetails"));
            QVERIFY(splitter);
            const QList<int> initial = splitter->sizes();
            QVERIFY2(initial.at(0) > initial.at(1), "the details pane starts with the larger share");
            splitter->setSizes({150, 450});
            emit splitter->splitterMoved(150, 1);  // what dragging the handle reports
        }
        EventsTab again;
        again.resize(1200, 800);
        again.show();
        QVERIFY(QTest::qWaitForWindowExposed(&again));
        auto *splitter = again.findChild<QSplitter *>(QStringLiteral("eventsDetails"));
        QVERIFY(splitter);
        QVERIFY2(splitter->sizes().at(0) < splitter->sizes().at(1), "the moved splitter was not restored");
    }

    void tabBarStaysPutAcrossTabs()
    {
        MainWindow window({});
        window.resize(1200, 800);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        auto *toolBar = window.findChild<QToolBar *>(QStringLiteral("scanToolBar"));
        QVERIFY(toolBar);
        const QTabBar *bar = window.tabs()->tabBar();
        QList<int> tops;
        for (const QString &name : MainWindow::tabNames()) {
            if (name == QStringLiteral("posture"))
                continue;  // opening it runs the host checks; the layout is the same for every tab
            QVERIFY(window.selectTab(name));
            QApplication::processEvents();
            QVERIFY2(toolBar->isVisible(), qPrintable(name));
            tops << bar->mapTo(&window, QPoint(0, 0)).y();
        }
        for (int top : tops)
            QCOMPARE(top, tops.first());
    }
};

QTEST_MAIN(TestWorkbench)
#include "tst_workbench.moc"
