#pragma once
// Shared invariants of the Sysmon fuzz targets, checked with abort().
#include "common/events.h"
#include "sysmon/event_classifier.h"

#include <cstdlib>
#include <string_view>

namespace loadlens::fuzz {

inline void require(bool condition)
{
    if (!condition)
        std::abort();
}

// Feeds `text` in chunks whose size the first input byte picks, so chunk boundaries fall
// everywhere; every record and skip must lie inside the text, in order, and be judged.
template<typename Splitter, typename Parse>
void splitAndJudge(std::string_view text, std::size_t chunk, Parse parse)
{
    const sysmon::EventClassifier classifier;
    std::uint64_t lastOffset = 0;
    bool first = true;
    Splitter splitter({[&](std::string_view record, std::uint64_t offset) {
                           require(offset + record.size() <= text.size());
                           require(text.substr(offset, record.size()) == record);
                           require(first || offset > lastOffset);
                           first = false;
                           lastOffset = offset;
                           auto parsed = parse(record);
                           if (parsed) {
                               const LoadEvent event = sysmon::judgeRecord(*parsed, "fuzz", classifier);
                               require(event.verdict.reasons.size() < 16);
                           }
                           return true;
                       },
                       [&](std::uint64_t offset, std::string reason) {
                           require(offset <= text.size());
                           require(!reason.empty());
                       }});
    for (std::size_t i = 0; i < text.size(); i += chunk)
        splitter.feed(text.substr(i, chunk));
    splitter.finish();
}

} // namespace loadlens::fuzz
