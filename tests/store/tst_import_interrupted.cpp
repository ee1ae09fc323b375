// kill -9 of `loadlens-cli import` half-way: the case stays consistent (integrity, references,
// whole batches only, the snapshot not complete) and running the import again finishes it.
#include <QtTest>

#include "case_test_support.h"
#include "synthetic_case.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <signal.h>

using namespace loadlens;
using loadlens::testing::countRows;
using loadlens::testing::integrityOf;

namespace {

constexpr int kProcesses = 3000;
constexpr int kModules = 40;

qint64 committedProcesses(const QString &casePath)
{
    auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::ReadOnly);
    return db ? countRows(*db, QStringLiteral("processes")) : -1;
}

// Modules a complete process has: every process kModules, process index 7 one more (rare library).
qint64 modulesFor(qint64 processes) { return processes * kModules + (processes >= 8 ? 1 : 0); }

} // namespace

class TestImportInterrupted : public QObject {
    Q_OBJECT

private slots:
    void killedImportLeavesConsistentCaseAndResumes()
    {
        QTemporaryDir dir;
        const QString bundle = dir.filePath(QStringLiteral("big.llsnap"));
        const QString casePath = dir.filePath(QStringLiteral("case.sqlite"));
        bench::SyntheticCaseOptions options;
        options.processesPerHost = kProcesses;
        options.modulesPerProcess = kModules;
        QCOMPARE(loadlens::testing::writeBundle(bundle, bench::syntheticScan(options, 3)), QString());
        // The case exists before the import starts, so the test can watch it.
        QVERIFY(store::CaseDatabase::open(casePath.toStdString()).ok());

        QProcess import;
        import.start(QStringLiteral(LOADLENS_CLI_PATH),
                     {QStringLiteral("import"), QStringLiteral("--case"), casePath, QStringLiteral("--batch"),
                      QStringLiteral("1"), QStringLiteral("--quiet"), bundle});
        QVERIFY(import.waitForStarted());
        QElapsedTimer waited;
        waited.start();
        qint64 seen = 0;
        while ((seen = committedProcesses(casePath)) < 50 && waited.elapsed() < 60000 &&
               import.state() == QProcess::Running)
            QThread::msleep(5);
        QVERIFY2(import.state() == QProcess::Running, "the import finished before it could be interrupted");
        QVERIFY2(seen >= 50, "no batch was committed within a minute");
        ::kill(pid_t(import.processId()), SIGKILL);
        QVERIFY(import.waitForFinished());
        QCOMPARE(import.exitStatus(), QProcess::CrashExit);

        QCOMPARE(integrityOf(casePath), QStringLiteral("ok"));
        {
            auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::ReadOnly);
            QVERIFY2(db.ok(), db.ok() ? "" : db.error().message.c_str());
            const qint64 processes = countRows(*db, QStringLiteral("processes"));
            QVERIFY(processes >= 50);
            QVERIFY2(processes < kProcesses, "the import was complete when killed");
            // Whole batches only: every committed process has all its modules.
            QCOMPARE(countRows(*db, QStringLiteral("modules")), modulesFor(processes));
            QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 0")), qint64(1));
            QCOMPARE(countRows(*db, QStringLiteral("snapshot_module_stack")), qint64(0));
        }

        QProcess again;
        again.start(QStringLiteral(LOADLENS_CLI_PATH),
                    {QStringLiteral("import"), QStringLiteral("--case"), casePath, QStringLiteral("--json"), bundle});
        QVERIFY(again.waitForFinished(240000));
        QCOMPARE(again.exitCode(), 0);
        const QJsonArray reports = QJsonDocument::fromJson(again.readAllStandardOutput()).array();
        QCOMPARE(reports.size(), 1);
        const QJsonObject report = reports.first().toObject();
        QVERIFY(report.value(QStringLiteral("complete")).toBool());
        QVERIFY(report.value(QStringLiteral("duplicates")).toInteger() > 50);
        QCOMPARE(report.value(QStringLiteral("imported")).toInteger() + report.value(QStringLiteral("duplicates")).toInteger(),
                 report.value(QStringLiteral("records_read")).toInteger());

        QCOMPARE(integrityOf(casePath), QStringLiteral("ok"));
        auto db = store::CaseDatabase::open(casePath.toStdString(), store::OpenMode::ReadOnly);
        QCOMPARE(countRows(*db, QStringLiteral("processes")), qint64(kProcesses));
        QCOMPARE(countRows(*db, QStringLiteral("modules")), modulesFor(kProcesses));
        QCOMPARE(countRows(*db, QStringLiteral("snapshots WHERE complete = 1")), qint64(1));
        QVERIFY(countRows(*db, QStringLiteral("snapshot_module_stack")) > 0);
    }
};

QTEST_GUILESS_MAIN(TestImportInterrupted)
#include "tst_import_interrupted.moc"
