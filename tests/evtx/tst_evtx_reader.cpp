// EVTX reader on files written by the test (evtx_test_file.h): field extraction from templates,
// EventData by Name whatever the template order, and every kind of damage the reader must
// survive and report: CRC mismatches, bad chunks, damaged records, self-referencing templates,
// runaway nesting, truncation, time budget, cancellation, a sink that stops.
#include <QTemporaryDir>
#include <QtTest>

#include "evtx/evtx_reader.h"
#include "evtx_test_file.h"

#include <fstream>
#include <thread>

using namespace loadlens;
using namespace loadlens::testing;

namespace {

// 2020-10-17T16:26:54.6795829Z as FILETIME.
constexpr std::uint64_t kFileTime = 132474256146795829ULL;
constexpr std::int64_t kUnixUs = 1602952014679582;

const std::vector<std::string> kNames{"Image", "ImageLoaded", "Signed", "ProcessGuid", "User"};

std::vector<SubstValue> sysmonValues(std::uint64_t recordId, const std::u16string &image)
{
    return {utf16Value(u"Microsoft-Windows-Sysmon"), u16Value(7), fileTimeValue(kFileTime), u64Value(recordId),
            utf16Value(u"Microsoft-Windows-Sysmon/Operational"), utf16Value(u"host1"), utf16Value(image),
            utf16Value(u"C:\\Temp\\evil.dll"), utf16Value(u"false"),
            guidValue({0x96, 0x3d, 0x7f, 0x74, 0xfb, 0x19, 0x8b, 0x5f, 0, 0, 0, 0x10, 0xdb, 0x27, 0x0a, 0}),
            sidValue(5, {18})};
}

// One chunk of `count` records using one template (defined inline in the first record).
Bytes sysmonChunk(std::uint64_t firstId, int count, std::vector<std::string> names = kNames)
{
    ChunkWriter chunk;
    std::uint32_t def = 0;
    for (int i = 0; i < count; ++i) {
        const std::uint64_t id = firstId + std::uint64_t(i);
        chunk.addRecord(id, kFileTime, [&](BinXmlWriter &w) {
            w.fragmentHeader();
            def = w.templateInstance(def, [&](BinXmlWriter &t) { sysmonLikeTemplate(t, names); },
                                     sysmonValues(id, u"C:\\Temp\\app" + std::u16string(1, char16_t(u'0' + i % 10)) + u".exe"));
            w.endOfStream();
        });
    }
    return chunk.finish();
}

struct Read {
    Status status = Ok{};
    evtx::EvtxReport report;
    std::vector<EventRecord> records;
};

Read readBytes(const Bytes &bytes, evtx::EvtxOptions options = {}, std::function<bool(const EventRecord &)> keepGoing = {})
{
    Read out;
    out.status = evtx::readEvtxMemory(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                                      [&](EventRecord &&r) {
                                          out.records.push_back(r);
                                          return keepGoing ? keepGoing(out.records.back()) : true;
                                      },
                                      out.report, options);
    return out;
}

} // namespace

class TestEvtxReader : public QObject {
    Q_OBJECT

private slots:
    void readsTemplateRecords();
    void eventDataByNameNotPosition();
    void readsFromFileInFileOrder();
    void crcMismatchIsAWarning_data();
    void crcMismatchIsAWarning();
    void badChunkIsSkipped();
    void damagedRecordIsSkippedAndReadingResumes();
    void selfReferencingTemplateTerminates();
    void runawayNestingTerminates();
    void truncatedFileDeliversWhatIsThere();
    void timeBudgetCutsTheReadShort();
    void cancelAndSinkStop();
    void notEvtxAndMissingFileAreErrors();
};

