// loadlens-cli clickhouse-ping against the fixture's clickhouse-server: the static program
// speaks HTTP to it, resolves localhost without NSS, takes credentials from the environment and
// says clearly what went wrong.
#include "clickhouse_fixture.h"

#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>
#include <QTemporaryDir>
#include <QtTest>

namespace {

struct Run {
    int exitCode = -1;
    QString out, err;
};

QByteArray readFixtureFile(const char *name) { return loadlens::testing::clickHouseFixtureFile(name); }

Run runCli(const QStringList &args, const QProcessEnvironment &env)
{
    QProcess process;
    process.setProcessEnvironment(env);
    process.start(QStringLiteral(LOADLENS_CLI), args);
    Run run;
    if (!process.waitForFinished(60000)) {
        process.kill();
        process.waitForFinished();
        run.err = QStringLiteral("timed out");
        return run;
    }
    run.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
    run.out = QString::fromUtf8(process.readAllStandardOutput());
    run.err = QString::fromUtf8(process.readAllStandardError());
    return run;
}

} // namespace

class TestClickHouseCli : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void pings();
    void credentialsFromEnvironment();
    void refusesCredentialsInUrl();
    void staticProgramResolvesWithoutNss();

private:
    QString m_url;       // clickhouse://127.0.0.1:PORT/
    QString m_port;
    QByteArray m_password;
    QTemporaryDir m_home;
    QProcessEnvironment m_env;
};

void TestClickHouseCli::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("LOADLENS_TEST_CLICKHOUSE_DIR"))
        QFAIL("LOADLENS_TEST_CLICKHOUSE_DIR is not set: run through ctest, whose fixture 'clickhouse' starts the server");
    m_url = QString::fromUtf8(readFixtureFile("url"));
    m_password = readFixtureFile("analyst.password");
    QVERIFY(!m_url.isEmpty() && !m_password.isEmpty());
    m_port = m_url.section(QLatin1Char(':'), 2).section(QLatin1Char('/'), 0, 0);
    QVERIFY(m_home.isValid());
    // A clean environment: no credentials of the user running the tests.
    m_env.insert(QStringLiteral("PATH"), QStringLiteral("/usr/bin:/bin"));
    m_env.insert(QStringLiteral("HOME"), m_home.path());
}

void TestClickHouseCli::pings()
{
    const Run run = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("default")}, m_env);
    QVERIFY2(run.exitCode == 0, qPrintable(run.err));
    QCOMPARE(run.out.left(run.out.indexOf(QLatin1String(": ClickHouse "))), m_url + QStringLiteral("default"));
    QVERIFY2(run.out.contains(QRegularExpression(QStringLiteral(": ClickHouse \\d+\\.\\d+\\S*, user default, database default\n$"))),
             qPrintable(run.out));

    const Run missing = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("no_such_db")}, m_env);
    QCOMPARE(missing.exitCode, 1);
    QVERIFY2(missing.err.contains(QStringLiteral("no_such_db")) && missing.err.contains(QStringLiteral("HTTP ")), qPrintable(missing.err));
}

void TestClickHouseCli::credentialsFromEnvironment()
{
    QProcessEnvironment env = m_env;
    env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_USER"), QStringLiteral("analyst"));
    env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_PASSWORD"), QString::fromUtf8(m_password));
    const Run good = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("default")}, env);
    QVERIFY2(good.exitCode == 0, qPrintable(good.err));
    QVERIFY2(good.out.contains(QStringLiteral(", user analyst,")), qPrintable(good.out));

    env.insert(QStringLiteral("LOADLENS_CLICKHOUSE_PASSWORD"), QStringLiteral("not-it"));
    const Run bad = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("default")}, env);
    QCOMPARE(bad.exitCode, 1);
    QVERIFY2(bad.err.contains(QStringLiteral("HTTP 401")) && bad.err.contains(QStringLiteral("(user analyst)"))
                 && !bad.err.contains(QStringLiteral("not-it")),
             qPrintable(bad.err));

    // The config file, when it is private.
    QDir(m_home.path()).mkpath(QStringLiteral(".config/loadlens"));
    const QString conf = m_home.filePath(QStringLiteral(".config/loadlens/clickhouse.conf"));
    QFile file(conf);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("user = analyst\npassword = " + m_password + "\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    const Run fromFile = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("default")}, m_env);
    QVERIFY2(fromFile.exitCode == 0 && fromFile.out.contains(QStringLiteral(", user analyst,")), qPrintable(fromFile.err));
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup));
    const Run open = runCli({QStringLiteral("clickhouse-ping"), m_url + QStringLiteral("default")}, m_env);
    QCOMPARE(open.exitCode, 1);
    QVERIFY2(open.err.contains(QStringLiteral("chmod 600")), qPrintable(open.err));
    QVERIFY(QFile::remove(conf));
}

void TestClickHouseCli::refusesCredentialsInUrl()
{
    const Run run = runCli({QStringLiteral("clickhouse-ping"), QStringLiteral("clickhouse://analyst:pw123@127.0.0.1:%1/default").arg(m_port)}, m_env);
    QCOMPARE(run.exitCode, 2);
    QVERIFY2(run.err.contains(QStringLiteral("LOADLENS_CLICKHOUSE_PASSWORD")) && !run.err.contains(QStringLiteral("pw123")), qPrintable(run.err));
}

void TestClickHouseCli::staticProgramResolvesWithoutNss()
{
    const Run local = runCli({QStringLiteral("clickhouse-ping"), QStringLiteral("clickhouse://localhost:%1/default").arg(m_port)}, m_env);
    QVERIFY2(local.exitCode == 0, qPrintable(local.err));
    if (!LOADLENS_CLI_IS_STATIC)
        QSKIP("loadlens-cli is linked dynamically in this build: other names go through getaddrinfo");
    const Run other = runCli({QStringLiteral("clickhouse-ping"), QStringLiteral("clickhouse://no-such-host.invalid:%1/default").arg(m_port)}, m_env);
    QCOMPARE(other.exitCode, 1);
    QVERIFY2(other.err.contains(QStringLiteral("host names other than /etc/hosts entries need a numeric address in the static loadlens-cli")),
             qPrintable(other.err));
}

QTEST_GUILESS_MAIN(TestClickHouseCli)
#include "tst_clickhouse_cli.moc"
