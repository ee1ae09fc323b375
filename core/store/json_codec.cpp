#include "store/json_codec.h"

#include <nlohmann/json.hpp>

namespace loadlens::store {

using nlohmann::json;

namespace {

std::string dump(const json &value) { return value.dump(-1, ' ', false, json::error_handler_t::replace); }

json parseOrNull(const std::string &text)
{
    return json::parse(text, nullptr, false);  // discarded (no exception) on malformed text
}

// Appends `text` as a JSON string exactly as dump() writes it. Text of ASCII bytes only is
// escaped here (the common case, and by far the cheapest); text with other bytes goes through
// nlohmann, whose replacement of bytes that are not UTF-8 is the stored contract.
void appendString(std::string &out, std::string_view text)
{
    static constexpr char kHex[] = "0123456789abcdef";
    std::size_t plain = 0;  // the leading bytes that need no escape
    while (plain < text.size()) {
        const auto c = static_cast<unsigned char>(text[plain]);
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\')
            break;
        ++plain;
    }
    for (std::size_t i = plain; i < text.size(); ++i)
        if (static_cast<unsigned char>(text[i]) >= 0x80) {
            out += dump(json(std::string(text)));
            return;
        }
    out.push_back('"');
    out.append(text.data(), plain);
    for (std::size_t i = plain; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        switch (c) {
        case '"': out += "\\\""; break;
        case '\\': out += "\\\\"; break;
        case '\b': out += "\\b"; break;
        case '\f': out += "\\f"; break;
        case '\n': out += "\\n"; break;
        case '\r': out += "\\r"; break;
        case '\t': out += "\\t"; break;
        default:
            if (c < 0x20) {
                out += "\\u00";
                out.push_back(kHex[c >> 4]);
                out.push_back(kHex[c & 0xF]);
            } else {
                out.push_back(static_cast<char>(c));
            }
        }
    }
    out.push_back('"');
}

std::string stringAt(const json &object, const char *key)
{
    auto it = object.find(key);
    return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

} // namespace

Level levelFromInt(std::int64_t value)
{
    if (value < static_cast<int>(Level::Ok) || value > static_cast<int>(Level::High))
        return Level::Info;
    return static_cast<Level>(value);
}

std::string evidenceToJson(const Evidence &evidence)
{
    json out = json::array();
    for (const auto &[key, value] : evidence)
        out.push_back(json::array({key, value}));
    return dump(out);
}

static Evidence evidenceOf(const json &array)
{
    Evidence out;
    if (!array.is_array())
        return out;
    for (const auto &pair : array)
        if (pair.is_array() && pair.size() == 2 && pair[0].is_string() && pair[1].is_string())
            out.emplace_back(pair[0].get<std::string>(), pair[1].get<std::string>());
    return out;
}

Evidence evidenceFromJson(const std::string &text) { return evidenceOf(parseOrNull(text)); }

std::string reasonsToJson(const Verdict &verdict)
{
    // As dump() of [{"code", "level", "text", "technique", "measure", "evidence"}] writes it:
    // object keys sorted, no spaces.
    std::string out = "[";
    for (const auto &r : verdict.reasons) {
        if (out.size() > 1)
            out.push_back(',');
        out += "{\"code\":";
        appendString(out, r.code);
        out += ",\"evidence\":[";
        bool first = true;
        for (const auto &[key, value] : r.evidence) {
            out += first ? "[" : ",[";
            first = false;
            appendString(out, key);
            out.push_back(',');
            appendString(out, value);
            out.push_back(']');
        }
        out += "],\"level\":";
        out += std::to_string(static_cast<int>(r.level));
        out += ",\"measure\":";
        appendString(out, r.measure);
        out += ",\"technique\":";
        appendString(out, r.technique);
        out += ",\"text\":";
        appendString(out, r.text);
        out.push_back('}');
    }
    out.push_back(']');
    return out;
}

Verdict verdictFromJson(Level level, const std::string &reasonsJson)
{
    Verdict v;
    const json parsed = parseOrNull(reasonsJson);
    if (parsed.is_array())
        for (const auto &r : parsed) {
            if (!r.is_object())
                continue;
            Reason reason;
            reason.code = stringAt(r, "code");
            auto lv = r.find("level");
            reason.level = lv != r.end() && lv->is_number_integer() ? levelFromInt(lv->get<std::int64_t>()) : Level::Info;
            reason.text = stringAt(r, "text");
            reason.technique = stringAt(r, "technique");
            reason.measure = stringAt(r, "measure");
            if (auto ev = r.find("evidence"); ev != r.end())
                reason.evidence = evidenceOf(*ev);
            v.reasons.push_back(std::move(reason));
        }
    v.level = level;
    return v;
}

std::string stringsToJson(const std::vector<std::string> &values) { return dump(json(values)); }

std::vector<std::string> stringsFromJson(const std::string &text)
{
    std::vector<std::string> out;
    const json parsed = parseOrNull(text);
    if (parsed.is_array())
        for (const auto &v : parsed)
            if (v.is_string())
                out.push_back(v.get<std::string>());
    return out;
}

std::string mapToJson(const std::map<std::string, std::string> &values)
{
    // As dump() of the map writes it: keys in the map's order, no spaces.
    std::string out = "{";
    for (const auto &[key, value] : values) {
        if (out.size() > 1)
            out.push_back(',');
        appendString(out, key);
        out.push_back(':');
        appendString(out, value);
    }
    out.push_back('}');
    return out;
}

std::map<std::string, std::string> mapFromJson(const std::string &text)
{
    std::map<std::string, std::string> out;
    const json parsed = parseOrNull(text);
    if (parsed.is_object())
        for (auto it = parsed.begin(); it != parsed.end(); ++it)
            if (it.value().is_string())
                out[it.key()] = it.value().get<std::string>();
    return out;
}

} // namespace loadlens::store
