// The XML and JSON readers on hand-made exports: the shapes they must accept, damaged records
// skipped with their offsets, chunk boundaries anywhere, UTF-16 files, timestamps.
#include <QtTest>

#include "reader_test_inputs.h"
#include "sysmon/json_record.h"
#include "sysmon/record_splitter.h"
#include "sysmon/sysmon_readers.h"
#include "sysmon/timestamps.h"
#include "sysmon/xml_record.h"

#include <QTemporaryDir>

#include <fstream>

using namespace loadlens;
using namespace loadlens::sysmon;

namespace {

std::string sysmonEventXml(int eid, std::uint64_t recordId, const std::string &data)
{
    return "<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
           "<Provider Name='Microsoft-Windows-Sysmon' Guid='{5770385F-C22A-43E0-BF4C-06F5698FFBD9}'/>"
           "<EventID>" + std::to_string(eid) + "</EventID><TimeCreated SystemTime='2021-03-04T05:06:07.1234567Z'/>"
           "<EventRecordID>" + std::to_string(recordId) + "</EventRecordID>"
           "<Channel>Microsoft-Windows-Sysmon/Operational</Channel><Computer>host1</Computer></System>"
           "<EventData>" + data + "</EventData></Event>";
}

struct Collected {
    std::vector<EventRecord> records;
    ImportReport report;
    bool ok = false;
};

Collected parseXml(const std::string &text)
{
    Collected c;
    c.ok = parseSysmonXml(text, [&](EventRecord &&r) { c.records.push_back(std::move(r)); return true; }, c.report).ok();
    return c;
}

Collected parseJson(const std::string &text)
{
    Collected c;
    c.ok = parseSysmonJson(text, [&](EventRecord &&r) { c.records.push_back(std::move(r)); return true; }, c.report).ok();
    return c;
}

QString writeTemp(const QTemporaryDir &dir, const char *name, const std::string &bytes)
{
    const QString path = dir.filePath(QString::fromLatin1(name));
    std::ofstream out(path.toStdString(), std::ios::binary);
    out << bytes;
    return path;
}

} // namespace

