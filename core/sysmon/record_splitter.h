#pragma once
// Streaming record splitters: text arrives in chunks of any size; complete records come out
// with the byte offset where they start, and damaged stretches come out as skips with their
// offset and cause. Only the unfinished tail is kept between chunks, bounded by kMaxRecordBytes.
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace loadlens::sysmon {

inline constexpr std::size_t kMaxRecordBytes = 16u << 20;

struct SplitterCallbacks {
    // A complete record; return false to stop.
    std::function<bool(std::string_view record, std::uint64_t offset)> record;
    // Bytes that could not form a record.
    std::function<void(std::uint64_t offset, std::string reason)> skip;
};

// <Event ...>...</Event> elements wherever they stand: inside an <Events> root, one after
// another without a root (wevtutil, evtxexport), or after a syslog prefix on each line
// (Sysmon for Linux). Everything between records is ignored.
class XmlEventSplitter {
public:
    explicit XmlEventSplitter(SplitterCallbacks callbacks) : m_cb(std::move(callbacks)) {}
    bool feed(std::string_view chunk);  // false once the record callback asked to stop
    void finish();
    std::uint64_t recordsSeen() const { return m_records; }

private:
    bool scan(bool atEnd);
    SplitterCallbacks m_cb;
    std::string m_pending;
    std::uint64_t m_base = 0;       // offset of m_pending[0] in the whole text
    std::size_t m_recordStart = std::string::npos;
    std::size_t m_scanFrom = 0;
    bool m_discarding = false;      // inside an oversized record: drop until the next start
    std::uint64_t m_records = 0;
};

// JSON objects, as JSON lines, as concatenated (pretty-printed) objects, or as the elements of
// one top-level array. In JSON-lines files a line that does not close its object is skipped by
// itself instead of swallowing the lines after it.
class JsonRecordSplitter {
public:
    explicit JsonRecordSplitter(SplitterCallbacks callbacks) : m_cb(std::move(callbacks)) {}
    bool feed(std::string_view chunk);
    void finish();
    std::uint64_t recordsSeen() const { return m_records; }
    // Deepest nesting of the last record (records deeper than 64 are skipped unparsed).
    static constexpr int kMaxDepth = 64;

private:
    bool scan(bool atEnd);
    void skipGarbage(std::size_t &i, bool atEnd);
    SplitterCallbacks m_cb;
    std::string m_pending;
    std::uint64_t m_base = 0;
    std::size_t m_pos = 0;          // scan position in m_pending
    std::size_t m_recordStart = std::string::npos;
    int m_depth = 0;
    int m_maxDepth = 0;
    bool m_inString = false;
    bool m_escape = false;
    bool m_sawContent = false;      // anything other than whitespace/BOM seen at top level
    bool m_lineMode = false;        // the first record was a single line followed by a newline
    bool m_modeKnown = false;
    bool m_recordHadNewline = false;
    std::uint64_t m_records = 0;
};

} // namespace loadlens::sysmon