void TestEvtxReader::readsTemplateRecords()
{
    const Read r = readBytes(evtxFile({sysmonChunk(100, 3)}));
    QVERIFY(r.status.ok());
    QCOMPARE(r.records.size(), std::size_t(3));
    const EventRecord &e = r.records[1];
    QCOMPARE(e.provider, std::string("Microsoft-Windows-Sysmon"));
    QCOMPARE(e.eventId, 7);
    QCOMPARE(e.timeUs, kUnixUs);
    QCOMPARE(e.recordId, std::uint64_t(101));
    QCOMPARE(e.channel, std::string("Microsoft-Windows-Sysmon/Operational"));
    QCOMPARE(e.computer, std::string("host1"));
    QCOMPARE(e.data.at("Image"), std::string("C:\\Temp\\app1.exe"));
    QCOMPARE(e.data.at("Signed"), std::string("false"));
    QCOMPARE(e.data.at("ProcessGuid"), std::string("{747F3D96-19FB-5F8B-0000-0010DB270A00}"));
    QCOMPARE(e.data.at("User"), std::string("S-1-5-18"));
    QVERIFY(r.records[0].offset >= 4096 + 512 && r.records[0].offset < r.records[1].offset);
    QCOMPARE(r.report.recordsRead, std::uint64_t(3));
    QCOMPARE(r.report.crcMismatches, std::uint64_t(0));
    QVERIFY(!r.report.recordCountDisagrees);
    QVERIFY(!r.report.chunkCountDisagrees);
    QVERIFY(r.report.complete);
}

void TestEvtxReader::eventDataByNameNotPosition()
{
    std::vector<std::string> reversed(kNames.rbegin(), kNames.rend());
    const Read r = readBytes(evtxFile({sysmonChunk(1, 1, reversed)}));
    QCOMPARE(r.records.size(), std::size_t(1));
    // Values are supplied in the same order, so the names now label different values: the
    // reader must follow the Name attribute, not a position.
    QCOMPARE(r.records[0].data.at("User"), std::string("C:\\Temp\\app0.exe"));
    QCOMPARE(r.records[0].data.at("Image"), std::string("S-1-5-18"));
}

void TestEvtxReader::readsFromFileInFileOrder()
{
    std::vector<Bytes> chunks;
    for (int c = 0; c < 9; ++c)
        chunks.push_back(sysmonChunk(1 + std::uint64_t(c) * 40, 40));
    const Bytes bytes = evtxFile(chunks);
    QTemporaryDir dir;
    const std::string path = dir.filePath(QStringLiteral("many.evtx")).toStdString();
    std::ofstream(path, std::ios::binary).write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    for (unsigned threads : {1u, 2u, 4u}) {
        evtx::EvtxOptions options;
        options.threads = threads;
        evtx::EvtxReport report;
        std::vector<std::uint64_t> ids;
        QVERIFY(evtx::readEvtx(path, [&](EventRecord &&e) { ids.push_back(e.recordId); return true; }, report, options).ok());
        QCOMPARE(ids.size(), std::size_t(360));
        for (std::size_t i = 0; i < ids.size(); ++i)
            QCOMPARE(ids[i], std::uint64_t(i + 1));
        QCOMPARE(report.chunksParsed, std::uint64_t(9));
    }
}

void TestEvtxReader::crcMismatchIsAWarning_data()
{
    QTest::addColumn<std::size_t>("byteToFlip");
    QTest::addColumn<std::uint32_t>("flags");
    QTest::addColumn<int>("mismatches");
    QTest::addRow("file header") << std::size_t(20) << 0u << 1;
    QTest::addRow("chunk header") << std::size_t(4096 + 60) << 0u << 1;
    QTest::addRow("record data") << std::size_t(4096 + 512 + 16) << 0u << 1;
    QTest::addRow("no-CRC32 flag") << std::size_t(4096 + 512 + 16) << 4u << 0;
}

void TestEvtxReader::crcMismatchIsAWarning()
{
    QFETCH(std::size_t, byteToFlip);
    QFETCH(std::uint32_t, flags);
    QFETCH(int, mismatches);
    Bytes bytes = evtxFile({sysmonChunk(1, 2)}, flags);
    bytes[byteToFlip] ^= 0x01;  // inside a field the reader does not use (written time, unused header)
    const Read r = readBytes(bytes);
    QVERIFY(r.status.ok());
    QCOMPARE(r.records.size(), std::size_t(2));
    QCOMPARE(r.report.crcMismatches, std::uint64_t(mismatches));
    QCOMPARE(r.report.checksumsAbsent, flags == 4u);
}

