#include "ingest/importer.h"

#include "audit/audit_reader.h"
#include "evtx/evtx_reader.h"
#include "hijacklibs/hijacklibs.h"
#include "ingest/snapshot_events.h"
#include "store/bundle_import.h"
#include "store/event_store.h"
#include "store/format_detect.h"
#include "store/snapshot_reader.h"
#include "sysmon/event_classifier.h"
#include "sysmon/event_key.h"
#include "sysmon/sysmon_readers.h"

#include <chrono>

namespace loadlens::ingest {

namespace {

// The high verdicts of the bundle's snapshots as events of source "snapshot" (see
// snapshot_events.h), written through the target's event writer so both stores get them.
void addSnapshotEvents(const ImportTarget &target, const std::string &path, ImportReport &report)
{
    if (!target.eventWriter)
        return;
    auto bundle = store::CaseDatabase::open(path, store::OpenMode::ReadBundle);
    if (!bundle) {
        report.notes.push_back("snapshot events not added: " + bundle.error().message);
        return;
    }
    ImportReport scratch;
    auto snapshots = store::completeBundleSnapshots(*bundle, path, scratch);
    if (!snapshots) {
        report.notes.push_back("snapshot events not added: " + snapshots.error().message);
        return;
    }
    auto writer = target.eventWriter();
    std::uint64_t made = 0;
    for (std::int64_t id : *snapshots) {
        auto stored = store::readSnapshot(*bundle, id);
        if (!stored) {
            report.notes.push_back("snapshot events not added for snapshot " + std::to_string(id) + ": " +
                                   stored.error().message);
            continue;
        }
        for (const auto &e : snapshotEvents(stored->scan, path)) {
            ++made;
            if (!writer->add(e))
                break;
        }
    }
    (void)writer->finish();
    if (writer->error()) {
        report.errors.push_back("snapshot events: " + writer->error()->message);
        report.complete = false;
        return;
    }
    if (made > 0)
        report.notes.push_back(std::to_string(made) + " high verdicts on the event timeline as snapshot events (" +
                               std::to_string(writer->imported()) + " new)");
}

void mergeEvtxReport(const evtx::EvtxReport &from, ImportReport &to)
{
    to.recordsRead = from.recordsRead + from.recordsSkipped;
    to.skipped = from.recordsSkipped;
    to.skippedRecords = from.skippedRecords;
    to.recovered = from.recordsRecovered;
    to.recoveredSkipped = from.recoveredSkipped;
    to.recoveredSkippedRecords = from.recoveredSkippedRecords;
    for (const auto &chunk : from.badChunks)
        to.errors.push_back("chunk at offset " + std::to_string(chunk.offset) + " skipped: " + chunk.reason);
    for (const auto &note : from.notes)
        to.notes.push_back(note);
    to.complete = from.complete;
}

} // namespace

Importer::Importer(ImportOptions options)
    : m_options(std::move(options))
{
    if (m_options.hijackLibsDir.empty())
        return;
    hijacklibs::LoadReport report;
    auto dataset = hijacklibs::Dataset::loadDirectory(m_options.hijackLibsDir, report, m_options.cancel);
    if (!dataset) {
        m_datasetProblems.push_back("HijackLibs dataset not used: " + dataset.error().message);
        return;
    }
    for (const auto &p : report.problems)
        m_datasetProblems.push_back("HijackLibs: " + p.file + ": " + p.message);
    m_dataset = std::make_unique<hijacklibs::Dataset>(std::move(*dataset));
}

Importer::~Importer() = default;

ImportTarget sqliteTarget(const store::CaseDatabase &db)
{
    ImportTarget target;
    target.eventWriter = [&db] { return std::make_unique<store::EventWriter>(db); };
    target.snapshots = &db;
    target.name = db.path();
    return target;
}

ImportReport Importer::importEvents(const ImportTarget &target, const std::string &path, std::string_view format)
{
    ImportReport report;
    report.file = path;
    report.format = std::string(format);
    std::unique_ptr<store::EventBatchWriter> writerPtr = target.eventWriter();
    store::EventBatchWriter &writer = *writerPtr;
    auto sink = writer.sink();
    std::uint64_t delivered = 0;
    auto counted = [&](LoadEvent &&event) {
        const bool more = sink(std::move(event));
        if (m_options.progress && (++delivered % 4096) == 0)
            m_options.progress(delivered, 0, "importing " + path);
        return more;
    };
    const sysmon::EventClassifier classifier(m_dataset.get());
    sysmon::VerdictCache verdicts(classifier);
    sysmon::OccurrenceKeys occurrences;
    auto judged = [&](EventRecord &&record) {
        LoadEvent event = sysmon::judgeRecord(std::move(record), path, verdicts);
        // Identical records without record ids are distinct events: number their repeats. A
        // recovered record is an older copy, not a repeat: it keeps the key of its first occurrence.
        if (!event.contentKey.empty() && !event.recovered)
            event.contentKey = occurrences.next(event.contentKey);
        return counted(std::move(event));
    };

    Status status = Ok{};
    if (format == "evtx") {
        evtx::EvtxOptions options;
        options.timeBudget = std::chrono::milliseconds(static_cast<long long>(m_options.timeBudgetSeconds * 1000));
        evtx::EvtxReport evtxReport;
        // Per-EID counts like the text readers give.
        auto countingSink = [&](EventRecord &&record) {
            if (!record.recovered)
                ++report.countsByKind[sysmon::eventCountKey(record)];
            return judged(std::move(record));
        };
        status = evtx::readEvtx(path, countingSink, evtxReport, options, m_options.cancel);
        mergeEvtxReport(evtxReport, report);
    } else if (format == "sysmon-xml") {
        status = sysmon::readSysmonXml(path, judged, report, m_options.cancel);
    } else if (format == "sysmon-json") {
        status = sysmon::readSysmonJson(path, judged, report, m_options.cancel);
    } else {
        audit::AuditOptions options;
        options.defaultHost = m_options.defaultHost;
        options.timeBudgetSeconds = m_options.timeBudgetSeconds;
        status = audit::readAuditLog(path, counted, report, options, m_options.cancel);
    }
    if (!status) {
        // Readers often list their own failure already; say it once.
        if (report.errors.empty() || report.errors.back() != status.error().message)
            report.errors.push_back(status.error().message);
        report.complete = false;
    }
    if (auto finished = writer.finish(); !finished) {
        report.errors.push_back(finished.error().message);
        report.complete = false;
    }
    // What was stored is the writer's to say; a reader's own count of events it handed on is not.
    report.imported = 0;
    report.duplicates = 0;
    writer.fillReport(report);
    if (m_options.cancel.cancelled()) {
        report.complete = false;
        report.notes.push_back("cancelled: the events read so far are stored; importing the file again completes it");
    }
    return report;
}

ImportReport Importer::importFile(const store::CaseDatabase &db, const std::string &path)
{
    return importFile(sqliteTarget(db), path);
}

ImportReport Importer::importFile(const ImportTarget &target, const std::string &path)
{
    const auto started = std::chrono::steady_clock::now();
    ImportReport report;
    auto format = store::detectFileFormat(path);
    if (!format) {
        report.file = path;
        report.complete = false;
        report.errors.push_back(format.error().message);
        return report;
    }
    if ((*format == store::FileFormat::Bundle || *format == store::FileFormat::Evtx ||
         *format == store::FileFormat::OtherSqlite) &&
        store::isGzipFile(path)) {
        // Those readers need random access to the file itself; only text formats are read
        // through the decompressor.
        report.file = path;
        report.format = std::string(store::formatName(*format));
        report.complete = false;
        report.errors.push_back("cannot import " + path + ": a gzip-compressed " + report.format +
                                " file; decompress it first (gunzip -k)");
        return report;
    }
    switch (*format) {
    case store::FileFormat::Bundle: {
        if (!target.snapshots && !target.bundles) {
            report.file = path;
            report.format = std::string(store::formatName(*format));
            report.complete = false;
            report.errors.push_back("cannot import " + path + " into " + target.name +
                                    ": this store takes no snapshot bundles");
            break;
        }
        store::BundleImportOptions bundle;
        if (m_options.processesPerBatch > 0)
            bundle.processesPerBatch = m_options.processesPerBatch;
        bundle.progress = m_options.progress;
        bundle.cancel = m_options.cancel;
        report = target.snapshots ? store::importBundle(*target.snapshots, path, bundle) : target.bundles(path, bundle);
        if (report.errors.empty() && report.complete)
            addSnapshotEvents(target, path, report);
        break;
    }
    case store::FileFormat::Evtx:
        report = importEvents(target, path, "evtx");
        break;
    case store::FileFormat::Xml:
        report = importEvents(target, path, "sysmon-xml");
        break;
    case store::FileFormat::Json:
        report = importEvents(target, path, "sysmon-json");
        break;
    case store::FileFormat::Auditd:
        report = importEvents(target, path, "auditd");
        break;
    case store::FileFormat::WindowsTriageReport:
        report.file = path;
        report.format = std::string(store::formatName(*format));
        report.complete = false;
        report.errors.push_back("cannot import " + path +
                                ": a windows-triage JSON report; write the triage as a bundle "
                                "(loadlens-cli windows-triage --root DIR --bundle FILE) and import that");
        break;
    case store::FileFormat::OtherSqlite:
    case store::FileFormat::Unknown:
        report.file = path;
        report.format = std::string(store::formatName(*format));
        report.complete = false;
        report.errors.push_back("cannot import " + path +
                                ": the format is not recognised (not a LoadLens bundle, EVTX, Sysmon XML/JSON "
                                "or audit log)");
        break;
    }
    report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return report;
}

ImportReport importFile(const store::CaseDatabase &db, const std::string &path, const ImportOptions &options)
{
    Importer importer(options);
    return importer.importFile(db, path);
}

} // namespace loadlens::ingest
