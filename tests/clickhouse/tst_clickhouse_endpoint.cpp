// ClickHouse endpoints without a server: URL parsing (data-driven), credentials from the
// environment and the private config file, quote() and isPlainIdentifier().
#include "clickhouse/client.h"
#include "clickhouse/endpoint.h"

#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::clickhouse;

namespace {

bool writeFile(const QString &path, const QByteArray &text, mode_t mode)
{
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate) || f.write(text) != text.size())
        return false;
    f.close();
    return ::chmod(QFile::encodeName(path).constData(), mode) == 0;
}

} // namespace

class TestClickHouseEndpoint : public QObject {
    Q_OBJECT
private slots:
    void parsesGoodUrls_data();
    void parsesGoodUrls();
    void refusesBadUrls_data();
    void refusesBadUrls();
    void credentialsInUrlAreNotEchoed();
    void recognisesUrls();
    void environmentBeatsFile();
    void readsConfigFile();
    void missingFileKeepsDefaults();
    void refusesGroupReadableFile();
    void refusesBadFileContent();
    void refusesSomeoneElsesFile();
    void quotesLiterals();
    void checksIdentifiers();
};

void TestClickHouseEndpoint::parsesGoodUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<bool>("tls");
    QTest::addColumn<QString>("host");
    QTest::addColumn<int>("port");
    QTest::addColumn<QString>("database");
    QTest::addColumn<QString>("display");
    QTest::newRow("plain default port") << "clickhouse://db.example.org/cases" << false << "db.example.org" << 8123
                                        << "cases" << "clickhouse://db.example.org:8123/cases";
    QTest::newRow("tls default port") << "clickhouses://db.example.org/cases" << true << "db.example.org" << 8443
                                      << "cases" << "clickhouses://db.example.org:8443/cases";
    QTest::newRow("explicit port") << "clickhouse://10.0.0.5:9123/loadlens_1" << false << "10.0.0.5" << 9123
                                   << "loadlens_1" << "clickhouse://10.0.0.5:9123/loadlens_1";
    QTest::newRow("trailing slash") << "clickhouse://h/db/" << false << "h" << 8123 << "db" << "clickhouse://h:8123/db";
    QTest::newRow("ipv6") << "clickhouse://[::1]:8123/db" << false << "::1" << 8123 << "db" << "clickhouse://[::1]:8123/db";
    QTest::newRow("ipv6 default port") << "clickhouses://[fe80::1:2]/db" << true << "fe80::1:2" << 8443 << "db"
                                       << "clickhouses://[fe80::1:2]:8443/db";
    QTest::newRow("scheme case") << "ClickHouse://H:1/D" << false << "H" << 1 << "D" << "clickhouse://H:1/D";
    QTest::newRow("max port") << "clickhouse://h:65535/db" << false << "h" << 65535 << "db" << "clickhouse://h:65535/db";
}

void TestClickHouseEndpoint::parsesGoodUrls()
{
    QFETCH(QString, url);
    QFETCH(bool, tls);
    QFETCH(QString, host);
    QFETCH(int, port);
    QFETCH(QString, database);
    QFETCH(QString, display);
    const auto parsed = parseUrl(url.toStdString());
    QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
    QCOMPARE(parsed->tls, tls);
    QCOMPARE(QString::fromStdString(parsed->host), host);
    QCOMPARE(int(parsed->port), port);
    QCOMPARE(QString::fromStdString(parsed->database), database);
    QCOMPARE(QString::fromStdString(parsed->display()), display);
    QCOMPARE(QString::fromStdString(parsed->user), QStringLiteral("default"));
    QVERIFY(parsed->password.empty());
}

void TestClickHouseEndpoint::refusesBadUrls_data()
{
    QTest::addColumn<QString>("url");
    QTest::addColumn<QString>("reason");
    QTest::newRow("http scheme") << "http://h:8123/db" << "scheme";
    QTest::newRow("tcp scheme") << "clickhouse+tcp://h/db" << "scheme";
    QTest::newRow("no scheme") << "h:8123/db" << "scheme";
    QTest::newRow("missing db") << "clickhouse://h:8123" << "no database";
    QTest::newRow("missing db slash") << "clickhouse://h:8123/" << "no database";
    QTest::newRow("db with dash") << "clickhouse://h/my-db" << "database name";
    QTest::newRow("db with dot") << "clickhouse://h/a.b" << "database name";
    QTest::newRow("two segments") << "clickhouse://h/a/b" << "database name";
    QTest::newRow("db percent") << "clickhouse://h/a%20b" << "database name";
    QTest::newRow("query string") << "clickhouse://h/db?user=x" << "query strings";
    QTest::newRow("fragment") << "clickhouse://h/db#x" << "query strings";
    QTest::newRow("no host") << "clickhouse:///db" << "no host";
    QTest::newRow("empty port") << "clickhouse://h:/db" << "empty port";
    QTest::newRow("port zero") << "clickhouse://h:0/db" << "port";
    QTest::newRow("port too big") << "clickhouse://h:65536/db" << "port";
    QTest::newRow("port letters") << "clickhouse://h:80a/db" << "port";
    QTest::newRow("ipv6 unbracketed") << "clickhouse://::1/db" << "brackets";
    QTest::newRow("ipv6 unclosed") << "clickhouse://[::1/db" << "closing";
    QTest::newRow("ipv6 not address") << "clickhouse://[zz::1]/db" << "not an IPv6";
    QTest::newRow("host with space") << "clickhouse://a b/db" << "host name";
    QTest::newRow("user and password") << "clickhouse://alice:s3cret@h/db" << "LOADLENS_CLICKHOUSE_PASSWORD";
    QTest::newRow("user only") << "clickhouse://alice@h/db" << "clickhouse.conf";
}