void TestEvtxReader::badChunkIsSkipped()
{
    Bytes middle = sysmonChunk(41, 5);
    middle[0] = 'X';
    const Read r = readBytes(evtxFile({sysmonChunk(1, 5), middle, sysmonChunk(81, 5), Bytes(65536, 0)}));
    // The bad chunk's records outlive its header: they are carved, as recovered ones.
    QCOMPARE(r.records.size(), std::size_t(15));
    QCOMPARE(r.report.recordsRead, std::uint64_t(10));
    QCOMPARE(r.report.recordsRecovered, std::uint64_t(5));
    for (std::size_t i = 0; i < r.records.size(); ++i)
        QCOMPARE(r.records[i].recovered, i >= 5 && i < 10);
    QCOMPARE(r.records[5].recordId, std::uint64_t(41));
    QCOMPARE(r.records[10].recordId, std::uint64_t(81));
    QCOMPARE(r.report.badChunkCount, std::uint64_t(1));
    QCOMPARE(r.report.badChunks.at(0).offset, std::uint64_t(4096 + 65536));
    QCOMPARE(r.report.chunksEmpty, std::uint64_t(1));
    QVERIFY(r.report.chunkCountDisagrees);
}

void TestEvtxReader::damagedRecordIsSkippedAndReadingResumes()
{
    Bytes chunk = sysmonChunk(1, 4);
    // Break the trailing size copy of the second record.
    const std::size_t second = 512 + le32At(chunk, 512 + 4);
    const std::size_t size = le32At(chunk, second + 4);
    put32(chunk, second + size - 4, 12345);
    const Read r = readBytes(evtxFile({chunk}));
    QCOMPARE(r.records.size(), std::size_t(3));
    QCOMPARE(r.records[1].recordId, std::uint64_t(3));
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(1));
    QCOMPARE(r.report.skippedRecords.at(0).offset, std::uint64_t(4096 + second));
    QVERIFY(QString::fromStdString(r.report.skippedRecords.at(0).reason).contains(QStringLiteral("trailing copy")));
    QVERIFY(r.report.crcMismatches > 0);
}

void TestEvtxReader::selfReferencingTemplateTerminates()
{
    ChunkWriter chunk;
    chunk.addRecord(1, kFileTime, [](BinXmlWriter &w) {
        w.fragmentHeader();
        // An inline template definition whose body instantiates itself.
        w.u8(0x0c);
        w.u8(0x01);
        w.u32(1);
        const std::uint32_t def = std::uint32_t(w.pos() + 4);
        w.u32(def);
        w.u32(0);
        w.raw(Bytes(16, 0));
        const std::size_t sizeAt = w.pos();
        w.u32(0);
        const std::size_t bodyStart = w.pos();
        w.fragmentHeader();
        w.u8(0x0c);
        w.u8(0x01);
        w.u32(1);
        w.u32(def);
        w.u32(0);
        w.endOfStream();
        w.patch32(sizeAt, std::uint32_t(w.pos() - bodyStart));
        w.u32(0);
        w.endOfStream();
    });
    const Read r = readBytes(evtxFile({chunk.finish()}));
    QVERIFY(r.records.empty());
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(1));
    QVERIFY(QString::fromStdString(r.report.skippedRecords.at(0).reason).contains(QStringLiteral("template")));
}

void TestEvtxReader::runawayNestingTerminates()
{
    // Each level is a BinXml value holding an instance of a one-element template whose only
    // content is a BinXml substitution: nested 40 deep.
    std::function<void(BinXmlWriter &, int)> level = [&](BinXmlWriter &w, int depth) {
        w.fragmentHeader();
        w.templateInstance(0, [](BinXmlWriter &t) {
            t.open("Event", false);
            t.closeStart();
            t.substitution(0, 0x21);
            t.end();
        }, {depth > 0 ? binXmlValue([&, depth](BinXmlWriter &n) { level(n, depth - 1); }) : utf16Value(u"x")});
        w.endOfStream();
    };
    ChunkWriter chunk;
    chunk.addRecord(1, kFileTime, [&](BinXmlWriter &w) { level(w, 40); });
    chunk.addRecord(2, kFileTime, [&](BinXmlWriter &w) { level(w, 3); });
    const Read r = readBytes(evtxFile({chunk.finish()}));
    QCOMPARE(r.records.size(), std::size_t(1));
    QCOMPARE(r.records[0].recordId, std::uint64_t(2));
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(1));
    QVERIFY(QString::fromStdString(r.report.skippedRecords.at(0).reason).contains(QStringLiteral("nested")));
}

