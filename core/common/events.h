#pragma once
// Value types of the log side: events read from Sysmon (EVTX, XML, JSON) and auditd logs, and
// the report of one file's import. Parsers produce them, the case database stores them, the
// CLI and the GUI show them.
#include "common/types.h"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

namespace loadlens {

// One signature vocabulary for Sysmon's Signed / SignatureStatus / Signature fields.
enum class SignatureState {
    Unknown = 0,   // the event does not say
    Valid,         // Signed=true and SignatureStatus=Valid
    Unsigned,      // Signed=false
    Invalid,       // signed, but SignatureStatus is anything other than Valid/Unavailable
    Expired,       // SignatureStatus=Expired
    Revoked,       // SignatureStatus=Revoked
    Unavailable,   // SignatureStatus=Unavailable (could not be checked)
};
std::string_view signatureStateName(SignatureState state);  // "unknown", "valid", "unsigned", ...

struct LoadEvent {
    std::string source;          // "sysmon" or "auditd"
    int eventId = 0;             // Sysmon EventID; auditd: 0
    std::string kind;            // "image-load" (EID 7), "process-create" (1), "file-create" (11),
                                 // "driver-load" (6), "other"; auditd: "preload-config-write",
                                 // "library-write", "loader-env-exec", "audit-config-change", ...
    std::int64_t timeUs = 0;     // UTC, microseconds since the Unix epoch
    std::string host;            // Sysmon Computer, audit node (or the importing host's name)
    std::string channel;         // "Microsoft-Windows-Sysmon/Operational", "auditd"
    std::uint64_t recordId = 0;  // EventRecordID, or the audit serial
    // The event's identity when it has no record id (0): "h:" and 32 hex digits of a hash of its
    // content (see sysmon/event_key.h). Empty when recordId identifies it (with host, channel
    // and time). The case's natural key is made from one or the other.
    std::string contentKey;
    std::string processGuid;
    std::int64_t pid = 0;
    std::string image;           // the process's executable
    std::string imageLoaded;     // EID 7: the DLL; EID 11: TargetFilename; auditd: the PATH name
    std::string user;
    std::string hashes;          // Sysmon "SHA256=...,MD5=..." as given
    std::string signedField;     // the raw Signed value ("true"/"false"), empty when absent
    std::string signature;       // signer
    std::string signatureStatus; // raw SignatureStatus
    SignatureState signatureState = SignatureState::Unknown;
    std::string commandLine;     // EID 1 CommandLine; auditd: EXECVE arguments / proctitle
    std::string parentImage;     // EID 1
    std::map<std::string, std::string> fields;  // every EventData field by its Name attribute
    Verdict verdict;             // computed once in core at import time
    std::string sourceFile;      // where it was read from
    std::uint64_t sourceOffset = 0;  // byte offset of the record in that file
    // Carved from an EVTX file's unallocated space (chunk slack, chunks past the header's
    // count): an older copy that may be partial. A live record with the same key replaces it;
    // it never replaces a stored event.
    bool recovered = false;
};

// Receives events one by one while a file is parsed; return false to stop reading.
using EventSink = std::function<bool(LoadEvent &&event)>;

// A Windows event as any reader sees it (EVTX binary XML, Event Viewer XML, the JSON layouts),
// before Sysmon semantics are applied: the System fields and the EventData by Name.
struct EventRecord {
    std::string provider;        // System/Provider@Name, e.g. "Microsoft-Windows-Sysmon"
    int eventId = 0;             // System/EventID
    std::int64_t timeUs = 0;     // System/TimeCreated@SystemTime, UTC microseconds since the epoch
    std::string computer;        // System/Computer
    std::string channel;         // System/Channel
    std::uint64_t recordId = 0;  // System/EventRecordID
    std::map<std::string, std::string> data;  // EventData/Data by Name (UserData flattened likewise)
    // Further System fields some exports carry (Task, Level, Keywords, Execution ProcessID,
    // ...): part of the content key of a record without a record id, not shown.
    std::map<std::string, std::string> system;
    // timeUs is when the record reached a collector (Azure TimeGenerated, Logstash
    // @timestamp), not when the event happened: the content key leaves it out.
    bool ingestionTime = false;
    std::uint64_t offset = 0;    // byte offset of the record in its file
    bool recovered = false;      // found in unallocated space, not a live record (EVTX)
};
using EventRecordSink = std::function<bool(EventRecord &&record)>;

struct SkippedRecord {
    std::uint64_t offset = 0;
    std::string reason;
};

struct ImportReport {
    std::string file;
    std::string format;            // "evtx", "sysmon-xml", "sysmon-json", "auditd", "bundle"
    std::uint64_t recordsRead = 0;
    std::uint64_t imported = 0;
    std::uint64_t duplicates = 0;
    std::uint64_t skipped = 0;
    std::vector<SkippedRecord> skippedRecords;  // the first ones, with offsets and reasons
    // Records carved from unallocated space (EVTX chunk slack, chunks past the header's count):
    // not in recordsRead, imported, duplicates or skipped, which count the live records.
    std::uint64_t recovered = 0;              // recovered records read
    std::uint64_t recoveredImported = 0;      // of those, stored as new (recovered) events
    std::uint64_t recoveredDuplicates = 0;    // of those, already stored (live or recovered)
    std::uint64_t recoveredReplaced = 0;      // stored recovered events a live record replaced
    std::uint64_t recoveredSkipped = 0;       // carving candidates that could not be read
    std::vector<SkippedRecord> recoveredSkippedRecords;  // the first ones, with offsets and reasons
    std::map<std::string, std::uint64_t> countsByKind;  // e.g. "sysmon 7" -> 40
    std::vector<std::string> errors;             // file-level problems (bad chunk, time budget)
    std::vector<std::string> notes;              // e.g. "libevtx refuses this file; 12 records read"
    bool complete = true;                        // false when stopped early (cancel, budget, error)
    double seconds = 0;
};

} // namespace loadlens
