#pragma once
// One JSON object (as cut out by JsonRecordSplitter) to an EventRecord. The layout is told
// from the keys of each object, so files that mix layouts still read:
//   evtx_dump       {"Event": {"System": {...}, "EventData": {...}}}
//   Winlogbeat 7+   {"winlog": {"event_id", "channel", "provider_name", "event_data": {...}}}
//   Winlogbeat 6.x  {"log_name", "event_id", "source_name", "event_data": {...}}
//   Azure LA        {"Provider", "EventID", "EventData": "<serialized JSON or XML>"}
//   OTRF flat       {"SourceName", "EventID", "Channel", <EventData fields at the top level>}
#include "common/events.h"
#include "common/result.h"

#include <string_view>

namespace loadlens::sysmon {

enum class JsonLayout { EvtxDump, Winlogbeat7, Winlogbeat6, AzureLogAnalytics, Flat };
std::string_view jsonLayoutName(JsonLayout layout);

// Fails on malformed JSON, an object of no known layout, or a missing/non-numeric event id.
Result<EventRecord> parseEventJson(std::string_view json);
// The layout the object was read as (for reports and tests); fails like parseEventJson.
Result<JsonLayout> detectJsonLayout(std::string_view json);

} // namespace loadlens::sysmon
