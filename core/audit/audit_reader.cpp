#include "audit/audit_reader.h"

#include "audit/audit_classify.h"
#include "audit/audit_codes.h"
#include "common/compressed_input.h"

#include <algorithm>
#include <array>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::audit {

namespace {

using Clock = std::chrono::steady_clock;

constexpr std::size_t kChunkBytes = 1u << 20;
constexpr std::size_t kCheckEveryLines = 2048;
constexpr std::uint64_t kProgressEveryBytes = 16u << 20;

constexpr std::array kAllKinds{kind::PreloadConfigWrite, kind::LdConfigWrite,     kind::LdCacheWrite,
                               kind::LibraryWrite,       kind::LoaderEnvExec,     kind::AuditConfigChange,
                               kind::LibraryOpen,        kind::LoaderConfigRead,  kind::Irrelevant};

// Splits bytes into lines for an assembler while watching cancellation and the time budget.
class LineFeeder {
public:
    LineFeeder(EventAssembler &assembler, ImportReport &report, const AuditOptions &options, const CancelToken &cancel)
        : m_assembler(assembler), m_report(report), m_options(options), m_cancel(cancel)
    {
    }

    void beginFile(const std::string &path, std::uint64_t totalBytes)
    {
        m_path = path;
        m_total = totalBytes;
        m_nextProgress = 0;
        m_started = Clock::now();
        m_assembler.beginFile(path);
    }

    bool stopped() const { return m_stopped; }
    void note(std::string text) { m_report.notes.push_back(std::move(text)); }
    bool cancelled() const { return m_cancelled; }

    bool line(std::string_view text, std::uint64_t offset)
    {
        if (++m_lines % kCheckEveryLines == 0 && !checkLimits(offset))
            return false;
        if (!m_assembler.addLine(text, offset)) {
            stop("stopped by the receiver at offset " + std::to_string(offset) + " of " + m_path);
            return false;
        }
        return true;
    }

    void feedBuffer(std::string_view data)
    {
        std::size_t start = 0;
        while (start < data.size()) {
            const void *nl = std::memchr(data.data() + start, '\n', data.size() - start);
            const std::size_t end = nl ? std::size_t(static_cast<const char *>(nl) - data.data()) : data.size();
            if (end - start > m_options.maxLineBytes)
                m_assembler.skip(start, "line of " + std::to_string(end - start) + " bytes exceeds the limit of " +
                                            std::to_string(m_options.maxLineBytes));
            else if (!line(data.substr(start, end - start), start))
                return;
            start = end + 1;
        }
    }

    // Plain or gzip-compressed text (offsets then count decompressed bytes). A read error or
    // damaged gzip data stops the file there: the lines before it are kept, an incomplete last
    // line is dropped rather than parsed with its tail missing.
    Status feedReader(io::TextFileReader &reader)
    {
        std::string buffer(std::max(kChunkBytes, m_options.maxLineBytes + 1), '\0');
        std::string got;        // text from the reader not yet in the buffer, from gotAt on
        std::size_t gotAt = 0;
        std::size_t have = 0;
        std::uint64_t base = 0;  // file offset of buffer[0]
        bool discarding = false;
        for (;;) {
            if (have == buffer.size()) {
                if (!discarding)
                    m_assembler.skip(base, "line longer than " + std::to_string(buffer.size()) + " bytes");
                discarding = true;
                base += have;
                have = 0;
            }
            if (gotAt == got.size()) {
                gotAt = 0;
                if (auto s = reader.read(got, buffer.size() - have); !s) {
                    stop("reading stopped at offset " + std::to_string(base + have) + " of " + m_path);
                    return s;
                }
                if (got.empty())
                    break;
            }
            const std::size_t n = std::min(got.size() - gotAt, buffer.size() - have);
            std::memcpy(buffer.data() + have, got.data() + gotAt, n);
            gotAt += n;
            have += n;
            std::size_t start = 0;
            while (const void *nl = std::memchr(buffer.data() + start, '\n', have - start)) {
                const std::size_t end = std::size_t(static_cast<const char *>(nl) - buffer.data());
                if (discarding)
                    discarding = false;
                else if (end - start > m_options.maxLineBytes)
                    m_assembler.skip(base + start, "line of " + std::to_string(end - start) +
                                                       " bytes exceeds the limit of " +
                                                       std::to_string(m_options.maxLineBytes));
                else if (!line(std::string_view(buffer.data() + start, end - start), base + start))
                    return Ok{};
                start = end + 1;
            }
            std::memmove(buffer.data(), buffer.data() + start, have - start);
            base += start;
            have -= start;
            reportProgress(base);
        }
        if (have > 0 && !discarding)
            line(std::string_view(buffer.data(), have), base);
        reportProgress(m_total);
        return Ok{};
    }

private:
    bool checkLimits(std::uint64_t offset)
    {
        if (m_cancel.cancelled()) {
            m_cancelled = true;
            stop("cancelled at offset " + std::to_string(offset) + " of " + m_path);
            return false;
        }
        if (m_options.timeBudgetSeconds > 0 &&
            std::chrono::duration<double>(Clock::now() - m_started).count() > m_options.timeBudgetSeconds) {
            stop("time budget of " + std::to_string(m_options.timeBudgetSeconds) + " s exhausted at offset " +
                 std::to_string(offset) + " of " + m_path);
            return false;
        }
        return true;
    }

