// EVTX recovery: records in chunk slack and in chunks past the file header's chunk count are
// read, marked recovered, counted apart in the import report, and never replace a live record.
// libyal evtxexport (-m recovered) is the oracle for the shared samples; the crafted files are
// real samples with a chunk appended past the header's count and a record copied into slack.
#include <QtTest>

#include "evtx/evtx_reader.h"
#include "ingest/importer.h"
#include "shared_data.h"
#include "store/event_store.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <zlib.h>

#include <optional>

using namespace loadlens;

namespace {

constexpr int kHeader = 4096;
constexpr int kChunk = 65536;

// Small enough to copy whole records around; clean slack (no record-shaped bytes after its
// free-space offset), one chunk, 15 records with distinct EventRecordIDs.
constexpr const char *kCleanSample = "sysmon-evtx/attack_sysmon_1_7_elevate_uacbypass_sysprep.evtx";
constexpr int kCleanSampleRecords = 15;
constexpr const char *kSlackSample = "sysmon-evtx/attack_sysmon7_update_session_orchestrator_dll_hijack.evtx";

quint32 le32(const QByteArray &b, int at) { return qFromLittleEndian<quint32>(b.constData() + at); }
quint64 le64(const QByteArray &b, int at) { return qFromLittleEndian<quint64>(b.constData() + at); }
void put32(QByteArray &b, int at, quint32 v) { qToLittleEndian(v, b.data() + at); }
void put64(QByteArray &b, int at, quint64 v) { qToLittleEndian(v, b.data() + at); }

quint32 crc(const QByteArray &b, int from, int to, quint32 seed = 0)
{
    return quint32(crc32_z(seed, reinterpret_cast<const Bytef *>(b.constData() + from), std::size_t(to - from)));
}

QByteArray readFile(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly) && f.write(bytes) == bytes.size();
}

// The chunk's header and record-data checksums, as Windows writes them.
void fixChunkCrcs(QByteArray &file, int chunk)
{
    const quint32 freeOffset = le32(file, chunk + 48);
    put32(file, chunk + 52, crc(file, chunk + 512, chunk + int(freeOffset)));
    put32(file, chunk + 124, crc(file, chunk + 128, chunk + 512, crc(file, chunk, chunk + 120)));
}

struct RecordSpan {
    int offset;  // in the chunk
    int size;
};

// The live records of the chunk at `chunk` (file offset), walked from its header to its free offset.
QList<RecordSpan> liveRecords(const QByteArray &file, int chunk)
{
    QList<RecordSpan> out;
    const int freeOffset = int(le32(file, chunk + 48));
    for (int p = 512; p + 24 <= freeOffset;) {
        const int size = int(le32(file, chunk + p + 4));
        if (le32(file, chunk + p) != 0x00002a2a || size < 28 || p + size > freeOffset)
            break;
        out.append({p, size});
        p += size;
    }
    return out;
}

// Chunk offset of the record's EventRecordID: the first UInt64 substitution value of its
// template instance (fragment header, template instance token, inline definition skipped,
// value descriptors, values).
std::optional<int> recordIdValueOffset(const QByteArray &file, int chunk, RecordSpan r)
{
    const int end = r.offset + r.size - 4;
    int q = r.offset + 24;
    const auto byte = [&](int at) { return quint8(file[chunk + at]); };
    if (byte(q) != 0x0f)
        return std::nullopt;
    q += 4;
    if ((byte(q) & 0x0f) != 0x0c)
        return std::nullopt;
    const int definition = int(le32(file, chunk + q + 6));
    q += 10;
    if (definition == q)
        q += 24 + int(le32(file, chunk + q + 20));
    const int count = int(le32(file, chunk + q));
    q += 4;
    if (count > 1024 || q + 4 * count > end)
        return std::nullopt;
    int value = q + 4 * count;
    for (int i = 0; i < count; ++i) {
        const int size = qFromLittleEndian<quint16>(file.constData() + chunk + q + 4 * i);
        const quint8 type = byte(q + 4 * i + 2);
        if (value + size > end)
            return std::nullopt;
        if (type == 0x0a && size == 8)
            return value;
        value += size;
    }
    return std::nullopt;
}

