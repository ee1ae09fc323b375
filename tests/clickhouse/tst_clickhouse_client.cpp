// The ClickHouse HTTP client against servers that misbehave (a scripted fake server in a
// thread), a closed port, and TLS through `openssl s_server` with a certificate made here.
#include "clickhouse/client.h"
#include "fake_http_server.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::clickhouse;
using loadlens::test::FakeHttpServer;
using Reply = FakeHttpServer::Reply;
using After = FakeHttpServer::Reply::After;

namespace {

Endpoint endpointOf(const std::string &url)
{
    auto parsed = parseUrl(url);
    if (!parsed)
        qFatal("bad test URL %s", url.c_str());
    return *parsed;
}

std::string ok(const std::string &body, const std::string &extra = {})
{
    return "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body.size()) + "\r\n" + extra + "\r\n" + body;
}

std::string status500(const std::string &body)
{
    return "HTTP/1.1 500 Internal Server Error\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}

std::uint16_t closedPort()
{
    const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t length = sizeof address;
    ::bind(fd, reinterpret_cast<sockaddr *>(&address), sizeof address);
    ::getsockname(fd, reinterpret_cast<sockaddr *>(&address), &length);
    ::close(fd);
    return ntohs(address.sin_port);
}

QString messageOf(const Status &status)
{
    return status.ok() ? QStringLiteral("<ok>") : QString::fromStdString(status.error().message);
}

} // namespace

class TestClickHouseClient : public QObject {
    Q_OBJECT
private slots:
    void sendsWellFormedRequests();
    void reusesTheConnection();
    void retriesOnceWhenTheIdleConnectionWasClosed();
    void brokenResponses_data();
    void brokenResponses();
    void neverAnswers();
    void serverGoneBetweenCalls();
    void closedPortIsUnreachable();
    void unknownHostIsUnreachable();
    void httpErrorsNameServerStatusAndException();
    void authenticationFailures_data();
    void authenticationFailures();
    void exceptionAfterTheRows();
    void linesAndCancel();
    void responseLimit();
    void tls();
};

void TestClickHouseClient::sendsWellFormedRequests()
{
    FakeHttpServer server({{ok("1\n")}, {ok("")}, {ok("Ok.\n")}});
    Endpoint endpoint = endpointOf(server.url("cases"));
    endpoint.user = "analyst";
    endpoint.password = "p:w";
    Client client(endpoint);
    client.setSetting("max_threads", "2");
    client.setSetting("log_comment", "a b&c");
    const auto result = client.query("SELECT 1");
    QVERIFY2(result.ok(), result.ok() ? "" : result.error().message.c_str());
    QCOMPARE(*result, std::string("1\n"));
    QVERIFY(client.insert("INSERT INTO cases.t FORMAT JSONEachRow", "{\"a\":1}\n").ok());
    QVERIFY(client.ping().ok());
    QCOMPARE(client.lastFailure(), Failure::None);

    const auto requests = server.requests();
    QCOMPARE(requests.size(), std::size_t(3));
    const QString host = QStringLiteral("Host: 127.0.0.1:%1\r\n").arg(server.port());
    const QString query = QString::fromStdString(requests[0]);
    QVERIFY2(query.startsWith(QStringLiteral("POST /?database=cases&max_threads=2&log_comment=a%20b%26c HTTP/1.1\r\n")), qPrintable(query));
    QVERIFY(query.contains(host));
    QVERIFY(query.contains(QStringLiteral("Authorization: Basic %1\r\n").arg(QString::fromLatin1(QByteArray("analyst:p:w").toBase64()))));
    QVERIFY(query.contains(QStringLiteral("Content-Length: 8\r\n")));
    QVERIFY(query.endsWith(QStringLiteral("\r\n\r\nSELECT 1")));
    const QString insert = QString::fromStdString(requests[1]);
    QVERIFY2(insert.startsWith(QStringLiteral("POST /?database=cases&query=INSERT%20INTO%20cases.t%20FORMAT%20JSONEachRow&max_threads=2")), qPrintable(insert));
    QVERIFY(insert.endsWith(QStringLiteral("\r\n\r\n{\"a\":1}\n")));
    const QString ping = QString::fromStdString(requests[2]);
    QVERIFY2(ping.startsWith(QStringLiteral("GET /ping HTTP/1.1\r\n")), qPrintable(ping));
}

void TestClickHouseClient::reusesTheConnection()
{
    FakeHttpServer server({{ok("a\n")},
                           {"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nb\n\r\n0\r\n\r\n"},
                           {ok("c\n")}});
    Client client(endpointOf(server.url()));
    QCOMPARE(*client.query("q1"), std::string("a\n"));
    QCOMPARE(*client.query("q2"), std::string("b\n"));
    QCOMPARE(*client.query("q3"), std::string("c\n"));
    QCOMPARE(server.connections(), 1);
}

void TestClickHouseClient::retriesOnceWhenTheIdleConnectionWasClosed()
{
    // The server closes the connection after its answer without saying so (as an idle
    // keep-alive timeout does): the next request fails before any byte and goes again.
    FakeHttpServer server({{ok("a\n"), After::Close}, {ok("b\n")}});
    Client client(endpointOf(server.url()));
    QCOMPARE(*client.query("q1"), std::string("a\n"));
    QTest::qWait(50);
    const auto second = client.query("q2");
    QVERIFY2(second.ok(), second.ok() ? "" : second.error().message.c_str());
    QCOMPARE(*second, std::string("b\n"));
    QCOMPARE(server.connections(), 2);
}

void TestClickHouseClient::brokenResponses_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::addColumn<QString>("expected");
    QTest::newRow("truncated content-length body")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this") << "cut short";
    QTest::newRow("closed in the chunks")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nabc") << "cut short";
    QTest::newRow("closed before last chunk")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n") << "cut short";
    QTest::newRow("bad chunk size")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n") << "bad chunk size";
    QTest::newRow("chunk longer than announced")
        << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabcdef\r\n0\r\n\r\n") << "longer than its announced size";
    QTest::newRow("garbage") << QByteArray("SSH-2.0-OpenSSH_9.2\r\n\r\n") << "not an HTTP/1.x status line";
    QTest::newRow("binary garbage") << QByteArray("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\n", 10) << "not an HTTP/1.x status line";
    QTest::newRow("closed in headers") << QByteArray("HTTP/1.1 200 OK\r\nContent-Le") << "cut short in its headers";
    QTest::newRow("closed without answer") << QByteArray() << "closed without a response";
    QTest::newRow("bad content-length")
        << QByteArray("HTTP/1.1 200 OK\r\nContent-Length: -5\r\n\r\n") << "bad Content-Length";
    QTest::newRow("gzip") << QByteArray("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") << "unsupported transfer encoding";
    QTest::newRow("huge header")
        << (QByteArray("HTTP/1.1 200 OK\r\nX-Big: ") + QByteArray(70000, 'x') + "\r\n\r\n") << "longer than";
    QByteArray many("HTTP/1.1 200 OK\r\n");
    for (int i = 0; i < 200; ++i)
        many += "X-H: 1\r\n";
    QTest::newRow("too many headers") << many << "more than 100 header lines";
}