class TestSysmonReaders : public QObject {
    Q_OBJECT
private slots:
    void timestamps_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<qint64>("us");
        QTest::addRow("evtx 9 digits") << "2020-10-17T16:26:54.679582900Z" << qint64(1602952014679582);
        QTest::addRow("sysmon utc") << "2020-10-09 21:33:21.963" << qint64(1602279201963000);
        QTest::addRow("iso offset") << "2019-04-03T19:36:48.628+02:00" << qint64(1554313008628000);
        QTest::addRow("7 digits") << "2022-05-13T08:54:05.1230000Z" << qint64(1652432045123000);
        QTest::addRow("date only") << "1970-01-02" << qint64(86400000000);
        QTest::addRow("epoch ms") << "1602952014679" << qint64(1602952014679000);
        QTest::addRow("epoch s") << "1602952014" << qint64(1602952014000000);
        QTest::addRow("leap year") << "2024-02-29T00:00:00Z" << qint64(1709164800000000);
    }
    void timestamps()
    {
        QFETCH(QString, text);
        QFETCH(qint64, us);
        auto parsed = parseTimestampUs(text.toStdString());
        QVERIFY(parsed.has_value());
        QCOMPARE(qint64(*parsed), us);
    }
    void badTimestamps_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *bad : {"", "yesterday", "2020-13-01T00:00:00Z", "2020-10-17T25:00:00Z",
                                "2020-10-17T10:00:00.Z", "2020-10-17T10:00:00Zjunk", "2020-1-1"})
            QTest::addRow("%s", bad) << QString::fromLatin1(bad);
    }
    void badTimestamps()
    {
        QFETCH(QString, text);
        QVERIFY(!parseTimestampUs(text.toStdString()).has_value());
    }

    void xmlShapes_data()
    {
        QTest::addColumn<QString>("text");
        const std::string a = sysmonEventXml(7, 10, "<Data Name='Image'>C:\\a.exe</Data><Data Name='ImageLoaded'>C:\\b.dll</Data>");
        const std::string b = sysmonEventXml(1, 11, "<Data Name='CommandLine'>a &amp; b</Data>");
        QTest::addRow("events root") << QString::fromStdString("<?xml version='1.0' encoding='UTF-8'?>\n<Events>" + a + b + "</Events>");
        QTest::addRow("no root") << QString::fromStdString(a + "\n\n" + b + "\n");
        QTest::addRow("syslog lines") << QString::fromStdString("Mar  4 05:06:07 host1 sysmon: " + a + "\nMar  4 05:06:08 host1 sysmon: " + b + "\n");
        QTest::addRow("banner first") << QString::fromStdString("evtxexport 20181227\n\n" + a + b);
    }
    void xmlShapes()
    {
        QFETCH(QString, text);
        const Collected c = parseXml(text.toStdString());
        QVERIFY(c.ok);
        QCOMPARE(c.report.skipped, std::uint64_t(0));
        QCOMPARE(c.records.size(), std::size_t(2));
        QCOMPARE(c.records[0].eventId, 7);
        QCOMPARE(c.records[0].provider, std::string("Microsoft-Windows-Sysmon"));
        QCOMPARE(c.records[0].computer, std::string("host1"));
        QCOMPARE(c.records[0].recordId, std::uint64_t(10));
        QCOMPARE(c.records[0].timeUs, std::int64_t(1614834367123456));
        QCOMPARE(c.records[0].data.at("ImageLoaded"), std::string("C:\\b.dll"));
        QCOMPARE(c.records[1].data.at("CommandLine"), std::string("a & b"));
        QCOMPARE(c.report.countsByKind.at("sysmon 7"), std::uint64_t(1));
        // The offset points at the record's "<Event".
        QCOMPARE(text.toStdString().substr(c.records[1].offset, 6), std::string("<Event"));
    }

    void xmlUnnamedDataAndUserData()
    {
        auto record = parseEventXml("<Event><System><Provider Name='X'/><EventID Qualifiers='0'>4625</EventID></System>"
                                    "<EventData><Data>one</Data><Data>two</Data></EventData>"
                                    "<UserData><LogFileCleared><SubjectUserName>bob</SubjectUserName></LogFileCleared></UserData></Event>");
        QVERIFY(record.ok());
        QCOMPARE(record->eventId, 4625);
        QCOMPARE(record->data.at("Data[1]"), std::string("one"));
        QCOMPARE(record->data.at("Data[2]"), std::string("two"));
        QCOMPARE(record->data.at("SubjectUserName"), std::string("bob"));
    }

    // A damaged record is skipped with its offset and cause; the records around it are read.
    void xmlDamagedRecords_data()
    {
        QTest::addColumn<QString>("damaged");
        QTest::addColumn<QString>("reasonPart");
        QTest::addRow("not closed") << "<Event><System><EventID>7</EventID></System>" << "not closed";
        QTest::addRow("bad tag") << "<Event><System><EventID>7</EventID></Sys></Event>" << "malformed";
        QTest::addRow("no event id") << "<Event><System></System></Event>" << "EventID";
        QTest::addRow("id not number") << "<Event><System><EventID>x</EventID></System></Event>" << "not a number";
        QTest::addRow("undefined entity") << "<Event><System><EventID>7</EventID><Computer>&xxe;</Computer></System></Event>" << "malformed";
        QTest::addRow("doctype") << "<Event><!DOCTYPE x [<!ENTITY a 'b'>]><System><EventID>7</EventID></System></Event>" << "malformed";
    }
    void xmlDamagedRecords()
    {
        QFETCH(QString, damaged);
        QFETCH(QString, reasonPart);
        const std::string good = sysmonEventXml(7, 1, "");
        const std::string text = good + "\n" + damaged.toStdString() + "\n" + good;
        const Collected c = parseXml(text);
        QVERIFY(c.ok);
        QCOMPARE(c.records.size(), std::size_t(2));
        QCOMPARE(c.report.skipped, std::uint64_t(1));
        QCOMPARE(c.report.skippedRecords.size(), std::size_t(1));
        QCOMPARE(c.report.skippedRecords[0].offset, std::uint64_t(good.size() + 1));
        QVERIFY2(QString::fromStdString(c.report.skippedRecords[0].reason).contains(reasonPart),
                 c.report.skippedRecords[0].reason.c_str());
    }

    void xmlTruncatedEnd()
    {
        const std::string good = sysmonEventXml(11, 1, "");
        const std::string text = good + good.substr(0, good.size() / 2);
        const Collected c = parseXml(text);
        QCOMPARE(c.records.size(), std::size_t(1));
        QCOMPARE(c.report.skipped, std::uint64_t(1));
        QCOMPARE(c.report.skippedRecords[0].offset, std::uint64_t(good.size()));
        QVERIFY(c.report.skippedRecords[0].reason.find("truncated") != std::string::npos);
    }

    void notAnExportIsAnError()
    {
        ImportReport report;
        auto xml = parseSysmonXml("hello world", [](EventRecord &&) { return true; }, report);
        QVERIFY(!xml.ok());
        QVERIFY(xml.error().message.find("no <Event>") != std::string::npos);
        ImportReport empty;
        QVERIFY(parseSysmonXml("  \n", [](EventRecord &&) { return true; }, empty).ok());
        QCOMPARE(empty.recordsRead, std::uint64_t(0));
    }

    // Records come out the same whatever the chunk size: the splitters keep partial records.
    void chunkBoundaries()
    {
        std::string xml;
        std::string json;
        for (int i = 0; i < 20; ++i) {
            xml += sysmonEventXml(7, std::uint64_t(100 + i), "<Data Name='ImageLoaded'>C:\\x" + std::to_string(100 + i) + ".dll</Data>") + "\r\n";
            json += testing::chunkTestJsonLine(100 + i);
        }
        for (std::size_t chunk : {std::size_t(1), std::size_t(7), std::size_t(64), xml.size()}) {
            std::vector<std::uint64_t> xmlOffsets, jsonOffsets;
            int skips = 0;
            XmlEventSplitter xs({[&](std::string_view, std::uint64_t o) { xmlOffsets.push_back(o); return true; },
                                 [&](std::uint64_t, std::string) { ++skips; }});
            JsonRecordSplitter js({[&](std::string_view r, std::uint64_t o) {
                                       jsonOffsets.push_back(o);
                                       return parseEventJson(r).ok();
                                   },
                                   [&](std::uint64_t, std::string) { ++skips; }});
            for (std::size_t i = 0; i < xml.size(); i += chunk)
                xs.feed(std::string_view(xml).substr(i, chunk));
            for (std::size_t i = 0; i < json.size(); i += chunk)
                js.feed(std::string_view(json).substr(i, chunk));
            xs.finish();
            js.finish();
            QCOMPARE(skips, 0);
            QCOMPARE(xmlOffsets.size(), std::size_t(20));
            QCOMPARE(jsonOffsets.size(), std::size_t(20));
            QCOMPARE(xmlOffsets[3], std::uint64_t(3 * (xml.size() / 20)));
            QCOMPARE(jsonOffsets[3], std::uint64_t(3 * (json.size() / 20)));
        }
    }

    void jsonLayouts_data()
    {
        QTest::addColumn<QString>("json");
        QTest::addColumn<QString>("layout");
        QTest::addColumn<QString>("provider");
        QTest::addColumn<int>("eventId");
        QTest::addColumn<QString>("imageLoaded");
        for (const auto &c : testing::jsonLayoutCases())
            QTest::addRow("%s", c.name) << QString::fromUtf8(c.json) << QString::fromUtf8(c.layout)
                                        << QString::fromUtf8(c.provider) << c.eventId << QString::fromUtf8(c.imageLoaded);
    }
    void jsonLayouts()
    {
        QFETCH(QString, json);
        QFETCH(QString, layout);
        QFETCH(QString, provider);
        QFETCH(int, eventId);
        QFETCH(QString, imageLoaded);
        const std::string text = json.toStdString();
        auto detected = detectJsonLayout(text);
        QVERIFY(detected.ok());
        QCOMPARE(QString::fromUtf8(jsonLayoutName(*detected).data()), layout);
        auto record = parseEventJson(text);
        QVERIFY2(record.ok(), record.ok() ? "" : record.error().message.c_str());
        QCOMPARE(QString::fromStdString(record->provider), provider);
        QCOMPARE(record->eventId, eventId);
        QCOMPARE(QString::fromStdString(record->data.at("ImageLoaded")), imageLoaded);
        QCOMPARE(record->computer, std::string("h"));
        QCOMPARE(record->timeUs, std::int64_t(1577836800000000));
        QVERIFY(!record->data.count("Message"));
    }

    void jsonDocumentShapes()
    {
        const std::string one = R"({"EventID":1,"SourceName":"Microsoft-Windows-Sysmon"})";
        for (const std::string &text : {"[" + one + "," + one + "]", "[\n  " + one + ",\n  " + one + "\n]\n",
                                        "\xEF\xBB\xBF" + one + "\n" + one + "\n", one + one}) {
            const Collected c = parseJson(text);
            QVERIFY(c.ok);
            QCOMPARE(c.report.skipped, std::uint64_t(0));
            QCOMPARE(c.records.size(), std::size_t(2));
        }
    }

    // In JSON lines a broken line is skipped alone, with its offset.
    void jsonDamagedLines()
    {
        const std::string good = R"({"EventID":7,"SourceName":"Microsoft-Windows-Sysmon"})";
        const std::string text = good + "\n" + "{\"EventID\":7,\"SourceName\":\"cut here" + "\n" + good + "\n" +
                                 "garbage line\n" + R"({"EventID":"seven"})" + "\n" + R"({"foo":1})" + "\n" + good + "\n";
        const Collected c = parseJson(text);
        QVERIFY(c.ok);
        QCOMPARE(c.records.size(), std::size_t(3));
        QCOMPARE(c.report.skipped, std::uint64_t(4));
        QCOMPARE(c.report.skippedRecords[0].offset, std::uint64_t(good.size() + 1));
        QVERIFY(c.report.skippedRecords[1].reason.find("outside any JSON object") != std::string::npos);
        QVERIFY(c.report.skippedRecords[2].reason.find("not a number") != std::string::npos);
        QVERIFY(c.report.skippedRecords[3].reason.find("no known event layout") != std::string::npos);
    }

    void jsonDepthLimit()
    {
        std::string deep = R"({"EventID":1,"x":)" + std::string(100, '[') + std::string(100, ']') + "}";
        const Collected c = parseJson(deep);
        QCOMPARE(c.records.size(), std::size_t(0));
        QCOMPARE(c.report.skipped, std::uint64_t(1));
        QVERIFY(c.report.skippedRecords[0].reason.find("deeper") != std::string::npos);
    }

    // PowerShell's ">" writes UTF-16LE with a BOM; the reader decodes it and says so.
    void utf16File()
    {
        QTemporaryDir dir;
        const std::string utf8 = sysmonEventXml(7, 5, "<Data Name='ImageLoaded'>C:\\Users\\J\xC3\xBCrgen\\x.dll</Data>");
        std::string utf16 = "\xFF\xFE";
        // ASCII plus one two-byte UTF-8 sequence (U+00FC) to UTF-16LE.
        for (std::size_t i = 0; i < utf8.size(); ++i) {
            unsigned cp = static_cast<unsigned char>(utf8[i]);
            if (cp == 0xC3) {
                cp = ((cp & 0x1F) << 6) | (static_cast<unsigned char>(utf8[++i]) & 0x3F);
            }
            utf16.push_back(char(cp & 0xFF));
            utf16.push_back(char(cp >> 8));
        }
        const QString path = writeTemp(dir, "utf16.xml", utf16);
        ImportReport report;
        std::vector<EventRecord> records;
        QVERIFY(readSysmonXml(path.toStdString(), [&](EventRecord &&r) { records.push_back(std::move(r)); return true; }, report).ok());
        QCOMPARE(records.size(), std::size_t(1));
        QCOMPARE(records[0].data.at("ImageLoaded"), std::string("C:\\Users\\J\xC3\xBCrgen\\x.dll"));
        QCOMPARE(report.notes.size(), std::size_t(1));
        QVERIFY(report.notes[0].find("UTF-16LE") != std::string::npos);
    }

    void missingFileAndStop()
    {
        QTemporaryDir dir;
        ImportReport report;
        auto missing = readSysmonJson(dir.filePath(QStringLiteral("absent.json")).toStdString(),
                                      [](EventRecord &&) { return true; }, report);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, ENOENT);
        QVERIFY(missing.error().message.find("absent.json") != std::string::npos);

        const std::string line = R"({"EventID":1,"SourceName":"Microsoft-Windows-Sysmon"})" "\n";
        const QString path = writeTemp(dir, "lines.json", line + line + line);
        ImportReport stopped;
        int seen = 0;
        QVERIFY(readSysmonJson(path.toStdString(), [&](EventRecord &&) { return ++seen < 2; }, stopped).ok());
        QCOMPARE(seen, 2);
        QVERIFY(!stopped.complete);

        ImportReport cancelled;
        CancelToken cancel;
        cancel.cancel();
        QVERIFY(readSysmonJson(path.toStdString(), [](EventRecord &&) { return true; }, cancelled, cancel).ok());
        QVERIFY(!cancelled.complete);
        QCOMPARE(cancelled.recordsRead, std::uint64_t(0));
    }
};

QTEST_GUILESS_MAIN(TestSysmonReaders)
#include "tst_sysmon_readers.moc"
