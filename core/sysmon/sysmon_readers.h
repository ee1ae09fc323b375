#pragma once
// Text exports of Windows event logs to EventRecords, record by record:
//  - XML: Event Viewer / `wevtutil qe /f:xml` (with or without an <Events> root), libyal
//    evtxexport output, and Sysmon for Linux syslog lines carrying the <Event> XML.
//  - JSON: OTRF/Mordor flat, Winlogbeat 6.x (and 7+ "winlog") nested, Azure Log Analytics
//    (EventData as a serialized string) and evtx_dump (Event.System / Event.EventData); as JSON
//    lines, concatenated objects or one array. The layout is detected per record.
// Bad records are skipped and listed in the report with their byte offset and cause; the rest
// of the file is still read. report.recordsRead counts records handed to the sink and
// report.countsByKind counts them by "sysmon 7" / "<provider> <id>".
#include "common/cancel.h"
#include "common/events.h"
#include "common/result.h"

#include <string>
#include <string_view>

namespace loadlens::sysmon {

// Fails when the file cannot be read or holds nothing that looks like an event.
Status readSysmonXml(const std::string &path, const EventRecordSink &sink, ImportReport &report,
                     const CancelToken &cancel = {});
Status readSysmonJson(const std::string &path, const EventRecordSink &sink, ImportReport &report,
                      const CancelToken &cancel = {});

// The same on text already in memory (tests, fuzzing, clipboard pastes).
Status parseSysmonXml(std::string_view text, const EventRecordSink &sink, ImportReport &report);
Status parseSysmonJson(std::string_view text, const EventRecordSink &sink, ImportReport &report);

// "sysmon 7" for Sysmon (Windows or Linux), otherwise "<provider> <event id>".
std::string eventCountKey(const EventRecord &record);

// At most this many skipped records are listed in ImportReport::skippedRecords; all are counted.
inline constexpr std::size_t kMaxListedSkips = 100;

} // namespace loadlens::sysmon
