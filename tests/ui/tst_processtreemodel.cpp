// ProcessTreeModel: columns and roles, the tree by ppid, and merging a rescan by key.
#include "levelstyle.h"
#include "processtreemodel.h"
#include "scan_builders.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace loadlens;
using namespace loadlens::testing;
using loadlens::ui::ProcessTreeModel;

namespace {

std::vector<ProcessInfo> baseProcesses()
{
    auto init = makeProcess(1, 0, "systemd");
    init.modules = {makeModule("/usr/lib/systemd/systemd", 1), makeModule("/usr/lib/libc.so.6", 2, Level::Info)};
    auto sshd = makeProcess(200, 1, "sshd");
    sshd.user = "sshd";
    sshd.modules = {makeModule("/usr/sbin/sshd", 3), makeModule("/tmp/evil.so", 4, Level::High)};
    sshd.namespaceHint = "mnt:[4026532510] (differs from LoadLens's mnt:[4026531841])";
    sshd.mountNamespace = 4026532510;
    sshd.container = {"docker", "3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a"};
    auto ghost = makeProcess(300, 999, "ghost");
    ghost.hidden = true;
    ghost.errors = {"/proc/300/maps: permission denied"};
    return {init, sshd, ghost};
}

QModelIndex findPid(const QAbstractItemModel &model, int pid, const QModelIndex &parent = {})
{
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        if (index.data(ProcessTreeModel::PidRole).toInt() == pid)
            return index;
        if (const QModelIndex found = findPid(model, pid, index); found.isValid())
            return found;
    }
    return {};
}

} // namespace

class TestProcessTreeModel : public QObject {
    Q_OBJECT

private slots:
    void columns_data();
    void columns();
    void markersForHiddenAndUnreadable();
    void treeFollowsPpid();
    void findingRaisesProcessLevel();
    void mergeKeepsPersistentIndexAcrossInsertAndRemove();
    void mergeLiftsChildrenOfVanishedParent();
    void mergeMovesProcessUnderNewParent();
    void reusedPidIsAnotherProcess();
    void parentLoopDoesNotHang();
};

void TestProcessTreeModel::columns_data()
{
    QTest::addColumn<int>("pid");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("role");
    QTest::addColumn<QVariant>("expected");

    const int display = Qt::DisplayRole;
    const int sort = ProcessTreeModel::SortRole;
    QTest::addRow("name") << 200 << int(ProcessTreeModel::NameColumn) << display << QVariant(QStringLiteral("sshd"));
    QTest::addRow("name sort") << 200 << int(ProcessTreeModel::NameColumn) << sort << QVariant(QStringLiteral("sshd"));
    QTest::addRow("pid") << 200 << int(ProcessTreeModel::PidColumn) << display << QVariant(QStringLiteral("200"));
    QTest::addRow("pid sort is a number") << 200 << int(ProcessTreeModel::PidColumn) << sort << QVariant(200);
    QTest::addRow("user") << 200 << int(ProcessTreeModel::UserColumn) << display << QVariant(QStringLiteral("sshd"));
    QTest::addRow("modules") << 1 << int(ProcessTreeModel::ModulesColumn) << display << QVariant(QStringLiteral("2"));
    QTest::addRow("modules sort") << 1 << int(ProcessTreeModel::ModulesColumn) << sort << QVariant(2);
    QTest::addRow("unreadable modules") << 300 << int(ProcessTreeModel::ModulesColumn) << display << QVariant(QStringLiteral("unreadable"));
    QTest::addRow("unreadable sorts first") << 300 << int(ProcessTreeModel::ModulesColumn) << sort << QVariant(-1);
    QTest::addRow("unread verdict is not ok") << 300 << int(ProcessTreeModel::VerdictColumn) << display << QVariant(QStringLiteral("not read"));
    QTest::addRow("verdict info") << 1 << int(ProcessTreeModel::VerdictColumn) << display << QVariant(QStringLiteral("info"));
    QTest::addRow("verdict high") << 200 << int(ProcessTreeModel::VerdictColumn) << display << QVariant(QStringLiteral("high (1 flagged)"));
    QTest::addRow("verdict sort is the level") << 200 << int(ProcessTreeModel::VerdictColumn) << sort << QVariant(int(Level::High));
    QTest::addRow("verdict colour") << 200 << int(ProcessTreeModel::VerdictColumn) << int(Qt::BackgroundRole)
                                    << QVariant(ui::levelBackground(Level::High));
    QTest::addRow("info is flagged? no") << 1 << 0 << int(ProcessTreeModel::FlaggedRole) << QVariant(false);
    QTest::addRow("high is flagged") << 200 << 0 << int(ProcessTreeModel::FlaggedRole) << QVariant(true);
    QTest::addRow("level role") << 1 << 0 << int(ProcessTreeModel::LevelRole) << QVariant(int(Level::Info));
    QTest::addRow("hidden role") << 300 << 0 << int(ProcessTreeModel::HiddenRole) << QVariant(true);
    QTest::addRow("not hidden") << 200 << 0 << int(ProcessTreeModel::HiddenRole) << QVariant(false);
    QTest::addRow("start time") << 200 << 0 << int(ProcessTreeModel::StartTimeRole) << QVariant::fromValue<qulonglong>(100);
    QTest::addRow("read errors") << 300 << 0 << int(ProcessTreeModel::ReadErrorsRole)
                                 << QVariant(QStringList{QStringLiteral("/proc/300/maps: permission denied")});
    QTest::addRow("container") << 200 << int(ProcessTreeModel::NamespaceColumn) << display
                               << QVariant(QStringLiteral("docker 3f2a9c1e5b7d"));
    QTest::addRow("namespace key") << 200 << 0 << int(ProcessTreeModel::NamespaceRole)
                                   << QVariant(QStringLiteral("mnt:4026532510"));
    QTest::addRow("own namespace is blank") << 1 << int(ProcessTreeModel::NamespaceColumn) << display << QVariant(QString());
    QTest::addRow("own namespace key") << 1 << 0 << int(ProcessTreeModel::NamespaceRole) << QVariant(QString());
    QTest::addRow("namespace header") << -1 << int(ProcessTreeModel::NamespaceColumn) << display
                                      << QVariant(QStringLiteral("Namespace"));
    QTest::addRow("header") << -1 << int(ProcessTreeModel::VerdictColumn) << display << QVariant(QStringLiteral("Verdict"));
}

