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

class EventBuilder {
public:
    void begin(EventRecord &record);
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
};

} // namespace loadlens::evtx
