#include "sysmon/event_classifier.h"

#include "hijacklibs/windows_path.h"
#include "sysmon/load_event.h"
#include "sysmon/load_location.h"
#include "sysmon/sysmon_reasons.h"

#include <array>

namespace loadlens::sysmon {

namespace {

bool isExecutableFileName(std::string_view normalizedPath)
{
    static constexpr std::array<std::string_view, 7> extensions{".dll", ".exe", ".sys", ".cpl", ".ocx", ".scr", ".drv"};
    for (auto ext : extensions)
        if (normalizedPath.ends_with(ext))
            return true;
    return false;
}

std::string commonNameOf(std::string_view dn)
{
    const std::size_t cn = dn.find("CN=");
    if (cn == std::string_view::npos)
        return std::string(dn);
    const std::size_t start = cn + 3;
    const std::size_t comma = dn.find(',', start);
    return std::string(dn.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
}

std::string expectedLocationsText(const hijacklibs::Entry &entry)
{
    if (entry.expectedLocations.empty())
        return "none (Windows does not ship this DLL: any copy is planted)";
    std::string out;
    for (const auto &pattern : entry.expectedLocations)
        out += (out.empty() ? "" : "; ") + pattern.text();
    return out;
}

Level locationLevel(LoadLocation location)
{
    switch (location) {
    case LoadLocation::NetworkShare: return Level::High;
    case LoadLocation::OtherDrive:
    case LoadLocation::DriveRootFolder: return Level::Low;
    default: return Level::Medium;
    }
}

std::string_view whatIsLoaded(const LoadEvent &event)
{
    return event.kind == "driver-load" ? "driver" : "image";
}

} // namespace

Verdict EventClassifier::classify(const LoadEvent &event) const
{
    Verdict verdict;
    const std::string path = winpath::normalize(event.imageLoaded);
    if (event.kind == "image-load" || event.kind == "driver-load") {
        judgeSignature(event, verdict);
        if (!path.empty())
            judgeLocation(event, path, verdict);
        if (event.kind == "image-load" && !path.empty())
            judgeHijackLibs(event, path, verdict);
    } else if (event.kind == "file-create" && isExecutableFileName(path)) {
        verdict.add(makeSysmonReason(code::ExecutableFileCreated, Level::Low,
                                     "An executable file was written: a DLL planted for a later load starts this way.",
                                     {{"file", event.imageLoaded}, {"writer", event.image}}));
        judgeLocation(event, path, verdict);
        judgeHijackLibs(event, path, verdict);
    } else if (event.kind == "process-create") {
        judgeRelocatedProgram(event, verdict);
    }
    return verdict;
}

void EventClassifier::judgeSignature(const LoadEvent &event, Verdict &verdict) const
{
    const bool driver = event.kind == "driver-load";
    Evidence evidence{{"image-loaded", event.imageLoaded}, {"signed", event.signedField},
                      {"signature-status", event.signatureStatus}};
    if (!event.signature.empty())
        evidence.emplace_back("signature", event.signature);
    const std::string what(whatIsLoaded(event));
    switch (event.signatureState) {
    case SignatureState::Unsigned:
        verdict.add(makeSysmonReason(code::UnsignedImageLoad, driver ? Level::High : Level::Medium,
                                     "An unsigned " + what + " was loaded: nothing vouches for who wrote it.",
                                     std::move(evidence)));
        break;
    case SignatureState::Invalid:
    case SignatureState::Revoked:
    case SignatureState::Expired: {
        const bool expired = event.signatureState == SignatureState::Expired;
        verdict.add(makeSysmonReason(code::InvalidSignature, expired ? Level::Medium : Level::High,
                                     "The " + what + "'s signature did not verify (" +
                                         std::string(signatureStateName(event.signatureState)) +
                                         "): it may have been altered or signed with a bad certificate.",
                                     std::move(evidence)));
        break;
    }
    case SignatureState::Unavailable:
        verdict.add(makeSysmonReason(code::SignatureUnverified, Level::Low,
                                     "Sysmon could not check the " + what + "'s signature.", std::move(evidence)));
        break;
    case SignatureState::Valid:
    case SignatureState::Unknown:
        break;
    }
}

void EventClassifier::judgeLocation(const LoadEvent &event, const std::string &path, Verdict &verdict) const
{
    const LoadLocation location = classifyLoadLocation(path);
    if (!isUserWritable(location))
        return;
    const bool written = event.kind == "file-create";
    std::string text = written ? "An executable file was written to a " : "Loaded from a ";
    text += std::string(loadLocationName(location));
    text += location == LoadLocation::NetworkShare
                ? ": code from another machine, outside local control."
                : ": a folder that ordinary users can write to, where a planted DLL wins the search order.";
    verdict.add(makeSysmonReason(code::UserWritableLoadPath, locationLevel(location), std::move(text),
                                 {{"path", event.imageLoaded},
                                  {"location", std::string(loadLocationName(location))},
                                  {"process", event.image}}));
}

void EventClassifier::judgeHijackLibs(const LoadEvent &event, const std::string &path, Verdict &verdict) const
{
    if (!m_dataset)
        return;
    const auto entries = m_dataset->findAll(winpath::baseName(path));
    if (entries.empty())
        return;
    const std::string_view directory = winpath::directoryOf(path);
    for (const auto *entry : entries)
        if (entry->isExpectedDirectory(directory)) {
            if (event.kind == "image-load")
                judgeSigner(event, *entry, verdict);
            return;  // where one vendor keeps it: only the signer can still be wrong
        }
    // Outside every vendor's folders; name the entry whose program did the loading, if any.
    const std::string image = winpath::normalize(event.image);
    const hijacklibs::Entry *best = entries.front();
    for (const auto *entry : entries)
        if (!image.empty() && entry->vulnerableExecutableFor(image)) {
            best = entry;
            break;
        }
    judgeMisplacedDll(event, *best, verdict);
    if (event.kind == "image-load" && entries.size() == 1)
        judgeSigner(event, *best, verdict);
}

void EventClassifier::judgeMisplacedDll(const LoadEvent &event, const hijacklibs::Entry &entry, Verdict &verdict) const
{
    const std::string image = winpath::normalize(event.image);
    const hijacklibs::VulnerableExecutable *exe = image.empty() ? nullptr : entry.vulnerableExecutableFor(image);
    const hijacklibs::VulnerableExecutable *byName = nullptr;
    if (!exe && !image.empty())
        for (const auto &candidate : entry.vulnerableExecutables)
            if (winpath::equalsIgnoreCase(winpath::baseName(winpath::normalize(candidate.path)), winpath::baseName(image))) {
                byName = &candidate;
                break;
            }
    const auto *matched = exe ? exe : byName;
    const std::string hijackType = matched ? matched->type : entry.hijackTypes();
    // A validly signed copy in a folder only administrators can write (WinSxS, a System32
    // subfolder) is most likely Windows' own; anything else is what a hijack looks like.
    const bool trusted = event.signatureState == SignatureState::Valid;
    const bool writable = isUserWritable(classifyLoadLocation(winpath::normalize(event.imageLoaded)));
    const Level level = !trusted ? Level::High : writable ? Level::Medium : Level::Low;
    const bool written = event.kind == "file-create";
    verdict.add(makeSysmonReason(
        code::HijackLibsMatch, level,
        std::string(written ? "A file named like" : "A copy of") + " " + entry.name +
            ", a DLL known to be hijackable (" + hijackType + "), " + (written ? "was written" : "was loaded") +
            " outside the folders where Windows or its vendor keeps it.",
        {{"dll", entry.name},
         {"path", event.imageLoaded},
         {"hijack-type", hijackType},
         {"expected-locations", expectedLocationsText(entry)},
         {"vendor", entry.vendor},
         {"hijacklibs-entry", entry.file}}));
    if (!matched || written)
        return;
    Evidence evidence{{"image", event.image},
                      {"vulnerable-executable", matched->path},
                      {"hijack-type", matched->type},
                      {"match", exe ? "path" : "file name only: the program runs from a folder the dataset does not list"},
                      {"dll", entry.name}};
    if (!matched->condition.empty())
        evidence.emplace_back("condition", matched->condition);
    if (matched->autoElevate)
        evidence.emplace_back("auto-elevate", "true");
    if (!matched->variable.empty())
        evidence.emplace_back("variable", matched->variable);
    verdict.add(makeSysmonReason(code::HijackLibsVulnerableExecutable, Level::High,
                                 "The loading program is one HijackLibs lists as vulnerable to " + matched->type +
                                     " through " + entry.name + ".",
                                 std::move(evidence)));
}

void EventClassifier::judgeSigner(const LoadEvent &event, const hijacklibs::Entry &entry, Verdict &verdict) const
{
    // The check needs a signer Sysmon saw and an expectation to compare it with.
    if (entry.expectedSignatures.empty() || isPlaceholder(event.signature) ||
        event.signatureState == SignatureState::Unsigned)
        return;
    bool expectsUnsigned = false;
    std::string expected;
    for (const auto &sig : entry.expectedSignatures) {
        if (winpath::equalsIgnoreCase(sig.type, "None"))
            expectsUnsigned = true;
        const std::string cn = commonNameOf(sig.subject);
        if (cn.empty())
            continue;
        if (winpath::equalsIgnoreCase(cn, event.signature))
            return;
        expected += (expected.empty() ? "" : "; ") + cn;
    }
    if (expected.empty() && !expectsUnsigned)
        return;
    verdict.add(makeSysmonReason(code::SignerMismatch, Level::High,
                                 "Signed by " + event.signature + ", not by the publisher HijackLibs expects for " +
                                     entry.name + ".",
                                 {{"dll", entry.name},
                                  {"observed-signer", event.signature},
                                  {"expected-signer", expected.empty() ? "unsigned" : expected},
                                  {"hijacklibs-entry", entry.file}}));
}

void EventClassifier::judgeRelocatedProgram(const LoadEvent &event, Verdict &verdict) const
{
    if (!m_dataset || event.image.empty())
        return;
    const std::string image = winpath::normalize(event.image);
    // Only a folder an ordinary user can write to lets someone put a DLL next to the program.
    if (!isUserWritable(classifyLoadLocation(image)))
        return;
    const hijacklibs::Entry *firstEntry = nullptr;
    const hijacklibs::VulnerableExecutable *firstListing = nullptr;
    for (const auto *entry : m_dataset->entriesForExecutable(winpath::baseName(image))) {
        for (const auto &exe : entry->vulnerableExecutables) {
            const std::string listed = winpath::normalize(exe.path);
            if (!winpath::equalsIgnoreCase(winpath::baseName(listed), winpath::baseName(image)))
                continue;
            // A bare name says nothing about where the program belongs; a matching path is home.
            if (listed.find('\\') == std::string::npos || exe.pattern.matches(image))
                return;
            if (!firstListing) {
                firstEntry = entry;
                firstListing = &exe;
            }
        }
    }
    if (!firstListing)
        return;
    verdict.add(makeSysmonReason(
        code::HijackLibsRelocatedExecutable, Level::Medium,
        "A program that HijackLibs lists as vulnerable to " + firstListing->type + " through " + firstEntry->name +
            " was started from a user-writable folder instead of its own: copying it next to a planted DLL is how side-loading begins.",
        {{"image", event.image},
         {"listed-path", firstListing->path},
         {"dll", firstEntry->name},
         {"hijack-type", firstListing->type},
         {"hijacklibs-entry", firstEntry->file}}));
}

LoadEvent judgeRecord(const EventRecord &record, const std::string &sourceFile, const EventClassifier &classifier)
{
    LoadEvent event = toLoadEvent(record, sourceFile);
    event.verdict = classifier.classify(event);
    return event;
}

} // namespace loadlens::sysmon
