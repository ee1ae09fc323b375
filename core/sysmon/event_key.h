#pragma once
// The identity of an event that has no record id (an OTRF/Mordor flat export without
// RecordNumber, an Azure Log Analytics row): a hash of its content, so that two different
// events never share a key in the case and the same event read twice always does.
//
// The content is the provider, event id, channel, computer, the event's own time (left out
// when the record only says when a collector received it), the further System fields the
// export carries and every EventData field. Ingestion-only fields (Azure TimeGenerated,
// TenantId, _ResourceId; Logstash @timestamp, host, port; nxlog EventReceivedTime) never
// reach the record, so the same event shipped twice hashes alike.
//
// Encoding: each part is a tag byte and length-prefixed name and value (32-bit big-endian
// lengths), System and EventData maps in key order, so no two different contents encode to
// the same bytes. Hash: SHA-256 cut to 128 bits. Keys only need to be unique within one host
// and channel; at 128 bits, even 2^40 events there collide with a probability below 2^-48,
// where a 64-bit hash would already collide at about 2^32 events.
#include "common/events.h"

#include <cstdint>
#include <deque>
#include <string>
#include <unordered_map>

namespace loadlens::sysmon {

// "h:" and 32 lower-case hex digits.
std::string contentKey(const EventRecord &record);

// Identical records are real: Sysmon logs the same registry or handle event several times
// within one 100 ns tick, and exports keep them as identical lines. Within one file the n-th
// record with a given content key gets "#n" appended (n >= 2), so each is stored and a second
// import of the file (or the same events in another file) maps onto the same keys.
// Repeats are looked for among the last `window` distinct keys, which bounds memory; identical
// records are adjacent or close in practice because their content includes the event time.
class OccurrenceKeys {
public:
    explicit OccurrenceKeys(std::size_t window = 1u << 16) : m_window(window == 0 ? 1 : window) {}
    std::string next(const std::string &contentKey);

private:
    std::size_t m_window;
    std::unordered_map<std::string, std::uint32_t> m_seen;
    std::deque<std::string> m_order;
};

} // namespace loadlens::sysmon
