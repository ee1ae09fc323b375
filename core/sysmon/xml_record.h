#pragma once
// One <Event> element (as cut out by XmlEventSplitter) to an EventRecord, with expat.
// Each record gets a parser of its own, so a DOCTYPE or entity declaration elsewhere in the
// file is never seen; one inside a record stops the parse. Expat reports undefined entities
// as errors and limits entity amplification itself.
#include "common/events.h"
#include "common/result.h"

#include <string_view>

namespace loadlens::sysmon {

// EventData/Data by Name (unnamed Data as "Data[1]", "Data[2]", ...), UserData leaves by element
// name. Fails when the XML is malformed or System/EventID is missing or not a number.
Result<EventRecord> parseEventXml(std::string_view xml);

// Only the Data / UserData values of an XML fragment (e.g. Azure's serialized EventData),
// merged into `data`. Fails when the fragment is malformed.
Status parseEventDataXml(std::string_view xml, std::map<std::string, std::string> &data);

} // namespace loadlens::sysmon
