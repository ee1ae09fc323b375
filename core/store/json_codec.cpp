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
    json out = json::array();
    for (const auto &r : verdict.reasons) {
        json evidence = json::array();
        for (const auto &[key, value] : r.evidence)
            evidence.push_back(json::array({key, value}));
        out.push_back({{"code", r.code},
                       {"level", static_cast<int>(r.level)},
                       {"text", r.text},
                       {"technique", r.technique},
                       {"measure", r.measure},
                       {"evidence", evidence}});
    }
    return dump(out);
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

std::string mapToJson(const std::map<std::string, std::string> &values) { return dump(json(values)); }

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