void TestProcessTreeModel::columns()
{
    QFETCH(int, pid);
    QFETCH(int, column);
    QFETCH(int, role);
    QFETCH(QVariant, expected);

    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses(baseProcesses(), {});
    if (pid < 0) {
        QCOMPARE(model.headerData(column, Qt::Horizontal, role), expected);
        return;
    }
    const QModelIndex row = findPid(model, pid);
    QVERIFY(row.isValid());
    const QVariant actual = model.index(row.row(), column, row.parent()).data(role);
    QCOMPARE(actual, expected);
}

void TestProcessTreeModel::markersForHiddenAndUnreadable()
{
    ProcessTreeModel model;
    model.resetProcesses(baseProcesses(), {});
    const QModelIndex ghost = findPid(model, 300);
    QVERIFY(!ghost.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(ghost.data(Qt::ToolTipRole).toString().contains(QStringLiteral("HIDDEN")));
    QVERIFY(ghost.data(Qt::ToolTipRole).toString().contains(QStringLiteral("permission denied")));
    QVERIFY(ghost.data(Qt::ForegroundRole).isValid());
    const QModelIndex sshd = findPid(model, 200);
    QVERIFY(sshd.data(Qt::DecorationRole).value<QIcon>().isNull());
    QVERIFY(!model.index(sshd.row(), ProcessTreeModel::VerdictColumn, sshd.parent()).data(Qt::DecorationRole).value<QIcon>().isNull());
}

void TestProcessTreeModel::treeFollowsPpid()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses(baseProcesses(), {});
    QCOMPARE(model.rowCount(), 2);  // systemd and the orphan whose parent 999 is unknown
    const QModelIndex init = findPid(model, 1);
    QVERIFY(!init.parent().isValid());
    QCOMPARE(model.rowCount(init), 1);
    QCOMPARE(model.index(0, 0, init).data(ProcessTreeModel::PidRole).toInt(), 200);
    QVERIFY(!findPid(model, 300).parent().isValid());
    QCOMPARE(model.processCount(), 3);
}

void TestProcessTreeModel::findingRaisesProcessLevel()
{
    Finding finding;
    finding.code = "preload-env";
    finding.level = Level::Medium;
    finding.pid = 1;
    ProcessTreeModel model;
    model.resetProcesses(baseProcesses(), {finding});
    QCOMPARE(findPid(model, 1).data(ProcessTreeModel::LevelRole).toInt(), int(Level::Medium));
    QCOMPARE(findPid(model, 1).data(ProcessTreeModel::FlaggedRole).toBool(), true);
}

