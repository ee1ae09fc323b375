#pragma once
// Turns the element/attribute/text stream of one expanded record into an EventRecord: the
// System fields LoadLens uses, EventData by the Name attribute of each Data, and UserData leaves
// by element name. Only the elements it keeps have their values converted to text.
#include "common/events.h"
#include "evtx/binxml.h"

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::evtx {

// What one record, and all the records of one chunk, may expand to. A real event is a few KB of
// text and a 64 KiB chunk holds well under 1 MiB of it; a crafted template that repeats a large
// value (or a BinXml value that instantiates the template again) could otherwise grow without
// end. Each stored field also costs kEntryOverhead, so many tiny fields count too.
constexpr std::size_t kMaxRecordTextBytes = std::size_t(4) << 20;
constexpr std::size_t kMaxFieldBytes = std::size_t(1) << 20;
constexpr std::size_t kMaxChunkTextBytes = std::size_t(8) << 20;
constexpr std::size_t kEntryOverhead = 64;

class EventBuilder {
public:
    // Starts a chunk: its records share kMaxChunkTextBytes.
    void beginChunk() { m_chunkBytes = 0; }
    void begin(EventRecord &record);
    // The record was delivered: its bytes count against the chunk's budget.
    void commit() { m_chunkBytes += m_bytes; }
    void startElement(const XmlName &name);
    void attribute(const XmlName &name);
    void closeStart();
    void endElement();
    void text(std::string_view utf8);
    void value(const ValueRef &v, const std::uint8_t *chunk);
    // An optional substitution without a value: the attribute or element it fills is left out,
    // as Windows renders it.
    void omitCurrent();
    // True when the record had an Event root with a System element.
    bool sawSystem() const { return m_sawSystem; }
    // Set once the record went over one of the limits above; the record is then incomplete and
    // must be skipped. `limitProblem` says which limit and by what.
    bool overLimit() const { return !m_limitProblem.empty(); }
    const std::string &limitProblem() const { return m_limitProblem; }

private:
    enum class Role : std::uint8_t {
        Other, Event, System, Provider, EventId, TimeCreated, RecordId, Channel, Computer,
        EventData, DataItem, UserData, UserDataItem,
    };
    enum class AttrTarget : std::uint8_t { None, ProviderName, SystemTime, DataName };
    struct Frame {
        Role role;
        bool hasChild;
        bool omitted;
        const XmlName *name;
    };

    Role roleFor(const XmlName &name) const;
    bool collectingText() const;
    void finishAttribute();
    void storeData(const std::string &key);
    std::string dataKey(const Frame &frame);
    // Accounts `added` more bytes of this record; false (and the problem set) past a limit.
    bool charge(std::size_t added);
    // False (and the problem set) when a field would grow past kMaxFieldBytes.
    bool fieldFits(std::size_t size, const char *what);

    EventRecord *m_record = nullptr;
    std::vector<Frame> m_stack;
    AttrTarget m_attr = AttrTarget::None;
    bool m_inAttribute = false;
    std::string m_attrText;
    bool m_attrIsFileTime = false;
    std::uint64_t m_attrFileTime = 0;
    int m_attrPieces = 0;
    std::string m_text;
    std::string m_dataName;
    bool m_dataHasName = false;
    unsigned m_unnamedData = 0;
    bool m_sawSystem = false;
    std::vector<std::string> m_arrayItems;  // an array value filling a data element
    bool m_hasArray = false;
    std::size_t m_bytes = 0;       // text this record has produced so far
    std::size_t m_chunkBytes = 0;  // text of the chunk's records delivered so far
    std::string m_limitProblem;
};

} // namespace loadlens::evtx
