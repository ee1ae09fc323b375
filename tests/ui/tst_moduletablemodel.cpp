// ModuleTableModel: columns, roles and sort roles, and merging a rescan of the same process.
#include "levelstyle.h"
#include "moduletablemodel.h"
#include "scan_builders.h"
#include "verdict/module_rank.h"

#include <QAbstractItemModelTester>
#include <QIcon>
#include <QSignalSpy>
#include <QTest>

using namespace loadlens;
using namespace loadlens::testing;
using loadlens::ui::ModuleTableModel;
using loadlens::ui::ProcessKey;

namespace {

struct Fixture {
    std::vector<ModuleRecord> modules;
    std::map<FileKey, FileFacts> files;
};

Fixture baseFixture()
{
    Fixture f;
    auto libc = makeModule("/usr/lib/x86_64-linux-gnu/libc.so.6", 10, Level::Info);
    auto evil = makeModule("/tmp/.x/libevil.so", 11, Level::High);
    evil.deleted = true;
    ModuleRecord anon;
    anon.anonymousExec = true;
    anon.executable = true;
    anon.ranges.push_back({0x7000, 0x9000, 0, "rwxp"});
    anon.verdict.add(makeReason("anon-exec", Level::Medium));
    f.files[libc.file] = makeFacts(libc, 2'000'000, "libc6");
    auto evilFacts = makeFacts(evil, 4096);
    evilFacts.mode = 0100777;
    evilFacts.ownerName = "nobody";
    evilFacts.groupName = "nogroup";
    f.files[evil.file] = evilFacts;
    f.modules = {libc, evil, anon};
    return f;
}

int rowOfPath(const ModuleTableModel &model, const QString &path)
{
    for (int row = 0; row < model.rowCount(); ++row)
        if (model.index(row, 0).data(ModuleTableModel::PathRole).toString() == path)
            return row;
    return -1;
}

} // namespace

class TestModuleTableModel : public QObject {
    Q_OBJECT

private slots:
    void columns_data();
    void columns();
    void hashTooltipHasFullDigest();
    void mergeKeepsPersistentIndexAcrossInsertAndRemove();
    void anotherProcessResets();
    void anonymousRegionsAreDistinctRows();
    void verdictSortsByLoadingPathThenLevel();
};

void TestModuleTableModel::columns_data()
{
    QTest::addColumn<QString>("path");
    QTest::addColumn<int>("column");
    QTest::addColumn<int>("role");
    QTest::addColumn<QVariant>("expected");

    const QString libc = QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6");
    const QString evil = QStringLiteral("/tmp/.x/libevil.so");
    const QString anon;
    const int display = Qt::DisplayRole;
    const int sort = ModuleTableModel::SortRole;
    QTest::addRow("path") << libc << int(ModuleTableModel::PathColumn) << display << QVariant(libc);
    QTest::addRow("anon path") << anon << int(ModuleTableModel::PathColumn) << display
                               << QVariant(QStringLiteral("[anonymous executable memory]"));
    QTest::addRow("file size") << libc << int(ModuleTableModel::SizeColumn) << display << QVariant(QStringLiteral("1.9 MiB"));
    QTest::addRow("file size sort") << libc << int(ModuleTableModel::SizeColumn) << sort << QVariant::fromValue<qulonglong>(2'000'000);
    QTest::addRow("mapped size without facts") << anon << int(ModuleTableModel::SizeColumn) << sort << QVariant::fromValue<qulonglong>(0x2000);
    QTest::addRow("flags") << evil << int(ModuleTableModel::FlagsColumn) << display << QVariant(QStringLiteral("deleted"));
    QTest::addRow("anon flags") << anon << int(ModuleTableModel::FlagsColumn) << display << QVariant(QStringLiteral("anon-exec"));
    QTest::addRow("verdict") << evil << int(ModuleTableModel::VerdictColumn) << display << QVariant(QStringLiteral("high"));
    QTest::addRow("verdict sort") << evil << int(ModuleTableModel::VerdictColumn) << sort << QVariant(int(Level::High));
    QTest::addRow("verdict colour") << anon << int(ModuleTableModel::VerdictColumn) << int(Qt::BackgroundRole)
                                    << QVariant(ui::levelBackground(Level::Medium));
    QTest::addRow("package") << libc << int(ModuleTableModel::PackageColumn) << display << QVariant(QStringLiteral("libc6"));
    QTest::addRow("short hash") << libc << int(ModuleTableModel::HashColumn) << display << QVariant(QStringLiteral("0123456789ab"));
    QTest::addRow("owner mode") << libc << int(ModuleTableModel::OwnerModeColumn) << display << QVariant(QStringLiteral("root:root 0755"));
    QTest::addRow("owner mode writable") << evil << int(ModuleTableModel::OwnerModeColumn) << display
                                         << QVariant(QStringLiteral("nobody:nogroup 0777"));
    QTest::addRow("mode sort") << evil << int(ModuleTableModel::OwnerModeColumn) << sort << QVariant(0777);
    QTest::addRow("flagged") << evil << 0 << int(ModuleTableModel::FlaggedRole) << QVariant(true);
    QTest::addRow("info not flagged") << libc << 0 << int(ModuleTableModel::FlaggedRole) << QVariant(false);
    QTest::addRow("level") << anon << 0 << int(ModuleTableModel::LevelRole) << QVariant(int(Level::Medium));
}