// Gives every record of the chunk at `chunk` a new EventRecordID (old + `shift`), so that the
// copies are distinct events and not duplicates of the records they were copied from.
bool shiftRecordIds(QByteArray &file, int chunk, quint64 shift)
{
    for (const RecordSpan &r : liveRecords(file, chunk)) {
        const auto at = recordIdValueOffset(file, chunk, r);
        if (!at)
            return false;
        put64(file, chunk + *at, le64(file, chunk + *at) + shift);
    }
    return true;
}

// How many recovered records evtxexport (libevtx) exports; nullopt without the tool.
std::optional<int> evtxexportRecovered(const QString &path)
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("evtxexport"));
    if (tool.isEmpty())
        return std::nullopt;
    QProcess process;
    process.start(tool, {QStringLiteral("-m"), QStringLiteral("recovered"), path});
    if (!process.waitForFinished(120000))
        return -1;
    int count = 0;
    for (const QByteArray &line : process.readAllStandardOutput().split('\n'))
        count += line.startsWith("Event number") ? 1 : 0;
    return count;
}

// How many recovered records libevtx finds (evtxinfo), rendered or not; nullopt without the tool.
std::optional<int> evtxinfoRecovered(const QString &path)
{
    const QString tool = QStandardPaths::findExecutable(QStringLiteral("evtxinfo"));
    if (tool.isEmpty())
        return std::nullopt;
    QProcess process;
    process.start(tool, {path});
    if (!process.waitForFinished(120000))
        return -1;
    for (const QByteArray &line : process.readAllStandardOutput().split('\n'))
        if (line.contains("Number of recovered records"))
            return line.mid(line.indexOf(':') + 1).trimmed().toInt();
    return 0;
}

struct Stored {
    int live = 0;
    int recovered = 0;
};

Stored storedEvents(const store::CaseDatabase &db)
{
    store::EventFilter filter;
    filter.limit = 1000000;
    Stored out;
    if (auto events = store::listEvents(db, filter))
        for (const auto &e : *events)
            ++(e.recovered ? out.recovered : out.live);
    return out;
}

evtx::EvtxReport readReport(const QString &path, int *recoveredDelivered = nullptr)
{
    evtx::EvtxReport report;
    int delivered = 0;
    const auto sink = [&](EventRecord &&r) {
        delivered += r.recovered ? 1 : 0;
        return true;
    };
    (void)evtx::readEvtx(path.toStdString(), sink, report);
    if (recoveredDelivered)
        *recoveredDelivered = delivered;
    return report;
}

} // namespace

class TestImportRecovered : public QObject {
    Q_OBJECT
private:
    QTemporaryDir m_dir;
    int m_cases = 0;

    Result<store::CaseDatabase> freshCase()
    {
        return store::CaseDatabase::open(m_dir.filePath(QStringLiteral("case%1.db").arg(++m_cases)).toStdString());
    }

    // kCleanSample with its chunk copied (record ids shifted by `shift`; 0 keeps them) into a
    // second slot the header does not count, and optionally its last record copied into the
    // first chunk's slack (its id shifted by 2 * `shift`: distinct from both other copies).
    QByteArray craft(const QByteArray &sample, quint64 shift, bool appendChunk, bool slackRecord)
    {
        QByteArray file = sample.left(kHeader + kChunk);
        if (appendChunk) {
            QByteArray copy = file.mid(kHeader, kChunk);
            QByteArray asFile = QByteArray(kHeader, '\0') + copy;
            if (shift && !shiftRecordIds(asFile, kHeader, shift))
                return {};
            fixChunkCrcs(asFile, kHeader);
            file += asFile.mid(kHeader);
        }
        if (slackRecord) {
            const QList<RecordSpan> live = liveRecords(file, kHeader);
            const RecordSpan last = live.back();
            const int at = (int(le32(file, kHeader + 48)) + 7) & ~7;
            file.replace(kHeader + at, last.size, file.mid(kHeader + last.offset, last.size));
            if (shift) {
                const auto id = recordIdValueOffset(file, kHeader, {at, last.size});
                if (!id)
                    return {};
                put64(file, kHeader + *id, le64(file, kHeader + *id) + 2 * shift);
            }
        }
        return file;
    }

private slots:
    void initTestCase() { QVERIFY(m_dir.isValid()); }

