#include "sysmon/xml_record.h"

#include "sysmon/timestamps.h"

#include <charconv>
#include <expat.h>
#include <string>
#include <vector>

namespace loadlens::sysmon {

namespace {

constexpr std::size_t kMaxDepth = 64;

std::string_view localName(const XML_Char *name)
{
    std::string_view n(name);
    const std::size_t colon = n.rfind(':');
    return colon == std::string_view::npos ? n : n.substr(colon + 1);
}

const XML_Char *attribute(const XML_Char **atts, std::string_view wanted)
{
    for (int i = 0; atts[i] && atts[i + 1]; i += 2)
        if (localName(atts[i]) == wanted)
            return atts[i + 1];
    return nullptr;
}

template<typename T>
bool parseUnsigned(std::string_view text, T &out)
{
    while (!text.empty() && (text.front() == ' ' || text.front() == '\n' || text.front() == '\r' || text.front() == '\t'))
        text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\n' || text.back() == '\r' || text.back() == '\t'))
        text.remove_suffix(1);
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && ptr == text.data() + text.size();
}

// Collects what the handlers see. Element paths are kept as local names.
struct Collector {
    EventRecord record;
    std::map<std::string, std::string> *dataOut = nullptr;  // where Data values go
    bool systemWanted = true;
    std::vector<std::string> path;
    std::string text;
    std::string dataName;       // Name of the open EventData/Data
    int unnamedData = 0;
    bool sawEventId = false;
    std::string eventIdText;
    std::string recordIdText;
    std::string timeText;
    std::string error;
    XML_Parser parser = nullptr;

