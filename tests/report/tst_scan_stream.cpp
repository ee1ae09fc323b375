// The scan stream (`scan --json --stream`): what goes out one line per process comes back as
// the same ScanResult, and a line that is not what the format says is refused with the line
// and the field named.
#include <QtTest>

#include "fixture_process.h"
#include "report/json_scan_writer.h"
#include "report/scan_stream_reader.h"
#include "scan/scanner.h"

#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <sstream>

using namespace loadlens;
using report::ScanStreamReader;

namespace {

std::vector<std::string> splitLines(const std::string &text)
{
    std::vector<std::string> lines;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        lines.push_back(line);
    return lines;
}

// A real scan of a fixture process with a preloaded library and a memfd, streamed through
// the scanner's per-process sink the way loadlens-cli writes it.
struct StreamedScan {
    ScanResult result;
    std::string stream;
    int processLines = 0;
};

StreamedScan streamRealScan(const testing::FixtureProcess &target)
{
    StreamedScan out;
    scan::ScanOptions options;
    options.pid = target.pid();
    out.result = scan::runScan(options, {}, {}, [&out](const ProcessInfo &p, const scan::FileFactsLookup &facts) {
        report::writeStreamProcess(out.stream, p, facts);
        ++out.processLines;
    });
    out.result.findings.push_back(
        Finding{"hidden-process", Level::High, 7, "text \"quoted\"\nline", "T1014", "", {{"z", "1"}, {"a", "2"}}});
    out.result.stats.errorCounts["permission denied"] = 3;
    for (const auto &f : out.result.findings)
        report::writeStreamFinding(out.stream, f);
    report::writeStreamSummary(out.stream, out.result);
    return out;
}

} // namespace

class TestScanStream : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    testing::FixtureProcess m_target;

