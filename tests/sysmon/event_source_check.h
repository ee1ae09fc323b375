#pragma once
// Facts the shared data README gives for a sample, and one check that any EventRecord source
// (XML reader, JSON reader, EVTX reader) reproduces them: record count, per-EID counts,
// Signed=false count of EID 7, and the HijackLibs matches the classifier finds.
#include <QtTest>

#include "common/cancel.h"
#include "common/events.h"
#include "common/result.h"
#include "hijacklibs/hijacklibs.h"

#include <functional>
#include <map>
#include <set>
#include <string>

namespace loadlens::testing {

struct SampleFacts {
    std::uint64_t records = 0;
    std::map<std::string, std::uint64_t> countsByKind;  // "sysmon 7" -> 40, "Security 4658" -> 10;
                                                         // may list only the largest kinds
    int signedFalse = 0;                                 // EID 7 events with Signed == "false"
    std::set<std::string> unsignedHijackNames;           // lower-case basenames, as the README lists
};

using RecordReader = std::function<Status(const std::string &path, const EventRecordSink &sink,
                                          ImportReport &report, const CancelToken &cancel)>;

// What one run of a reader over a file saw, judged with `dataset` (may be null).
struct SourceSummary {
    ImportReport report;
    std::uint64_t records = 0;
    std::map<std::string, std::uint64_t> countsByKind;  // computed here from the records
    int signedFalse = 0;
    std::set<std::string> unsignedHijackNames;           // unsigned EID 7 loads whose name is an entry
    std::set<std::string> flaggedHijackNames;            // names with a hijacklibs-match reason
    std::vector<LoadEvent> events;
};

SourceSummary summarize(const RecordReader &reader, const QString &path, const hijacklibs::Dataset *dataset);

// QCOMPAREs every fact; Security-channel keys of the README ("Security 4658") are matched
// against "Microsoft-Windows-Security-Auditing 4658".
void checkFacts(const SourceSummary &summary, const SampleFacts &facts);

// The dataset from ../shared/data/hijacklibs, loaded once per test binary; null when absent.
const hijacklibs::Dataset *sharedHijackLibs();

// The README facts of every EVTX file in sysmon-evtx/ (file name -> facts).
const std::vector<std::pair<QString, SampleFacts>> &evtxSampleFacts();
// The README facts of every JSON and XML file in sysmon-xml-json/.
const std::vector<std::pair<QString, SampleFacts>> &textSampleFacts();

} // namespace loadlens::testing