void TestEvtxReader::truncatedFileDeliversWhatIsThere()
{
    Bytes bytes = evtxFile({sysmonChunk(1, 40)});
    const std::size_t cut = 4096 + 512 + 2000;
    bytes.resize(cut);
    const Read r = readBytes(bytes);
    QVERIFY(r.status.ok());
    QVERIFY(!r.records.empty());
    QVERIFY(r.records.size() < 40);
    for (const EventRecord &e : r.records)
        QVERIFY(e.offset < cut);
    bool noted = false;
    for (const std::string &n : r.report.notes)
        noted = noted || n.find("truncated") != std::string::npos;
    QVERIFY(noted);
    QVERIFY(r.report.recordCountDisagrees);
}

void TestEvtxReader::timeBudgetCutsTheReadShort()
{
    std::vector<Bytes> chunks;
    for (int c = 0; c < 4; ++c)
        chunks.push_back(sysmonChunk(1 + std::uint64_t(c) * 50, 50));
    evtx::EvtxOptions options;
    options.timeBudget = std::chrono::milliseconds(50);
    const Read r = readBytes(evtxFile(chunks), options, [](const EventRecord &) {
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        return true;
    });
    QVERIFY(r.status.ok());
    QVERIFY(r.report.timeBudgetExceeded);
    QVERIFY(!r.report.complete);
    QVERIFY(r.records.size() < 200);
    QVERIFY(r.report.seconds < 2.0);
}

void TestEvtxReader::cancelAndSinkStop()
{
    const Bytes bytes = evtxFile({sysmonChunk(1, 50), sysmonChunk(51, 50)});
    const Read stopped = readBytes(bytes, {}, [](const EventRecord &e) { return e.recordId < 3; });
    QCOMPARE(stopped.records.size(), std::size_t(3));
    QVERIFY(stopped.report.stoppedBySink);
    QVERIFY(!stopped.report.complete);

    CancelToken cancel;
    evtx::EvtxReport report;
    std::size_t seen = 0;
    QVERIFY(evtx::readEvtxMemory(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                                 [&](EventRecord &&) { cancel.cancel(); ++seen; return true; }, report, {}, cancel)
                .ok());
    QVERIFY(report.cancelled);
    QVERIFY(!report.complete);
    QVERIFY(seen < 100);
}

void TestEvtxReader::notEvtxAndMissingFileAreErrors()
{
    QTemporaryDir dir;
    const QString junk = dir.filePath(QStringLiteral("junk.evtx"));
    std::ofstream(junk.toStdString()) << std::string(70000, 'x');
    evtx::EvtxReport report;
    const Status notEvtx = evtx::readEvtx(junk.toStdString(), [](EventRecord &&) { return true; }, report);
    QVERIFY(!notEvtx.ok());
    QVERIFY(QString::fromStdString(notEvtx.error().message).contains(junk));
    QVERIFY(QString::fromStdString(notEvtx.error().message).contains(QStringLiteral("not an EVTX")));

    const std::string missing = dir.filePath(QStringLiteral("absent.evtx")).toStdString();
    const Status absent = evtx::readEvtx(missing, [](EventRecord &&) { return true; }, report);
    QVERIFY(!absent.ok());
    QCOMPARE(absent.error().code, ENOENT);
    QVERIFY(absent.error().message.find(missing) != std::string::npos);
}

QTEST_GUILESS_MAIN(TestEvtxReader)
#include "tst_evtx_reader.moc"
