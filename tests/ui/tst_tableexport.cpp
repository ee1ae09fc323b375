// Table exports write every row the view has, with raw values: the process tree of a real scan
// of this host (with processes this test starts) flattened with depth and parent, filtered and
// unfiltered, and the module table of this process with full hashes, bytes, pid, process and
// every reason code. The files are parsed back and compared with the models behind the views.
#include "csv_reader.h"
#include "filterproxies.h"
#include "mainwindow.h"
#include "model_lookup.h"
#include "moduletablemodel.h"
#include "processtreemodel.h"
#include "tableexport.h"

#include <QAbstractItemModelTester>
#include <QCoreApplication>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QDir>
#include <QProcess>

#include <csignal>
#include <QRegularExpression>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeView>

#include <functional>

using namespace loadlens;
using namespace loadlens::ui;

namespace {

// Every row of a (tree) model, depth first: what the user can reach by expanding.
int allRows(const QAbstractItemModel *model, const QModelIndex &parent = {})
{
    int rows = 0;
    for (int row = 0; row < model->rowCount(parent); ++row)
        rows += 1 + allRows(model, model->index(row, 0, parent));
    return rows;
}

int depthOf(QModelIndex index)
{
    int depth = 0;
    while (index.parent().isValid()) {
        index = index.parent();
        ++depth;
    }
    return depth;
}

QList<QStringList> readCsv(const QString &file)
{
    QFile csv(file);
    if (!csv.open(QIODevice::ReadOnly))
        return {};
    return testing::parseCsv(QString::fromUtf8(csv.readAll()));
}

} // namespace

class TestTableExport : public QObject {
    Q_OBJECT

private slots:
    void initTestCase();
    void cleanupTestCase();
    void processTreeExportsEveryRow_data();
    void processTreeExportsEveryRow();
    void processTreeJsonIsTyped();
    void moduleExportCarriesRawValues();

private:
    QStringList exportedHeader(const QList<QStringList> &records) const { return records.value(0); }

    std::unique_ptr<MainWindow> m_window;
    QProcess m_shell;  // sh with two sleeping children: a subtree this test knows
    QTemporaryDir m_dir;
};

void TestTableExport::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_shell.start(QStringLiteral("/bin/sh"), {QStringLiteral("-c"), QStringLiteral("sleep 300 & sleep 300 & echo started; wait")});
    QVERIFY(m_shell.waitForReadyRead(10000));
    m_window = std::make_unique<MainWindow>(scan::ScanOptions{});  // every process of this host
    QSignalSpy applied(m_window.get(), &MainWindow::resultApplied);
    QSignalSpy failed(m_window.get(), &MainWindow::scanFailed);
    m_window->refresh();
    QTRY_COMPARE_WITH_TIMEOUT(applied.count() + failed.count(), 1, 240000);
    QCOMPARE(failed.count(), 0);
}

void TestTableExport::cleanupTestCase()
{
    m_window.reset();
    // Killing the shell would leave its two sleeping children running for minutes: end them first.
    const QByteArray shellPid = QByteArray::number(m_shell.processId());
    const QStringList entries = QDir(QStringLiteral("/proc")).entryList(QDir::Dirs | QDir::NoDotAndDotDot);
    for (const QString &entry : entries) {
        QFile stat(QStringLiteral("/proc/") + entry + QStringLiteral("/stat"));
        if (!stat.open(QIODevice::ReadOnly))
            continue;
        const QByteArray text = stat.readAll();
        const QList<QByteArray> fields = text.mid(text.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 1 && fields[1] == shellPid)
            ::kill(entry.toInt(), SIGKILL);
    }
    m_shell.kill();
    m_shell.waitForFinished(5000);
}

void TestTableExport::processTreeExportsEveryRow_data()
{
    QTest::addColumn<QString>("filter");
    QTest::addRow("unfiltered") << QString();
    QTest::addRow("filtered to sleep") << QStringLiteral("sleep");
}

