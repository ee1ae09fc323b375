#include "sysmon/json_record.h"

#include "sysmon/timestamps.h"
#include "sysmon/xml_record.h"

#include <array>
#include <charconv>
#include <limits>
#include <optional>
#include <nlohmann/json.hpp>

namespace loadlens::sysmon {

namespace {

using nlohmann::json;

const json *member(const json &object, std::string_view key)
{
    if (!object.is_object())
        return nullptr;
    const auto it = object.find(key);
    return it == object.end() ? nullptr : &*it;
}

const json *path(const json &object, std::initializer_list<std::string_view> keys)
{
    const json *node = &object;
    for (auto key : keys)
        if (!(node = member(*node, key)))
            return nullptr;
    return node;
}

std::string valueText(const json &v)
{
    switch (v.type()) {
    case json::value_t::string: return v.get_ref<const std::string &>();
    case json::value_t::boolean: return v.get<bool>() ? "true" : "false";
    case json::value_t::number_integer: return std::to_string(v.get<std::int64_t>());
    case json::value_t::number_unsigned: return std::to_string(v.get<std::uint64_t>());
    case json::value_t::null: return {};
    case json::value_t::object:
        if (const auto *text = member(v, "#text"))
            return valueText(*text);
        return v.dump();
    case json::value_t::array: {
        std::string out;
        for (const auto &item : v)
            out += (out.empty() ? "" : ", ") + valueText(item);
        return out;
    }
    default: return v.dump();
    }
}

std::string textOf(const json *v)
{
    return v ? valueText(*v) : std::string();
}

template<typename T>
bool numberOf(const json *v, T &out)
{
    if (!v)
        return false;
    if (v->is_number_integer() || v->is_number_unsigned()) {
        if (v->is_number_unsigned() ? v->get<std::uint64_t>() > std::uint64_t(std::numeric_limits<T>::max())
                                    : (v->get<std::int64_t>() < 0 ||
                                       std::uint64_t(v->get<std::int64_t>()) > std::uint64_t(std::numeric_limits<T>::max())))
            return false;
        out = static_cast<T>(v->is_number_unsigned() ? v->get<std::uint64_t>() : std::uint64_t(v->get<std::int64_t>()));
        return true;
    }
    if (v->is_string()) {
        const std::string &s = v->get_ref<const std::string &>();
        const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
        return ec == std::errc() && ptr == s.data() + s.size();
    }
    if (v->is_object())
        return numberOf(member(*v, "#text"), out);
    return false;
}

std::optional<std::int64_t> timeOf(const json *v)
{
    if (!v)
        return std::nullopt;
    if (v->is_string())
        return parseTimestampUs(v->get_ref<const std::string &>());
    if (v->is_number())
        return epochNumberToUs(v->get<double>());
    return std::nullopt;
}

// The first candidate that holds a time; returns its index (or -1).
int setTime(EventRecord &record, std::initializer_list<const json *> candidates)
{
    int index = 0;
    for (const json *candidate : candidates) {
        if (auto t = timeOf(candidate)) {
            record.timeUs = *t;
            return index;
        }
        ++index;
    }
    return -1;
}

void putField(std::map<std::string, std::string> &data, std::string key, std::string value)
{
    data.insert_or_assign(std::move(key), std::move(value));
}

// An EventData object: Name -> value; evtx_dump renders unnamed <Data> as "Data": {"#text": [...]}.
void addDataObject(const json &object, std::map<std::string, std::string> &data)
{
    if (!object.is_object())
        return;
    for (const auto &[key, value] : object.items()) {
        if (key == "#attributes")
            continue;
        if (key == "Data" && (value.is_array() || member(value, "#text"))) {
            const json &items = member(value, "#text") ? *member(value, "#text") : value;
            if (items.is_array()) {
                int n = 0;
                for (const auto &item : items)
                    putField(data, "Data[" + std::to_string(++n) + "]", valueText(item));
                continue;
            }
        }
        putField(data, key, valueText(value));
    }
}

// UserData is free-form: every scalar leaf by its key.
void addLeaves(const json &object, std::map<std::string, std::string> &data, int depth = 0)
{
    if (!object.is_object() || depth > 16)
        return;
    for (const auto &[key, value] : object.items()) {
        if (key == "#attributes")
            continue;
        if (value.is_object() && !member(value, "#text"))
            addLeaves(value, data, depth + 1);
        else
            putField(data, key, valueText(value));
    }
}

Status requireEventId(const json *v, EventRecord &record, std::string_view key)
{
    if (!v)
        return Error{0, "no " + std::string(key) + " in the JSON event"};
    if (!numberOf(v, record.eventId))
        return Error{0, std::string(key) + " is not a number: " + v->dump().substr(0, 40)};
    return Ok{};
}

Result<EventRecord> fromEvtxDump(const json &root)
{
    EventRecord r;
    const json &event = *member(root, "Event");
    const json *system = member(event, "System");
    if (!system || !system->is_object())
        return Error{0, "Event.System missing in the evtx_dump layout"};
    if (auto s = requireEventId(member(*system, "EventID"), r, "Event.System.EventID"); !s)
        return s.error();
    r.provider = textOf(path(*system, {"Provider", "#attributes", "Name"}));
    if (r.provider.empty())
        r.provider = textOf(path(*system, {"Provider", "Name"}));
    r.channel = textOf(member(*system, "Channel"));
    r.computer = textOf(member(*system, "Computer"));
    numberOf(member(*system, "EventRecordID"), r.recordId);
    setTime(r, {path(*system, {"TimeCreated", "#attributes", "SystemTime"}), path(*system, {"TimeCreated", "SystemTime"})});
    if (const auto *data = member(event, "EventData"))
        addDataObject(*data, r.data);
    if (const auto *user = member(event, "UserData"))
        addLeaves(*user, r.data);
    return r;
}

Result<EventRecord> fromWinlogbeat(const json &root, const json &w, bool version7)
{
    EventRecord r;
    if (auto s = requireEventId(member(w, "event_id"), r, version7 ? "winlog.event_id" : "event_id"); !s)
        return s.error();
    r.provider = textOf(member(w, version7 ? "provider_name" : "source_name"));
    r.channel = textOf(member(w, version7 ? "channel" : "log_name"));
    r.computer = textOf(member(w, "computer_name"));
    numberOf(member(w, version7 ? "record_id" : "record_number"), r.recordId);
    setTime(r, {member(root, "@timestamp"), path(w, {"event_data", "UtcTime"})});
    if (const auto *data = member(w, "event_data"))
        addDataObject(*data, r.data);
    if (const auto *user = member(w, "user_data"))
        addLeaves(*user, r.data);
    return r;
}

Result<EventRecord> fromAzure(const json &root)
{
    EventRecord r;
    if (auto s = requireEventId(member(root, "EventID"), r, "EventID"); !s)
        return s.error();
    r.provider = textOf(member(root, "Provider"));
    if (r.provider.empty())
        r.provider = textOf(member(root, "Source"));
    r.channel = textOf(member(root, "Channel"));
    r.computer = textOf(member(root, "Computer"));
    numberOf(member(root, "EventRecordId"), r.recordId);
    // System-like columns of the Event table; TimeGenerated, TenantId, _ResourceId,
    // SourceSystem, ManagementGroupName, EventOriginId and Type describe the ingestion.
    for (auto key : {"Task", "EventLevel", "EventCategory", "UserName", "ParameterXml", "TimeCreated"})
        if (const json *v = member(root, key); v && !v->is_null())
            putField(r.system, key, valueText(*v));
    const json &data = *member(root, "EventData");
    if (data.is_object()) {
        addDataObject(data, r.data);
    } else if (data.is_string()) {
        const std::string &text = data.get_ref<const std::string &>();
        const std::size_t first = text.find_first_not_of(" \t\r\n");
        if (first != std::string::npos && text[first] == '{') {
            json inner = json::parse(text, nullptr, false);
            if (inner.is_discarded() || !inner.is_object())
                return Error{0, "EventData is a string but not a serialized JSON object"};
            addDataObject(inner, r.data);
        } else if (first != std::string::npos && text[first] == '<') {
            if (auto s = parseEventDataXml(text, r.data); !s)
                return Error{0, "EventData string: " + s.error().message};
        }
    }
    // TimeGenerated is when Log Analytics received the row: the event's own time comes first.
    const auto utcTime = r.data.find("UtcTime");
    const json utc = utcTime == r.data.end() ? json() : json(utcTime->second);
    if (setTime(r, {member(root, "TimeCreated"), utcTime == r.data.end() ? nullptr : &utc,
                    member(root, "TimeGenerated")}) == 2)
        r.ingestionTime = true;
    return r;
}

// Keys of flat exports that describe the record or its transport, not the event's data.
bool isFlatEnvelopeKey(std::string_view key)
{
    static constexpr std::array<std::string_view, 36> keys{
        "EventID", "EventId", "SourceName", "ProviderName", "Provider", "Channel", "Hostname", "Computer",
        "ComputerName", "RecordNumber", "EventRecordID", "TimeCreated", "@timestamp", "@version", "Message",
        "Task", "Level", "Keywords", "ProviderGuid", "ExecutionProcessID", "ThreadID", "SourceModuleName",
        "SourceModuleType", "EventTime", "EventReceivedTime", "Severity", "SeverityValue", "Category",
        "Opcode", "OpcodeValue", "Version", "AccountType", "ERROR_EVT_UNRESOLVED", "tags", "host", "port"};
    for (auto k : keys)
        if (k == key)
            return true;
    return false;
}

// Envelope keys that say how or when the record was collected and shipped (Logstash, nxlog),
// or render it (Message): not part of the event's identity. "host" and "port" are the
// shipper's address in Logstash's TCP input.
bool isFlatIngestionKey(std::string_view key)
{
    static constexpr std::array<std::string_view, 10> keys{
        "@timestamp", "@version", "EventReceivedTime", "SourceModuleName", "SourceModuleType", "tags", "host",
        "port", "Message", "ERROR_EVT_UNRESOLVED"};
    for (auto k : keys)
        if (k == key)
            return true;
    return false;
}

// Envelope keys already held in the record's own fields.
bool isFlatNamedKey(std::string_view key)
{
    static constexpr std::array<std::string_view, 11> keys{
        "EventID", "EventId", "SourceName", "ProviderName", "Provider", "Channel", "Hostname", "Computer",
        "ComputerName", "RecordNumber", "EventRecordID"};
    for (auto k : keys)
        if (k == key)
            return true;
    return false;
}

Result<EventRecord> fromFlat(const json &root)
{
    EventRecord r;
    const json *id = member(root, "EventID");
    if (auto s = requireEventId(id ? id : member(root, "EventId"), r, "EventID"); !s)
        return s.error();
    for (auto key : {"SourceName", "ProviderName", "Provider"})
        if (r.provider.empty())
            r.provider = textOf(member(root, key));
    r.channel = textOf(member(root, "Channel"));
    for (auto key : {"Hostname", "Computer", "ComputerName"})
        if (r.computer.empty())
            r.computer = textOf(member(root, key));
    if (!numberOf(member(root, "RecordNumber"), r.recordId))
        numberOf(member(root, "EventRecordID"), r.recordId);
    if (setTime(r, {member(root, "TimeCreated"), member(root, "UtcTime"), member(root, "@timestamp"),
                    member(root, "EventTime")}) == 2)
        r.ingestionTime = true;
    for (const auto &[key, value] : root.items()) {
        if (value.is_object() || value.is_array())
            continue;
        if (!isFlatEnvelopeKey(key))
            putField(r.data, key, valueText(value));
        else if (!isFlatIngestionKey(key) && !isFlatNamedKey(key))
            putField(r.system, key, valueText(value));
    }
    return r;
}

Result<JsonLayout> layoutOf(const json &root)
{
    if (!root.is_object())
        return Error{0, "the JSON value is not an object"};
    if (const auto *event = member(root, "Event"); event && event->is_object())
        return JsonLayout::EvtxDump;
    if (const auto *w = member(root, "winlog"); w && w->is_object())
        return JsonLayout::Winlogbeat7;
    if (member(root, "event_data") || (member(root, "event_id") && member(root, "log_name")))
        return JsonLayout::Winlogbeat6;
    if (member(root, "EventData") && (member(root, "EventID") || member(root, "Provider")))
        return JsonLayout::AzureLogAnalytics;
    if (member(root, "EventID") || member(root, "EventId"))
        return JsonLayout::Flat;
    return Error{0, "JSON object of no known event layout (no Event, winlog, event_id, EventData or EventID key)"};
}

Result<json> parseObject(std::string_view text)
{
    try {
        return json::parse(text);
    } catch (const json::exception &e) {
        return Error{0, std::string("malformed JSON: ") + e.what()};
    }
}

} // namespace

std::string_view jsonLayoutName(JsonLayout layout)
{
    switch (layout) {
    case JsonLayout::EvtxDump: return "evtx_dump";
    case JsonLayout::Winlogbeat7: return "winlogbeat-7";
    case JsonLayout::Winlogbeat6: return "winlogbeat-6";
    case JsonLayout::AzureLogAnalytics: return "azure-log-analytics";
    case JsonLayout::Flat: return "flat";
    }
    return "unknown";
}

Result<JsonLayout> detectJsonLayout(std::string_view text)
{
    auto root = parseObject(text);
    if (!root)
        return root.error();
    return layoutOf(*root);
}

Result<EventRecord> parseEventJson(std::string_view text)
{
    auto root = parseObject(text);
    if (!root)
        return root.error();
    auto layout = layoutOf(*root);
    if (!layout)
        return layout.error();
    try {
        switch (*layout) {
        case JsonLayout::EvtxDump: return fromEvtxDump(*root);
        case JsonLayout::Winlogbeat7: return fromWinlogbeat(*root, *member(*root, "winlog"), true);
        case JsonLayout::Winlogbeat6: return fromWinlogbeat(*root, *root, false);
        case JsonLayout::AzureLogAnalytics: return fromAzure(*root);
        case JsonLayout::Flat: return fromFlat(*root);
        }
    } catch (const json::exception &e) {
        return Error{0, std::string("unexpected JSON value: ") + e.what()};
    }
    return Error{0, "JSON object of no known event layout"};
}

} // namespace loadlens::sysmon
