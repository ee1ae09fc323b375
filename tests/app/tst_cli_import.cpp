// loadlens-cli import on real files as they are found on hosts: audit logs with leading '#'
// comment lines, Sysmon for Linux events in syslog lines, and rotated logs compressed with gzip
// (read by their magic bytes, whatever their name); a truncated gzip gives a clear error and
// keeps the events before the damage.
#include "program_run.h"
#include "shared_data.h"

#include <nlohmann/json.hpp>

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QtTest>

using namespace loadlens;

namespace {

testing::ProgramRun cli(const QStringList &args) { return testing::runProgram(QStringLiteral(LOADLENS_CLI), args); }

QByteArray readAll(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// The system's gzip, as logrotate runs it.
bool gzipTo(const QString &from, const QString &to)
{
    const testing::ProgramRun run = testing::runProgram(QStringLiteral("gzip"), {QStringLiteral("-9c"), from});
    return run.exitCode == 0 && writeFile(to, run.out);
}

// Sysmon for Linux writes each event as one syslog line: the evtxexport sample's <Event>
// elements, each put on a line after a syslog prefix.
QByteArray asSyslog(const QByteArray &xml, int *events)
{
    QByteArray out;
    *events = 0;
    qsizetype at = 0;
    while ((at = xml.indexOf("<Event", at)) >= 0) {
        if (at + 6 >= xml.size() || (xml[at + 6] != ' ' && xml[at + 6] != '>')) {
            at += 6;  // <EventData>, <EventID>
            continue;
        }
        const qsizetype end = xml.indexOf("</Event>", at);
        if (end < 0)
            break;
        QByteArray event = xml.mid(at, end + 8 - at);
        event.replace('\n', ' ').replace('\r', ' ');
        out += "Mar  4 05:06:0" + QByteArray::number(*events % 10) + " ws1 sysmon: " + event + '\n';
        ++*events;
        at = end;
    }
    return out;
}

struct Imported {
    int exitCode = -1;
    nlohmann::json report;  // the one file's report
    QByteArray err;
};

Imported importOne(const QString &casePath, const QString &file)
{
    const testing::ProgramRun run = cli({QStringLiteral("import"), QStringLiteral("--json"), QStringLiteral("--quiet"),
                                         QStringLiteral("--host"), QStringLiteral("testhost"), QStringLiteral("--case"),
                                         casePath, file});
    Imported out;
    out.exitCode = run.exitCode;
    out.err = run.err;
    const auto doc = nlohmann::json::parse(run.out.toStdString(), nullptr, false);
    if (!doc.is_discarded() && doc.is_array() && doc.size() == 1)
        out.report = doc[0];
    return out;
}

std::uint64_t sumCounts(const nlohmann::json &report)
{
    std::uint64_t n = 0;
    const auto counts = report.find("counts_by_kind");
    if (counts == report.end() || !counts->is_object())
        return 0;
    for (const auto &count : *counts)
        n += count.get<std::uint64_t>();
    return n;
}

} // namespace

class TestCliImport : public QObject {
    Q_OBJECT

private slots:
    // Plain and gzip copies import to the same counts; the second import of each adds nothing.
    void realFilesPlainAndCompressed_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("format");
        QTest::addColumn<int>("records");
        QTest::addColumn<int>("events");  // auditd: grouped events by kind; Sysmon: stored events
        // From ../shared/data/README.md.
        QTest::addRow("laurel trace, '#' comments") << QStringLiteral("auditd/laurel_shell-proc-trace.txt") << QStringLiteral("auditd") << 39 << 9;
        QTest::addRow("laurel execve, node=") << QStringLiteral("auditd/laurel_record-execve.txt") << QStringLiteral("auditd") << 7 << 1;
        QTest::addRow("sysmon for linux syslog") << QStringLiteral("syslog:sysmon-xml-json/attack_sideloading_wwlib_sysmon_7_1_11.evtxexport.xml") << QStringLiteral("sysmon-xml") << 7 << 7;
    }
    void realFilesPlainAndCompressed()
    {
        QFETCH(QString, file);
        QFETCH(QString, format);
        QFETCH(int, records);
        QFETCH(int, events);
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const bool syslog = file.startsWith(QLatin1String("syslog:"));
        const QString shared = syslog ? file.mid(7) : file;
        const QString source = testing::sharedDataPath(shared);
        if (source.isEmpty())
            QSKIP(qPrintable(QStringLiteral("shared sample data not found: ") + shared));
        QString plain = source;
        if (syslog) {
            int count = 0;
            plain = dir.filePath(QStringLiteral("syslog"));
            QVERIFY(writeFile(plain, asSyslog(readAll(source), &count)));
            QCOMPARE(count, records);
        }
        // Rotated names: audit.log.1.gz, syslog.2.gz, and one whose name hides the compression.
        const QString gz = dir.filePath(syslog ? QStringLiteral("syslog.2.gz") : QStringLiteral("audit.log.1.gz"));
        QVERIFY(gzipTo(plain, gz));
        const QString hidden = dir.filePath(QStringLiteral("rotated.log"));
        QVERIFY(QFile::copy(gz, hidden));

        int stored = -1;
        for (const QString &input : {plain, gz, hidden}) {
            const QString casePath = dir.filePath(QFileInfo(input).fileName() + QStringLiteral(".case"));
            const Imported first = importOne(casePath, input);
            QVERIFY2(first.exitCode == 0, first.err.constData());
            const auto &r = first.report;
            QCOMPARE(QString::fromStdString(r.value("format", "")), format);
            QVERIFY2(r.value("errors", nlohmann::json::array()).empty(), r.dump().c_str());
            QVERIFY(r.value("complete", false));
            QCOMPARE(r.value("records_read", -1), records);
            QCOMPARE(r.value("skipped", -1), 0);
            if (format == QLatin1String("auditd"))
                QCOMPARE(int(sumCounts(r)), events);
            else
                QCOMPARE(r.value("imported", -1), events);
            if (stored < 0)
                stored = r.value("imported", -1);
            QCOMPARE(r.value("imported", -1), stored);  // plain and compressed alike
            const Imported again = importOne(casePath, input);
            QCOMPARE(again.exitCode, 0);
            QCOMPARE(again.report.value("imported", -1), 0);
            QCOMPARE(again.report.value("duplicates", -1), stored);
        }
    }

    // A gzip file cut short: exit 1, the error names the file and says the rest is missing,
    // and the events before the cut are in the case.
    void truncatedGzipIsReported()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(source, "auditd/golibaudit_audit-rhel7.log");
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        // Enough text that a cut leaves whole records before it.
        QByteArray text;
        const QByteArray log = readAll(source);
        for (int i = 0; i < 40; ++i)
            text += log;
        const QString plain = dir.filePath(QStringLiteral("audit.log"));
        QVERIFY(writeFile(plain, text));
        const QString gz = dir.filePath(QStringLiteral("audit.log.1.gz"));
        QVERIFY(gzipTo(plain, gz));
        QFile f(gz);
        QVERIFY(f.resize(f.size() / 2));

        const Imported cut = importOne(dir.filePath(QStringLiteral("cut.case")), gz);
        QCOMPARE(cut.exitCode, 1);
        QVERIFY2(cut.err.contains("ends early") && cut.err.contains(gz.toUtf8()), cut.err.constData());
        QVERIFY(!cut.report.value("complete", true));
        QVERIFY(cut.report.value("records_read", 0) > 0);
        QVERIFY(cut.report.value("imported", 0) > 0);
    }
};

QTEST_GUILESS_MAIN(TestCliImport)
#include "tst_cli_import.moc"