    void reportProgress(std::uint64_t done)
    {
        if (!m_options.progress || (done < m_nextProgress && done != m_total))
            return;
        m_nextProgress = done + kProgressEveryBytes;
        m_options.progress(std::size_t(done), std::size_t(m_total), "reading " + m_path);
    }

    void stop(const std::string &why)
    {
        if (m_stopped)
            return;
        m_stopped = true;
        m_report.complete = false;
        m_report.errors.push_back(why);
    }

    EventAssembler &m_assembler;
    ImportReport &m_report;
    const AuditOptions &m_options;
    const CancelToken &m_cancel;
    std::string m_path;
    std::uint64_t m_total = 0;
    std::uint64_t m_nextProgress = 0;
    std::uint64_t m_lines = 0;
    Clock::time_point m_started;
    bool m_stopped = false;
    bool m_cancelled = false;
};

// The classify-and-emit pipeline shared by the file, set and memory entry points.
class Ingest {
public:
    Ingest(const EventSink &sink, ImportReport &report, const AuditOptions &options, const CancelToken &cancel)
        : m_sink(sink), m_report(report), m_classifier(options.defaultHost),
          m_assembler(options.limits, report, [this](const AuditEvent &event) { return onEvent(event); }),
          m_feeder(m_assembler, report, options, cancel), m_started(Clock::now())
    {
        m_report.format = "auditd";
    }

    LineFeeder &feeder() { return m_feeder; }

    void finish()
    {
        // Events still open are complete as far as this input goes, unless the user cancelled.
        if (!m_feeder.cancelled() && !m_assembler.stopped())
            m_assembler.finish();
        for (std::size_t i = 0; i < kAllKinds.size(); ++i)
            if (m_counts[i])
                m_report.countsByKind["auditd " + std::string(kAllKinds[i])] += m_counts[i];
        m_report.notes.push_back(std::to_string(m_assembler.records()) + " records in " +
                                 std::to_string(m_assembler.events()) + " events; " +
                                 std::to_string(m_assembler.ignoredLines()) + " blank or comment lines");
        m_report.seconds += std::chrono::duration<double>(Clock::now() - m_started).count();
    }

private:
    bool onEvent(const AuditEvent &event)
    {
        const std::string_view eventKind = m_classifier.classify(event, m_event);
        for (std::size_t i = 0; i < kAllKinds.size(); ++i)
            if (kAllKinds[i] == eventKind) {
                ++m_counts[i];
                break;
            }
        if (eventKind == kind::Irrelevant)
            return true;
        m_event.sourceFile = std::string(event.sourceFile);
        ++m_report.imported;
        return m_sink(std::move(m_event));
    }

    const EventSink &m_sink;
    ImportReport &m_report;
    EventClassifier m_classifier;
    EventAssembler m_assembler;
    LineFeeder m_feeder;
    Clock::time_point m_started;
    std::array<std::uint64_t, kAllKinds.size()> m_counts{};
    LoadEvent m_event;
};

Status feedFile(LineFeeder &feeder, const std::string &path)
{
    auto reader = io::TextFileReader::open(path);
    if (!reader)
        return Error{reader.error().code, "audit log: " + reader.error().message};
    // The size of a compressed file says nothing about how much text it holds.
    feeder.beginFile(path, reader->gzip() ? 0 : reader->fileSize());
    if (reader->gzip())
        feeder.note("decompressed from gzip; record offsets count bytes of the decompressed text");
    return feeder.feedReader(*reader);
}

} // namespace