void TestTableExport::processTreeExportsEveryRow()
{
    QFETCH(QString, filter);
    auto *proxy = qobject_cast<ProcessFilterProxy *>(m_window->processView()->model());
    QVERIFY(proxy);
    QAbstractItemModelTester tester(proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy->setTextFilter(filter);
    const int shellPid = static_cast<int>(m_shell.processId());
    const QModelIndex shell = testing::findPid(proxy, shellPid);
    QVERIFY2(shell.isValid(), "the shell this test started is in the tree");
    QCOMPARE(proxy->rowCount(shell), 2);  // its two sleeps, under it, shown by either filter
    const int rows = allRows(proxy);
    QVERIFY2(rows > proxy->rowCount(), "the tree has rows below the top level");
    QCOMPARE(exportedRowCount(*proxy), rows);

    const QString file = m_dir.filePath(QStringLiteral("processes.csv"));
    QVERIFY(m_window->exportView(m_window->processView(), file).ok());
    const QList<QStringList> records = readCsv(file);
    QCOMPARE(records.size(), rows + 1);
    const QStringList header = records[0];
    const auto column = [&header](const QString &name) { return header.indexOf(name); };
    QVERIFY(column(QStringLiteral("depth")) > 0 && column(QStringLiteral("parent")) > 0);
    QVERIFY(column(QStringLiteral("PPID")) > 0);
    const qsizetype pidColumn = column(QStringLiteral("PID"));
    QCOMPARE(pidColumn, qsizetype(ProcessTreeModel::PidColumn));

    // Each record is the process the tree has, at its depth, under its parent's pid.
    QSet<int> exportedPids;
    for (qsizetype r = 1; r < records.size(); ++r) {
        const QStringList &record = records[r];
        QCOMPARE(record.size(), header.size());
        const int pid = record[pidColumn].toInt();
        exportedPids.insert(pid);
        const QModelIndex index = testing::findPid(proxy, pid);
        QVERIFY2(index.isValid(), qPrintable(record.join(QLatin1Char(','))));
        QCOMPARE(record[column(QStringLiteral("depth"))].toInt(), depthOf(index));
        const QString parent = record[column(QStringLiteral("parent"))];
        if (index.parent().isValid())
            QCOMPARE(parent.toInt(), index.parent().data(ProcessTreeModel::PidRole).toInt());
        else
            QVERIFY(parent.isEmpty());
        // The raw name, not the view's "[kthreadd]"; a name that a spreadsheet would run as a
        // formula ("=SUM(1,2)": other tests start such processes) is written with a leading quote.
        QString name = index.data(ProcessTreeModel::SortRole).toString();
        if (!name.isEmpty() && QStringLiteral("=+-@\t\r").contains(name.front()))
            name.prepend(QLatin1Char('\''));
        QCOMPARE(record[ProcessTreeModel::NameColumn], name);
    }
    QCOMPARE(exportedPids.size(), rows);
    for (int row = 0; row < 2; ++row) {
        const int sleepPid = proxy->index(row, 0, shell).data(ProcessTreeModel::PidRole).toInt();
        QVERIFY(exportedPids.contains(sleepPid));
    }
    proxy->setTextFilter(QString());
}

void TestTableExport::processTreeJsonIsTyped()
{
    const QAbstractItemModel *model = m_window->processView()->model();
    const QString file = m_dir.filePath(QStringLiteral("processes.json"));
    QVERIFY(m_window->exportView(m_window->processView(), file).ok());
    QFile json(file);
    QVERIFY(json.open(QIODevice::ReadOnly));
    const QJsonArray rows = QJsonDocument::fromJson(json.readAll()).array();
    QCOMPARE(rows.size(), allRows(model));
    const int self = static_cast<int>(QCoreApplication::applicationPid());
    bool found = false;
    for (const auto &value : rows) {
        const QJsonObject row = value.toObject();
        QVERIFY(row.value(QStringLiteral("PID")).isDouble());
        QVERIFY(row.value(QStringLiteral("depth")).isDouble());
        if (row.value(QStringLiteral("PID")).toInt() == self) {
            found = true;
            QCOMPARE(row.value(QStringLiteral("PPID")).toInt(), static_cast<int>(::getppid()));
            QCOMPARE(row.value(QStringLiteral("Executable")).toString(), QCoreApplication::applicationFilePath());
        }
    }
    QVERIFY(found);
}

void TestTableExport::moduleExportCarriesRawValues()
{
    const int self = static_cast<int>(QCoreApplication::applicationPid());
    const QModelIndex process = testing::findPid(m_window->processView()->model(), self);
    QVERIFY(process.isValid());
    m_window->processView()->setCurrentIndex(process);
    QAbstractItemModel *view = m_window->moduleView()->model();
    auto *proxy = qobject_cast<ModuleFilterProxy *>(view);
    QVERIFY(proxy);
    auto *source = qobject_cast<ModuleTableModel *>(proxy->sourceModel());
    QVERIFY(source);
    QAbstractItemModelTester tester(source, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QVERIFY(view->rowCount() > 3);

    for (const QString &filter : {QString(), QStringLiteral("libQt6")}) {
        proxy->setTextFilter(filter);
        const QString file = m_dir.filePath(QStringLiteral("modules.csv"));
        QVERIFY(m_window->exportView(m_window->moduleView(), file).ok());
        const QList<QStringList> records = readCsv(file);
        QCOMPARE(records.size(), view->rowCount() + 1);
        const QStringList header = records[0];
        const auto column = [&header](const char *name) { return header.indexOf(QString::fromLatin1(name)); };
        QVERIFY(column("PID") > 0 && column("Process") > 0 && column("Reasons") > 0);
        int fullHashes = 0;
        for (int row = 0; row < view->rowCount(); ++row) {
            const QStringList &record = records[row + 1];
            QCOMPARE(record.size(), header.size());
            const int sourceRow = proxy->mapToSource(view->index(row, 0)).row();
            const ModuleRecord *module = source->moduleAt(sourceRow);
            const FileFacts *facts = source->factsAt(sourceRow);
            QVERIFY(module);
            QCOMPARE(record[column("PID")].toInt(), self);
            QCOMPARE(record[column("Process")], process.data(ProcessTreeModel::SortRole).toString());
            QStringList codes;
            for (const auto &reason : module->verdict.reasons)
                codes << QString::fromStdString(reason.code);
            QCOMPARE(record[column("Reasons")], codes.join(QLatin1Char(' ')));
            if (!facts)
                continue;
            QCOMPARE(record[ModuleTableModel::SizeColumn].toULongLong(), facts->size);  // bytes, not "1.2 MiB"
            QCOMPARE(record[ModuleTableModel::HashColumn], QString::fromStdString(facts->sha256));
            if (record[ModuleTableModel::HashColumn].contains(QRegularExpression(QStringLiteral("^[0-9a-f]{64}$"))))
                ++fullHashes;
            QCOMPARE(QFileInfo(QString::fromStdString(module->path)).size(), qint64(facts->size));
        }
        QVERIFY2(fullHashes > 0, "libQt6Core and this executable are hashed in full");
    }
    proxy->setTextFilter(QString());
}

QTEST_MAIN(TestTableExport)
#include "tst_tableexport.moc"