    // Every shared EVTX: the recovered records the reader delivers are as many as evtxexport
    // exports with -m recovered, and the live records are as many as before.
    void sharedSamplesMatchEvtxexport_data()
    {
        QTest::addColumn<QString>("file");
        for (const char *dir : {"sysmon-evtx", "damaged"}) {
            const QString path = testing::sharedDataPath(QString::fromLatin1(dir));
            if (path.isEmpty())
                continue;
            for (const QString &name : QDir(path).entryList({QStringLiteral("*.evtx")}, QDir::Files, QDir::Name))
                QTest::addRow("%s", qPrintable(name)) << QString::fromLatin1(dir) + QLatin1Char('/') + name;
        }
    }
    void sharedSamplesMatchEvtxexport()
    {
        QFETCH(QString, file);
        const QString path = testing::sharedDataPath(file);
        const auto expected = evtxexportRecovered(path);
        if (!expected)
            QSKIP("evtxexport (Debian libevtx-utils) is not installed");
        const int found = evtxinfoRecovered(path).value_or(*expected);
        int delivered = 0;
        const evtx::EvtxReport report = readReport(path, &delivered);
        qInfo("%s: evtxexport exports %d recovered, evtxinfo finds %d, we read %d (%d unreadable)", qPrintable(file),
              *expected, found, int(report.recordsRecovered), int(report.recoveredSkipped));
        QCOMPARE(delivered, int(report.recordsRecovered));
        QCOMPARE(int(report.recordsRead), int(readReport(path).recordsRead));
        if (*expected == found) {
            QCOMPARE(int(report.recordsRecovered), *expected);
        } else {
            // evtxexport stops at the first recovered record it cannot render, so it exported
            // a lower bound; the records libevtx found are the upper one.
            QVERIFY(int(report.recordsRecovered) >= *expected);
            QVERIFY(int(report.recordsRecovered) <= found);
        }
    }

    // The README's sample with 9 recoverable records: all 9 are read and marked; they are older
    // copies of live records (same EventRecordID and time), so they are stored as duplicates of
    // the live ones, which stay 64 and stay live.
    void slackSampleImport()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(path, "sysmon-evtx/attack_sysmon7_update_session_orchestrator_dll_hijack.evtx");
        const auto expected = evtxexportRecovered(path);
        auto db = freshCase();
        QVERIFY2(db, db ? "" : db.error().message.c_str());
        const ImportReport first = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY(first.errors.empty());
        QCOMPARE(int(first.recordsRead), 64);
        QCOMPARE(int(first.imported), 64);
        QCOMPARE(int(first.skipped), 0);
        QCOMPARE(int(first.recovered), expected.value_or(9));
        QCOMPARE(first.recoveredImported + first.recoveredDuplicates, first.recovered);
        const Stored stored = storedEvents(*db);
        QCOMPARE(stored.live, 64);
        QCOMPARE(stored.recovered, int(first.recoveredImported));
        // The unreadable candidates are listed with a reason.
        QCOMPARE(first.recoveredSkippedRecords.size(), std::size_t(first.recoveredSkipped));
        for (const auto &s : first.recoveredSkippedRecords)
            QVERIFY(!s.reason.empty());

