// loadlens-cli events / timeline: the stored Sysmon and auditd events of a case, with their
// verdicts, and the time buckets the GUI's chart shows.
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"
#include "report/json_report.h"
#include "store/event_store.h"

#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>

namespace loadlens::cli {

namespace {

ArgParser &filterOptions(ArgParser &p)
{
    p.option("--case").option("--source").option("--eid").option("--min-level").option("--kind").option("--host")
        .flag("--json");
    return withOutputOption(p);
}

Result<store::EventFilter> filterFrom(const ArgParser &args)
{
    store::EventFilter f;
    f.source = args.value("--source").value_or("");
    if (!f.source.empty() && f.source != "sysmon" && f.source != "auditd" && f.source != "snapshot")
        return Error{EINVAL, "--source takes sysmon, auditd or snapshot, not '" + f.source + "'"};
    auto eid = args.integer("--eid");
    if (!eid)
        return eid.error();
    if (*eid)
        f.eventId = static_cast<int>(**eid);
    if (auto level = args.value("--min-level")) {
        auto parsed = parseLevel(*level);
        if (!parsed)
            return Error{EINVAL, "--min-level takes ok, info, low, medium or high, not '" + *level + "'"};
        f.minLevel = *parsed;
    }
    f.kind = args.value("--kind").value_or("");
    f.host = args.value("--host").value_or("");
    return f;
}

nlohmann::json eventToJson(const LoadEvent &e)
{
    return {{"source", e.source},
            {"eid", e.eventId},
            {"kind", e.kind},
            {"time", isoTime(e.timeUs)},
            {"host", e.host},
            {"record_id", e.recordId},
            {"pid", e.pid},
            {"image", e.image},
            {"image_loaded", e.imageLoaded},
            {"user", e.user},
            {"signed", e.signedField},
            {"signature", e.signature},
            {"signature_status", e.signatureStatus},
            {"signature_state", std::string(signatureStateName(e.signatureState))},
            {"command_line", e.commandLine},
            {"source_file", e.sourceFile},
            {"recovered", e.recovered},
            {"verdict", report::verdictToJson(e.verdict)}};
}

int runEvents(const std::vector<std::string> &argv)
{
    ArgParser args;
    filterOptions(args).option("--limit").option("--offset");
    if (auto s = args.parse(argv); !s)
        return failWith(s.error().message, 2);
    if (!args.positional().empty())
        return failWith("events takes no argument '" + args.positional().front() + "'", 2);
    auto filter = filterFrom(args);
    if (!filter)
        return failWith(filter.error().message, 2);
    auto limit = args.integer("--limit");
    auto offset = args.integer("--offset");
    if (!limit || !offset)
        return failWith((!limit ? limit.error() : offset.error()).message, 2);
    filter->limit = limit->value_or(1000);
    filter->offset = offset->value_or(0);
    ReportOutput output(outputPathFrom(args));
    if (int status = output.prepare(); status != 0)
        return status;
    std::ostream &out = output.stream();
    auto db = openStore(casePathFrom(args), store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    auto events = (*db)->listEvents(*filter);
    if (!events)
        return failWith(events.error().message, 1);
    if (args.has("--json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &e : *events)
            list.push_back(eventToJson(e));
        out << list.dump(1) << "\n";
        return output.finish();
    }
    for (const auto &e : *events) {
        std::string codes;
        for (const auto &r : e.verdict.reasons)
            codes += (codes.empty() ? "" : ",") + r.code;
        out << isoTime(e.timeUs) << "  " << e.host << "  " << e.source << " " << e.eventId << "  "
                  << levelName(e.verdict.level) << "  " << e.image;
        if (!e.imageLoaded.empty())
            out << " -> " << e.imageLoaded;
        if (e.signatureState != SignatureState::Unknown)
            out << "  [" << signatureStateName(e.signatureState) << "]";
        if (!codes.empty())
            out << "  (" << codes << ")";
        // Carved from unallocated EVTX space: an older copy that may be partial.
        if (e.recovered)
            out << "  [recovered]";
        out << "\n";
    }
    out << events->size() << " events\n";
    return output.finish();
}

// "30s", "5m", "1h", "1d" or plain seconds.
std::optional<std::int64_t> parseBucket(const std::string &text)
{
    if (text.empty())
        return std::nullopt;
    std::int64_t unit = 1;
    std::string digits = text;
    switch (text.back()) {
    case 's': unit = 1; digits.pop_back(); break;
    case 'm': unit = 60; digits.pop_back(); break;
    case 'h': unit = 3600; digits.pop_back(); break;
    case 'd': unit = 86400; digits.pop_back(); break;
    default: break;
    }
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos || digits.size() > 9)
        return std::nullopt;
    const std::int64_t value = std::stoll(digits) * unit;
    return value > 0 ? std::optional<std::int64_t>(value) : std::nullopt;
}

int runTimeline(const std::vector<std::string> &argv)
{
    ArgParser args;
    filterOptions(args).option("--bucket");
    if (auto s = args.parse(argv); !s)
        return failWith(s.error().message, 2);
    auto filter = filterFrom(args);
    if (!filter)
        return failWith(filter.error().message, 2);
    const std::string bucketText = args.value("--bucket").value_or("1h");
    auto bucket = parseBucket(bucketText);
    if (!bucket)
        return failWith("--bucket takes a duration like 30s, 5m, 1h or 1d, not '" + bucketText + "'", 2);
    ReportOutput output(outputPathFrom(args));
    if (int status = output.prepare(); status != 0)
        return status;
    auto db = openStore(casePathFrom(args), store::OpenMode::ReadOnly);
    if (!db)
        return failWith(db.error().message, 1);
    auto buckets = (*db)->eventBuckets(store::BucketWidth{store::BucketUnit::Seconds, *bucket}, *filter);
    if (!buckets)
        return failWith(buckets.error().message, 1);
    if (args.has("--json")) {
        nlohmann::json list = nlohmann::json::array();
        for (const auto &b : *buckets)
            list.push_back({{"start", isoTime(b.startUs)}, {"start_us", b.startUs}, {"bucket_seconds", *bucket},
                            {"level", std::string(levelName(b.level))}, {"kind", b.kind}, {"count", b.count}});
        output.stream() << list.dump(1) << "\n";
        return output.finish();
    }
    for (const auto &b : *buckets)
        output.stream() << isoTime(b.startUs) << "  " << levelName(b.level) << "  " << b.kind << "  " << b.count
                        << "\n";
    return output.finish();
}

const std::string kFilterHelp = R"(  --case FILE|URL        the case (default: $XDG_DATA_HOME/loadlens/case.sqlite), or a
                         ClickHouse database: clickhouse://HOST:PORT/DATABASE
  --source sysmon|auditd|snapshot  only events from this source
  --eid N                only this Sysmon event id (7 image load, 1 process, 11 file create, 6 driver)
  --kind KIND            only this kind (image-load, file-create, preload-config-write, ...)
  --min-level LEVEL      only events judged LEVEL or worse (ok, info, low, medium, high)
  --host NAME            only events of this host
  --json                 machine-readable output
)" + std::string(kOutputOptionHelp);

const std::string kEventsUsage = std::string(R"(Usage: loadlens-cli events [OPTIONS]

Lists the Sysmon and auditd events stored in a case (see `import`), oldest first, each with
its verdict: level and reasons, the same shape as the live scan's.

)") + kFilterHelp + R"(  --limit N              at most N events (default 1000)
  --offset N             skip the first N
)";

const std::string kTimelineUsage = std::string(R"(Usage: loadlens-cli timeline [--bucket 1h] [OPTIONS]

Counts of stored events per time bucket, verdict level and kind: what the GUI's timeline charts.

  --bucket DURATION      bucket width: 30s, 5m, 1h (default), 1d, or seconds
)") + kFilterHelp;

} // namespace

LOADLENS_CLI_COMMAND({"events", "stored Sysmon/auditd events with their verdicts", kEventsUsage, &runEvents});
LOADLENS_CLI_COMMAND({"timeline", "event counts per time bucket, level and kind", kTimelineUsage, &runTimeline});

} // namespace loadlens::cli