void TestClickHouseEndpoint::refusesBadUrls()
{
    QFETCH(QString, url);
    QFETCH(QString, reason);
    const auto parsed = parseUrl(url.toStdString());
    QVERIFY2(!parsed.ok(), qPrintable(url));
    const QString message = QString::fromStdString(parsed.error().message);
    QVERIFY2(message.contains(reason), qPrintable(message));
}

void TestClickHouseEndpoint::credentialsInUrlAreNotEchoed()
{
    const auto parsed = parseUrl("clickhouses://alice:TopSecret99@h/db");
    QVERIFY(!parsed.ok());
    const QString message = QString::fromStdString(parsed.error().message);
    QVERIFY2(!message.contains(QStringLiteral("TopSecret99")), qPrintable(message));
    QVERIFY2(message.contains(QStringLiteral("credentials do not belong in the URL")), qPrintable(message));
}

void TestClickHouseEndpoint::recognisesUrls()
{
    QVERIFY(isClickHouseUrl("clickhouse://h/db"));
    QVERIFY(isClickHouseUrl("clickhouses://h/db"));
    QVERIFY(isClickHouseUrl("CLICKHOUSE://h/db"));
    QVERIFY(!isClickHouseUrl("/var/lib/case.loadlens"));
    QVERIFY(!isClickHouseUrl("clickhouse:/h"));
    QVERIFY(!isClickHouseUrl("http://h/db"));
    QVERIFY(!isClickHouseUrl(""));
}

void TestClickHouseEndpoint::environmentBeatsFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString file = dir.filePath(QStringLiteral("clickhouse.conf"));
    QVERIFY(writeFile(file, "user = fileuser\npassword = filepw\n", 0600));
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    CredentialSources sources;
    sources.user = "envuser";
    sources.password = "envpw";
    sources.configFile = file.toStdString();
    QVERIFY(loadCredentials(endpoint, sources).ok());
    QCOMPARE(endpoint.user, std::string("envuser"));
    QCOMPARE(endpoint.password, std::string("envpw"));

    // Either variable makes the environment the only source: the file's password is not paired
    // with another user's name.
    Endpoint second = *parseUrl("clickhouse://h/db");
    sources.password.reset();
    QVERIFY(loadCredentials(second, sources).ok());
    QCOMPARE(second.user, std::string("envuser"));
    QCOMPARE(second.password, std::string());

    // fromEnvironment reads the variables and HOME.
    qputenv("LOADLENS_CLICKHOUSE_USER", "u1");
    qputenv("LOADLENS_CLICKHOUSE_PASSWORD", "");
    qputenv("HOME", dir.path().toLocal8Bit());
    const CredentialSources env = CredentialSources::fromEnvironment();
    qunsetenv("LOADLENS_CLICKHOUSE_USER");
    qunsetenv("LOADLENS_CLICKHOUSE_PASSWORD");
    QCOMPARE(env.user.value_or("?"), std::string("u1"));
    QCOMPARE(env.password.value_or("?"), std::string(""));
    QCOMPARE(QString::fromStdString(env.configFile), dir.path() + QStringLiteral("/.config/loadlens/clickhouse.conf"));
}

void TestClickHouseEndpoint::readsConfigFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clickhouse.conf"));
    QVERIFY(writeFile(file, "# LoadLens ClickHouse account\n\n  user =  analyst \r\npassword = a = b # not a comment\n", 0600));
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    CredentialSources sources;
    sources.configFile = file.toStdString();
    const Status status = loadCredentials(endpoint, sources);
    QVERIFY2(status.ok(), status.ok() ? "" : status.error().message.c_str());
    QCOMPARE(endpoint.user, std::string("analyst"));
    QCOMPARE(endpoint.password, std::string("a = b # not a comment"));

    // Only a password: the user stays "default".
    QVERIFY(writeFile(file, "password=pw\n", 0400));
    Endpoint second = *parseUrl("clickhouse://h/db");
    QVERIFY(loadCredentials(second, sources).ok());
    QCOMPARE(second.user, std::string("default"));
    QCOMPARE(second.password, std::string("pw"));
}