private slots:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        const QString lib = m_dir.filePath(QStringLiteral("libstream-lab.so"));
        QVERIFY(QFile::copy(testing::fixtureLibraryPath(), lib));
        auto env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("LD_PRELOAD"), lib);
        QVERIFY2(m_target.start({QStringLiteral("--memfd"), QStringLiteral("x")}, env), qPrintable(m_target.error()));
    }

    void roundTripOfARealScan()
    {
        const StreamedScan streamed = streamRealScan(m_target);
        QCOMPARE(streamed.processLines, 1);
        QVERIFY(!streamed.result.processes.empty());
        QVERIFY(!streamed.result.processes.front().modules.empty());

        ScanStreamReader reader;
        int processes = 0;
        const auto lines = splitLines(streamed.stream);
        QCOMPARE(lines.size(), std::size_t(1 + streamed.result.findings.size() + 1));
        for (const auto &line : lines) {
            QVERIFY2(!reader.ended(), line.c_str());
            auto parsed = reader.feed(line);
            QVERIFY2(parsed.ok(), parsed.ok() ? "" : parsed.error().message.c_str());
            if (parsed->kind == ScanStreamReader::Kind::Process)
                ++processes;
        }
        QCOMPARE(processes, 1);
        QVERIFY(reader.complete());
        const ScanResult back = reader.take();

        // The whole document, written from what was read, says what the scan said.
        std::string original;
        std::string again;
        report::writeScanJson(original, streamed.result);
        report::writeScanJson(again, back);
        QCOMPARE(again, original);

        // What the models use beyond the JSON text: module flags, file facts, evidence order.
        const ModuleRecord *memfd = nullptr;
        for (const auto &m : back.processes.front().modules)
            if (m.memfd)
                memfd = &m;
        QVERIFY(memfd);
        QVERIFY(memfd->executable);
        QVERIFY(memfd->verdict.has("memfd-exec"));
        QCOMPARE(back.findings.back().evidence.front().first, std::string("z"));
        for (const auto &m : back.processes.front().modules) {
            if (m.anonymousExec || m.pseudo || m.memfd)
                continue;
            const auto it = back.files.find(m.file);
            QVERIFY2(it != back.files.end(), m.path.c_str());
            QCOMPARE(it->second.size, streamed.result.files.at(m.file).size);
            QCOMPARE(it->second.mode & 07777u, streamed.result.files.at(m.file).mode & 07777u);
        }
    }

    void progressAndErrorLines()
    {
        std::string stream;
        report::writeStreamProgress(stream, 3, 10, "hashing");
        report::writeStreamError(stream, "cancelled: standard input was closed");
        const auto lines = splitLines(stream);
        QCOMPARE(lines.size(), std::size_t(2));
        ScanStreamReader reader;
        auto progress = reader.feed(lines[0]);
        QVERIFY(progress.ok());
        QCOMPARE(int(progress->kind), int(ScanStreamReader::Kind::Progress));
        QCOMPARE(progress->done, 3u);
        QCOMPARE(progress->total, 10u);
        QCOMPARE(progress->step, std::string("hashing"));
        auto error = reader.feed(lines[1]);
        QVERIFY(error.ok());
        QCOMPARE(int(error->kind), int(ScanStreamReader::Kind::Error));
        QCOMPARE(error->message, std::string("cancelled: standard input was closed"));
        QVERIFY(reader.ended());
        QVERIFY(!reader.complete());
    }

    void badLinesAreRefusedWithLineAndField_data()
    {
        QTest::addColumn<QByteArray>("line");
        QTest::addColumn<QString>("expected");
        QTest::addRow("not json") << QByteArray("permission denied") << QStringLiteral("line 2 of the scan stream: not JSON");
        QTest::addRow("array") << QByteArray("[1,2]") << QStringLiteral("not a JSON object");
        QTest::addRow("no type") << QByteArray(R"({"pid":1})") << QStringLiteral("\"type\" is missing");
        QTest::addRow("unknown type") << QByteArray(R"({"type":"module"})") << QStringLiteral("unknown \"type\": \"module\"");
        QTest::addRow("whole document") << QByteArray(R"({"host":{},"processes":[]})") << QStringLiteral("\"type\" is missing");
        QTest::addRow("pid a string") << QByteArray(R"({"type":"process","pid":"1"})") << QStringLiteral("\"pid\" is not a whole number");
        QTest::addRow("pid zero") << QByteArray(R"({"type":"process","pid":0})") << QStringLiteral("\"pid\" is out of range");
        QTest::addRow("progress negative") << QByteArray(R"({"type":"progress","done":-1,"total":2,"step":"x"})")
                                           << QStringLiteral("\"done\" is not a whole number >= 0");
        QTest::addRow("finding level") << QByteArray(R"({"type":"finding","code":"c","level":"severe"})")
                                       << QStringLiteral("\"level\" is not a level: \"severe\"");
        QTest::addRow("error without message") << QByteArray(R"({"type":"error"})") << QStringLiteral("\"message\" is missing");
    }
    void badLinesAreRefusedWithLineAndField()
    {
        QFETCH(QByteArray, line);
        QFETCH(QString, expected);
        ScanStreamReader reader;
        std::string first;
        report::writeStreamProgress(first, 0, 1, "reading /proc");
        first.pop_back();
        QVERIFY(reader.feed(first).ok());
        auto parsed = reader.feed(std::string_view(line.constData(), std::size_t(line.size())));
        QVERIFY(!parsed.ok());
        const QString message = QString::fromStdString(parsed.error().message);
        QVERIFY2(message.startsWith(QStringLiteral("line 2 of the scan stream: ")), qPrintable(message));
        QVERIFY2(message.contains(expected), qPrintable(message));
    }

    void processLineChecksItsParts()
    {
        const StreamedScan streamed = streamRealScan(m_target);
        const std::string processLine = splitLines(streamed.stream).front();
        // The same process twice is not one stream.
        {
            ScanStreamReader reader;
            QVERIFY(reader.feed(processLine).ok());
            auto again = reader.feed(processLine);
            QVERIFY(!again.ok());
            QVERIFY2(again.error().message.find("listed twice") != std::string::npos, again.error().message.c_str());
        }
        // A verdict below the worst of its reasons was not written by LoadLens.
        {
            auto json = nlohmann::json::parse(processLine);
            bool changed = false;
            for (auto &m : json["modules"])
                if (!changed && !m["verdict"]["reasons"].empty()) {
                    m["verdict"]["level"] = "ok";
                    changed = m["verdict"]["reasons"][0]["level"] != "ok";
                }
            QVERIFY(changed);
            ScanStreamReader reader;
            auto parsed = reader.feed(json.dump());
            QVERIFY(!parsed.ok());
            QVERIFY2(parsed.error().message.find("below the worst of its reasons") != std::string::npos,
                     parsed.error().message.c_str());
        }
        // Cut anywhere, the line is refused rather than half read.
        for (std::size_t cut : {std::size_t(1), processLine.size() / 3, processLine.size() / 2, processLine.size() - 1}) {
            ScanStreamReader reader;
            QVERIFY2(!reader.feed(processLine.substr(0, cut)).ok(), std::to_string(cut).c_str());
            QCOMPARE(reader.processCount(), std::size_t(0));
        }
    }

    void nothingAfterTheEnd()
    {
        const StreamedScan streamed = streamRealScan(m_target);
        ScanStreamReader reader;
        for (const auto &line : splitLines(streamed.stream))
            QVERIFY(reader.feed(line).ok());
        QVERIFY(reader.complete());
        std::string extra;
        report::writeStreamProgress(extra, 1, 1, "late");
        extra.pop_back();
        auto late = reader.feed(extra);
        QVERIFY(!late.ok());
        QVERIFY2(late.error().message.find("after the stream ended") != std::string::npos, late.error().message.c_str());
    }
};

QTEST_GUILESS_MAIN(TestScanStream)
#include "tst_scan_stream.moc"
