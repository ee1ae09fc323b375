// Fuzzes one HijackLibs YAML entry through libyaml and the entry parser, then uses what parsed
// to judge a load: patterns kept are valid and never match an empty path and lookups must stay consistent.
#include "fuzz_check.h"
#include "hijacklibs/hijacklibs.h"
#include "sysmon/event_classifier.h"

#include <cstdint>

using namespace loadlens;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const std::string_view text(reinterpret_cast<const char *>(data), size);
    auto entry = hijacklibs::Dataset::parseEntry(text, "fuzz.yml");
    if (!entry) {
        fuzz::require(entry.error().message.rfind("fuzz.yml", 0) == 0);
        return 0;
    }
    fuzz::require(!entry->name.empty() && !entry->vulnerableExecutables.empty());
    hijacklibs::Dataset dataset;
    const std::string name = entry->name;
    dataset.add(std::move(entry).value());
    fuzz::require(dataset.find(name) != nullptr);
    for (const auto &pattern : dataset.find(name)->expectedLocations)
        fuzz::require(pattern.valid() && !pattern.matches(""));

    EventRecord record;
    record.provider = "Microsoft-Windows-Sysmon";
    record.eventId = 7;
    record.data = {{"Image", "C:\\Users\\x\\a.exe"}, {"ImageLoaded", "C:\\Users\\x\\" + name},
                   {"Signed", "true"}, {"SignatureStatus", "Valid"}, {"Signature", "Someone"}};
    const sysmon::EventClassifier classifier(&dataset);
    const LoadEvent event = sysmon::judgeRecord(record, "fuzz", classifier);
    fuzz::require(event.verdict.reasons.size() < 16);
    return 0;
}
