// loadlens-cli scan --json --stream, the administrator helper's output: one JSON object per
// line as each process is judged, the same process objects as scan --json, a summary last;
// closing its standard input cancels it; as root its caches ignore the caller's environment.
#include <QtTest>

#include "fixture_process.h"
#include "program_run.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>

#include <unistd.h>

using loadlens::testing::FixtureProcess;

namespace {

loadlens::testing::ProgramRun runCli(const QStringList &args,
                                     const QProcessEnvironment &env = QProcessEnvironment::systemEnvironment())
{
    return loadlens::testing::runProgram(QStringLiteral(LOADLENS_CLI), args, 240000, env);
}

QList<QJsonObject> jsonLines(const QByteArray &out)
{
    QList<QJsonObject> lines;
    for (const QByteArray &line : out.split('\n')) {
        if (line.isEmpty())
            continue;
        QJsonParseError error;
        const auto doc = QJsonDocument::fromJson(line, &error);
        if (error.error != QJsonParseError::NoError || !doc.isObject())
            return {};
        lines << doc.object();
    }
    return lines;
}

} // namespace

class TestCliStream : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    FixtureProcess m_target;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_target.start({QStringLiteral("--anon-exec")}), qPrintable(m_target.error()));
    }

    void oneObjectPerLineSameShapeAsJson()
    {
        const QString pid = QString::number(m_target.pid());
        const auto streamed = runCli({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                                      QStringLiteral("--pid"), pid, QStringLiteral("--no-hash-cache")});
        QCOMPARE(streamed.exitCode, 0);
        QVERIFY(streamed.out.endsWith('\n'));
        const QList<QJsonObject> lines = jsonLines(streamed.out);
        QVERIFY2(!lines.isEmpty(), streamed.out.left(400).constData());

        QStringList types;
        for (const auto &line : lines)
            types << line[QStringLiteral("type")].toString();
        QCOMPARE(types.count(QStringLiteral("process")), 1);
        QCOMPARE(types.last(), QStringLiteral("summary"));
        QCOMPARE(types.count(QStringLiteral("summary")), 1);
        // Progress while it works; the process before any finding.
        QVERIFY(types.contains(QStringLiteral("progress")));
        if (types.contains(QStringLiteral("finding")))
            QVERIFY(types.indexOf(QStringLiteral("process")) < types.indexOf(QStringLiteral("finding")));
        for (const QString &type : types)
            QVERIFY2(QStringList({QStringLiteral("progress"), QStringLiteral("process"), QStringLiteral("finding"),
                                  QStringLiteral("summary")})
                         .contains(type),
                     qPrintable(type));

        // The process object is scan --json's, with "type" added (modules' verdicts, facts...).
        const auto whole = runCli({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--pid"), pid,
                                   QStringLiteral("--no-hash-cache")});
        QCOMPARE(whole.exitCode, 0);
        const QJsonObject doc = QJsonDocument::fromJson(whole.out).object();
        QJsonObject expected = doc[QStringLiteral("processes")].toArray().first().toObject();
        QJsonObject process = lines[types.indexOf(QStringLiteral("process"))];
        QCOMPARE(process.take(QStringLiteral("type")).toString(), QStringLiteral("process"));
        QCOMPARE(QStringList(process.keys()), QStringList(expected.keys()));
        QCOMPARE(process[QStringLiteral("pid")].toInt(), m_target.pid());
        QCOMPARE(process[QStringLiteral("modules")].toArray().size(), expected[QStringLiteral("modules")].toArray().size());
        QJsonObject summary = lines.last();
        summary.remove(QStringLiteral("type"));
        QCOMPARE(QStringList(summary.keys()),
                 QStringList({QStringLiteral("collector"), QStringLiteral("host"), QStringLiteral("scanned_at"),
                              QStringLiteral("stats")}));
        QCOMPARE(summary[QStringLiteral("collector")].toObject(), doc[QStringLiteral("collector")].toObject());
        QCOMPARE(summary[QStringLiteral("host")].toObject().keys(), doc[QStringLiteral("host")].toObject().keys());
        QCOMPARE(summary[QStringLiteral("stats")].toObject().keys(), doc[QStringLiteral("stats")].toObject().keys());
    }

    void missingProcessIsAnErrorLine()
    {
        // pid_max is at most 2^22: this pid cannot exist.
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                               QStringLiteral("--pid"), QStringLiteral("999999999"), QStringLiteral("--no-hash-cache")});
        QCOMPARE(r.exitCode, 1);
        const QList<QJsonObject> lines = jsonLines(r.out);
        QVERIFY2(!lines.isEmpty(), r.out.constData());
        QCOMPARE(lines.last()[QStringLiteral("type")].toString(), QStringLiteral("error"));
        QVERIFY(lines.last()[QStringLiteral("message")].toString().contains(QStringLiteral("no process with pid 999999999")));
    }

    void streamNeedsJsonAndTakesNoFilters_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::addRow("without --json") << QStringList{QStringLiteral("scan"), QStringLiteral("--stream")}
                                        << QStringLiteral("--stream goes with scan --json");
        QTest::addRow("with a filter") << QStringList{QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                                                      QStringLiteral("--min-level"), QStringLiteral("high")}
                                       << QStringLiteral("--stream lists every module");
        QTest::addRow("not scan") << QStringList{QStringLiteral("who-loads"), QStringLiteral("libc"), QStringLiteral("--json"),
                                                 QStringLiteral("--stream")}
                                  << QStringLiteral("--stream goes with scan --json");
    }
    void streamNeedsJsonAndTakesNoFilters()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto r = runCli(args);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
    }

    // The GUI cannot signal a helper that runs as root: closing the helper's input is Cancel.
    // A whole-host scan that probes every pid up to pid_max and hashes every library takes
    // seconds; the input is closed as soon as the first line arrives.
    void closingStandardInputCancels()
    {
        QProcess cli;
        cli.start(QStringLiteral(LOADLENS_CLI), {QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                                                QStringLiteral("--probe-all-pids"), QStringLiteral("--no-hash-cache")});
        QVERIFY(cli.waitForStarted());
        QVERIFY(cli.waitForReadyRead(60000));
        cli.closeWriteChannel();
        QVERIFY2(cli.waitForFinished(60000), "the helper kept scanning after its input was closed");
        QCOMPARE(cli.exitStatus(), QProcess::NormalExit);
        QCOMPARE(cli.exitCode(), 1);
        const QList<QJsonObject> lines = jsonLines(cli.readAllStandardOutput());
        QVERIFY(!lines.isEmpty());
        QCOMPARE(lines.last()[QStringLiteral("type")].toString(), QStringLiteral("error"));
        QVERIFY(lines.last()[QStringLiteral("message")].toString().startsWith(QStringLiteral("cancelled")));
    }

    // pkexec runs the helper as root; whatever the caller's environment says, its hash cache
    // is root's, under /var/cache/loadlens, and nothing is written under the caller's home.
    void rootHelperIgnoresTheCallersDirectories()
    {
        if (::geteuid() != 0)
            QSKIP("the root data directory applies to root runs; this test runs as a normal user");
        QTemporaryDir home;
        QVERIFY(home.isValid());
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("HOME"), home.path());
        env.insert(QStringLiteral("XDG_DATA_HOME"), home.filePath(QStringLiteral("data")));
        env.insert(QStringLiteral("XDG_CACHE_HOME"), home.filePath(QStringLiteral("cache")));
        const auto r = runCli({QStringLiteral("scan"), QStringLiteral("--json"), QStringLiteral("--stream"),
                               QStringLiteral("--pid"), QString::number(m_target.pid())},
                              env);
        QCOMPARE(r.exitCode, 0);
        QCOMPARE(QDir(home.path()).entryList(QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden), QStringList());
        const QFileInfo cache(QStringLiteral("/var/cache/loadlens/hash-cache.sqlite"));
        QVERIFY(cache.exists());
        QCOMPARE(cache.ownerId(), 0u);
        const QFileInfo dir(QStringLiteral("/var/cache/loadlens"));
        QCOMPARE(dir.ownerId(), 0u);
        QVERIFY(!(dir.permissions() & (QFileDevice::WriteGroup | QFileDevice::WriteOther)));
    }

    void cleanupTestCase() { m_target.stop(); }
};

QTEST_GUILESS_MAIN(TestCliStream)
#include "tst_cli_stream.moc"
