// The ClickHouse HTTP client against the real clickhouse-server the CTest fixture `clickhouse`
// starts (clickhouse_server.sh; $LOADLENS_TEST_CLICKHOUSE_DIR holds its url and the password
// of the user `analyst`).
#include "clickhouse_fixture.h"
#include "clickhouse/client.h"

#include <QFile>
#include <QtTest>

#include <unistd.h>

using namespace loadlens;
using namespace loadlens::clickhouse;

namespace {

QString messageOf(const Status &status)
{
    return status.ok() ? QStringLiteral("<ok>") : QString::fromStdString(status.error().message);
}

QByteArray readFixtureFile(const char *name) { return loadlens::testing::clickHouseFixtureFile(name); }

} // namespace

class TestClickHouseServer : public QObject {
    Q_OBJECT
private slots:
    void initTestCase();
    void cleanupTestCase();
    void pingAndQuery();
    void quoteRoundTrip_data();
    void quoteRoundTrip();
    void insertAndReadBack();
    void passwords();
    void serverErrors();
    void exceptionMidStream();
    void cancelAndContinue();
    void settings();

private:
    Endpoint endpoint(const std::string &database = "default") const;
    std::string m_url;
    std::string m_password;
    std::string m_database;
};

Endpoint TestClickHouseServer::endpoint(const std::string &database) const
{
    auto parsed = parseUrl(m_url + database);
    if (!parsed)
        qFatal("%s", parsed.error().message.c_str());
    return *parsed;
}

void TestClickHouseServer::initTestCase()
{
    if (qEnvironmentVariableIsEmpty("LOADLENS_TEST_CLICKHOUSE_DIR"))
        QFAIL("LOADLENS_TEST_CLICKHOUSE_DIR is not set: run through ctest, whose fixture 'clickhouse' starts the server");
    m_url = readFixtureFile("url").toStdString();
    m_password = readFixtureFile("analyst.password").toStdString();
    QVERIFY2(!m_url.empty() && !m_password.empty(), "the fixture directory has no url or analyst.password");
    m_database = "tst_client_" + std::to_string(::getpid());
}

void TestClickHouseServer::cleanupTestCase()
{
    if (m_url.empty())
        return;
    Client client(endpoint());
    (void)client.query("DROP DATABASE IF EXISTS " + m_database);
}

void TestClickHouseServer::pingAndQuery()
{
    Client client(endpoint());
    QVERIFY2(client.ping().ok(), qPrintable(messageOf(client.ping())));
    const auto one = client.query("SELECT 1");
    QVERIFY2(one.ok(), one.ok() ? "" : one.error().message.c_str());
    QCOMPARE(*one, std::string("1\n"));
    const auto sum = client.query("SELECT sum(number) FROM numbers(1000)");
    QVERIFY(sum.ok());
    QCOMPARE(*sum, std::string("499500\n"));
    QCOMPARE(client.lastFailure(), Failure::None);
}

void TestClickHouseServer::quoteRoundTrip_data()
{
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("empty") << QByteArray();
    QTest::newRow("quotes") << QByteArray("it's a \"test\" ''");
    QTest::newRow("backslashes") << QByteArray("C:\\Windows\\System32\\ \\' \\\\");
    QTest::newRow("newlines") << QByteArray("line1\nline2\r\n\ttab");
    QTest::newRow("nul") << QByteArray("a\0b\0", 4);
    QTest::newRow("control") << QByteArray("\x01\x02\x07\x08\x0b\x0c\x1b\x1f\x7f");
    QTest::newRow("utf8") << QByteArray("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x91 \xd0\x9a\xd0\xbb\xd1\x8e\xd1\x87");
    QTest::newRow("not utf8") << QByteArray("\xff\xfe\x80\xc3");
    QByteArray all;
    for (int i = 0; i < 256; ++i)
        all += char(i);
    QTest::newRow("every byte") << all;
    QTest::newRow("sql injection") << QByteArray("'); DROP DATABASE default; --");
}

void TestClickHouseServer::quoteRoundTrip()
{
    QFETCH(QByteArray, text);
    Client client(endpoint());
    const std::string literal = quote(std::string_view(text.constData(), std::size_t(text.size())));
    const auto result = client.query("SELECT hex(" + literal + ")");
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QCOMPARE(QByteArray::fromStdString(*result).trimmed(), text.toHex().toUpper());
}