void TestClickHouseClient::brokenResponses()
{
    QFETCH(QByteArray, reply);
    QFETCH(QString, expected);
    FakeHttpServer server({{reply.toStdString(), After::Close}});
    ClientOptions options;
    options.ioTimeoutMs = 5000;
    Client client(endpointOf(server.url()), options);
    QElapsedTimer timer;
    timer.start();
    const auto result = client.query("SELECT 1");
    QVERIFY(!result.ok());
    QVERIFY2(timer.elapsed() < 4000, "the client waited for the timeout instead of seeing the end");
    const QString message = QString::fromStdString(result.error().message);
    QVERIFY2(message.contains(expected), qPrintable(message));
    QVERIFY2(message.contains(QString::fromStdString(server.url())), qPrintable(message));
    QCOMPARE(client.lastFailure(), Failure::Protocol);
}

void TestClickHouseClient::neverAnswers()
{
    FakeHttpServer server({{"", After::Hang}});
    ClientOptions options;
    options.ioTimeoutMs = 300;
    Client client(endpointOf(server.url()), options);
    QElapsedTimer timer;
    timer.start();
    const auto result = client.query("SELECT sleep(3)");
    QVERIFY(!result.ok());
    QVERIFY2(timer.elapsed() < 3000, qPrintable(QString::number(timer.elapsed())));
    QCOMPARE(client.lastFailure(), Failure::Unreachable);
    const QString message = QString::fromStdString(result.error().message);
    QVERIFY2(message.contains(QStringLiteral("did not answer in time")), qPrintable(message));

    // Headers, then silence in the body.
    FakeHttpServer slow({{"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", After::Hang}});
    Client second(endpointOf(slow.url()), options);
    timer.restart();
    const auto partial = second.query("SELECT 1");
    QVERIFY(!partial.ok());
    QVERIFY(timer.elapsed() < 3000);
    QCOMPARE(second.lastFailure(), Failure::Unreachable);
}

