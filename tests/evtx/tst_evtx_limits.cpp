// Records crafted to expand far beyond their size (a template that repeats a 40 KB value, or a
// BinXml value that instantiates the same template again) are skipped with a reason, the rest
// of the file is read, and `loadlens-cli import` of such a file stays within a small, fixed
// amount of memory and time.
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include "evtx/event_builder.h"
#include "evtx/evtx_reader.h"
#include "evtx_test_file.h"

#include <chrono>
#include <csignal>
#include <fcntl.h>
#include <fstream>
#include <sys/resource.h>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

using namespace loadlens;
using namespace loadlens::testing;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAsan = true;
#else
constexpr bool kAsan = false;
#endif

// The shapes the fuzz campaign found: nested 100 x 100 (each a 40 KB binary: 800 MB of hex
// before the limits), flat 4,000 substitutions of a 12 KB value (96 MB in one field).
Bytes nestedBombFile() { return fileWithBomb([](BinXmlWriter &w) { nestedBombRecord(w, 100, 40000); }); }
Bytes flatBombFile() { return fileWithBomb([](BinXmlWriter &w) { flatBombRecord(w, 4000, 12000); }); }

struct Read {
    Status status = Ok{};
    evtx::EvtxReport report;
    std::vector<EventRecord> records;
};

Read readBytes(const Bytes &bytes, unsigned threads = 1)
{
    Read out;
    evtx::EvtxOptions options;
    options.threads = threads;
    out.status = evtx::readEvtxMemory(std::string_view(reinterpret_cast<const char *>(bytes.data()), bytes.size()),
                                      [&](EventRecord &&r) {
                                          out.records.push_back(std::move(r));
                                          return true;
                                      },
                                      out.report, options);
    return out;
}

bool writeFile(const QString &path, const Bytes &bytes)
{
    std::ofstream out(path.toStdString(), std::ios::binary);
    out.write(reinterpret_cast<const char *>(bytes.data()), std::streamsize(bytes.size()));
    return bool(out);
}

struct ChildRun {
    int exitCode = -1;         // -1: killed or crashed
    long maxRssKb = 0;         // the child's own peak resident set
    double seconds = 0;
    QByteArray out;
};

