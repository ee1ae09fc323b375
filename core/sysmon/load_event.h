#pragma once
// Sysmon semantics for an EventRecord: which event it is, which fields name the process and the
// loaded file, and what the signature fields mean. The verdict is left empty here; the
// classifier (event_classifier.h) fills it.
#include "common/events.h"

#include <string>
#include <string_view>

namespace loadlens::sysmon {

// Sysmon's Signed / SignatureStatus pair in one vocabulary (case-insensitive):
//   Signed=false                          -> Unsigned (Sysmon then says Unavailable)
//   Signed=true + Valid                   -> Valid
//   Expired / Revoked / Unavailable       -> Expired / Revoked / Unavailable
//   Signed=true + any other status        -> Invalid (e.g. "Error", "Distrust", "0x800b0109")
//   nothing usable ("", "-", "?")         -> Unknown
SignatureState signatureStateFrom(std::string_view signedField, std::string_view signatureStatus);

// "image-load" (7), "process-create" (1), "file-create" (11), "driver-load" (6), else "other";
// events of other providers are "other" as well.
std::string_view sysmonKind(const EventRecord &record);

// Fills the LoadEvent fields from a record. `source` is "sysmon" for Sysmon events and
// "windows-event" for other providers, which are kept (kind "other") rather than dropped.
LoadEvent toLoadEvent(const EventRecord &record, const std::string &sourceFile);
// The same, taking the record's fields over instead of copying them.
LoadEvent toLoadEvent(EventRecord &&record, const std::string &sourceFile);

// Sysmon writes "-" (newer versions) or "?" for an empty field; both mean "not known".
bool isPlaceholder(std::string_view value);

} // namespace loadlens::sysmon
