#pragma once
// Event timestamps as the exports write them, to UTC microseconds since the Unix epoch:
//   2020-10-17T16:26:54.679582900Z   (EVTX SystemTime, 7-9 fraction digits)
//   2020-10-09 21:33:21.963          (Sysmon UtcTime: UTC without a zone)
//   2019-04-03T17:36:48.628+02:00    (ISO 8601 with an offset)
//   1602951414679                    (numbers: epoch seconds, milliseconds or microseconds)
#include <cstdint>
#include <optional>
#include <string_view>

namespace loadlens::sysmon {

// Text without a zone is taken as UTC. Fractions beyond microseconds are truncated.
std::optional<std::int64_t> parseTimestampUs(std::string_view text);

// A number of seconds, milliseconds or microseconds since the epoch, told apart by magnitude
// (below 1e11: seconds; below 1e14: milliseconds; else microseconds).
std::optional<std::int64_t> epochNumberToUs(double value);

} // namespace loadlens::sysmon
