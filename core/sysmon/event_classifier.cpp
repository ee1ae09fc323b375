#include "sysmon/event_classifier.h"

#include "hijacklibs/windows_path.h"
#include "sysmon/load_event.h"
#include "sysmon/load_location.h"
#include "sysmon/ngen_image.h"
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

std::string_view trimmed(std::string_view s)
{
    while (!s.empty() && s.front() == ' ')
        s.remove_prefix(1);
    while (!s.empty() && s.back() == ' ')
        s.remove_suffix(1);
    return s;
}

// One attribute of a distinguished name ("O" of "CN=Microsoft Windows, O=Microsoft Corporation").
std::string_view attributeOf(std::string_view dn, std::string_view key)
{
    std::size_t start = 0;
    while (start < dn.size()) {
        std::size_t comma = dn.find(',', start);
        if (comma == std::string_view::npos)
            comma = dn.size();
        const std::string_view part = trimmed(dn.substr(start, comma - start));
        if (part.size() > key.size() && part[key.size()] == '=' && winpath::equalsIgnoreCase(part.substr(0, key.size()), key))
            return trimmed(part.substr(key.size() + 1));
        start = comma + 1;
    }
    return {};
}

// Sysmon's Signature field holds the signer's common name. It belongs to the entry's vendor when
// it is the CN or the organization of a signature the entry expects, or starts with the vendor's
// name as a word ("Microsoft Corporation" for vendor "Microsoft").
bool signedByVendor(std::string_view signer, const hijacklibs::Entry &entry)
{
    if (signer.empty())
        return false;
    for (const auto &sig : entry.expectedSignatures) {
        const std::string_view cn = attributeOf(sig.subject, "CN"), org = attributeOf(sig.subject, "O");
        if ((!cn.empty() && winpath::equalsIgnoreCase(cn, signer)) || (!org.empty() && winpath::equalsIgnoreCase(org, signer)))
            return true;
    }
    const std::string_view vendor = trimmed(entry.vendor);
    if (vendor.empty() || signer.size() < vendor.size() || !winpath::equalsIgnoreCase(signer.substr(0, vendor.size()), vendor))
        return false;
    return signer.size() == vendor.size() || signer[vendor.size()] == ' ' || signer[vendor.size()] == ',';
}

