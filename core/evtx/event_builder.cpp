#include "evtx/event_builder.h"

#include "evtx/evtx_bytes.h"

#include <charconv>

namespace loadlens::evtx {

void EventBuilder::begin(EventRecord &record)
{
    m_record = &record;
    m_stack.clear();
    m_attr = AttrTarget::None;
    m_text.clear();
    m_unnamedData = 0;
    m_sawSystem = false;
    m_bytes = 0;
    m_limitProblem.clear();
}

bool EventBuilder::charge(std::size_t added)
{
    m_bytes += added;
    if (m_bytes > kMaxRecordTextBytes) {
        m_limitProblem = "record expands to more than " + std::to_string(kMaxRecordTextBytes >> 20) + " MiB of text";
        return false;
    }
    if (m_chunkBytes + m_bytes > kMaxChunkTextBytes) {
        m_limitProblem = "the records of this chunk expand to more than " + std::to_string(kMaxChunkTextBytes >> 20) +
                         " MiB of text; this record is left out";
        return false;
    }
    return true;
}

bool EventBuilder::fieldFits(std::size_t size, const char *what)
{
    if (size <= kMaxFieldBytes)
        return true;
    m_limitProblem = std::string(what) + " longer than " + std::to_string(kMaxFieldBytes >> 20) + " MiB";
    if (!m_stack.empty() && m_stack.back().name)
        m_limitProblem += " in element " + m_stack.back().name->utf8.substr(0, 64);
    return false;
}

EventBuilder::Role EventBuilder::roleFor(const XmlName &name) const
{
    if (m_stack.empty())
        return name.known == KnownName::Event ? Role::Event : Role::Other;
    switch (m_stack.back().role) {
    case Role::Event:
        switch (name.known) {
        case KnownName::System: return Role::System;
        case KnownName::EventData: return Role::EventData;
        case KnownName::UserData: return Role::UserData;
        default: return Role::Other;
        }
    case Role::System:
        switch (name.known) {
        case KnownName::Provider: return Role::Provider;
        case KnownName::EventID: return Role::EventId;
        case KnownName::TimeCreated: return Role::TimeCreated;
        case KnownName::EventRecordID: return Role::RecordId;
        case KnownName::Channel: return Role::Channel;
        case KnownName::Computer: return Role::Computer;
        default: return Role::Other;
        }
    case Role::EventData: return Role::DataItem;
    case Role::UserData: case Role::UserDataItem: return Role::UserDataItem;
    default: return Role::Other;
    }
}

bool EventBuilder::collectingText() const
{
    if (m_stack.empty())
        return false;
    switch (m_stack.back().role) {
    case Role::EventId: case Role::RecordId: case Role::Channel: case Role::Computer: case Role::DataItem:
    case Role::UserDataItem: return true;
    default: return false;
    }
}

void EventBuilder::startElement(const XmlName &name)
{
    finishAttribute();
    const Role role = roleFor(name);
    if (!m_stack.empty())
        m_stack.back().hasChild = true;
    m_stack.push_back(Frame{role, false, false, &name});
    if (role == Role::System)
        m_sawSystem = true;
    if (role == Role::DataItem) {
        m_dataName.clear();
        m_dataHasName = false;
    }
    m_hasArray = false;
    m_text.clear();
}

void EventBuilder::attribute(const XmlName &name)
{
    finishAttribute();
    if (m_stack.empty())
        return;
    m_inAttribute = true;
    const Role role = m_stack.back().role;
    if (role == Role::Provider && name.known == KnownName::Name)
        m_attr = AttrTarget::ProviderName;
    else if (role == Role::TimeCreated && name.known == KnownName::SystemTime)
        m_attr = AttrTarget::SystemTime;
    else if (role == Role::DataItem && name.known == KnownName::Name)
        m_attr = AttrTarget::DataName;
    else
        return;
    m_attrText.clear();
    m_attrIsFileTime = false;
    m_attrPieces = 0;
}

void EventBuilder::finishAttribute()
{
    m_inAttribute = false;
    switch (m_attr) {
    case AttrTarget::None: return;
    case AttrTarget::ProviderName: m_record->provider = m_attrText; break;
    case AttrTarget::SystemTime:
        if (m_attrIsFileTime && m_attrPieces == 1)
            m_record->timeUs = fileTimeToUnixUs(m_attrFileTime);
        else
            parseIsoTimeUs(m_attrText, m_record->timeUs);
        break;
    case AttrTarget::DataName:
        m_dataName = m_attrText;
        m_dataHasName = true;
        break;
    }
    m_attr = AttrTarget::None;
}

void EventBuilder::closeStart() { finishAttribute(); }

void EventBuilder::text(std::string_view utf8)
{
    if (overLimit())
        return;
    if (m_attr != AttrTarget::None) {
        if (!fieldFits(m_attrText.size() + utf8.size(), "an attribute value") || !charge(utf8.size()))
            return;
        m_attrText += utf8;
        ++m_attrPieces;
    } else if (!m_inAttribute && collectingText()) {
        if (!fieldFits(m_text.size() + utf8.size(), "a field value") || !charge(utf8.size()))
            return;
        m_text += utf8;
    }
}

// One value's text is at most a few times its bytes (a 64 KiB value at most), so a field is
// checked against its limit after each value is appended.
void EventBuilder::value(const ValueRef &v, const std::uint8_t *chunk)
{
    if (overLimit())
        return;
    if (m_attr != AttrTarget::None) {
        ++m_attrPieces;
        if (v.type == vt::FileTime && v.size >= 8) {
            m_attrIsFileTime = true;
            m_attrFileTime = le64(chunk + v.pos);
        }
        const std::size_t before = m_attrText.size();
        appendValueText(m_attrText, v.type, chunk + v.pos, v.size);
        if (!fieldFits(m_attrText.size(), "an attribute value") || !charge(m_attrText.size() - before))
            m_attrText.clear();
    } else if (!m_inAttribute && collectingText()) {
        const Role role = m_stack.back().role;
        if ((v.type & vt::ArrayFlag) && (role == Role::DataItem || role == Role::UserDataItem)) {
            m_hasArray = true;
            m_arrayItems.clear();
            forEachArrayItem(v.type, chunk + v.pos, v.size, [&](std::string_view item) {
                if (charge(item.size() + kEntryOverhead))
                    m_arrayItems.emplace_back(item);
            });
            if (overLimit())
                m_arrayItems.clear();
            return;
        }
        const std::size_t before = m_text.size();
        appendValueText(m_text, v.type, chunk + v.pos, v.size);
        if (!fieldFits(m_text.size(), "a field value") || !charge(m_text.size() - before))
            m_text.clear();
    }
}

void EventBuilder::omitCurrent()
{
    if (m_inAttribute) {
        m_attr = AttrTarget::None;  // dropped: nothing of it is kept
        return;
    }
    if (!m_stack.empty())
        m_stack.back().omitted = true;
}

void EventBuilder::storeData(const std::string &key)
{
    if (overLimit() || !charge(key.size() + kEntryOverhead))
        return;
    auto [it, inserted] = m_record->data.try_emplace(key, m_text);
    if (!inserted) {
        if (!fieldFits(it->second.size() + 1 + m_text.size(), "a repeated field"))
            return;
        it->second += ',';
        it->second += m_text;
    }
}

std::string EventBuilder::dataKey(const Frame &frame)
{
    if (frame.role == Role::DataItem && m_dataHasName)
        return m_dataName;
    if (frame.role == Role::DataItem && frame.name->known == KnownName::Data)
        return "Data#" + std::to_string(++m_unnamedData);
    return frame.name->utf8;
}

void EventBuilder::endElement()
{
    finishAttribute();
    if (m_stack.empty())
        return;
    const Frame frame = m_stack.back();
    m_stack.pop_back();
    if (frame.omitted) {
        m_text.clear();
        return;
    }
    switch (frame.role) {
    case Role::EventId: {
        int id = 0;
        std::from_chars(m_text.data(), m_text.data() + m_text.size(), id);
        m_record->eventId = id;
        break;
    }
    case Role::RecordId: {
        std::uint64_t id = 0;
        std::from_chars(m_text.data(), m_text.data() + m_text.size(), id);
        m_record->recordId = id;
        break;
    }
    case Role::Channel: m_record->channel = m_text; break;
    case Role::Computer: m_record->computer = m_text; break;
    case Role::DataItem: case Role::UserDataItem:
        if (frame.role == Role::UserDataItem && frame.hasChild)
            break;  // only leaves carry values
        if (!m_hasArray) {
            storeData(dataKey(frame));
            break;
        }
        for (std::string &item : m_arrayItems) {  // one element per item, as Windows renders it
            m_text = std::move(item);
            storeData(dataKey(frame));
        }
        m_hasArray = false;
        break;
    default: break;
    }
    m_text.clear();
}

} // namespace loadlens::evtx