void TestClickHouseServer::insertAndReadBack()
{
    Client client(endpoint());
    const std::string db = m_database;
    QVERIFY(isPlainIdentifier(db));
    QVERIFY2(client.query("CREATE DATABASE IF NOT EXISTS " + db).ok(), "create database");
    const auto created = client.query("CREATE TABLE " + db + ".events (id UInt64, host String, message String) "
                                      "ENGINE = MergeTree ORDER BY id");
    QVERIFY2(created.ok(), created.ok() ? "" : created.error().message.c_str());

    Client inDb(endpoint(db));
    std::string rows;
    for (int i = 0; i < 2000; ++i)
        rows += "{\"id\":" + std::to_string(i) + ",\"host\":\"h" + std::to_string(i % 7)
            + "\",\"message\":\"line \\\"" + std::to_string(i) + "\\\"\\n\\u00e9\"}\n";
    const Status inserted = inDb.insert("INSERT INTO events FORMAT JSONEachRow", rows);
    QVERIFY2(inserted.ok(), qPrintable(messageOf(inserted)));
    QCOMPARE(inDb.lastFailure(), Failure::None);

    const auto count = inDb.query("SELECT count(), uniqExact(host) FROM events");
    QVERIFY(count.ok());
    QCOMPARE(*count, std::string("2000\t7\n"));

    std::vector<std::string> lines;
    const Status read = inDb.queryLines("SELECT id, host, message FROM events ORDER BY id FORMAT JSONEachRow",
                                        [&](std::string_view line) {
                                            lines.emplace_back(line);
                                            return true;
                                        });
    QVERIFY2(read.ok(), qPrintable(messageOf(read)));
    QCOMPARE(lines.size(), std::size_t(2000));
    QCOMPARE(lines[5], std::string("{\"id\":\"5\",\"host\":\"h5\",\"message\":\"line \\\"5\\\"\\n\xc3\xa9\"}"));
    const auto message = inDb.query("SELECT hex(message) FROM events WHERE id = 1999");
    QVERIFY(message.ok());
    QCOMPARE(QByteArray::fromStdString(*message).trimmed(), QByteArray("line \"1999\"\n\xc3\xa9").toHex().toUpper());

    // A bad row: the server refuses the insert with its reason.
    const Status bad = inDb.insert("INSERT INTO events FORMAT JSONEachRow", "{\"id\":\"not a number\"}\n");
    QVERIFY(!bad.ok());
    QCOMPARE(inDb.lastFailure(), Failure::Server);
    QVERIFY2(messageOf(bad).contains(QString::fromStdString(endpoint(db).display() + " answered HTTP ")), qPrintable(messageOf(bad)));
}

void TestClickHouseServer::passwords()
{
    Endpoint analyst = endpoint();
    analyst.user = "analyst";
    analyst.password = m_password;
    {
        Client client(analyst);
        const auto who = client.query("SELECT 'in'");
        QVERIFY2(who.ok(), who.ok() ? "" : who.error().message.c_str());
    }
    analyst.password = "wrong";
    {
        Client client(analyst);
        const auto who = client.query("SELECT 1");
        QVERIFY(!who.ok());
        QCOMPARE(client.lastFailure(), Failure::Authentication);
        const QString message = QString::fromStdString(who.error().message);
        QVERIFY2(message.contains(QStringLiteral("HTTP 401")) && message.contains(QStringLiteral("Wrong password for user analyst"))
                     && !message.contains(QStringLiteral("wrong")),
                 qPrintable(message));
        QVERIFY(!message.contains(QString::fromStdString(m_password)));
    }
    Endpoint stranger = endpoint();
    stranger.user = "nobody_here";
    {
        Client client(stranger);
        QVERIFY(!client.query("SELECT 1").ok());
        QCOMPARE(client.lastFailure(), Failure::Authentication);
    }
}

void TestClickHouseServer::serverErrors()
{
    Client missing(endpoint("no_such_database_here"));
    const auto result = missing.query("SELECT 1");
    QVERIFY(!result.ok());
    QCOMPARE(missing.lastFailure(), Failure::Server);
    const QString message = QString::fromStdString(result.error().message);
    QVERIFY2(message.startsWith(QString::fromStdString(endpoint("no_such_database_here").display() + " answered HTTP "))
                 && message.contains(QStringLiteral("Code: 81")) && message.contains(QStringLiteral("no_such_database_here")),
             qPrintable(message));

    Client client(endpoint());
    const auto syntax = client.query("SELEKT 1");
    QVERIFY(!syntax.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QVERIFY2(QString::fromStdString(syntax.error().message).contains(QStringLiteral("Syntax error")), syntax.error().message.c_str());
    QVERIFY(client.query("SELECT 1").ok());
}

void TestClickHouseServer::exceptionMidStream()
{
    // Small blocks: the server has sent 200 and rows when the exception comes.
    Client client(endpoint());
    client.setSetting("max_block_size", "1000");
    const std::string sql = "SELECT number, throwIf(number = 300000) FROM system.numbers LIMIT 400000 FORMAT TSV";
    std::size_t lines = 0;
    const Status streamed = client.queryLines(sql, [&](std::string_view) {
        ++lines;
        return true;
    });
    QVERIFY(!streamed.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QVERIFY2(messageOf(streamed).contains(QStringLiteral("Code: 395")), qPrintable(messageOf(streamed)));
    QVERIFY2(lines > 0 && lines <= 300000, qPrintable(QString::number(lines)));
    const auto whole = client.query(sql);
    QVERIFY(!whole.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QVERIFY(client.query("SELECT 1").ok());
}

void TestClickHouseServer::cancelAndContinue()
{
    Client client(endpoint());
    std::size_t seen = 0;
    const Status stopped = client.queryLines("SELECT number FROM system.numbers LIMIT 10000000 FORMAT TSV",
                                             [&](std::string_view) { return ++seen < 10; });
    QVERIFY(!stopped.ok());
    QCOMPARE(client.lastFailure(), Failure::Cancelled);
    QCOMPARE(seen, std::size_t(10));
    const auto after = client.query("SELECT 42");
    QVERIFY2(after.ok(), after.ok() ? "" : after.error().message.c_str());
    QCOMPARE(*after, std::string("42\n"));
}

void TestClickHouseServer::settings()
{
    Client client(endpoint());
    client.setSetting("max_threads", "3");
    client.setSetting("max_threads", "2");
    const auto value = client.query("SELECT value FROM system.settings WHERE name = 'max_threads'");
    QVERIFY2(value.ok(), value.ok() ? "" : value.error().message.c_str());
    QVERIFY2(QString::fromStdString(*value).trimmed().contains(QLatin1Char('2')), value->c_str());
    client.setSetting("no_such_setting_x", "1");
    QVERIFY(!client.query("SELECT 1").ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
}

QTEST_GUILESS_MAIN(TestClickHouseServer)
#include "tst_clickhouse_server.moc"