    bool inside(std::string_view name) const
    {
        for (const auto &p : path)
            if (p == name)
                return true;
        return false;
    }
    void stop(std::string why)
    {
        if (error.empty())
            error = std::move(why);
        XML_StopParser(parser, XML_FALSE);
    }
    void putData(std::string key, std::string value)
    {
        auto &map = *dataOut;
        if (map.count(key)) {
            for (int n = 2;; ++n) {
                std::string alt = key + "[" + std::to_string(n) + "]";
                if (!map.count(alt)) {
                    key = std::move(alt);
                    break;
                }
            }
        }
        map.emplace(std::move(key), std::move(value));
    }
};

void XMLCALL onStart(void *user, const XML_Char *name, const XML_Char **atts)
{
    auto &c = *static_cast<Collector *>(user);
    if (c.path.size() >= kMaxDepth) {
        c.stop("elements nested deeper than 64 levels");
        return;
    }
    const std::string_view local = localName(name);
    c.text.clear();
    if (c.systemWanted && !c.path.empty() && c.path.back() == "System") {
        if (local == "Provider") {
            if (const auto *v = attribute(atts, "Name"))
                c.record.provider = v;
        } else if (local == "TimeCreated") {
            if (const auto *v = attribute(atts, "SystemTime"))
                c.timeText = v;
        } else if (local == "Execution" || local == "Security" || local == "Correlation") {
            for (const XML_Char **a = atts; a && a[0] && a[1]; a += 2)
                c.record.system[std::string(local) + "." + std::string(localName(a[0]))] = a[1];
        }
    }
    if (local == "Data" && c.inside("EventData")) {
        const auto *n = attribute(atts, "Name");
        c.dataName = n ? std::string(n) : "Data[" + std::to_string(++c.unnamedData) + "]";
    }
    c.path.emplace_back(local);
}

void XMLCALL onEnd(void *user, const XML_Char *name)
{
    auto &c = *static_cast<Collector *>(user);
    const std::string_view local = localName(name);
    if (c.path.empty())
        return;
    c.path.pop_back();
    const std::string_view parent = c.path.empty() ? std::string_view() : std::string_view(c.path.back());
    if (c.systemWanted && parent == "System") {
        if (local == "EventID") {
            c.eventIdText = c.text;
            c.sawEventId = true;
        } else if (local == "EventRecordID") {
            c.recordIdText = c.text;
        } else if (local == "Channel") {
            c.record.channel = c.text;
        } else if (local == "Computer") {
            c.record.computer = c.text;
        } else if (local == "Version" || local == "Level" || local == "Task" || local == "Opcode" ||
                   local == "Keywords") {
            c.record.system[std::string(local)] = c.text;
        }
    } else if (local == "Data" && parent == "EventData") {
        c.putData(std::move(c.dataName), c.text);
        c.dataName.clear();
    } else if (c.inside("UserData") && local != "UserData" && !c.text.empty()) {
        c.putData(std::string(local), c.text);
    }
    c.text.clear();
}

void XMLCALL onText(void *user, const XML_Char *s, int len)
{
    auto &c = *static_cast<Collector *>(user);
    if (len > 0)
        c.text.append(s, static_cast<std::size_t>(len));
}

void XMLCALL onDoctype(void *user, const XML_Char *, const XML_Char *, const XML_Char *, int)
{
    static_cast<Collector *>(user)->stop("a DOCTYPE inside an event record");
}

void XMLCALL onEntityDecl(void *user, const XML_Char *, int, const XML_Char *, int, const XML_Char *,
                          const XML_Char *, const XML_Char *, const XML_Char *)
{
    static_cast<Collector *>(user)->stop("an entity declaration inside an event record");
}

Status runParser(std::string_view xml, Collector &c)
{
    XML_Parser parser = XML_ParserCreate("UTF-8");
    if (!parser)
        return Error{ENOMEM, "cannot create an XML parser"};
    c.parser = parser;
    XML_SetUserData(parser, &c);
    XML_SetElementHandler(parser, onStart, onEnd);
    XML_SetCharacterDataHandler(parser, onText);
    XML_SetStartDoctypeDeclHandler(parser, onDoctype);
    XML_SetEntityDeclHandler(parser, onEntityDecl);
    XML_SetParamEntityParsing(parser, XML_PARAM_ENTITY_PARSING_NEVER);
    const auto status = XML_Parse(parser, xml.data(), static_cast<int>(xml.size()), XML_TRUE);
    std::string message;
    if (!c.error.empty())
        message = c.error;
    else if (status != XML_STATUS_OK)
        message = std::string(XML_ErrorString(XML_GetErrorCode(parser))) + " at line " +
                  std::to_string(XML_GetCurrentLineNumber(parser)) + ", column " +
                  std::to_string(XML_GetCurrentColumnNumber(parser));
    XML_ParserFree(parser);
    if (!message.empty())
        return Error{0, "malformed event XML: " + message};
    return Ok{};
}

} // namespace

Result<EventRecord> parseEventXml(std::string_view xml)
{
    if (xml.size() > static_cast<std::size_t>(INT32_MAX))
        return Error{0, "event XML too large"};
    Collector c;
    c.dataOut = &c.record.data;
    auto status = runParser(xml, c);
    if (!status)
        return status.error();
    if (!c.sawEventId)
        return Error{0, "no System/EventID in the event"};
    if (!parseUnsigned(c.eventIdText, c.record.eventId))
        return Error{0, "System/EventID is not a number: \"" + c.eventIdText.substr(0, 40) + "\""};
    if (!c.recordIdText.empty() && !parseUnsigned(c.recordIdText, c.record.recordId))
        return Error{0, "System/EventRecordID is not a number: \"" + c.recordIdText.substr(0, 40) + "\""};
    if (auto t = parseTimestampUs(c.timeText))
        c.record.timeUs = *t;
    if (!c.timeText.empty())
        c.record.system["TimeCreated"] = c.timeText;  // to the 100 ns the export gives
    return std::move(c.record);
}

Status parseEventDataXml(std::string_view xml, std::map<std::string, std::string> &data)
{
    if (xml.size() > static_cast<std::size_t>(INT32_MAX))
        return Error{0, "event data XML too large"};
    Collector c;
    c.systemWanted = false;
    c.dataOut = &data;
    return runParser(xml, c);
}

} // namespace loadlens::sysmon