// Runs loadlens-cli as a direct child so that wait4 gives its peak memory (which counts this
// process's resident set at the fork, so it is an upper bound). Outside ASan an
// address-space limit keeps a regression from taking the machine's memory; it fails instead.
ChildRun runCli(const QStringList &args, const QString &outFile)
{
    ChildRun run;
    std::vector<std::string> storage{LOADLENS_CLI};
    for (const QString &a : args)
        storage.push_back(a.toStdString());
    std::vector<char *> argv;
    for (std::string &s : storage)
        argv.push_back(s.data());
    argv.push_back(nullptr);
    const std::string outPath = outFile.toStdString();
    const auto started = std::chrono::steady_clock::now();
    const pid_t pid = ::fork();
    if (pid == 0) {
        const int fd = ::open(outPath.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
        if (fd >= 0)
            ::dup2(fd, 1);
        const int devNull = ::open("/dev/null", O_WRONLY);
        if (devNull >= 0)
            ::dup2(devNull, 2);
        if (!kAsan) {
            const rlimit as{rlim_t(3) << 30, rlim_t(3) << 30};
            ::setrlimit(RLIMIT_AS, &as);
        }
        const rlimit cpu{120, 120};
        ::setrlimit(RLIMIT_CPU, &cpu);
        ::execv(argv[0], argv.data());
        ::_exit(127);
    }
    if (pid < 0)
        return run;
    int status = 0;
    rusage usage{};
    for (;;) {
        const pid_t done = ::wait4(pid, &status, WNOHANG, &usage);
        if (done == pid)
            break;
        if (std::chrono::steady_clock::now() - started > std::chrono::seconds(180)) {
            ::kill(pid, SIGKILL);
            ::wait4(pid, &status, 0, &usage);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    run.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    run.maxRssKb = usage.ru_maxrss;
    QFile out(outFile);
    if (out.open(QIODevice::ReadOnly))
        run.out = out.readAll();
    return run;
}

} // namespace

class TestEvtxLimits : public QObject {
    Q_OBJECT

private slots:
    // First: a child's peak memory includes what this process had when it forked.
    void importStaysSmall_data();
    void importStaysSmall();
    void bombRecordIsSkippedAndTheRestRead_data();
    void bombRecordIsSkippedAndTheRestRead();
    void chunkBudgetLeavesOutRecordsPastIt();
    void bombInSlackIsSkipped_data();
    void bombInSlackIsSkipped();
    void realSizedRecordsAreUntouched();
};

void TestEvtxLimits::bombRecordIsSkippedAndTheRestRead_data()
{
    QTest::addColumn<int>("kind");
    QTest::addColumn<unsigned>("threads");
    QTest::addColumn<QString>("reason");
    QTest::addRow("nested, one thread") << 0 << 1u << QStringLiteral("longer than 1 MiB");
    QTest::addRow("nested, two threads") << 0 << 2u << QStringLiteral("longer than 1 MiB");
    QTest::addRow("flat, one thread") << 1 << 1u << QStringLiteral("field value longer than 1 MiB in element Data");
    QTest::addRow("flat, two threads") << 1 << 2u << QStringLiteral("field value longer than 1 MiB in element Data");
}

void TestEvtxLimits::bombRecordIsSkippedAndTheRestRead()
{
    QFETCH(int, kind);
    QFETCH(unsigned, threads);
    QFETCH(QString, reason);
    const auto started = std::chrono::steady_clock::now();
    const Read r = readBytes(kind == 0 ? nestedBombFile() : flatBombFile(), threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    QVERIFY(r.status.ok());
    QCOMPARE(int(r.records.size()), normalRecordsOf());
    for (const EventRecord &e : r.records)
        QVERIFY(e.recordId != 2);
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(1));
    QCOMPARE(r.report.skippedRecords.size(), std::size_t(1));
    const QString why = QString::fromStdString(r.report.skippedRecords[0].reason);
    QVERIFY2(why.contains(reason), qPrintable(why));
    QVERIFY(r.report.complete);
    QVERIFY2(seconds < 10, qPrintable(QString::number(seconds)));
}

void TestEvtxLimits::bombInSlackIsSkipped_data() { bombRecordIsSkippedAndTheRestRead_data(); }

// The same records left in slack (the chunk's free-space offset moved back to the bomb): the
// recovery path has the live path's limits, so the bomb is listed as an unreadable recovered
// record and the read stays as quick.
void TestEvtxLimits::bombInSlackIsSkipped()
{
    QFETCH(int, kind);
    QFETCH(unsigned, threads);
    QFETCH(QString, reason);
    Bytes file = kind == 0 ? fileWithBomb([](BinXmlWriter &w) { nestedBombRecord(w, 100, 40000); }, 0, 0)
                           : fileWithBomb([](BinXmlWriter &w) { flatBombRecord(w, 4000, 12000); }, 0, 0);
    const std::size_t bomb = 512 + le32At(file, 4096 + 512 + 4);
    put32(file, 4096 + 48, std::uint32_t(bomb));
    const auto started = std::chrono::steady_clock::now();
    const Read r = readBytes(file, threads);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    QVERIFY(r.status.ok());
    QCOMPARE(r.records.size(), std::size_t(1));
    QCOMPARE(r.report.recordsRead, std::uint64_t(1));
    QCOMPARE(r.report.recordsRecovered, std::uint64_t(0));
    QCOMPARE(r.report.recoveredSkipped, std::uint64_t(1));
    QCOMPARE(r.report.recoveredSkippedRecords.size(), std::size_t(1));
    QCOMPARE(r.report.recoveredSkippedRecords[0].offset, std::uint64_t(4096 + bomb));
    const QString why = QString::fromStdString(r.report.recoveredSkippedRecords[0].reason);
    QVERIFY2(why.contains(reason), qPrintable(why));
    QVERIFY(r.report.complete);
    QVERIFY2(seconds < 10, qPrintable(QString::number(seconds)));
}

void TestEvtxLimits::chunkBudgetLeavesOutRecordsPastIt()
{
    // Ten small records of one template with four Data elements, each filled by 375
    // substitutions of a 1 KB value: 3 MB of text per record, under the record limit. The
    // chunk's budget takes two of them; the rest are skipped and named; the next chunk is read.
    ChunkWriter chunk;
    std::uint32_t def = 0;
    auto body = [](BinXmlWriter &t) {
        t.open("Event", false);
        t.closeStart();
        t.open("EventData", false);
        t.closeStart();
        for (int d = 0; d < 4; ++d) {
            t.open("Data", false);
            t.closeStart();
            for (int i = 0; i < 375; ++i)
                t.substitution(0, 0x0e);
            t.end();
        }
        t.end();
        t.end();
    };
    for (std::uint64_t id = 1; id <= 10; ++id)
        chunk.addRecord(id, 132474256146795829ULL, [&](BinXmlWriter &w) {
            w.fragmentHeader();
            def = w.templateInstance(def, body, {binaryValue(1024, std::uint8_t(id))});
            w.endOfStream();
        });
    const Bytes first = chunk.finish();
    const Bytes normal = fileWithBomb([](BinXmlWriter &w) {
        w.fragmentHeader();
        w.endOfStream();
    }, 0, 3);
    const Bytes second(normal.begin() + 4096 + 65536, normal.end());
    const Read r = readBytes(evtxFile({first, second}));
    QCOMPARE(r.records.size(), std::size_t(2 + 3));
    QCOMPARE(r.records[0].data.at("Data#1").size(), std::size_t(375 * 2048));
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(8));
    QVERIFY2(r.report.skippedRecords[0].reason.find("records of this chunk expand to more than 8 MiB") !=
                 std::string::npos,
             r.report.skippedRecords[0].reason.c_str());
}

void TestEvtxLimits::realSizedRecordsAreUntouched()
{
    // A 60 KB binary value in one field, used once: 120 KB of hex, kept whole.
    ChunkWriter chunk;
    chunk.addRecord(1, 132474256146795829ULL, [](BinXmlWriter &w) { flatBombRecord(w, 1, 60000); });
    const Read r = readBytes(evtxFile({chunk.finish()}));
    QCOMPARE(r.records.size(), std::size_t(1));
    QCOMPARE(r.records[0].data.at("Data#1").size(), std::size_t(120000));
    QCOMPARE(r.report.recordsSkipped, std::uint64_t(0));
}

void TestEvtxLimits::importStaysSmall_data()
{
    QTest::addColumn<int>("kind");
    QTest::addRow("nested") << 0;
    QTest::addRow("flat") << 1;
}

void TestEvtxLimits::importStaysSmall()
{
    QFETCH(int, kind);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString normal = dir.filePath(QStringLiteral("normal.evtx"));
    const QString bomb = dir.filePath(QStringLiteral("bomb.evtx"));
    // The same file with the bomb record replaced by an empty fragment is the baseline.
    QVERIFY(writeFile(normal, fileWithBomb([](BinXmlWriter &w) {
        w.fragmentHeader();
        w.endOfStream();
    })));
    QVERIFY(writeFile(bomb, kind == 0 ? nestedBombFile() : flatBombFile()));

    const ChildRun base = runCli({QStringLiteral("import"), QStringLiteral("--case"), dir.filePath(QStringLiteral("a.sqlite")),
                                  QStringLiteral("--json"), QStringLiteral("--quiet"), normal},
                                 dir.filePath(QStringLiteral("a.json")));
    QCOMPARE(base.exitCode, 0);
    const ChildRun run = runCli({QStringLiteral("import"), QStringLiteral("--case"), dir.filePath(QStringLiteral("b.sqlite")),
                                 QStringLiteral("--json"), QStringLiteral("--quiet"), bomb},
                                dir.filePath(QStringLiteral("b.json")));
    qInfo("maxrss: baseline %ld KB, crafted %ld KB (%+ld KB); %.2f s", base.maxRssKb, run.maxRssKb,
          run.maxRssKb - base.maxRssKb, run.seconds);
    QVERIFY2(run.exitCode == 0, qPrintable(QStringLiteral("exit %1, output: %2").arg(run.exitCode).arg(QString::fromUtf8(run.out))));
    // ASan keeps freed memory in quarantine (256 MB by default), so its figure is looser.
    const long allowanceKb = kAsan ? 320L * 1024 : 64L * 1024;
    QVERIFY2(run.maxRssKb - base.maxRssKb <= allowanceKb, qPrintable(QString::number(run.maxRssKb - base.maxRssKb)));
    QVERIFY2(run.seconds < (kAsan ? 60 : 20), qPrintable(QString::number(run.seconds)));

    const QJsonArray reports = QJsonDocument::fromJson(run.out).array();
    QCOMPARE(reports.size(), 1);
    const QJsonObject report = reports[0].toObject();
    QCOMPARE(report[QStringLiteral("imported")].toInt(), normalRecordsOf());
    QCOMPARE(report[QStringLiteral("skipped")].toInt(), 1);
    QVERIFY(report[QStringLiteral("complete")].toBool());
    const QJsonArray skipped = report[QStringLiteral("skipped_records")].toArray();
    QCOMPARE(skipped.size(), 1);
    QVERIFY2(skipped[0].toObject()[QStringLiteral("reason")].toString().contains(QLatin1String("MiB")),
             qPrintable(skipped[0].toObject()[QStringLiteral("reason")].toString()));
    QVERIFY(report[QStringLiteral("errors")].toArray().isEmpty());
}

QTEST_GUILESS_MAIN(TestEvtxLimits)
#include "tst_evtx_limits.moc"
