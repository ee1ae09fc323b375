#include "export/ecs_common.h"

#include "export/attack_catalog.h"

#include <algorithm>

namespace loadlens::exporting::ecs {

using nlohmann::json;

namespace {

void addUnique(json &array, const std::string &value)
{
    if (std::find(array.begin(), array.end(), value) == array.end())
        array.push_back(value);
}

std::string techniqueName(std::string_view id)
{
    const AttackTechnique *t = attackTechnique(id);
    return t ? std::string(t->name) : std::string();
}

} // namespace

json threatFor(const std::vector<Reason> &reasons)
{
    // ECS keeps sub-techniques apart: threat.technique.id is "T1574", the sub-technique
    // "T1574.006" goes to threat.technique.subtechnique.id (the Elastic detection rules do so).
    json ids = json::array(), names = json::array(), refs = json::array();
    json subIds = json::array(), subNames = json::array(), subRefs = json::array();
    for (const auto &r : reasons) {
        if (r.technique.empty())
            continue;
        const std::string parent(parentTechniqueOf(r.technique));
        addUnique(ids, parent);
        if (const auto name = techniqueName(parent); !name.empty())
            addUnique(names, name);
        addUnique(refs, attackTechniqueUrl(parent));
        if (parent != r.technique) {
            addUnique(subIds, r.technique);
            if (const auto name = techniqueName(r.technique); !name.empty())
                addUnique(subNames, name);
            addUnique(subRefs, attackTechniqueUrl(r.technique));
        }
    }
    if (ids.empty())
        return nullptr;
    json technique = {{"id", ids}, {"name", names}, {"reference", refs}};
    if (!subIds.empty())
        technique["subtechnique"] = {{"id", subIds}, {"name", subNames}, {"reference", subRefs}};
    return {{"framework", "MITRE ATT&CK"}, {"technique", technique}};
}

json ruleFor(const std::vector<Reason> &reasons)
{
    json names = json::array();
    for (const auto &r : reasons)
        if (r.level > Level::Info)
            addUnique(names, r.code);
    if (names.empty())
        return nullptr;
    return {{"name", names}, {"ruleset", "loadlens"}};
}

json verdictFor(const Verdict &verdict)
{
    json reasons = json::array();
    for (const auto &r : verdict.reasons) {
        json evidence = json::object();
        for (const auto &[key, value] : r.evidence)
            evidence[key] = value;
        json reason = {{"code", r.code}, {"level", std::string(levelName(r.level))}, {"text", r.text},
                       {"evidence", evidence}};
        if (!r.technique.empty())
            reason["technique"] = r.technique;
        if (!r.measure.empty())
            reason["measure"] = r.measure;
        reasons.push_back(std::move(reason));
    }
    return {{"level", std::string(levelName(verdict.level))}, {"reasons", reasons}};
}

json measuresFor(const std::vector<Reason> &reasons)
{
    json measures = json::array();
    for (const auto &r : reasons)
        if (!r.measure.empty())
            addUnique(measures, r.measure);
    return measures;
}

const char *kindFor(Level level, const EcsOptions &options)
{
    return level >= options.alertLevel ? "alert" : "state";
}

void writeDocument(std::ostream &out, const json &document, const EcsOptions &options, const std::string &defaultIndex)
{
    constexpr auto replace = json::error_handler_t::replace;
    if (options.actionLines) {
        const json action = {{options.action, {{"_index", options.index.empty() ? defaultIndex : options.index}}}};
        out << action.dump(-1, ' ', false, replace) << '\n';
    }
    out << document.dump(-1, ' ', false, replace) << '\n';
}

} // namespace loadlens::exporting::ecs