void TestModuleTableModel::columns()
{
    QFETCH(QString, path);
    QFETCH(int, column);
    QFETCH(int, role);
    QFETCH(QVariant, expected);

    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto f = baseFixture();
    model.setModules({42, 1}, f.modules, f.files);
    const int row = rowOfPath(model, path);
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row, column).data(role), expected);
}

void TestModuleTableModel::hashTooltipHasFullDigest()
{
    ModuleTableModel model;
    const auto f = baseFixture();
    model.setModules({42, 1}, f.modules, f.files);
    const int row = rowOfPath(model, QStringLiteral("/tmp/.x/libevil.so"));
    QCOMPARE(model.index(row, ModuleTableModel::HashColumn).data(Qt::ToolTipRole).toString(),
             QStringLiteral("SHA-256 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"));
    QVERIFY(!model.index(row, ModuleTableModel::VerdictColumn).data(Qt::DecorationRole).value<QIcon>().isNull());
    QCOMPARE(model.factsAt(row)->size, 4096u);
    QCOMPARE(model.moduleAt(row)->path, std::string("/tmp/.x/libevil.so"));
    QVERIFY(model.moduleAt(99) == nullptr);
}

void TestModuleTableModel::mergeKeepsPersistentIndexAcrossInsertAndRemove()
{
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto f = baseFixture();
    model.setModules({42, 1}, f.modules, f.files);
    const QPersistentModelIndex evil = model.index(rowOfPath(model, QStringLiteral("/tmp/.x/libevil.so")), 0);
    QVERIFY(evil.isValid());

    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    f.modules.erase(f.modules.begin());  // libc unmapped (row before the persistent one)
    f.modules.push_back(makeModule("/usr/lib/libnew.so", 12, Level::Low));
    f.modules[0].verdict.add(makeReason("second", Level::High));  // the evil module, updated
    model.setModules({42, 1}, f.modules, f.files);

    QCOMPARE(resets.count(), 0);
    QCOMPARE(removed.count(), 1);
    QCOMPARE(inserted.count(), 1);
    QVERIFY(evil.isValid());
    QCOMPARE(evil.data(ModuleTableModel::PathRole).toString(), QStringLiteral("/tmp/.x/libevil.so"));
    QCOMPARE(model.moduleAt(evil.row())->verdict.reasons.size(), 2u);
    QCOMPARE(model.rowCount(), 3);
}

void TestModuleTableModel::anotherProcessResets()
{
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const auto f = baseFixture();
    model.setModules({42, 1}, f.modules, f.files);
    QSignalSpy resets(&model, &QAbstractItemModel::modelReset);
    model.setModules({43, 1}, {f.modules[0]}, f.files);
    QCOMPARE(resets.count(), 1);
    QCOMPARE(model.rowCount(), 1);
    QCOMPARE(model.process()->pid, 43);
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QVERIFY(!model.process());
}

void TestModuleTableModel::anonymousRegionsAreDistinctRows()
{
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ModuleRecord first;
    first.anonymousExec = true;
    first.ranges.push_back({0x1000, 0x2000, 0, "rwxp"});
    ModuleRecord second = first;
    second.ranges[0] = {0x5000, 0x6000, 0, "rwxp"};
    model.setModules({1, 1}, {first, second, second}, {});
    QCOMPARE(model.rowCount(), 3);  // a repeated record is shown, not silently dropped
    const QPersistentModelIndex secondRow = model.index(1, 0);
    model.setModules({1, 1}, {second}, {});
    QCOMPARE(model.rowCount(), 1);
    QVERIFY(secondRow.isValid());
    QCOMPARE(secondRow.row(), 0);
}


// A library found through LD_LIBRARY_PATH sorts above a system library that is high only
// because it could have been hijacked: the sort role is core's rank, not the bare level.
void TestModuleTableModel::verdictSortsByLoadingPathThenLevel()
{
    auto libc = makeModule("/usr/lib/x86_64-linux-gnu/libc.so.6", 20);
    libc.verdict.add(makeReason("search-path-hijackable", Level::High));
    auto planted = makeModule("/tmp/shared/libz.so.1", 21);
    planted.verdict.add(makeReason("library-path-env", Level::Medium));
    ModuleTableModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setModules({42, 1}, {libc, planted}, {});
    const auto sortOf = [&](const QString &path) {
        return model.index(rowOfPath(model, path), ModuleTableModel::VerdictColumn).data(ModuleTableModel::SortRole).toInt();
    };
    const int plantedSort = sortOf(QStringLiteral("/tmp/shared/libz.so.1"));
    const int libcSort = sortOf(QStringLiteral("/usr/lib/x86_64-linux-gnu/libc.so.6"));
    QCOMPARE(plantedSort, verdict::moduleRank(planted.verdict));
    QVERIFY2(plantedSort > libcSort, qPrintable(QStringLiteral("%1 <= %2").arg(plantedSort).arg(libcSort)));
}

QTEST_MAIN(TestModuleTableModel)
#include "tst_moduletablemodel.moc"
