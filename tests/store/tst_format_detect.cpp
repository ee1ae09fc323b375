// Format detection from a file's first bytes: what `import` dispatches on.
#include <QtTest>

#include "store/case_database.h"
#include "store/format_detect.h"

#include <QTemporaryDir>
#include <sqlite3.h>
#include <zlib.h>

using namespace loadlens;
using store::FileFormat;

namespace {

bool writeGzip(const QString &path, const QByteArray &bytes)
{
    gzFile out = gzopen(path.toUtf8().constData(), "wb");
    if (!out)
        return false;
    const bool ok = gzwrite(out, bytes.constData(), unsigned(bytes.size())) == int(bytes.size());
    return gzclose(out) == Z_OK && ok;
}

} // namespace

class TestFormatDetect : public QObject {
    Q_OBJECT

private slots:
    void detectsFromBytes_data()
    {
        QTest::addColumn<QByteArray>("head");
        QTest::addColumn<int>("format");
        QTest::addRow("evtx") << QByteArray("ElfFile\0\0\0\0\0", 12) << int(FileFormat::Evtx);
        QTest::addRow("evtx without NUL") << QByteArray("ElfFileX") << int(FileFormat::Unknown);
        QTest::addRow("xml") << QByteArray("<?xml version=\"1.0\"?><Events>") << int(FileFormat::Xml);
        QTest::addRow("xml after BOM and blanks") << QByteArray("\xef\xbb\xbf \r\n<Event>") << int(FileFormat::Xml);
        QTest::addRow("json lines") << QByteArray("{\"EventID\":7}\n") << int(FileFormat::Json);
        QTest::addRow("json array") << QByteArray("  [ {") << int(FileFormat::Json);
        QTest::addRow("windows-triage report") << QByteArray("{\n \"catalogs\": \"\",\n \"executables\": [") << int(FileFormat::WindowsTriageReport);
        QTest::addRow("windows-triage report with ACL sources") << QByteArray("{\n  \"acl_sources\": [],\n  \"catalog_sources\": [") << int(FileFormat::WindowsTriageReport);
        QTest::addRow("windows-triage report, compact") << QByteArray("{\"executables\":[]}") << int(FileFormat::WindowsTriageReport);
        QTest::addRow("sysmon json with executables later") << QByteArray("{\"EventID\":7,\"executables\": 1}")
                                                              << int(FileFormat::Json);
        QTest::addRow("auditd type") << QByteArray("type=SYSCALL msg=audit(1.2:3): arch=c000003e") << int(FileFormat::Auditd);
        QTest::addRow("auditd node") << QByteArray("node=web1 type=PATH msg=audit(1.2:3):") << int(FileFormat::Auditd);
        QTest::addRow("text") << QByteArray("hello") << int(FileFormat::Unknown);
        QTest::addRow("empty") << QByteArray() << int(FileFormat::Unknown);
        QTest::addRow("short sqlite magic") << QByteArray("SQLite format 3\0", 16) << int(FileFormat::Unknown);
        QTest::addRow("auditd after comments and blank lines")
            << QByteArray("# annotated by hand\n#\n\n  \n# more\ntype=SYSCALL msg=audit(1.2:3): arch=c000003e") << int(FileFormat::Auditd);
        QTest::addRow("comments only") << QByteArray("# a\n# b\n") << int(FileFormat::Unknown);
        QTest::addRow("comment then text") << QByteArray("# a\nhello\n") << int(FileFormat::Unknown);
        QTest::addRow("sysmon for linux syslog")
            << QByteArray("Oct 10 12:00:00 host sysmon: <Event><System><Provider Name=\"Linux-Sysmon\"/>") << int(FileFormat::Xml);
        QTest::addRow("rfc 5424 syslog") << QByteArray("<14>1 2024-01-01T00:00:00Z host sysmon - - - <Event>") << int(FileFormat::Xml);
        QTest::addRow("syslog without event") << QByteArray("Oct 10 12:00:00 host sshd[1]: Accepted key") << int(FileFormat::Unknown);
        QTest::addRow("markup before event") << QByteArray("Oct 10 <b>: <Event>") << int(FileFormat::Unknown);
    }

    void detectsFromBytes()
    {
        QFETCH(QByteArray, head);
        QFETCH(int, format);
        QCOMPARE(int(store::detectFormat(std::string_view(head.constData(), std::size_t(head.size())))), format);
    }

    void detectsSqliteFiles()
    {
        QTemporaryDir dir;
        const QString ours = dir.filePath(QStringLiteral("host.llsnap"));
        QVERIFY(store::CaseDatabase::open(ours.toStdString(), store::OpenMode::CreateNew).ok());
        QCOMPARE(*store::detectFileFormat(ours.toStdString()), FileFormat::Bundle);

        const QString other = dir.filePath(QStringLiteral("other.sqlite"));
        sqlite3 *db = nullptr;
        QCOMPARE(sqlite3_open(other.toUtf8().constData(), &db), SQLITE_OK);
        QCOMPARE(sqlite3_exec(db, "CREATE TABLE t(x)", nullptr, nullptr, nullptr), SQLITE_OK);
        sqlite3_close(db);
        QCOMPARE(*store::detectFileFormat(other.toStdString()), FileFormat::OtherSqlite);

        // Compressed copies are looked at inside, whatever their name.
        const QString gz = dir.filePath(QStringLiteral("audit.log.1"));
        QVERIFY(writeGzip(gz, QByteArray("# rotated\n\ntype=SYSCALL msg=audit(1.2:3): arch=c000003e\n")));
        QCOMPARE(*store::detectFileFormat(gz.toStdString()), FileFormat::Auditd);
        QVERIFY(store::isGzipFile(gz.toStdString()));
        const QString syslogGz = dir.filePath(QStringLiteral("syslog.2.gz"));
        QVERIFY(writeGzip(syslogGz, QByteArray("Oct 10 12:00:00 host sysmon: <Event><System></System></Event>\n")));
        QCOMPARE(*store::detectFileFormat(syslogGz.toStdString()), FileFormat::Xml);
        QVERIFY(!store::isGzipFile(other.toStdString()));

        auto missing = store::detectFileFormat(dir.filePath(QStringLiteral("nope")).toStdString());
        QVERIFY(!missing.ok());
        QVERIFY(QString::fromStdString(missing.error().message).contains(QLatin1String("nope")));
    }
};

QTEST_GUILESS_MAIN(TestFormatDetect)
#include "tst_format_detect.moc"