// The folder of a path, spelled as the event spells it.
std::string_view folderOf(std::string_view originalPath)
{
    const std::size_t slash = originalPath.find_last_of("\\/");
    return slash == std::string_view::npos ? std::string_view() : originalPath.substr(0, slash);
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

bool EventClassifier::judges(std::string_view kind)
{
    return kind == "image-load" || kind == "driver-load" || kind == "file-create" || kind == "process-create";
}

Verdict EventClassifier::classify(const LoadEvent &event) const
{
    Verdict verdict;
    if (!judges(event.kind))
        return verdict;
    const std::string path = winpath::normalize(event.imageLoaded);
    if (event.kind == "image-load" || event.kind == "driver-load") {
        judgeSignature(event, path, verdict);
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

void EventClassifier::judgeSignature(const LoadEvent &event, const std::string &path, Verdict &verdict) const
{
    const bool driver = event.kind == "driver-load";
    Evidence evidence{{"image-loaded", event.imageLoaded}, {"signed", event.signedField},
                      {"signature-status", event.signatureStatus}};
    if (!event.signature.empty())
        evidence.emplace_back("signature", event.signature);
    const std::string what(whatIsLoaded(event));
    switch (event.signatureState) {
    case SignatureState::Unsigned: {
        std::string text = "An unsigned " + what + " was loaded: nothing vouches for who wrote it.";
        if (!driver && judgeNgenImage(event, path, evidence, text, verdict))
            break;
        verdict.add(makeSysmonReason(code::UnsignedImageLoad, driver ? Level::High : Level::Medium, std::move(text),
                                     std::move(evidence)));
        break;
    }
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

// An unsigned image where NGEN keeps its native images is one of them unless its path or name
// says otherwise. Returns true when the image was judged a native image; otherwise it may add
// to the text and evidence of the unsigned-image reason why it was not.
bool EventClassifier::judgeNgenImage(const LoadEvent &event, const std::string &path, Evidence &evidence,
                                     std::string &text, Verdict &verdict) const
{
    const NgenLayout ngen = ngenLayoutOf(path);
    if (!ngen.underNativeImages)
        return false;
    const std::string folder = leadingFolder(event.imageLoaded, 4);  // C:\Windows\assembly\NativeImages_...
    if (!ngen.valid) {
        text += " It lies in " + folder + ", where NGEN keeps .NET native images, but is not one: " + ngen.problem + ".";
        evidence.emplace_back("ngen-layout", ngen.problem);
        return false;
    }
    if (m_dataset) {
        if (const hijacklibs::Entry *entry = m_dataset->find(ngen.assemblyName)) {
            text += " It is laid out as the NGEN image of " + ngen.assemblyName +
                    ", but HijackLibs lists that name as hijackable, so it is not set aside as a native image.";
            evidence.emplace_back("ngen-assembly", ngen.assemblyName);
            evidence.emplace_back("hijacklibs-entry", entry->file);
            return false;
        }
    }
    // The assembly's name as the event spells it: the file name without ".ni".
    std::string assembly(winpath::baseName(event.imageLoaded));
    if (assembly.size() == ngen.assemblyName.size() + 3)
        assembly.erase(assembly.size() - 7, 3);
    else
        assembly = ngen.assemblyName;
    evidence.emplace_back("assembly", assembly);
    evidence.emplace_back("native-images-folder", folder);
    verdict.add(makeSysmonReason(
        code::NgenNativeImage, Level::Low,
        "An unsigned .NET native image (NGEN) of " + assembly +
            " was loaded. ngen.exe (or the .NET Runtime Optimization Service) generates native images on this machine "
            "from signed assemblies, and native images are never Authenticode-signed, so Sysmon reports every one as "
            "unsigned. Their folder, " + folder + ", is writable only by administrators and TrustedInstaller.",
        std::move(evidence)));
    return true;
}

void EventClassifier::judgeLocation(const LoadEvent &event, const std::string &path, Verdict &verdict) const
{
    const DefaultAcl acl = defaultAclOf(path);
    const LoadLocation location = acl.location;
    if (!isUserWritable(location))
        return;
    const bool written = event.kind == "file-create";
    const std::string_view directory = folderOf(event.imageLoaded);
    std::string text = written ? "An executable file was written to a " : "Loaded from a ";
    text += std::string(loadLocationName(location));
    if (!directory.empty())
        text += " (" + std::string(directory) + ")";
    text += ". " + std::string(acl.text);
    // The folder whose ACL decides (C:\ProgramData\Intel), as far as the event can tell.
    const std::string aclFolder = aclFolderOf(event.imageLoaded, acl);
    if (acl.aclUnknown)
        text += "; whether ordinary users can write here depends on the ACL of " + aclFolder +
                " and the folders below it, which the event does not carry. Where they can, a planted DLL wins the "
                "search order.";
    else if (location == LoadLocation::NetworkShare)
        text += ": code from another machine, outside local control.";
    else
        text += ": a DLL planted there wins the search order.";
    Evidence evidence{{"path", event.imageLoaded},
                      {"location", std::string(loadLocationName(location))},
                      {"default-acl", std::string(acl.text)}};
    if (!aclFolder.empty())
        evidence.emplace_back("acl-folder", aclFolder);
    if (acl.aclUnknown)
        evidence.emplace_back("acl-known", "no: the event does not carry the folder's ACL");
    evidence.emplace_back("process", event.image);
    verdict.add(makeSysmonReason(code::UserWritableLoadPath, locationLevel(location), std::move(text),
                                 std::move(evidence)));
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
    if (judgeVendorCopy(event, path, entries, verdict))
        return;
    judgeMisplacedDll(event, *best, verdict);
    if (event.kind == "image-load" && entries.size() == 1)
        judgeSigner(event, *best, verdict);
}

// A HijackLibs entry names programs that load the DLL from their own folder and where Windows or
// the vendor keeps it. A copy outside those folders that the entry's vendor validly signed, in a
// folder only administrators may write (Office's VCRUNTIME140.dll in Program Files), is a
// private copy the vendor ships beside its program: nobody without administrator rights could
// have put it there, and its signer is the one the name promises. Info, instead of a match.
bool EventClassifier::judgeVendorCopy(const LoadEvent &event, const std::string &path,
                                      const std::vector<const hijacklibs::Entry *> &entries, Verdict &verdict) const
{
    if (event.kind != "image-load" || event.signatureState != SignatureState::Valid || isPlaceholder(event.signature))
        return false;
    const DefaultAcl acl = defaultAclOf(path);
    // Only a folder the table knows as admin-only; "nothing known" is not enough.
    if (isUserWritable(acl.location) || acl.folder.empty())
        return false;
    const hijacklibs::Entry *entry = nullptr;
    for (const auto *candidate : entries)
        if (signedByVendor(event.signature, *candidate)) {
            entry = candidate;
            break;
        }
    if (!entry)
        return false;
    const std::string image = winpath::normalize(event.image);
    const hijacklibs::VulnerableExecutable *exe = image.empty() ? nullptr : entry->vulnerableExecutableFor(image);
    const std::string hijackType = exe ? exe->type : entry->hijackTypes();
    Evidence evidence{{"dll", entry->name},
                      {"path", event.imageLoaded},
                      {"signer", event.signature},
                      {"signature-status", event.signatureStatus},
                      {"vendor", entry->vendor},
                      {"default-acl", std::string(acl.folder) + ": " + std::string(acl.text)},
                      {"hijack-type", hijackType},
                      {"expected-locations", expectedLocationsText(*entry)},
                      {"hijacklibs-entry", entry->file}};
    if (exe)
        evidence.emplace_back("vulnerable-executable", exe->path);
    verdict.add(makeSysmonReason(
        code::HijackLibsVendorCopy, Level::Info,
        "A copy of " + entry->name + " signed by " + event.signature + ", a signer of its vendor " + entry->vendor +
            ", was loaded from " + std::string(folderOf(event.imageLoaded)) + ", inside " + std::string(acl.folder) +
            ". " + std::string(acl.text) +
            ". So it is a private copy the vendor ships beside its program, not a planted one. HijackLibs lists " +
            entry->name + " (" + hijackType + ") because a program copied elsewhere loads it from its own folder; "
            "an unsigned copy, another signer or a user-writable folder would still be flagged.",
        std::move(evidence)));
    return true;
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

LoadEvent judgeRecord(EventRecord &&record, const std::string &sourceFile, VerdictCache &verdicts)
{
    LoadEvent event = toLoadEvent(std::move(record), sourceFile);
    event.verdict = verdicts.classify(event);
    return event;
}

namespace {

void appendKeyPart(std::string &key, std::string_view part)
{
    // Length-prefixed, so no two different tuples make the same key.
    key += std::to_string(part.size());
    key.push_back(':');
    key.append(part);
}

std::size_t verdictBytes(const Verdict &verdict)
{
    std::size_t n = sizeof(Verdict);
    for (const auto &r : verdict.reasons) {
        n += sizeof(Reason) + r.code.size() + r.text.size() + r.technique.size() + r.measure.size();
        for (const auto &[key, value] : r.evidence)
            n += sizeof(key) * 2 + key.size() + value.size();
    }
    return n;
}

} // namespace

const Verdict &VerdictCache::classify(const LoadEvent &event)
{
    if (!EventClassifier::judges(event.kind))
        return m_empty;
    m_key.clear();
    appendKeyPart(m_key, event.kind);
    appendKeyPart(m_key, event.image);
    appendKeyPart(m_key, event.imageLoaded);
    appendKeyPart(m_key, event.signedField);
    appendKeyPart(m_key, event.signatureStatus);
    appendKeyPart(m_key, event.signature);
    m_key += std::to_string(static_cast<int>(event.signatureState));
    if (auto it = m_verdicts.find(m_key); it != m_verdicts.end())
        return it->second;
    Verdict verdict = m_classifier.classify(event);
    const std::size_t bytes = m_key.size() + verdictBytes(verdict);
    if (m_verdicts.size() >= m_maxEntries || m_bytes + bytes > m_maxBytes) {
        m_verdicts.clear();
        m_bytes = 0;
    }
    m_bytes += bytes;
    return m_verdicts.emplace(m_key, std::move(verdict)).first->second;
}

} // namespace loadlens::sysmon