void TestClickHouseEndpoint::missingFileKeepsDefaults()
{
    QTemporaryDir dir;
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    CredentialSources sources;
    sources.configFile = dir.filePath(QStringLiteral("nope/clickhouse.conf")).toStdString();
    QVERIFY(loadCredentials(endpoint, sources).ok());
    QCOMPARE(endpoint.user, std::string("default"));
    QVERIFY(endpoint.password.empty());
    sources.configFile.clear();
    QVERIFY(loadCredentials(endpoint, sources).ok());
}

void TestClickHouseEndpoint::refusesGroupReadableFile()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clickhouse.conf"));
    CredentialSources sources;
    sources.configFile = file.toStdString();
    for (const mode_t mode : {mode_t(0640), mode_t(0604), mode_t(0620), mode_t(0666)}) {
        QVERIFY(writeFile(file, "user = u\npassword = p\n", mode));
        Endpoint endpoint = *parseUrl("clickhouse://h/db");
        const Status status = loadCredentials(endpoint, sources);
        QVERIFY2(!status.ok(), qPrintable(QString::number(mode, 8)));
        const QString message = QString::fromStdString(status.error().message);
        QVERIFY2(message.contains(QStringLiteral("group or others")) && message.contains(QStringLiteral("chmod 600")),
                 qPrintable(message));
        QVERIFY(endpoint.password.empty());
    }
    // A directory in its place.
    QVERIFY(QFile::remove(file));
    QVERIFY(QDir(dir.path()).mkdir(QStringLiteral("clickhouse.conf")));
    QVERIFY(::chmod(sources.configFile.c_str(), 0700) == 0);
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    const Status status = loadCredentials(endpoint, sources);
    QVERIFY(!status.ok());
    QVERIFY2(QString::fromStdString(status.error().message).contains(QStringLiteral("not a regular file")),
             status.error().message.c_str());
}

void TestClickHouseEndpoint::refusesBadFileContent()
{
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clickhouse.conf"));
    CredentialSources sources;
    sources.configFile = file.toStdString();
    QVERIFY(writeFile(file, "user = u\nhost = x\n", 0600));
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    Status status = loadCredentials(endpoint, sources);
    QVERIFY(!status.ok());
    QVERIFY2(QString::fromStdString(status.error().message).contains(QStringLiteral("line 2: unknown key 'host'")),
             status.error().message.c_str());
    QCOMPARE(endpoint.user, std::string("default"));
    QVERIFY(writeFile(file, "just a password\n", 0600));
    status = loadCredentials(endpoint, sources);
    QVERIFY(!status.ok());
    QVERIFY2(QString::fromStdString(status.error().message).contains(QStringLiteral("line 1")), status.error().message.c_str());
}

void TestClickHouseEndpoint::refusesSomeoneElsesFile()
{
    if (::geteuid() != 0)
        QSKIP("needs root to give the file to another owner (chown)");
    QTemporaryDir dir;
    const QString file = dir.filePath(QStringLiteral("clickhouse.conf"));
    QVERIFY(writeFile(file, "user = u\npassword = p\n", 0600));
    QVERIFY(::chown(QFile::encodeName(file).constData(), 65534, 65534) == 0);
    CredentialSources sources;
    sources.configFile = file.toStdString();
    Endpoint endpoint = *parseUrl("clickhouse://h/db");
    const Status status = loadCredentials(endpoint, sources);
    QVERIFY(!status.ok());
    const QString message = QString::fromStdString(status.error().message);
    QVERIFY2(message.contains(QStringLiteral("owned by uid 65534")), qPrintable(message));
    QVERIFY(endpoint.password.empty());
}

void TestClickHouseEndpoint::quotesLiterals()
{
    QCOMPARE(quote(""), std::string("''"));
    QCOMPARE(quote("plain"), std::string("'plain'"));
    QCOMPARE(quote("it's"), std::string("'it\\'s'"));
    QCOMPARE(quote("C:\\Windows"), std::string("'C:\\\\Windows'"));
    QCOMPARE(quote(std::string_view("a\0b\n\r\t\x01\x7f", 8)), std::string("'a\\0b\\n\\r\\t\\x01\\x7F'"));
    QCOMPARE(quote("\xc3\xa9"), std::string("'\xc3\xa9'"));
}

void TestClickHouseEndpoint::checksIdentifiers()
{
    QVERIFY(isPlainIdentifier("events"));
    QVERIFY(isPlainIdentifier("_t1"));
    QVERIFY(isPlainIdentifier("Case_2026"));
    QVERIFY(!isPlainIdentifier(""));
    QVERIFY(!isPlainIdentifier("1abc"));
    QVERIFY(!isPlainIdentifier("a-b"));
    QVERIFY(!isPlainIdentifier("a.b"));
    QVERIFY(!isPlainIdentifier("a b"));
    QVERIFY(!isPlainIdentifier("`x`"));
    QVERIFY(!isPlainIdentifier("\xc3\xa9"));
}

QTEST_GUILESS_MAIN(TestClickHouseEndpoint)
#include "tst_clickhouse_endpoint.moc"