void TestClickHouseClient::serverGoneBetweenCalls()
{
    auto server = std::make_unique<FakeHttpServer>(std::vector<Reply>{{ok("1\n")}, {ok("2\n")}});
    const std::string url = server->url();
    Client client(endpointOf(url));
    QVERIFY(client.query("q1").ok());
    server->shutDown();
    const auto result = client.query("q2");
    QVERIFY(!result.ok());
    QCOMPARE(client.lastFailure(), Failure::Unreachable);
    const QString message = QString::fromStdString(result.error().message);
    QVERIFY2(message == QStringLiteral("cannot reach %1: Connection refused").arg(QString::fromStdString(url)), qPrintable(message));
}

void TestClickHouseClient::closedPortIsUnreachable()
{
    const std::string url = "clickhouse://127.0.0.1:" + std::to_string(closedPort()) + "/db";
    Client client(endpointOf(url));
    const Status status = client.ping();
    QVERIFY(!status.ok());
    QCOMPARE(client.lastFailure(), Failure::Unreachable);
    QCOMPARE(messageOf(status), QStringLiteral("cannot reach %1: Connection refused").arg(QString::fromStdString(url)));
}

void TestClickHouseClient::unknownHostIsUnreachable()
{
    Client client(endpointOf("clickhouse://no-such-host.invalid:8123/db"));
    ClientOptions options;
    const Status status = client.ping();
    QVERIFY(!status.ok());
    QCOMPARE(client.lastFailure(), Failure::Unreachable);
    QVERIFY2(messageOf(status).startsWith(QStringLiteral("cannot reach clickhouse://no-such-host.invalid:8123/db: cannot resolve host name no-such-host.invalid")),
             qPrintable(messageOf(status)));
}

