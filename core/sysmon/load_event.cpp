#include "sysmon/load_event.h"

#include "hijacklibs/windows_path.h"
#include "sysmon/event_key.h"
#include "sysmon/sysmon_names.h"
#include "sysmon/timestamps.h"

#include <charconv>

namespace loadlens::sysmon {

namespace {

std::string field(const EventRecord &record, const char *name)
{
    const auto it = record.data.find(name);
    return it == record.data.end() ? std::string() : it->second;
}

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t'))
        s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

} // namespace

bool isSysmonProvider(std::string_view provider)
{
    return winpath::equalsIgnoreCase(provider, kWindowsProvider) || winpath::equalsIgnoreCase(provider, kLinuxProvider);
}

bool isPlaceholder(std::string_view value)
{
    value = trimmed(value);
    return value.empty() || value == "-" || value == "?";
}

SignatureState signatureStateFrom(std::string_view signedField, std::string_view signatureStatus)
{
    const std::string_view isSigned = trimmed(signedField);
    const std::string_view status = trimmed(signatureStatus);
    if (winpath::equalsIgnoreCase(isSigned, "false"))
        return SignatureState::Unsigned;
    if (winpath::equalsIgnoreCase(status, "Valid"))
        return SignatureState::Valid;
    if (winpath::equalsIgnoreCase(status, "Expired"))
        return SignatureState::Expired;
    if (winpath::equalsIgnoreCase(status, "Revoked"))
        return SignatureState::Revoked;
    if (winpath::equalsIgnoreCase(status, "Unavailable"))
        return SignatureState::Unavailable;
    if (isPlaceholder(status))
        return SignatureState::Unknown;
    // A status other than the above is a failed verification, whether or not Signed says true.
    return SignatureState::Invalid;
}

std::string_view sysmonKind(const EventRecord &record)
{
    if (!isSysmonProvider(record.provider))
        return "other";
    switch (record.eventId) {
    case 1: return "process-create";
    case 6: return "driver-load";
    case 7: return "image-load";
    case 11: return "file-create";
    default: return "other";
    }
}

LoadEvent toLoadEvent(const EventRecord &record, const std::string &sourceFile)
{
    EventRecord copy = record;
    return toLoadEvent(std::move(copy), sourceFile);
}

LoadEvent toLoadEvent(EventRecord &&record, const std::string &sourceFile)
{
    LoadEvent e;
    const bool sysmon = isSysmonProvider(record.provider);
    e.source = sysmon ? "sysmon" : "windows-event";
    e.eventId = record.eventId;
    e.kind = std::string(sysmonKind(record));
    e.recordId = record.recordId;
    e.recovered = record.recovered;
    // A record id of 0 means the export gave none: such records are told apart by content.
    if (record.recordId == 0)
        e.contentKey = contentKey(record);
    e.sourceFile = sourceFile;
    e.sourceOffset = record.offset;

    e.timeUs = record.timeUs;
    if (e.timeUs == 0)
        if (auto t = parseTimestampUs(field(record, "UtcTime")))
            e.timeUs = *t;

    e.processGuid = field(record, "ProcessGuid");
    const std::string pid = field(record, "ProcessId");
    std::int64_t pidValue = 0;
    if (const auto [ptr, ec] = std::from_chars(pid.data(), pid.data() + pid.size(), pidValue);
        ec == std::errc() && ptr == pid.data() + pid.size())
        e.pid = pidValue;
    e.image = field(record, "Image");
    e.user = field(record, "User");
    e.hashes = field(record, "Hashes");

    if (e.kind == "image-load" || e.kind == "driver-load") {
        e.imageLoaded = field(record, "ImageLoaded");
        e.signedField = field(record, "Signed");
        e.signature = field(record, "Signature");
        e.signatureStatus = field(record, "SignatureStatus");
        e.signatureState = signatureStateFrom(e.signedField, e.signatureStatus);
    } else if (e.kind == "file-create") {
        e.imageLoaded = field(record, "TargetFilename");
    } else if (e.kind == "process-create") {
        e.commandLine = field(record, "CommandLine");
        e.parentImage = field(record, "ParentImage");
    } else if (sysmon) {
        e.imageLoaded = field(record, "ImageLoaded");
    }
    e.host = std::move(record.computer);
    e.channel = std::move(record.channel);
    e.fields = std::move(record.data);
    return e;
}

} // namespace loadlens::sysmon
