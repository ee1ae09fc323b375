// ProcessFilterProxy and ModuleFilterProxy: text filters, "only flagged", sorting on SortRole.
#include "filterproxies.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "scan_builders.h"

#include <QAbstractItemModelTester>
#include <QTest>

using namespace loadlens;
using namespace loadlens::testing;
using namespace loadlens::ui;

namespace {

std::vector<ProcessInfo> processes()
{
    auto init = makeProcess(1, 0, "systemd");
    init.modules = {makeModule("/usr/lib/systemd/systemd", 1)};
    auto nginx = makeProcess(4100, 1, "nginx");
    nginx.user = "www-data";
    nginx.modules = {makeModule("/usr/sbin/nginx", 2), makeModule("/dev/shm/libhook.so", 3, Level::Medium)};
    nginx.namespaceHint = "mnt:[4026532510] (differs from LoadLens's mnt:[4026531841])";
    nginx.mountNamespace = 4026532510;
    nginx.container = {"podman", "3f2a9c1e5b7d4a6f8e0c2b4d6f8a0c2e4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a"};
    auto bash = makeProcess(77, 1, "bash");
    bash.user = "alice";
    bash.modules = {makeModule("/usr/bin/bash", 4, Level::Info)};
    return {init, nginx, bash};
}

QList<int> visiblePids(const QAbstractItemModel &model, const QModelIndex &parent = {})
{
    QList<int> pids;
    for (int row = 0; row < model.rowCount(parent); ++row) {
        const QModelIndex index = model.index(row, 0, parent);
        pids << index.data(ProcessTreeModel::PidRole).toInt();
        pids << visiblePids(model, index);
    }
    return pids;
}

QStringList visiblePaths(const QAbstractItemModel &model)
{
    QStringList paths;
    for (int row = 0; row < model.rowCount(); ++row)
        paths << model.index(row, 0).data(ModuleTableModel::PathRole).toString();
    return paths;
}

} // namespace

class TestFilterProxies : public QObject {
    Q_OBJECT

private slots:
    void processFilter_data();
    void processFilter();
    void processSortUsesRawNumbers();
    void namespaceFilter();
    void moduleFilter_data();
    void moduleFilter();
    void processFilterSearchesModules_data();
    void processFilterSearchesModules();
    void moduleTermsArriveAfterTheText();
};

void TestFilterProxies::processFilter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("onlyFlagged");
    QTest::addColumn<QList<int>>("expected");  // depth first, sorted by pid

    QTest::addRow("everything") << QString() << false << QList<int>{1, 77, 4100};
    QTest::addRow("by name keeps ancestors") << QStringLiteral("NGINX") << false << QList<int>{1, 4100};
    QTest::addRow("by user") << QStringLiteral("alice") << false << QList<int>{1, 77};
    QTest::addRow("by pid prefix") << QStringLiteral("41") << false << QList<int>{1, 4100};
    QTest::addRow("pid is a prefix, not a substring") << QStringLiteral("100") << false << QList<int>{};
    QTest::addRow("only flagged") << QString() << true << QList<int>{1, 4100};
    QTest::addRow("only flagged and text") << QStringLiteral("bash") << true << QList<int>{};
    QTest::addRow("by container") << QStringLiteral("podman") << false << QList<int>{1, 4100};
    QTest::addRow("blank text is no filter") << QStringLiteral("   ") << false << QList<int>{1, 77, 4100};
}

void TestFilterProxies::processFilter()
{
    QFETCH(QString, text);
    QFETCH(bool, onlyFlagged);
    QFETCH(QList<int>, expected);

    ProcessTreeModel model;
    ProcessFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    model.resetProcesses(processes(), {});
    proxy.setTextFilter(text);
    proxy.setOnlyFlagged(onlyFlagged);
    QCOMPARE(visiblePids(proxy), expected);

    // Filters are undone as well as applied.
    proxy.setTextFilter({});
    proxy.setOnlyFlagged(false);
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 77, 4100}));
}

void TestFilterProxies::namespaceFilter()
{
    ProcessTreeModel model;
    ProcessFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    model.resetProcesses(processes(), {});
    // The container's processes; their parent on the host stays for context.
    proxy.setNamespaceFilter(QStringLiteral("mnt:4026532510"));
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 4100}));
    // LoadLens's own namespace only.
    proxy.setNamespaceFilter(QString());
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 77}));
    proxy.setNamespaceFilter(QStringLiteral("mnt:1"));
    QCOMPARE(visiblePids(proxy), QList<int>{});
    proxy.setNamespaceFilter(std::nullopt);
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 77, 4100}));
}

void TestFilterProxies::processSortUsesRawNumbers()
{
    ProcessTreeModel model;
    ProcessFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.resetProcesses(processes(), {});
    // As text "4100" < "77"; as numbers 77 < 4100.
    proxy.sort(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 77, 4100}));
    proxy.sort(ProcessTreeModel::VerdictColumn, Qt::DescendingOrder);
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 4100, 77}));
}