Status readAuditLog(const std::string &path, const EventSink &sink, ImportReport &report,
                    const AuditOptions &options, const CancelToken &cancel)
{
    report.file = path;
    Ingest ingest(sink, report, options, cancel);
    Status status = feedFile(ingest.feeder(), path);
    if (!status) {
        report.complete = false;
        report.errors.push_back(status.error().message);
    }
    ingest.finish();
    return status;
}

std::vector<std::string> rotatedAuditFiles(const std::string &basePath, std::vector<std::string> *unreadable)
{
    const std::size_t slash = basePath.rfind('/');
    const std::string dir = slash == std::string::npos ? "." : basePath.substr(0, slash == 0 ? 1 : slash);
    const std::string base = slash == std::string::npos ? basePath : basePath.substr(slash + 1);
    std::vector<std::pair<unsigned long, std::string>> rotated;
    if (DIR *d = ::opendir(dir.c_str())) {
        while (const dirent *entry = ::readdir(d)) {
            const std::string_view name = entry->d_name;
            if (name.size() <= base.size() + 1 || name.substr(0, base.size()) != base || name[base.size()] != '.')
                continue;
            const std::string_view suffix = name.substr(base.size() + 1);
            const std::size_t digits = suffix.find_first_not_of("0123456789");
            if (digits == 0 || (digits != std::string_view::npos && digits > 9))
                continue;
            const std::string full = (dir == "/" ? "" : dir) + "/" + std::string(name);
            // audit.log.3.gz as logrotate compresses it: read through zlib like any gzip file
            // (the reader tells gzip by its magic bytes, not by the name).
            if (digits != std::string_view::npos && suffix.substr(digits) != ".gz") {
                if (unreadable)
                    unreadable->push_back(full);  // audit.log.3.xz and the like
                continue;
            }
            rotated.emplace_back(std::stoul(std::string(suffix.substr(0, digits))), full);
        }
        ::closedir(d);
    }
    std::sort(rotated.begin(), rotated.end(), [](const auto &a, const auto &b) { return a.first > b.first; });
    std::vector<std::string> files;
    for (auto &[number, path] : rotated)
        files.push_back(std::move(path));
    files.push_back(basePath);
    return files;
}

Status readAuditLogSet(const std::string &basePath, const EventSink &sink, ImportReport &report,
                       const AuditOptions &options, const CancelToken &cancel)
{
    report.file = basePath;
    std::vector<std::string> unreadable;
    const std::vector<std::string> files = rotatedAuditFiles(basePath, &unreadable);
    for (const std::string &path : unreadable)
        report.notes.push_back("not read (unknown suffix; only gzip is decompressed): " + path);
    Ingest ingest(sink, report, options, cancel);
    Status status = Ok{};
    std::string order;
    for (const std::string &path : files) {
        if (ingest.feeder().stopped())
            break;
        Status one = feedFile(ingest.feeder(), path);
        order += (order.empty() ? "" : ", ") + path;
        if (!one) {
            report.complete = false;
            report.errors.push_back(one.error().message);
            if (status)
                status = one;
        }
    }
    report.notes.push_back("read in order: " + order);
    ingest.finish();
    return status;
}

Status parseAuditLogBuffer(std::string_view data, const std::string &sourceName, const EventSink &sink,
                           ImportReport &report, const AuditOptions &options, const CancelToken &cancel)
{
    report.file = sourceName;
    Ingest ingest(sink, report, options, cancel);
    ingest.feeder().beginFile(sourceName, data.size());
    ingest.feeder().feedBuffer(data);
    ingest.finish();
    return Ok{};
}

Status forEachAuditEvent(const std::string &path, const EventAssembler::EventFn &onEvent, ImportReport &report,
                         const AuditOptions &options, const CancelToken &cancel)
{
    report.file = path;
    report.format = "auditd";
    EventAssembler assembler(options.limits, report, onEvent);
    LineFeeder feeder(assembler, report, options, cancel);
    Status status = feedFile(feeder, path);
    if (!status) {
        report.complete = false;
        report.errors.push_back(status.error().message);
    }
    if (!feeder.cancelled() && !assembler.stopped())
        assembler.finish();
    return status;
}

} // namespace loadlens::audit