void TestProcessTreeModel::mergeKeepsPersistentIndexAcrossInsertAndRemove()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses(baseProcesses(), {});
    const QPersistentModelIndex sshd = findPid(model, 200);
    QVERIFY(sshd.isValid());

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsAboutToBeRemoved);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);

    auto next = baseProcesses();
    next.erase(next.begin() + 2);                       // the orphan exited
    next[1].modules.push_back(makeModule("/tmp/x", 9)); // sshd loaded another module
    next.push_back(makeProcess(400, 200, "sshd-session"));
    next.push_back(makeProcess(500, 0, "kthreadd"));
    model.mergeProcesses(next, {});

    QCOMPARE(resets.count(), 0);
    QCOMPARE(inserted.count(), 2);
    QCOMPARE(removed.count(), 1);
    QVERIFY(changed.count() >= 1);
    QVERIFY(sshd.isValid());
    QCOMPARE(sshd.data(ProcessTreeModel::PidRole).toInt(), 200);
    QCOMPARE(sshd.data(ProcessTreeModel::ModuleCountRole).toInt(), 3);
    QCOMPARE(sshd.parent().data(ProcessTreeModel::PidRole).toInt(), 1);
    QCOMPARE(model.rowCount(sshd), 1);
    QVERIFY(!findPid(model, 300).isValid());
    QCOMPARE(model.processCount(), 4);
}

void TestProcessTreeModel::mergeLiftsChildrenOfVanishedParent()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses({makeProcess(1, 0, "init"), makeProcess(10, 1, "shell"), makeProcess(11, 10, "child"),
                          makeProcess(12, 11, "grandchild")}, {});
    const QPersistentModelIndex child = findPid(model, 11);
    const QPersistentModelIndex grandchild = findPid(model, 12);
    QCOMPARE(child.parent().data(ProcessTreeModel::PidRole).toInt(), 10);

    // The shell exits; its child is re-parented by the kernel but the scan sees ppid 10 gone.
    model.mergeProcesses({makeProcess(1, 0, "init"), makeProcess(11, 10, "child"), makeProcess(12, 11, "grandchild")}, {});
    QVERIFY(child.isValid());
    QVERIFY(!child.parent().isValid());
    QVERIFY(grandchild.isValid());
    QCOMPARE(grandchild.parent(), QModelIndex(child));
    QCOMPARE(model.rowCount(), 2);
}

void TestProcessTreeModel::mergeMovesProcessUnderNewParent()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses({makeProcess(1, 0, "init"), makeProcess(20, 19, "worker")}, {});
    const QPersistentModelIndex worker = findPid(model, 20);
    QVERIFY(!worker.parent().isValid());

    model.mergeProcesses({makeProcess(1, 0, "init"), makeProcess(19, 1, "master"), makeProcess(20, 19, "worker")}, {});
    QVERIFY(worker.isValid());
    QCOMPARE(worker.parent().data(ProcessTreeModel::PidRole).toInt(), 19);
    QCOMPARE(worker.parent().parent().data(ProcessTreeModel::PidRole).toInt(), 1);
}

void TestProcessTreeModel::reusedPidIsAnotherProcess()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses({makeProcess(1, 0, "init"), makeProcess(30, 1, "old", 100)}, {});
    const QPersistentModelIndex old = findPid(model, 30);
    model.mergeProcesses({makeProcess(1, 0, "init"), makeProcess(30, 1, "new", 900)}, {});
    QVERIFY(!old.isValid());
    const QModelIndex fresh = findPid(model, 30);
    QCOMPARE(fresh.data().toString(), QStringLiteral("new"));
    QCOMPARE(fresh.data(ProcessTreeModel::StartTimeRole).toULongLong(), 900ull);
}

void TestProcessTreeModel::parentLoopDoesNotHang()
{
    ProcessTreeModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses({makeProcess(5, 6, "a"), makeProcess(6, 5, "b"), makeProcess(7, 7, "self")}, {});
    QCOMPARE(model.processCount(), 3);
    QVERIFY(model.rowCount() >= 2);  // the self-parented one and one of the loop are at the top
    model.mergeProcesses({makeProcess(5, 6, "a"), makeProcess(6, 0, "b"), makeProcess(7, 7, "self")}, {});
    QCOMPARE(findPid(model, 5).parent().data(ProcessTreeModel::PidRole).toInt(), 6);
}

QTEST_MAIN(TestProcessTreeModel)
#include "tst_processtreemodel.moc"
