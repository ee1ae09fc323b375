#pragma once
// Turns one grouped audit event into a LoadEvent when it matters for library loading: writes
// to /etc/ld.so.preload, ld.so.conf(.d), ld.so.cache, library directories or any .so; execs
// with LD_PRELOAD / LD_LIBRARY_PATH / LD_AUDIT; audit rule changes; opens of shared objects.
// Numbers (uids, syscalls) stay numbers: names are resolved when shown, not per record.
#include "audit/audit_events.h"
#include "audit/audit_record.h"
#include "common/events.h"

#include <string>
#include <string_view>

namespace loadlens::audit {

struct EventFacts;

class EventClassifier {
public:
    // `defaultHost` is the host of events without a node= prefix ("unknown" when empty), so
    // that the store's natural key (host, serial, time) is always complete.
    explicit EventClassifier(std::string defaultHost);

    // Returns the event's kind (audit_codes.h). Unless it is kind::Irrelevant, `out` is filled
    // (everything but sourceFile, which the caller knows).
    std::string_view classify(const AuditEvent &event, LoadEvent &out);

private:
    // Paths, CWD and hints only: enough to drop most events without looking further.
    bool gatherCheap(const AuditEvent &event, EventFacts &facts);
    void gatherDetails(const AuditEvent &event, EventFacts &facts);
    void fillLoadEvent(const AuditEvent &event, const EventFacts &facts, LoadEvent &out);

    std::string m_defaultHost;
    FieldSplitter m_splitter;
};

} // namespace loadlens::audit
