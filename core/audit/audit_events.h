#pragma once
// Groups audit records into events. The kernel writes the records of one event (SYSCALL, PATH,
// CWD, EXECVE, PROCTITLE, EOE, ...) under one (timestamp, serial) stamp, per node; records of
// different events may interleave and arrive out of order. An event is complete at its EOE,
// or once `reorderWindow` further records went by without one of its own, or at the end.
// Memory stays flat: at most `maxOpenEvents` events are held, each at most `maxEventBytes`.
#include "common/events.h"

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace loadlens::audit {

struct AuditRecord {
    std::string_view type;
    std::string_view body;  // the fields after the header (see audit_record.h)
    std::uint64_t offset = 0;      // byte offset of the line in its file
    std::uint64_t lineNumber = 0;  // 1-based, in its file
};

struct AuditEvent {
    std::string_view node;
    std::int64_t seconds = 0;
    std::uint32_t millis = 0;
    std::uint64_t serial = 0;
    std::string_view sourceFile;
    std::uint64_t offset = 0;  // offset of the first record
    std::vector<AuditRecord> records;  // in the order they were read

    std::int64_t timeUs() const { return seconds * 1000000 + std::int64_t(millis) * 1000; }
};

struct AssemblerLimits {
    std::size_t reorderWindow = 4096;
    std::size_t maxOpenEvents = 8192;
    std::size_t maxEventBytes = 4u << 20;
    std::size_t recentlyClosed = 8192;    // keys remembered to recognise late records
    std::size_t maxSkippedExamples = 200; // ImportReport::skippedRecords kept
};

class EventAssembler {
public:
    // Called for every complete event; the views are valid during the call only. Return false
    // to stop reading.
    using EventFn = std::function<bool(const AuditEvent &event)>;

    EventAssembler(const AssemblerLimits &limits, ImportReport &report, EventFn onEvent);
    ~EventAssembler();
    EventAssembler(const EventAssembler &) = delete;
    EventAssembler &operator=(const EventAssembler &) = delete;

    // Starts a new file: offsets and line numbers restart, skip reasons name the file.
    void beginFile(const std::string &path);
    // One line without its newline; false once the callback asked to stop.
    bool addLine(std::string_view line, std::uint64_t offset);
    // Reports a stretch that could not be read as a line (e.g. longer than the line limit).
    void skip(std::uint64_t offset, const std::string &reason);
    // Closes every open event; false when the callback asked to stop.
    bool finish();

    std::uint64_t records() const { return m_records; }
    std::uint64_t events() const { return m_events; }
    std::uint64_t ignoredLines() const { return m_ignoredLines; }
    bool stopped() const { return m_stopped; }

private:
    struct Pending;
    struct Key {
        std::string node;
        std::int64_t seconds;
        std::uint32_t millis;
        std::uint64_t serial;
        bool operator==(const Key &o) const
        {
            return serial == o.serial && seconds == o.seconds && millis == o.millis && node == o.node;
        }
    };
    struct KeyHash {
        std::size_t operator()(const Key &k) const;
    };

    Pending *findOpen(const Key &key);
    bool close(Pending *event);
    bool closeExpired();
    void rememberClosed(const Key &key);

    AssemblerLimits m_limits;
    ImportReport &m_report;
    EventFn m_onEvent;
    std::string m_file;
    std::uint64_t m_lineNumber = 0;
    std::uint64_t m_records = 0;
    std::uint64_t m_events = 0;
    std::uint64_t m_ignoredLines = 0;
    bool m_stopped = false;

    std::deque<Pending *> m_order;  // open events (and closed ones not yet popped), oldest first
    std::unordered_map<Key, Pending *, KeyHash> m_open;
    std::vector<std::unique_ptr<Pending>> m_pool;
    std::vector<Pending *> m_free;
    Pending *m_last = nullptr;
    std::unordered_set<Key, KeyHash> m_closedKeys;
    std::deque<Key> m_closedOrder;
    AuditEvent m_view;
};

} // namespace loadlens::audit
