#include "verdict/module_classifier.h"

#include "verdict/interposition.h"
#include "verdict/reason_catalog.h"

#include <algorithm>
#include <cstdio>

namespace loadlens::verdict {

namespace {

std::string hex(std::uint64_t v)
{
    char buf[32];
    std::snprintf(buf, sizeof buf, "0x%llx", static_cast<unsigned long long>(v));
    return buf;
}

std::string rangesText(const ModuleRecord &m)
{
    std::string out;
    for (const auto &r : m.ranges) {
        if (!out.empty())
            out += ", ";
        out += hex(r.start) + "-" + hex(r.end) + " " + r.perms;
    }
    return out;
}

std::string writersText(const std::vector<WriterFact> &writers)
{
    std::string out;
    for (const auto &w : writers) {
        if (!out.empty())
            out += "; ";
        out += w.component + ": " + w.principal + (w.canReplace ? "" : " (may add entries, not replace)");
    }
    return out;
}

void addPackageReasons(Verdict &v, const ModuleRecord &m, const ModuleFacts &f)
{
    const auto &p = f.package;
    switch (p.state) {
    case PackageFacts::State::NotChecked:
        break;
    case PackageFacts::State::NoDatabase:
        v.add(makeReason(code::NoPackageDatabase, Level::Info,
                         "No package database was consulted on this host (" + p.detail +
                             "), so LoadLens cannot say whether this file is the one a package installed.",
                         {{"path", m.path}}));
        break;
    case PackageFacts::State::Verified: {
        const bool md5 = p.digestAlgorithm == "MD5";
        v.add(makeReason(code::PackageVerified, Level::Info,
                         "Installed by package " + p.package + " and identical to the package manifest. " +
                             (md5 ? "The manifest is an MD5 list that root can rewrite"
                                  : "The manifest is the " + p.digestAlgorithm +
                                        " digest in the RPM database, which root can rewrite") +
                             ": this rules out accidents and tampering by non-root users, not by root.",
                         md5 ? Evidence{{"package", p.package}, {"listed_path", p.listedPath}, {"md5", p.actualDigest},
                                        {"sha256", f.sha256}}
                             : Evidence{{"package", p.package}, {"listed_path", p.listedPath}, {"sha256", f.sha256}}));
        break;
    }
    case PackageFacts::State::Modified: {
        const std::string key = p.digestAlgorithm == "MD5" ? "md5" : "sha256";
        v.add(makeReason(code::PackageModified, Level::High,
                         "Owned by package " + p.package +
                             " but its content differs from the package manifest: the library was changed after "
                             "installation. A replaced system library runs inside every process that loads it.",
                         {{"package", p.package}, {"listed_path", p.listedPath}, {"expected_" + key, p.expectedDigest},
                          {"actual_" + key, p.actualDigest}, {"sha256", f.sha256}}));
        break;
    }
    case PackageFacts::State::OwnedNoDigest:
        if (p.configFile)
            v.add(makeReason(code::PackageNoDigest, Level::Low,
                             "A config file of package " + p.package + ", changed since installation (" + p.detail +
                                 "). Config files are the administrator's to edit, so the change is not judged, "
                                 "as with dpkg's conffiles.",
                             {{"package", p.package}, {"listed_path", p.listedPath},
                              {"expected_" + std::string(p.digestAlgorithm == "MD5" ? "md5" : "sha256"), p.expectedDigest},
                              {"sha256", f.sha256}}));
        else
            v.add(makeReason(code::PackageNoDigest, Level::Low,
                             "Listed by package " + p.package + ", but " +
                                 (p.detail.empty() ? "the package manifest has no digest for it" : p.detail) +
                                 ", so its content could not be checked.",
                             {{"package", p.package}, {"listed_path", p.listedPath}, {"sha256", f.sha256}}));
        break;
    case PackageFacts::State::Unowned: {
        Level level = Level::Low;
        std::string why = "No installed package owns this file, so nothing vouches for its content.";
        if (f.location.systemLibraryDir) {
            level = Level::Medium;
            why = "No installed package owns this file although it sits in a system library directory, where "
                  "only packages should put libraries.";
        } else if (f.location.temporaryDir || f.location.homeDir || f.location.worldWritableTree) {
            level = Level::Medium;
        }
        v.add(makeReason(code::Unowned, level, why, {{"path", m.path}, {"sha256", f.sha256}}));
        break;
    }
    case PackageFacts::State::Unverifiable:
        v.add(makeReason(code::Unverifiable, Level::Low,
                         "Could not verify this file against the package database: " + p.detail + ".",
                         {{"path", m.path}, {"package", p.package}}));
        break;
    }
    if (p.imaSigned)
        v.add(makeReason(code::ImaSigned, Level::Info,
                         "The file carries an IMA signature (security.ima extended attribute).", {{"path", m.path}}));
}

void addMemoryReasons(Verdict &v, const ProcessInfo &proc, const ModuleRecord &m, const ModuleFacts &f)
{
    if (m.memfd) {
        v.add(makeReason(code::MemfdExec, Level::High,
                         "Executable code mapped from a memfd: an in-memory file that never existed on disk. "
                         "Fileless loaders use this to run code no file scanner can see.",
                         {{"path", m.path}, {"ranges", rangesText(m)}, {"confirmation", m.confirmation}}));
        return;
    }
    if (m.deleted) {
        if (f.deletion.replacedByPackageFile) {
            v.add(makeReason(code::DeletedUpgraded, Level::Low,
                             "The mapped file was deleted and the path now holds a newer file from package " +
                                 f.deletion.replacementPackage +
                                 ": most likely an upgrade; restart the process to load the new version.",
                             {{"path", m.path}, {"confirmation", m.confirmation},
                              {"package", f.deletion.replacementPackage}}));
        } else {
            std::string now = " and its path now holds a file no package owns";
            if (f.deletion.pathNowAbsent)
                now = " and nothing is at its path now";
            else if (!f.deletion.replacementMismatch.empty())
                now = " and its path now holds a file that package " + f.deletion.replacementPackage +
                      " lists but that is not the package's (" + f.deletion.replacementMismatch +
                      "), so no upgrade explains it";
            Evidence evidence{{"path", m.path}, {"inode", std::to_string(m.file.inode)},
                              {"confirmation", m.confirmation}};
            if (!f.deletion.replacementMismatch.empty()) {
                evidence.emplace_back("package", f.deletion.replacementPackage);
                evidence.emplace_back("replacement", f.deletion.replacementMismatch);
            }
            v.add(makeReason(code::Deleted, Level::High,
                             "The mapped file was deleted" + now +
                                 ": code that removes its own file after loading is a common way to hide.",
                             std::move(evidence)));
        }
    }
    if (m.anonymousExec) {
        bool writable = false;
        for (const auto &r : m.ranges)
            writable = writable || (r.perms.size() > 1 && r.perms[1] == 'w');
        v.add(makeReason(code::AnonymousExec, Level::Info,
                         std::string("Executable memory with no file behind it") +
                             (writable ? " that is also writable" : "") +
                             ". Just-in-time compilers (Java, JavaScript, .NET) make these; in other processes "
                             "it can be injected code.",
                         {{"process", proc.name}, {"ranges", rangesText(m)}}));
    }
}

// "a, b, c and 3 more": bounded, the evidence of a library exporting all of libc stays short.
std::string functionList(const std::vector<std::string> &functions)
{
    std::string list;
    const std::size_t shown = std::min<std::size_t>(functions.size(), 24);
    for (std::size_t i = 0; i < shown; ++i)
        list += (i ? ", " : "") + functions[i];
    if (shown < functions.size())
        list += " and " + std::to_string(functions.size() - shown) + " more";
    return list;
}

struct ShadowRoute {
    std::string through;  // the evidence value: "LD_PRELOAD", "LD_LIBRARY_PATH", "DT_RUNPATH of X", ...
    std::string text;     // completes "a same-named copy ..."
};

// How a copy that shadows a system library got into the process, in the order ld.so applies
// them: preloading comes before any search.
ShadowRoute shadowRoute(const ModuleFacts &f)
{
    if (f.inPreloadEnv)
        return {f.preloadVariable, "was injected in its place through " + f.preloadVariable +
                                       ", which the loader maps before any search"};
    if (f.inPreloadFile)
        return {"/etc/ld.so.preload", "was injected in its place through /etc/ld.so.preload, which the loader maps "
                                      "into every program before any search"};
    if (f.viaLibraryPathEnv)
        return {"LD_LIBRARY_PATH", "took its place because LD_LIBRARY_PATH (" + f.libraryPathDir +
                                       ") is searched before the system directories, the typical LD_LIBRARY_PATH "
                                       "hijack"};
    if (f.foundThrough.rfind("DT_RUNPATH", 0) == 0 || f.foundThrough.rfind("DT_RPATH", 0) == 0)
        return {f.foundThrough, "took its place because the loader searched " + f.foundThrough +
                                    " first: a program bundling its own copy does this, and so does a planted one"};
    if (!f.foundThrough.empty())
        return {f.foundThrough, "took its place, found through " + f.foundThrough};
    return {"unknown", "took its place, loaded by path or by a dlopen that named it (no search of the loader explains "
                       "it)"};
}

void addPathReasons(Verdict &v, const ModuleRecord &m, const ModuleFacts &f)
{
    if (f.writable.writableByNonRoot) {
        v.add(makeReason(code::WritablePath, Level::High,
                         "Someone other than root can change or replace this library: " + f.writable.summary +
                             ". Whoever can write it runs code in every process that loads it.",
                         {{"path", m.path}, {"writers", writersText(f.writable.writers)}}));
    } else if (!f.writable.errors.empty()) {
        std::string errs;
        for (const auto &e : f.writable.errors)
            errs += (errs.empty() ? "" : "; ") + e;
        v.add(makeReason(code::Unverifiable, Level::Low,
                         "Could not check who can write this library's path: " + errs + ".", {{"path", m.path}}));
    }
    if (f.location.temporaryDir || f.location.homeDir || f.location.worldWritableTree) {
        std::string where = f.location.temporaryDir ? "a temporary directory"
                            : f.location.homeDir    ? "a home directory"
                                                    : "a world-writable tree";
        v.add(makeReason(code::UntrustedLocation, Level::Medium,
                         "Loaded from " + where + " (" + f.location.matchedPrefix +
                             "), a place ordinary users and downloaded content can write to; libraries belong "
                             "in root-owned system directories.",
                         {{"path", m.path}, {"location", f.location.matchedPrefix}}));
    }
    for (const auto &s : f.searchPath) {
        v.add(makeReason(code::SearchPathHijackable, Level::High,
                         "The loader looks for " + s.neededName + " in " + s.writableDir + " (" + s.writableSource +
                             ") before " + s.loadedFromDir + ", and " + s.who +
                             " can write there: a file planted there would be loaded instead of this library.",
                         {{"needed", s.neededName}, {"requested_by", s.requester}, {"writable_dir", s.writableDir},
                          {"source", s.writableSource}, {"writer", s.who}, {"loaded_from", s.loadedFromDir}}));
    }
    for (const auto &r : f.rpath) {
        if (r.kind == RpathFact::Kind::Relative) {
            v.add(makeReason(code::RpathRelative, Level::Medium,
                             "Its " + r.tag + " entry '" + r.entry +
                                 "' is relative: it is resolved against the current directory of whoever runs "
                                 "the program, which an attacker can choose.",
                             {{"tag", r.tag}, {"entry", r.entry}, {"path", m.path}}));
        } else {
            std::string what = r.kind == RpathFact::Kind::Writable ? "is writable by " + r.who
                                                                   : "does not exist and " + r.who + " can create it";
            v.add(makeReason(code::RpathWritable, Level::High,
                             "Its " + r.tag + " entry " + r.expanded + " " + what +
                                 ": libraries placed there are loaded before the system's.",
                             {{"tag", r.tag}, {"entry", r.entry}, {"expanded", r.expanded}, {"writer", r.who},
                              {"path", m.path}}));
        }
    }
    if (!f.shadowedBy.empty()) {
        std::string copies;
        for (const auto &s : f.shadowedBy)
            copies += (copies.empty() ? "" : ", ") + s;
        // A package shipping its own copy is normal; a copy nothing vouches for, or one that came
        // in through LD_LIBRARY_PATH, is how that variable gets abused.
        const bool vouched = f.package.state == PackageFacts::State::Verified;
        const ShadowRoute route = shadowRoute(f);
        const bool injected = f.inPreloadEnv || f.inPreloadFile || f.viaLibraryPathEnv;
        if (!f.ownPrefixOwner.empty() && !injected) {
            // pyenv, conda, virtualenv-style prefixes: the interpreter's own RUNPATH names the
            // prefix's lib/, and one user owns all of it. Still shown, as nothing vouches for it.
            v.add(makeReason(code::ShadowedSystemLibrary, Level::Info,
                             "Loaded from the prefix that the program's own library path names (" + route.through +
                                 ") although the system has its own " + f.soname + " (" + copies +
                                 "). The program, this library and the directories above it belong to user " +
                                 f.ownPrefixOwner +
                                 " and nobody else can write them: that is how pyenv, conda and virtual-environment "
                                 "toolchains ship their own libpython and its companions, so the copy is normal here. "
                                 "It only matters if " + f.ownPrefixOwner + " is not expected to run this program.",
                             {{"soname", f.soname}, {"path", m.path}, {"system_copies", copies},
                              {"loaded_through", route.through}, {"prefix_owner", f.ownPrefixOwner}}));
            return;
        }
        v.add(makeReason(code::ShadowedSystemLibrary, vouched && !f.viaLibraryPathEnv ? Level::Medium : Level::High,
                         "Loaded from outside the system library directories although the system has its own " +
                             f.soname + " (" + copies + "): a same-named copy " + route.text + ".",
                         {{"soname", f.soname}, {"path", m.path}, {"system_copies", copies}, {"loaded_through", route.through}}));
    }
}

void addPreloadReasons(Verdict &v, const ProcessInfo &proc, const ModuleRecord &m, const ModuleFacts &f)
{
    if (f.inPreloadEnv) {
        auto it = proc.loaderEnv.find(f.preloadVariable);
        v.add(makeReason(code::PreloadEnv, Level::Medium,
                         "Loaded because " + f.preloadVariable +
                             " is set in this process's environment; anyone who can set the environment of this "
                             "program can inject code into it.",
                         {{"variable", f.preloadVariable},
                          {"value", it != proc.loaderEnv.end() ? it->second : std::string()},
                          {"path", m.path}}));
    }
    if (f.inPreloadFile && f.preloadFile.empty())
        v.add(makeReason(code::PreloadFile, Level::Medium,
                         "Listed in /etc/ld.so.preload: the loader injects it into every dynamically linked "
                         "program on this host. Rootkits install themselves this way.",
                         {{"file", "/etc/ld.so.preload"}, {"path", m.path}}));
    else if (f.inPreloadFile)
        v.add(makeReason(code::PreloadFile, Level::Medium,
                         "Listed in the /etc/ld.so.preload of this process's own mount namespace (" + f.preloadFile +
                             "): the loader injects it into every dynamically linked program started there. "
                             "Rootkits install themselves this way.",
                         {{"file", f.preloadFile}, {"path", m.path}}));
    if ((f.inPreloadEnv || f.inPreloadFile) && !f.interposes.empty()) {
        // Name what the injected library replaces: the first question a responder asks. What
        // the functions give it is said once, by interposes-system-functions, when they do.
        const std::string list = functionList(f.interposes);
        const bool hooks = !groupInterposedFunctions(f.interposes).empty();
        for (auto &r : v.reasons)
            if (r.code == code::PreloadEnv || r.code == code::PreloadFile) {
                r.text += " It exports " + std::to_string(f.interposes.size()) +
                          " function(s) that system libraries also export, so calls to them in this process reach "
                          "it first" + (hooks ? std::string(" (see interposes-system-functions).") : ": " + list + ".");
                r.evidence.emplace_back("interposes", list);
            }
    } else if ((f.inPreloadEnv || f.inPreloadFile) && !f.interposesUnknown.empty()) {
        for (auto &r : v.reasons)
            if (r.code == code::PreloadEnv || r.code == code::PreloadFile)
                r.evidence.emplace_back("interposes", "unknown: " + f.interposesUnknown);
    }
    if (f.viaLibraryPathEnv) {
        auto it = proc.loaderEnv.find("LD_LIBRARY_PATH");
        v.add(makeReason(code::LibraryPathEnv, Level::Low,
                         "Found through LD_LIBRARY_PATH (" + f.libraryPathDir +
                             ") rather than the system's search path; whoever controls that variable or "
                             "directory chooses which code this process runs.",
                         {{"variable", "LD_LIBRARY_PATH"},
                          {"value", it != proc.loaderEnv.end() ? it->second : std::string()},
                          {"directory", f.libraryPathDir}, {"path", m.path}}));
    }
}

// Hook analysis: a module that defines functions of the C library, the loader, libpam, libcrypt,
// libssl or libaudit which hide, steal or watch. Only definitions count (calling readdir imports
// it); functions of no group (an allocator's malloc) are listed with the others but raise nothing.
void addInterpositionReason(Verdict &v, const ModuleRecord &m, const ModuleFacts &f)
{
    const auto groups = groupInterposedFunctions(f.interposes);
    if (groups.empty())
        return;
    std::string groupNames;
    for (const auto &g : groups)
        groupNames += (groupNames.empty() ? "" : ", ") + g.name;
    std::string libraries;
    for (const auto &l : f.interposedLibraries)
        libraries += (libraries.empty() ? "" : ", ") + l;
    const bool injected = f.inPreloadEnv || f.inPreloadFile || f.viaLibraryPathEnv;
    const bool vouched = f.package.state == PackageFacts::State::Verified;
    std::string how;
    if (f.inPreloadEnv)
        how = "It was injected through " + f.preloadVariable + ", so it comes before the system libraries and every "
              "call to these functions in this process reaches it first.";
    else if (f.inPreloadFile)
        how = "It was injected through ld.so.preload, so it comes before the system libraries and every call to "
              "these functions in this process reaches it first.";
    else if (f.viaLibraryPathEnv)
        how = "It was found through LD_LIBRARY_PATH (" + f.libraryPathDir +
              "), and every object that binds to it before the system library calls it instead.";
    else
        how = "It was not preloaded, so it replaces them for the objects that bind to it before the system library "
              "(those that link it, and everything when it is loaded early); ordinary libraries call these "
              "functions, they do not define them.";
    v.add(makeReason(code::InterposesSystemFunctions, injected && !vouched ? Level::High : Level::Medium,
                     "Defines " + std::to_string(f.interposes.size()) + " function(s) that system libraries (" +
                         libraries + ") also export, among them " + groupNames + " functions. " + how +
                         " It can " + interpositionImplies(f.interposes) + ".",
                     {{"functions", functionList(f.interposes)}, {"groups", groupNames},
                      {"system_libraries", libraries}, {"path", m.path}}));
}

// A Windows image in a Wine process: the search-order hijack Windows itself is open to, and the
// signature Windows' own DLLs carry.
void addWindowsReasons(Verdict &v, const ModuleRecord &m, const ModuleFacts &f)
{
    const auto &w = f.windows;
    if (!w.isPe)
        return;
    const auto slash = m.path.rfind('/');
    const std::string name = m.path.substr(slash + 1);
    if (!w.system32Copy.empty()) {
        std::string text = "A Windows DLL loaded from " + m.path.substr(0, slash) +
                           " although the Wine prefix's system32 has its own " + name + " (" + w.system32Copy +
                           "). Windows looks in the program's own directory before System32, so a same-named DLL "
                           "placed beside a program runs inside it instead of the system's: a DLL search-order "
                           "hijack.";
        Evidence evidence{{"path", m.path}, {"system32_copy", w.system32Copy}, {"wine_prefix", w.prefix},
                          {"prefix_from", w.prefixSource}};
        if (!w.dllOverrides.empty()) {
            text += " Wine's DLL overrides of this process: " + w.dllOverrides + ".";
            evidence.emplace_back("winedlloverrides", w.dllOverrides);
        }
        v.add(makeReason(code::WineDllShadowsSystem32, Level::High, std::move(text), std::move(evidence)));
    }
    if (!w.hijackLibsEntry.empty())
        v.add(makeReason(code::HijackLibsMatch, w.system32Copy.empty() ? Level::Medium : Level::High,
                         "HijackLibs lists " + name + " as a DLL that attackers plant to hijack programs (" +
                             w.hijackLibsTypes + "), and this copy is not where " +
                             (w.hijackLibsVendor.empty() ? std::string("its vendor") : w.hijackLibsVendor) +
                             " installs it (" + (w.hijackLibsExpected.empty() ? std::string("nowhere") : w.hijackLibsExpected) +
                             "): " + w.windowsPath + ".",
                         {{"path", m.path}, {"windows_path", w.windowsPath}, {"hijack-type", w.hijackLibsTypes},
                          {"expected-locations", w.hijackLibsExpected}, {"hijacklibs-entry", w.hijackLibsEntry}}));
    if (!w.signatureChecked || w.signedOk)
        return;
    if (w.signatureState == "unsigned")
        v.add(makeReason(code::PeUnsigned, Level::Medium,
                         "This Windows image carries no Authenticode signature, embedded or in a catalog LoadLens "
                         "was given, so nothing says who made it; Windows' own DLLs are signed by Microsoft.",
                         {{"path", m.path}, {"signature", w.signatureState},
                          {"authenticode_sha256", w.authenticodeSha256}}));
    else
        v.add(makeReason(code::PeSignatureInvalid, Level::High,
                         "This Windows image's Authenticode signature does not verify (" + w.signatureState +
                             "): the file was changed after it was signed, or the signature was made to look "
                             "like someone else's.",
                         {{"path", m.path}, {"signature", w.signatureState}, {"signer", w.signer},
                          {"authenticode_sha256", w.authenticodeSha256}}));
}

// An injection path combined with a library nothing vouches for is what an attack looks like:
// raise those reasons to high.
void escalate(Verdict &v)
{
    const bool vouched = v.has(code::PackageVerified) || v.has(code::ImaSigned);
    if (vouched)
        return;
    const bool unvouched = v.has(code::Unowned) || v.has(code::PackageModified) || v.has(code::Unverifiable) ||
                           v.has(code::NoPackageDatabase);
    if (!unvouched)
        return;
    for (auto &r : v.reasons) {
        if (r.code == code::PreloadEnv || r.code == code::PreloadFile || r.code == code::LibraryPathEnv ||
            r.code == code::UntrustedLocation) {
            r.level = Level::High;
            v.level = Level::High;
        }
    }
}

} // namespace

Verdict classifyModule(const ProcessInfo &process, const ModuleRecord &module, const ModuleFacts &facts)
{
    Verdict v;
    if (module.pseudo) {
        v.add(makeReason(code::KernelProvided, Level::Ok,
                         "Code the kernel maps into every process (" + module.path + ").", {{"path", module.path}}));
        return v;
    }
    addMemoryReasons(v, process, module, facts);
    if (!module.anonymousExec && !module.memfd)
        addPackageReasons(v, module, facts);
    addPathReasons(v, module, facts);
    addPreloadReasons(v, process, module, facts);
    addInterpositionReason(v, module, facts);
    addWindowsReasons(v, module, facts);
    if (!facts.ownRootUnread.empty())
        v.add(makeReason(code::OwnRootUnreadable, Level::Info,
                         "This process runs in another mount namespace, and part of its own root could not be read (" +
                             facts.ownRootUnread +
                             "): what those parts would have said is missing from this verdict; LoadLens's own "
                             "root was not used in their place.",
                         {{"unread", facts.ownRootUnread}, {"root", facts.ownRoot}, {"path", module.path}}));
    escalate(v);
    return v;
}

} // namespace loadlens::verdict