        const ImportReport second = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(int(second.imported), 0);
        QCOMPARE(int(second.recoveredImported), 0);
        QCOMPARE(second.recoveredDuplicates, first.recovered);
        const Stored again = storedEvents(*db);
        QCOMPARE(again.live, stored.live);
        QCOMPARE(again.recovered, stored.recovered);
    }

    // A real sample with its chunk copied past the header's chunk count (the count left at 1)
    // and one record copied into its slack, each with new record ids: all of them are
    // recovered and stored marked, the live records are untouched, a second import adds nothing.
    void craftedSlackAndPastHeaderChunk()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(samplePath, "sysmon-evtx/attack_sysmon_1_7_elevate_uacbypass_sysprep.evtx");
        const QByteArray crafted = craft(readFile(samplePath), 1000000, true, true);
        QVERIFY(!crafted.isEmpty());
        const QString path = m_dir.filePath(QStringLiteral("crafted.evtx"));
        QVERIFY(writeFile(path, crafted));

        const evtx::EvtxReport read = readReport(path);
        QCOMPARE(int(read.recordsRead), kCleanSampleRecords);
        QCOMPARE(int(read.recordsRecovered), kCleanSampleRecords + 1);
        QCOMPARE(int(read.chunksRecovered), 1);
        QCOMPARE(int(read.chunksParsed), 1);
        QVERIFY(!read.chunkCountDisagrees);
        if (const auto expected = evtxexportRecovered(path))
            QCOMPARE(int(read.recordsRecovered), *expected);

        auto db = freshCase();
        QVERIFY(db);
        const ImportReport first = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY(first.errors.empty());
        QCOMPARE(int(first.recordsRead), kCleanSampleRecords);
        QCOMPARE(int(first.imported), kCleanSampleRecords);
        QCOMPARE(int(first.recovered), kCleanSampleRecords + 1);
        QCOMPARE(int(first.recoveredImported), kCleanSampleRecords + 1);
        QCOMPARE(int(first.recoveredSkipped), 0);
        Stored stored = storedEvents(*db);
        QCOMPARE(stored.live, kCleanSampleRecords);
        QCOMPARE(stored.recovered, kCleanSampleRecords + 1);

        const ImportReport second = ingest::importFile(*db, path.toStdString(), {});
        QCOMPARE(int(second.imported), 0);
        QCOMPARE(int(second.recoveredImported), 0);
        QCOMPARE(int(second.recoveredDuplicates), kCleanSampleRecords + 1);
        stored = storedEvents(*db);
        QCOMPARE(stored.live, kCleanSampleRecords);
        QCOMPARE(stored.recovered, kCleanSampleRecords + 1);
    }

    // A record in slack whose size is damaged is skipped with a reason; the rest is imported.
    void damagedSlackRecordIsSkipped()
    {
        LOADLENS_SHARED_DATA_OR_SKIP(samplePath, "sysmon-evtx/attack_sysmon_1_7_elevate_uacbypass_sysprep.evtx");
        QByteArray crafted = craft(readFile(samplePath), 1000000, true, true);
        QVERIFY(!crafted.isEmpty());
        const int at = (int(le32(crafted, kHeader + 48)) + 7) & ~7;
        put32(crafted, kHeader + at + 4, le32(crafted, kHeader + at + 4) + 8);  // trailing copy now differs
        const QString path = m_dir.filePath(QStringLiteral("damaged-slack.evtx"));
        QVERIFY(writeFile(path, crafted));

        auto db = freshCase();
        QVERIFY(db);
        const ImportReport report = ingest::importFile(*db, path.toStdString(), {});
        QVERIFY(report.errors.empty());
        QCOMPARE(int(report.imported), kCleanSampleRecords);
        QCOMPARE(int(report.recovered), kCleanSampleRecords);
        QCOMPARE(int(report.recoveredImported), kCleanSampleRecords);
        QCOMPARE(int(report.recoveredSkipped), 1);
        QCOMPARE(report.recoveredSkippedRecords.size(), std::size_t(1));
        QCOMPARE(report.recoveredSkippedRecords.front().offset, std::uint64_t(kHeader + at));
        QVERIFY2(report.recoveredSkippedRecords.front().reason.find("size") != std::string::npos,
                 report.recoveredSkippedRecords.front().reason.c_str());
    }

    // Recovered copies with the same keys as live records: stored first, the live records
    // replace them; stored after, they are duplicates. Either way the case ends with the live
    // records only, unchanged, and a partial copy overwrites nothing.
    void liveWinsWhateverTheOrder_data()
    {
        QTest::addColumn<bool>("recoveredFirst");
        QTest::addRow("recovered copies imported first") << true;
        QTest::addRow("live records imported first") << false;
    }
    void liveWinsWhateverTheOrder()
    {
        QFETCH(bool, recoveredFirst);
        LOADLENS_SHARED_DATA_OR_SKIP(samplePath, "sysmon-evtx/attack_sysmon_1_7_elevate_uacbypass_sysprep.evtx");
        LOADLENS_SHARED_DATA_OR_SKIP(otherPath, "sysmon-evtx/attack_faxhell_sysmon_7_1_18_3_bindshell_dllhijack.evtx");
        const QByteArray sample = readFile(samplePath);
        // Another log whose header counts one chunk, followed by a partial copy of the sample's
        // chunk: the copy's text is damaged in the middle (as an overwritten remnant would be)
        // but its keys are intact.
        QByteArray copy = sample.mid(kHeader, kChunk);
        const QList<RecordSpan> records = liveRecords(QByteArray(kHeader, '\0') + copy, kHeader);
        QCOMPARE(records.size(), kCleanSampleRecords);
        // A damaged remnant: the text "Windows" in each record's values reads "Xindows".
        const QByteArray windows = QByteArray("W\0i\0n\0d\0o\0w\0s\0", 14);
        int damaged = 0;
        for (const RecordSpan &r : records) {
            const int at = copy.indexOf(windows, r.offset);
            if (at > 0 && at < r.offset + r.size) {
                copy[at] = 'X';
                ++damaged;
            }
        }
        QVERIFY(damaged > 0);
        QByteArray copyFile = QByteArray(kHeader, '\0') + copy;
        fixChunkCrcs(copyFile, kHeader);
        const QByteArray remnants = readFile(otherPath).left(kHeader + kChunk) + copyFile.mid(kHeader);
        const QString remnantsPath = m_dir.filePath(QStringLiteral("remnants.evtx"));
        QVERIFY(writeFile(remnantsPath, remnants));

        auto db = freshCase();
        QVERIFY(db);
        auto importRemnants = [&] { return ingest::importFile(*db, remnantsPath.toStdString(), {}); };
        auto importLive = [&] { return ingest::importFile(*db, samplePath.toStdString(), {}); };
        const int otherRecords = 10;
        if (recoveredFirst) {
            const ImportReport remnant = importRemnants();
            QCOMPARE(int(remnant.recovered), kCleanSampleRecords);
            QCOMPARE(int(remnant.recoveredImported), kCleanSampleRecords);
            const ImportReport live = importLive();
            QCOMPARE(int(live.imported), kCleanSampleRecords);
            QCOMPARE(int(live.recoveredReplaced), kCleanSampleRecords);
        } else {
            const ImportReport live = importLive();
            QCOMPARE(int(live.imported), kCleanSampleRecords);
            const ImportReport remnant = importRemnants();
            QCOMPARE(int(remnant.recovered), kCleanSampleRecords);
            QCOMPARE(int(remnant.recoveredImported), 0);
            QCOMPARE(int(remnant.recoveredDuplicates), kCleanSampleRecords);
        }
        const Stored stored = storedEvents(*db);
        QCOMPARE(stored.live, kCleanSampleRecords + otherRecords);
        QCOMPARE(stored.recovered, 0);

        // The stored events of the sample are exactly what a fresh import of it stores.
        auto reference = freshCase();
        QVERIFY(reference);
        QCOMPARE(int(ingest::importFile(*reference, samplePath.toStdString(), {}).imported), kCleanSampleRecords);
        store::EventFilter filter;
        filter.limit = 1000;
        auto expected = store::listEvents(*reference, filter);
        auto actual = store::listEvents(*db, filter);
        QVERIFY(expected && actual);
        std::map<std::uint64_t, const LoadEvent *> byRecord;
        for (const auto &e : *actual)
            if (e.sourceFile == samplePath.toStdString())
                byRecord[e.recordId] = &e;
        QCOMPARE(byRecord.size(), expected->size());
        for (const auto &e : *expected) {
            const LoadEvent *got = byRecord[e.recordId];
            QVERIFY(got);
            QCOMPARE(got->timeUs, e.timeUs);
            QVERIFY(got->fields == e.fields);
            QCOMPARE(got->commandLine, e.commandLine);
            QCOMPARE(got->sourceOffset, e.sourceOffset);
            QVERIFY(!got->recovered);
        }
    }
};

QTEST_GUILESS_MAIN(TestImportRecovered)
#include "tst_import_recovered.moc"
