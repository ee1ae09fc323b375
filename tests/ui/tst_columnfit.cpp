// Table cells elide by what they hold: paths in the middle, names, hosts, signers and packages
// at the end; header sections are never narrower than their titles.
#include "columnfit.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "scan_builders.h"
#include "tableviews.h"

#include <QAbstractItemModelTester>
#include <QHeaderView>
#include <QStandardItemModel>
#include <QTest>
#include <QTreeView>

using namespace loadlens;
using namespace loadlens::testing;
using loadlens::ui::ElideByContentDelegate;

class TestColumnFit : public QObject {
    Q_OBJECT
private slots:
    void elideModeFollowsContent_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("mode");
        QTest::addRow("host") << QStringLiteral("DESKTOP-EDGEWIN10") << int(Qt::ElideRight);
        QTest::addRow("signer") << QStringLiteral("Microsoft Windows") << int(Qt::ElideRight);
        QTest::addRow("package") << QStringLiteral("libpython3.11:amd64") << int(Qt::ElideRight);
        QTest::addRow("process name") << QStringLiteral("python3.11") << int(Qt::ElideRight);
        QTest::addRow("posix path") << QStringLiteral("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0") << int(Qt::ElideMiddle);
        QTest::addRow("windows path") << QStringLiteral("C:\\Windows\\System32\\version.dll") << int(Qt::ElideMiddle);
        QTest::addRow("unc path") << QStringLiteral("\\\\fileserver\\share\\tool.exe") << int(Qt::ElideMiddle);
    }

    void elideModeFollowsContent()
    {
        QFETCH(QString, text);
        QFETCH(int, mode);
        QStandardItemModel model(1, 1);
        model.setItem(0, 0, new QStandardItem(text));
        QTreeView *view = ui::makeTableView(&model);
        auto *delegate = qobject_cast<ElideByContentDelegate *>(view->itemDelegate());
        QVERIFY(delegate);
        QCOMPARE(int(delegate->elideModeAt(model.index(0, 0))), mode);
        delete view;
    }

    // Headers keep their whole title, even when the contents are narrower.
    void headersFitTheirTitles()
    {
        QStandardItemModel model(2, 3);
        model.setHorizontalHeaderLabels({QStringLiteral("Process / scope"), QStringLiteral("Signature status"),
                                         QStringLiteral("Pid")});
        for (int row = 0; row < 2; ++row)
            for (int column = 0; column < 3; ++column)
                model.setItem(row, column, new QStandardItem(QStringLiteral("x")));
        QTreeView *view = ui::makeTableView(&model);
        view->setSortingEnabled(true);
        view->resize(900, 300);
        view->show();
        QVERIFY(QTest::qWaitForWindowExposed(view));
        for (int column = 0; column < 3; ++column)
            view->setColumnWidth(column, 30);  // as the tabs set narrow widths for count columns
        const QHeaderView *header = view->header();
        for (int column = 0; column < 3; ++column)
            QTRY_VERIFY2(header->sectionSize(column) >= ui::headerTitleWidth(view, column),
                         qPrintable(QStringLiteral("column %1: %2 < %3")
                                        .arg(column)
                                        .arg(header->sectionSize(column))
                                        .arg(ui::headerTitleWidth(view, column))));
        QVERIFY(ui::headerTitleWidth(view, 0) > header->fontMetrics().horizontalAdvance(QStringLiteral("Process / scope")));
        delete view;
    }

    // The live views: module paths elide in the middle, process names at the end.
    void liveViewsElideByColumn()
    {
        ui::ModuleTableModel modules;
        QAbstractItemModelTester tester(&modules, QAbstractItemModelTester::FailureReportingMode::QtTest);
        auto lib = makeModule("/usr/lib/x86_64-linux-gnu/libpython3.11.so.1.0", 5, Level::Info);
        std::map<FileKey, FileFacts> files;
        files[lib.file] = makeFacts(lib, 4096, "libpython3.11:amd64");
        modules.setModules({7, 1}, {lib}, files);
        QTreeView view;
        view.setModel(&modules);
        ui::setUpColumnFitting(&view);
        auto *delegate = qobject_cast<ElideByContentDelegate *>(view.itemDelegate());
        QVERIFY(delegate);
        QCOMPARE(delegate->elideModeAt(modules.index(0, ui::ModuleTableModel::PathColumn)), Qt::ElideMiddle);
        QCOMPARE(delegate->elideModeAt(modules.index(0, ui::ModuleTableModel::PackageColumn)), Qt::ElideRight);
        QCOMPARE(delegate->elideModeAt(modules.index(0, ui::ModuleTableModel::OwnerModeColumn)), Qt::ElideRight);
        QCOMPARE(view.textElideMode(), Qt::ElideRight);
    }
};

QTEST_MAIN(TestColumnFit)
#include "tst_columnfit.moc"