void TestClickHouseClient::httpErrorsNameServerStatusAndException()
{
    const std::string body = "Code: 60, e.displayText() = DB::Exception: Table cases.t doesn't exist., e.what() = DB::Exception\n";
    FakeHttpServer server({{"HTTP/1.1 404 Not Found\r\nTransfer-Encoding: chunked\r\n\r\n"
                            + QByteArray::number(qulonglong(body.size()), 16).toStdString() + "\r\n" + body + "\r\n0\r\n\r\n"},
                           {ok("after\n")}});
    Client client(endpointOf(server.url("cases")));
    const auto result = client.query("SELECT * FROM t");
    QVERIFY(!result.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QCOMPARE(QString::fromStdString(result.error().message),
             QStringLiteral("%1 answered HTTP 404 Not Found: Code: 60, DB::Exception: Table cases.t doesn't exist.")
                 .arg(QString::fromStdString(server.url("cases"))));
    // The connection stays usable after an error answer.
    QCOMPARE(*client.query("SELECT 2"), std::string("after\n"));
    QCOMPARE(client.lastFailure(), Failure::None);
    QCOMPARE(server.connections(), 1);
}

void TestClickHouseClient::authenticationFailures_data()
{
    QTest::addColumn<QByteArray>("reply");
    QTest::newRow("401") << QByteArray("HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("403") << QByteArray("HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n");
    QTest::newRow("code 516 in 500")
        << QByteArray::fromStdString(status500("Code: 516. DB::Exception: default: Authentication failed. (AUTHENTICATION_FAILED)\n"));
    QTest::newRow("code 192 header")
        << QByteArray("HTTP/1.1 500 Internal Server Error\r\nX-ClickHouse-Exception-Code: 192\r\nContent-Length: 3\r\n\r\nno\n");
}

void TestClickHouseClient::authenticationFailures()
{
    QFETCH(QByteArray, reply);
    FakeHttpServer server({{reply.toStdString()}});
    Client client(endpointOf(server.url()));
    const auto result = client.query("SELECT 1");
    QVERIFY(!result.ok());
    QCOMPARE(client.lastFailure(), Failure::Authentication);
    QVERIFY2(QString::fromStdString(result.error().message).contains(QStringLiteral("(user default)")),
             result.error().message.c_str());
}

void TestClickHouseClient::exceptionAfterTheRows()
{
    const std::string body = "1\n2\nCode: 395, e.displayText() = DB::Exception: Value passed to 'throwIf' function is non zero, e.what() = DB::Exception\n";
    FakeHttpServer server({{ok(body)}, {ok(body)}, {ok(body)}});
    Client client(endpointOf(server.url()));
    const auto result = client.query("SELECT ...");
    QVERIFY(!result.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QVERIFY2(QString::fromStdString(result.error().message).contains(QStringLiteral("failed during the query: Code: 395, DB::Exception: Value passed")),
             result.error().message.c_str());
    QStringList lines;
    const Status streamed = client.queryLines("SELECT ...", [&](std::string_view line) {
        lines << QString::fromUtf8(line.data(), qsizetype(line.size()));
        return true;
    });
    QVERIFY(!streamed.ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
    QCOMPARE(lines, QStringList({QStringLiteral("1"), QStringLiteral("2")}));
    QVERIFY(!client.insert("INSERT INTO t FORMAT TSV", "1\n").ok());
    QCOMPARE(client.lastFailure(), Failure::Server);
}

void TestClickHouseClient::linesAndCancel()
{
    const std::string chunked = "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
                                "3\r\na\nb\r\n4\r\nb\nc\n\r\n1\r\nd\r\n0\r\n\r\n";
    FakeHttpServer server({{chunked}, {chunked, After::Hang}, {ok("x\n")}});
    Client client(endpointOf(server.url()));
    QStringList lines;
    const auto collect = [&](std::string_view line) {
        lines << QString::fromUtf8(line.data(), qsizetype(line.size()));
        return true;
    };
    QVERIFY(client.queryLines("q", collect).ok());
    QCOMPARE(lines, QStringList({QStringLiteral("a"), QStringLiteral("bb"), QStringLiteral("c"), QStringLiteral("d")}));

    lines.clear();
    const Status stopped = client.queryLines("q", [&](std::string_view line) {
        lines << QString::fromUtf8(line.data(), qsizetype(line.size()));
        return false;
    });
    QVERIFY(!stopped.ok());
    QCOMPARE(client.lastFailure(), Failure::Cancelled);
    QCOMPARE(lines, QStringList({QStringLiteral("a")}));
    QVERIFY2(messageOf(stopped).contains(QStringLiteral("stopped reading")), qPrintable(messageOf(stopped)));
}

void TestClickHouseClient::responseLimit()
{
    FakeHttpServer server({{ok(std::string(5000, 'x'))}, {ok(std::string(5000, 'y') + "\n")}});
    ClientOptions options;
    options.maxResponseBytes = 4096;
    Client client(endpointOf(server.url()), options);
    const auto result = client.query("q");
    QVERIFY(!result.ok());
    QCOMPARE(client.lastFailure(), Failure::Protocol);
    QVERIFY2(QString::fromStdString(result.error().message).contains(QStringLiteral("larger than 4096 bytes")), result.error().message.c_str());
    const Status lines = client.queryLines("q", [](std::string_view) { return true; });
    QVERIFY(!lines.ok());
    QCOMPARE(client.lastFailure(), Failure::Protocol);
}

void TestClickHouseClient::tls()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString cert = dir.filePath(QStringLiteral("cert.pem"));
    const QString key = dir.filePath(QStringLiteral("key.pem"));
    QProcess req;
    req.start(QStringLiteral("openssl"),
              {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"), QStringLiteral("ec"),
               QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:prime256v1"), QStringLiteral("-nodes"),
               QStringLiteral("-keyout"), key, QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("1"),
               QStringLiteral("-subj"), QStringLiteral("/CN=localhost"), QStringLiteral("-addext"),
               QStringLiteral("subjectAltName=DNS:localhost,IP:127.0.0.1")});
    QVERIFY2(req.waitForFinished(30000) && req.exitCode() == 0, req.readAllStandardError().constData());
    // s_server -WWW serves files of its working directory: GET /ping gets the file "ping".
    QFile ping(dir.filePath(QStringLiteral("ping")));
    QVERIFY(ping.open(QIODevice::WriteOnly) && ping.write("Ok.\n") == 4);
    ping.close();

    const std::uint16_t port = closedPort();
    QProcess server;
    server.setWorkingDirectory(dir.path());
    server.setProcessChannelMode(QProcess::MergedChannels);
    server.start(QStringLiteral("openssl"), {QStringLiteral("s_server"), QStringLiteral("-accept"), QString::number(port),
                                             QStringLiteral("-cert"), cert, QStringLiteral("-key"), key,
                                             QStringLiteral("-WWW"), QStringLiteral("-quiet")});
    QVERIFY2(server.waitForStarted(10000), "openssl s_server did not start (the Debian package openssl, scripts/install-deps.sh)");
    // Ready once it accepts connections.
    QElapsedTimer waited;
    waited.start();
    bool listening = false;
    while (!listening && waited.elapsed() < 15000) {
        const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        listening = ::connect(fd, reinterpret_cast<sockaddr *>(&address), sizeof address) == 0;
        ::close(fd);
        if (!listening)
            QTest::qWait(50);
    }
    QVERIFY2(listening, server.readAll().constData());

    const std::string url = "clickhouses://127.0.0.1:" + std::to_string(port) + "/db";
    {
        ClientOptions options;
        options.caFile = cert.toStdString();
        Client client(endpointOf(url), options);
        const Status status = client.ping();
        QVERIFY2(status.ok(), qPrintable(messageOf(status)));
    }
    {
        ClientOptions options;
        options.caFile = cert.toStdString();
        Client client(endpointOf("clickhouses://localhost:" + std::to_string(port) + "/db"), options);
        const Status status = client.ping();
        QVERIFY2(status.ok(), qPrintable(messageOf(status)));
    }
    {
        qunsetenv("LOADLENS_CLICKHOUSE_CA");
        Client client(endpointOf(url));
        const Status status = client.ping();
        QVERIFY(!status.ok());
        QCOMPARE(client.lastFailure(), Failure::Tls);
        const QString message = messageOf(status);
        QVERIFY2(message.startsWith(QStringLiteral("TLS handshake with %1 failed: the server's certificate is not trusted: ")
                                        .arg(QString::fromStdString(url)))
                     && message.contains(QStringLiteral("self-signed")),
                 qPrintable(message));
    }
    {
        // The CA from the environment, but an address the certificate is not issued for.
        qputenv("LOADLENS_CLICKHOUSE_CA", cert.toLocal8Bit());
        Client client(endpointOf("clickhouses://127.0.0.2:" + std::to_string(port) + "/db"));
        qunsetenv("LOADLENS_CLICKHOUSE_CA");
        const Status status = client.ping();
        QVERIFY(!status.ok());
        QCOMPARE(client.lastFailure(), Failure::Tls);
        QVERIFY2(messageOf(status).contains(QStringLiteral("not issued for 127.0.0.2")), qPrintable(messageOf(status)));
    }
    {
        ClientOptions options;
        options.caFile = dir.filePath(QStringLiteral("missing.pem")).toStdString();
        Client client(endpointOf(url), options);
        QVERIFY(!client.ping().ok());
        QCOMPARE(client.lastFailure(), Failure::Tls);
    }
    server.kill();
    server.waitForFinished(5000);
}

QTEST_GUILESS_MAIN(TestClickHouseClient)
#include "tst_clickhouse_client.moc"