void TestFilterProxies::moduleFilter_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("onlyFlagged");
    QTest::addColumn<QStringList>("expected");  // sorted by verdict, worst first

    const QString nginx = QStringLiteral("/usr/sbin/nginx");
    const QString hook = QStringLiteral("/dev/shm/libhook.so");
    const QString bash = QStringLiteral("/usr/bin/bash");
    QTest::addRow("everything") << QString() << false << QStringList{hook, bash, nginx};
    QTest::addRow("path substring") << QStringLiteral("SHM") << false << QStringList{hook};
    QTest::addRow("only flagged drops info") << QString() << true << QStringList{hook};
    QTest::addRow("no match") << QStringLiteral("zzz") << false << QStringList{};
}

void TestFilterProxies::moduleFilter()
{
    QFETCH(QString, text);
    QFETCH(bool, onlyFlagged);
    QFETCH(QStringList, expected);

    ModuleTableModel model;
    ModuleFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(ModuleTableModel::VerdictColumn, Qt::DescendingOrder);
    auto modules = processes()[1].modules;
    modules.push_back(processes()[2].modules[0]);
    model.setModules({4100, 100}, modules, {});
    proxy.setTextFilter(text);
    proxy.setOnlyFlagged(onlyFlagged);
    QCOMPARE(visiblePaths(proxy), expected);
    QCOMPARE(proxy.textFilter(), text.trimmed());
    QCOMPARE(proxy.onlyFlagged(), onlyFlagged);
}

namespace {

const QString kHookHash = QStringLiteral("feedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedfacefeedface");

ScanResult scanWithFiles()
{
    ScanResult scan;
    scan.processes = processes();
    for (const auto &process : scan.processes)
        for (const auto &module : process.modules)
            scan.files[module.file] = makeFacts(module, 4096, "pkg");
    scan.files[scan.processes[1].modules[1].file].sha256 = kHookHash.toStdString();
    return scan;
}

} // namespace

void TestFilterProxies::processFilterSearchesModules_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("namesOnly");
    QTest::addColumn<QList<int>>("expected");

    QTest::addRow("module name finds who loads it") << QStringLiteral("libhook") << false << QList<int>{1, 4100};
    QTest::addRow("module path, any case") << QStringLiteral("/DEV/SHM/") << false << QList<int>{1, 4100};
    QTest::addRow("full SHA-256") << kHookHash << false << QList<int>{1, 4100};
    QTest::addRow("SHA-256 prefix") << QStringLiteral("FEEDFACE") << false << QList<int>{1, 4100};
    QTest::addRow("a library of one process") << QStringLiteral("bin/bash") << false << QList<int>{1, 77};
    QTest::addRow("names only ignores modules") << QStringLiteral("libhook") << true << QList<int>{};
    QTest::addRow("names only still matches names") << QStringLiteral("nginx") << true << QList<int>{1, 4100};
    QTest::addRow("no such module") << QStringLiteral("libevil") << false << QList<int>{};
}

void TestFilterProxies::processFilterSearchesModules()
{
    QFETCH(QString, text);
    QFETCH(bool, namesOnly);
    QFETCH(QList<int>, expected);

    const ScanResult scan = scanWithFiles();
    ProcessTreeModel model;
    ProcessFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    proxy.setModuleTerms(processModuleTerms(scan));
    model.resetProcesses(scan.processes, {});
    proxy.setNamesOnly(namesOnly);
    proxy.setTextFilter(text);
    QCOMPARE(visiblePids(proxy), expected);
    QCOMPARE(proxy.namesOnly(), namesOnly);

    // The toggle applies at once to the text already typed.
    proxy.setNamesOnly(!namesOnly);
    proxy.setNamesOnly(namesOnly);
    QCOMPARE(visiblePids(proxy), expected);
}

// A rescan brings new module lists: the filter already typed is applied to them.
void TestFilterProxies::moduleTermsArriveAfterTheText()
{
    ScanResult scan = scanWithFiles();
    ProcessTreeModel model;
    ProcessFilterProxy proxy;
    proxy.setSourceModel(&model);
    QAbstractItemModelTester tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(ProcessTreeModel::PidColumn, Qt::AscendingOrder);
    model.resetProcesses(scan.processes, {});
    proxy.setTextFilter(QStringLiteral("libevil"));
    QCOMPARE(visiblePids(proxy), QList<int>{});
    scan.processes[2].modules.push_back(makeModule("/tmp/libevil.so", 9, Level::High));
    proxy.setModuleTerms(processModuleTerms(scan));
    model.mergeProcesses(scan.processes, {});
    QCOMPARE(visiblePids(proxy), (QList<int>{1, 77}));
    proxy.setModuleTerms({});
    QCOMPARE(visiblePids(proxy), QList<int>{});
}

QTEST_MAIN(TestFilterProxies)
#include "tst_filterproxies.moc"
