#include "export/ecs.h"
#include "export/ecs_common.h"
#include "export/export_support.h"

namespace loadlens::exporting {

using nlohmann::json;

namespace {

struct Categorization {
    const char *category;  // nullptr when ECS has none that fits
    const char *type;
};

Categorization categorize(const std::string &kind)
{
    if (kind == "image-load")
        return {"library", "start"};
    if (kind == "process-create" || kind == "loader-env-exec")
        return {"process", "start"};
    if (kind == "file-create")
        return {"file", "creation"};
    if (kind == "preload-config-write" || kind == "library-write")
        return {"file", "change"};
    if (kind == "driver-load")
        return {"driver", "start"};
    if (kind == "audit-config-change")
        return {"configuration", "change"};
    return {nullptr, "info"};
}

// "CONTOSO\alice" -> domain CONTOSO, name alice (the winlogbeat split).
json userFields(const std::string &user)
{
    const auto backslash = user.find('\\');
    if (backslash == std::string::npos)
        return {{"name", user}};
    return {{"domain", user.substr(0, backslash)}, {"name", user.substr(backslash + 1)}};
}

json hashFields(const std::string &hashes)
{
    json out = json::object();
    for (const auto &[algorithm, digest] : parseSysmonHashes(hashes)) {
        if (algorithm == "sha256" || algorithm == "sha1" || algorithm == "md5" || algorithm == "sha512")
            out[algorithm] = digest;
    }
    return out;
}

json signatureFields(const LoadEvent &e)
{
    json out = json::object();
    if (e.signedField == "true" || e.signedField == "false")
        out["exists"] = e.signedField == "true";
    if (e.signatureState != SignatureState::Unknown)
        out["valid"] = e.signatureState == SignatureState::Valid;
    if (!e.signatureStatus.empty())
        out["status"] = e.signatureStatus;
    if (!e.signature.empty())
        out["subject_name"] = e.signature;
    return out;
}

} // namespace

json ecsEventDocument(const LoadEvent &e, const EcsOptions &options)
{
    const Categorization cat = categorize(e.kind);
    json event = {{"kind", e.verdict.level >= options.alertLevel ? "alert" : "event"},
                  {"module", "loadlens"},
                  {"dataset", "loadlens." + (e.source.empty() ? std::string("event") : e.source)},
                  {"provider", e.channel},
                  {"action", e.kind},
                  {"type", json::array({cat.type})},
                  {"sequence", e.recordId},
                  {"severity", static_cast<int>(e.verdict.level)}};
    if (cat.category)
        event["category"] = json::array({cat.category});
    if (e.eventId)
        event["code"] = std::to_string(e.eventId);
    json doc = {{"@timestamp", rfc3339FromMicros(e.timeUs, 6)},
                {"ecs", {{"version", kEcsVersion}}},
                {"event", event},
                {"host", {{"name", e.host}}},
                {"loadlens",
                 {{"verdict", ecs::verdictFor(e.verdict)},
                  {"measures", ecs::measuresFor(e.verdict.reasons)},
                  {"signature_state", std::string(signatureStateName(e.signatureState))},
                  {"source_file", e.sourceFile},
                  {"source_offset", e.sourceOffset}}}};

    json process = {{"pid", e.pid}};
    if (!e.image.empty()) {
        process["executable"] = e.image;
        process["name"] = fileNameOf(e.image);
    }
    if (!e.processGuid.empty())
        process["entity_id"] = e.processGuid;
    if (!e.commandLine.empty())
        process["command_line"] = e.commandLine;
    if (!e.parentImage.empty())
        process["parent"] = {{"executable", e.parentImage}, {"name", fileNameOf(e.parentImage)}};
    const json hashes = hashFields(e.hashes);
    const json signature = signatureFields(e);
    if (e.kind == "process-create" && !hashes.empty())
        process["hash"] = hashes;
    doc["process"] = process;
    if (!e.user.empty())
        doc["user"] = userFields(e.user);

    if (e.kind == "image-load") {
        json dll = {{"path", e.imageLoaded}, {"name", fileNameOf(e.imageLoaded)}};
        if (!hashes.empty())
            dll["hash"] = hashes;
        if (!signature.empty())
            dll["code_signature"] = signature;
        doc["dll"] = dll;
    } else if (!e.imageLoaded.empty()) {
        // File creation, driver load and audited writes name a file rather than a library.
        json file = {{"path", e.imageLoaded}, {"name", fileNameOf(e.imageLoaded)}};
        if (e.kind == "driver-load") {
            if (!hashes.empty())
                file["hash"] = hashes;
            if (!signature.empty())
                file["code_signature"] = signature;
        }
        doc["file"] = file;
    }
    if (e.source == "sysmon")
        doc["winlog"] = {{"channel", e.channel}, {"computer_name", e.host},
                         {"record_id", std::to_string(e.recordId)}, {"event_id", std::to_string(e.eventId)}};
    if (json threat = ecs::threatFor(e.verdict.reasons); !threat.is_null())
        doc["threat"] = threat;
    if (json rule = ecs::ruleFor(e.verdict.reasons); !rule.is_null())
        doc["rule"] = rule;
    return doc;
}

void writeEcsEvents(std::ostream &out, const std::vector<LoadEvent> &events, const EcsOptions &options)
{
    for (const auto &e : events)
        ecs::writeDocument(out, ecsEventDocument(e, options), options, "loadlens-events");
}

} // namespace loadlens::exporting
