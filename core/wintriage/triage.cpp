#include "wintriage/triage.h"

#include "authenticode/authenticode.h"
#include "hijacklibs/windows_path.h"
#include "pe/pe_reader.h"
#include "wintriage/activation.h"
#include "wintriage/image_layout.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <map>
#include <set>

namespace loadlens::wintriage {

namespace {

using winreg::foldCase;

constexpr const char *kMeasureSearchOrder =
    "M1044: keep application directories and PATH directories writable only by administrators, load DLLs by "
    "full path or from System32 (LoadLibraryEx with LOAD_LIBRARY_SEARCH_SYSTEM32), and allow only signed DLLs "
    "(WDAC/AppLocker DLL rules)";

struct Image {
    bool parsed = false;
    pe::PeInfo info;
    std::optional<authenticode::SignatureState> state; // computed on demand
    std::string signer;
    std::string catalog;                               // the catalog that signs it, if any
    std::vector<std::string> reasons;                  // why the primary signature is not valid
};

class Triage {
public:
    Triage(const TriageOptions &options, ImageLayout &layout, TriageResult &result)
        : m_options(options), m_layout(layout), m_volume(*layout.volume), m_result(result), m_sxs(*layout.volume)
    {
    }

    void run()
    {
        const Settings &s = m_result.settings;
        for (const auto &name : s.knownDlls)
            m_knownDlls.insert(foldCase(name));
        for (const auto &name : s.excludeFromKnownDlls)
            m_knownDlls.erase(foldCase(name));
        m_systemDirectory = m_volume.resolve("Windows/System32");
        m_wowDirectory = m_volume.resolve("Windows/SysWOW64");
        m_windowsDirectory = m_volume.resolve("Windows");
        m_systemLooksComplete = m_systemDirectory && m_volume.listing(*m_systemDirectory).size() >= 200;
        for (const auto &entry : s.systemPath)
            m_pathDirectories.push_back(entry);
        for (const auto &[hive, entry] : s.userPaths)
            m_pathDirectories.push_back(entry);
        if (m_options.acls)
            m_result.aclSources = m_options.acls->sources();
        pathDirectoryAccess();

        for (const auto &top : m_options.scanDirectories)
            if (const auto dir = m_volume.resolve(top); dir && !cancelled())
                walk(*dir);
        if (!cancelled())
            services();
        posture();
    }

    bool cancelled() const { return m_options.cancel && m_options.cancel->cancelled(); }

private:
    // --- paths ----------------------------------------------------------------------------------
    std::string windowsPath(const std::string &host) const
    {
        std::string rel = host.substr(std::min(host.size(), m_volume.root().size()));
        std::replace(rel.begin(), rel.end(), '/', '\\');
        return "C:" + (rel.empty() ? std::string("\\") : rel);
    }

    // %SystemRoot% and friends, then C:\... to a host directory; nothing for other drives or
    // variables that depend on the user.
    std::optional<std::string> hostDirectory(const std::string &windows) const
    {
        const auto expanded = expand(windows);
        if (!expanded)
            return std::nullopt;
        return m_volume.resolve(expanded->substr(2));
    }

    // The same as a Windows path on C: ("C:\Windows\System32"), whether collected or not.
    std::optional<std::string> expand(std::string windows) const
    {
        static const std::pair<const char *, const char *> variables[] = {
            {"%systemroot%", "C:\\Windows"},        {"%windir%", "C:\\Windows"},
            {"%systemdrive%", "C:"},                {"%programfiles%", "C:\\Program Files"},
            {"%programfiles(x86)%", "C:\\Program Files (x86)"}, {"%programdata%", "C:\\ProgramData"},
        };
        for (const auto &[variable, value] : variables) {
            const std::string folded = foldCase(windows);
            if (const auto at = folded.find(variable); at != std::string::npos)
                windows.replace(at, std::strlen(variable), value);
        }
        if (windows.find('%') != std::string::npos)
            return std::nullopt;
        if (windows.size() >= 2 && windows[1] == ':') {
            if ((windows[0] | 0x20) != 'c')
                return std::nullopt;
            windows = windows.substr(2);
        } else if (!windows.empty() && windows[0] != '\\') {
            windows = "Windows\\" + windows; // relative ImagePath values ("System32\\drivers\\...") start at SystemRoot
        }
        if (windows.empty() || windows[0] != '\\')
            windows = "\\" + windows;
        return "C:" + windows;
    }

    std::optional<std::string> fileIn(const std::string &hostDir, const std::string &name) const
    {
        const auto &entries = m_volume.listing(hostDir);
        const auto it = entries.find(foldCase(name));
        if (it == entries.end())
            return std::nullopt;
        return hostDir + "/" + it->second;
    }

    // --- images ---------------------------------------------------------------------------------
    Image &image(const std::string &host)
    {
        auto [it, inserted] = m_images.try_emplace(host);
        if (inserted) {
            if (auto bytes = pe::readImageFile(host)) {
                if (auto info = pe::parsePe(*bytes, host)) {
                    it->second.parsed = true;
                    it->second.info = std::move(*info);
                }
            }
        }
        return it->second;
    }

    Image &signedImage(const std::string &host)
    {
        Image &img = image(host);
        if (!img.state) {
            img.state = authenticode::SignatureState::Unsigned;
            auto bytes = pe::readImageFile(host);
            if (bytes && img.parsed) {
                authenticode::VerifyOptions options;
                options.anchors = m_options.anchors;
                const auto report = authenticode::verifyImage(*bytes, img.info, options);
                img.state = report.state;
                if (!report.signatures.empty() && report.signatures.front().signer)
                    img.signer = report.signatures.front().signer->commonName;
                if (!report.signatures.empty())
                    img.reasons = report.signatures.front().reasons;
                for (const auto &problem : report.problems)
                    img.reasons.push_back(problem);
                if (!isSigned(img)) {
                    // The catalogs the caller loaded first, then the image's CatRoot; the file is hashed once.
                    const auto digests = authenticode::catalogDigests(*bytes, &img.info);
                    auto found = m_options.catalogs ? authenticode::catalogSignature(digests, *m_options.catalogs)
                                                    : authenticode::FileSignature{};
                    if (!found.catalogSigned)
                        found = authenticode::catalogSignature(digests, catalogs());
                    if (found.catalogSigned && found.catalog) {
                        img.state = found.state;
                        const std::string &name = found.catalog->name;
                        img.catalog = name.rfind(m_volume.root() + "/", 0) == 0 ? windowsPath(name) : name;
                        if (found.catalog->signature && found.catalog->signature->signer)
                            img.signer = found.catalog->signature->signer->commonName;
                        img.reasons.clear();
                        if (found.catalog->signature)
                            img.reasons = found.catalog->signature->reasons;
                    }
                }
            }
        }
        return img;
    }

    // The catalogs, read on first use: the image's CatRoot and the directories given.
    const authenticode::CatalogIndex &catalogs()
    {
        if (m_catalogs)
            return *m_catalogs;
        m_catalogs.emplace();
        authenticode::VerifyOptions options;
        options.anchors = m_options.anchors;
        std::vector<std::string> directories;
        if (m_options.imageCatalogs)
            if (const auto root = m_volume.resolve("Windows/System32/CatRoot"))
                directories.push_back(*root);
        for (const auto &d : m_options.catalogDirectories)
            directories.push_back(d);
        for (const auto &d : directories) {
            if (auto added = m_catalogs->addDirectory(d, options); !added)
                m_result.problems.push_back("catalogs in " + d + ": " + added.error().message);
            m_result.catalogSources.push_back(d);
        }
        for (const auto &p : m_catalogs->problems())
            m_result.problems.push_back(p);
        m_result.catalogsRead = m_catalogs->size();
        return *m_catalogs;
    }

    // "signature-valid-chain-unknown, catalog X.cat": the state and where it comes from.
    static std::string stateText(const Image &img)
    {
        return std::string(authenticode::stateName(*img.state)) + (img.catalog.empty() ? "" : ", catalog " + img.catalog);
    }

    static bool isSigned(const Image &img)
    {
        return img.state == authenticode::SignatureState::Valid ||
               img.state == authenticode::SignatureState::SignatureValidChainUnknown;
    }

    // --- walking --------------------------------------------------------------------------------
    void walk(const std::string &top)
    {
        namespace fs = std::filesystem;
        std::error_code ec;
        for (fs::recursive_directory_iterator it(top, fs::directory_options::skip_permission_denied, ec), end;
             !ec && it != end; it.increment(ec)) {
            if (cancelled())
                return;
            if (it->is_directory(ec) && !it->is_symlink(ec)) {
                // The component store holds every version of every system file; it is not loaded from.
                if (foldCase(it->path().filename().string()) == "winsxs")
                    it.disable_recursion_pending();
                continue;
            }
            if (!it->is_regular_file(ec) || it->is_symlink(ec))
                continue;
            const std::string path = it->path().string();
            if (!pe::fileLooksLikePe(path))
                continue;
            Image &img = image(path);
            if (!img.parsed || img.info.kind != pe::PeKind::Exe)
                continue;
            if (m_result.executables.size() >= m_options.maxExecutables) {
                m_result.truncated = true;
                m_result.problems.push_back("stopped after " + std::to_string(m_options.maxExecutables) +
                                            " executables (--max-executables)");
                return;
            }
            ++m_result.executablesSeen;
            examine(path, img);
            if (m_options.progress)
                m_options.progress(m_result.executablesSeen, 0, m_result.executables.back().path);
        }
        if (ec)
            m_result.problems.push_back("listing " + top + " stopped early: " + ec.message());
    }

    void examine(const std::string &host, Image &exe)
    {
        Executable out;
        out.path = windowsPath(host);
        out.bits = exe.info.is64() ? 64 : 32;
        const std::string appDir = host.substr(0, host.rfind('/'));
        const std::optional<std::string> systemDir = (!exe.info.is64() && m_wowDirectory) ? m_wowDirectory : m_systemDirectory;
        const ActivationContext context =
            m_sxs.contextFor(host, exe.info, m_result.settings.devOverrideEnable.value_or(0) != 0);
        for (const auto &note : context.notes)
            problem(note);
        std::set<std::string> seen;
        for (const auto &import : exe.info.imports) {
            const std::string folded = foldCase(import.dll);
            if (!seen.insert(folded).second)
                continue;
            out.dlls.push_back(resolve(import.dll, import.delayed, appDir, systemDir, context));
        }
        bool anyFinding = false;
        for (const auto &r : out.dlls) {
            anyFinding |= judge(host, out, r, systemDir);
            anyFinding |= knownHijack(out, r);
        }
        anyFinding |= activationFindings(out, context, appDir);
        anyFinding |= applicationDirectory(out, appDir);
        const bool inWindows = m_windowsDirectory && host.rfind(*m_windowsDirectory + "/", 0) == 0;
        if (anyFinding || !inWindows || m_options.verifyEverySignature) {
            const Image &signedExe = signedImage(host);
            out.signature = authenticode::stateName(*signedExe.state);
            out.signer = signedExe.signer;
            out.catalog = signedExe.catalog;
            if (signedExe.state == authenticode::SignatureState::Invalid)
                invalidSignature(out, signedExe);
        }
        m_result.executables.push_back(std::move(out));
    }

    // A signed executable whose signature does not verify: changed after signing (a patched or
    // backdoored program keeps its certificate table), or signed with something Windows refuses.
    void invalidSignature(const Executable &out, const Image &exe)
    {
        Finding f;
        f.code = "signature-invalid";
        f.level = "high";
        f.executable = out.path;
        f.title = out.path.substr(out.path.rfind('\\') + 1) + " carries a signature that does not verify";
        std::string reasons;
        for (const auto &r : exe.reasons)
            reasons += (reasons.empty() ? "" : "; ") + r;
        f.evidence = "Authenticode verification failed" + (reasons.empty() ? std::string() : ": " + reasons) +
                     (exe.signer.empty() ? std::string() : " (signer named: " + exe.signer + ")") +
                     ". A signed file whose contents no longer match its signature was modified after signing; "
                     "Windows refuses it wherever signatures are enforced, and it runs as is everywhere else.";
        f.technique = "T1554";
        f.measure = "M1044: allow only validly signed code to load (WDAC or AppLocker rules that check "
                    "signatures), which refuses a signed file changed after signing";
        m_result.findings.push_back(std::move(f));
    }

    DllResolution resolve(const std::string &dll, bool delayed, const std::string &appDir,
                          const std::optional<std::string> &systemDir, const ActivationContext &context) const
    {
        DllResolution r;
        r.dll = dll;
        r.delayed = delayed;
        const std::string folded = foldCase(dll);
        // DotLocal and the activation context come before API sets, KnownDLLs and the search.
        if (const auto it = context.dlls.find(folded); it != context.dlls.end()) {
            r.how = it->second.how;
            r.path = windowsPath(it->second.host);
            r.evidence = it->second.evidence;
            return r;
        }
        if (folded.rfind("api-ms-", 0) == 0 || folded.rfind("ext-ms-", 0) == 0) {
            r.how = "api-set";
            return r;
        }
        if (m_knownDlls.count(folded)) {
            r.how = "known-dll";
            if (systemDir)
                if (auto f = fileIn(*systemDir, dll))
                    r.path = windowsPath(*f);
            return r;
        }
        // The standard search order with SafeDllSearchMode on; off moves the current directory
        // up to second place, which offline triage cannot see either way.
        std::vector<std::pair<std::string, std::optional<std::string>>> order = {
            {"application-directory", appDir},
            {"system-directory", systemDir},
            {"16-bit-system-directory", m_volume.resolve("Windows/System")},
            {"windows-directory", m_volume.resolve("Windows")},
        };
        for (const auto &entry : m_pathDirectories)
            order.emplace_back("path", hostDirectory(entry));
        for (const auto &[how, dir] : order) {
            if (!dir)
                continue;
            if (auto f = fileIn(*dir, dll)) {
                if (r.how.empty()) {
                    r.how = how;
                    r.path = windowsPath(*f);
                } else if (windowsPath(*f) != r.path &&
                           std::find(r.alsoIn.begin(), r.alsoIn.end(), windowsPath(*f)) == r.alsoIn.end()) {
                    r.alsoIn.push_back(windowsPath(*f));
                }
            }
        }
        if (r.how.empty())
            r.how = "not-found";
        return r;
    }

    bool judge(const std::string &exeHost, const Executable &out, const DllResolution &r,
               const std::optional<std::string> &systemDir)
    {
        if (r.how == "application-directory" && systemDir) {
            const auto systemCopy = fileIn(*systemDir, r.dll);
            if (!systemCopy)
                return false;
            const std::string appCopy = exeHost.substr(0, exeHost.rfind('/')) + "/" +
                                        m_volume.listing(exeHost.substr(0, exeHost.rfind('/'))).at(foldCase(r.dll));
            Image &planted = signedImage(appCopy);
            Image &system = signedImage(*systemCopy);
            const Image &app = signedImage(exeHost);
            const bool plantedSigned = isSigned(planted);
            const bool differentSigner = plantedSigned && isSigned(system) && planted.signer != system.signer;
            Finding f;
            f.code = "dll-side-loading";
            f.executable = out.path;
            f.dll = r.dll;
            f.level = (isSigned(app) && (!plantedSigned || differentSigner)) ? "high" : "medium";
            f.title = r.dll + " next to " + out.path.substr(out.path.rfind('\\') + 1) +
                      " shadows the System32 copy";
            f.evidence = "loaded from " + r.path + " (signature: " + stateText(planted) +
                         (planted.signer.empty() ? "" : ", signer " + planted.signer) + ") instead of " +
                         windowsPath(*systemCopy) + " (signature: " + stateText(system) +
                         (system.signer.empty() ? "" : ", signer " + system.signer) + "); the executable is " +
                         stateText(app) + (app.signer.empty() ? "" : " by " + app.signer) +
                         ". The application directory comes first in the search order, so whoever can write "
                         "it decides what this signed program runs.";
            f.technique = "T1574.001";
            f.measure = kMeasureSearchOrder;
            m_result.findings.push_back(std::move(f));
            return true;
        }
        if (r.how == "not-found") {
            Finding f;
            f.code = "phantom-dll";
            f.executable = out.path;
            f.dll = r.dll;
            f.level = m_systemLooksComplete ? "medium" : "info";
            f.title = r.dll + " is imported by " + out.path.substr(out.path.rfind('\\') + 1) + " but found nowhere";
            f.evidence = std::string(r.delayed ? "delay-loaded; " : "") +
                         "searched the application directory, System32, the 16-bit system directory, the Windows "
                         "directory and " + std::to_string(m_pathDirectories.size()) +
                         " PATH entries. A DLL of this name planted in any of them would be loaded." +
                         (m_systemLooksComplete ? "" : " System32 looks incomplete in this collection, so the "
                                                       "DLL may simply not have been collected.");
            f.technique = "T1574.001";
            f.measure = kMeasureSearchOrder;
            m_result.findings.push_back(std::move(f));
            return true;
        }
        return false;
    }

    // --- activation contexts (manifests, WinSxS, .local) ----------------------------------------
    void problem(const std::string &text)
    {
        if (m_problemsSeen.insert(text).second)
            m_result.problems.push_back(text);
    }

    bool activationFindings(const Executable &out, const ActivationContext &context, const std::string &appDir)
    {
        bool any = false;
        const std::string program = out.path.substr(out.path.rfind('\\') + 1);
        for (const auto &missing : context.missing) {
            // The imports this assembly would have supplied, and where the search takes them from instead.
            std::string fallThrough, firstDll;
            bool writable = false, outsideSystem = false;
            for (const auto &r : out.dlls) {
                if (std::find(missing.dlls.begin(), missing.dlls.end(), foldCase(r.dll)) == missing.dlls.end())
                    continue;
                if (firstDll.empty())
                    firstDll = r.dll;
                fallThrough += (fallThrough.empty() ? "" : "; ") + r.dll + " resolves by the search order instead to " +
                               (r.path.empty() ? std::string("nothing (") + r.how + ")" : r.path + " (" + r.how + ")");
                const bool searched = r.how == "application-directory" || r.how == "path" || r.how == "not-found";
                outsideSystem |= searched;
                if (r.how == "application-directory" || r.how == "path") {
                    const auto access = directoryAccess(std::string(winpath::directoryOf(r.path)));
                    if (access.status == "writable") {
                        writable = true;
                        fallThrough += ", a directory " + access.evidence;
                    }
                }
            }
            const auto appAccess = directoryAccess(m_volume.windowsPath(appDir));
            if (appAccess.status == "writable") {
                writable = true;
                fallThrough += std::string(fallThrough.empty() ? "" : "; ") + "the application directory is writable: " +
                               appAccess.evidence;
            }
            Finding f;
            f.code = "sxs-assembly-missing";
            f.executable = out.path;
            f.dll = firstDll;
            f.level = !m_sxs.present() ? "info" : missing.optional ? "low" : writable ? "high" : outsideSystem ? "medium" : "low";
            f.title = program + " depends on assembly " + missing.identity.name + ", which is not installed";
            f.evidence = missing.manifest + " names " + missing.identity.text() + (missing.optional ? " (optional)" : "") +
                         ", found neither in C:\\Windows\\WinSxS nor as a private assembly in the application directory (" +
                         missing.identity.name + ".manifest or " + missing.identity.name + "\\" + missing.identity.name +
                         ".manifest). Windows then looks for it in the application directory first, so whoever can write "
                         "there supplies the assembly and its DLLs" +
                         (fallThrough.empty() ? std::string(".") : ": " + fallThrough + ".") +
                         (m_sxs.present() ? "" : " WinSxS is not in this collection, so the assembly may simply not have been collected.");
            f.technique = "T1574.001";
            f.measure = "M1044: install the assemblies a program's manifest names (the vendor's redistributable), "
                        "and keep application directories writable only by administrators";
            m_result.findings.push_back(std::move(f));
            any = true;
        }
        for (const auto &[folded, redirection] : context.dlls) {
            if (redirection.how != ".local")
                continue;
            Finding f;
            f.code = "dot-local-redirection";
            f.level = "medium";
            f.executable = out.path;
            f.dll = redirection.host.substr(redirection.host.rfind('/') + 1);
            f.title = f.dll + " is loaded by " + program + " from its .local folder";
            f.evidence = redirection.evidence + "; DevOverrideEnable = " +
                         std::to_string(m_result.settings.devOverrideEnable.value_or(0)) +
                         ". DotLocal redirection is a developer feature: its DLLs load before every other copy, "
                         "System32's included.";
            f.technique = "T1574.001";
            f.measure = "M1044: leave DevOverrideEnable unset (0) and remove .local folders from production hosts";
            m_result.findings.push_back(std::move(f));
            any = true;
        }
        for (const auto &[folded, redirection] : context.dormant) {
            Finding f;
            f.code = "dot-local-dormant";
            f.level = "low";
            f.executable = out.path;
            f.dll = redirection.host.substr(redirection.host.rfind('/') + 1);
            f.title = f.dll + " waits in the .local folder of " + program;
            f.evidence = redirection.evidence + ".";
            f.technique = "T1574.001";
            f.measure = "M1044: leave DevOverrideEnable unset (0) and remove .local folders from production hosts";
            m_result.findings.push_back(std::move(f));
            any = true;
        }
        return any;
    }

    // --- directory ACLs -------------------------------------------------------------------------
    struct Access {
        std::string status;   // writable, not-writable, unknown
        std::string evidence;
    };

    Access directoryAccess(const std::string &windowsDirectory)
    {
        const std::string key = aclKey(windowsDirectory);
        if (const auto it = m_access.find(key); it != m_access.end())
            return it->second;
        Access a;
        const AclCollection::Entry *entry = m_options.acls ? m_options.acls->entryFor(windowsDirectory) : nullptr;
        if (!m_options.acls || m_options.acls->empty()) {
            a = {"unknown", "no ACLs were collected (--acls)"};
        } else if (!entry) {
            a = {"unknown", windowsDirectory + " is not in the collected ACLs"};
        } else if (auto dacl = parseSddlDacl(entry->sddl); !dacl) {
            a = {"unknown", entry->source + ": the DACL of " + windowsDirectory + " is malformed: " + dacl.error().message};
            problem(a.evidence);
        } else if (const auto decision = nonAdminCanCreateFiles(*dacl); decision.writable) {
            a = {"writable", "writable by " + decision.principal + ": " + decision.ace + " in the DACL of " + windowsDirectory +
                                 " (" + entry->source + ")"};
        } else {
            a = {"not-writable", "no ACE lets a non-administrator create files in " + windowsDirectory + " (" + entry->source + ")"};
        }
        return m_access.emplace(key, a).first->second;
    }

    // An application directory non-administrators can create files in: any DLL its programs
    // import by name (KnownDLLs aside) can be planted beside them.
    bool applicationDirectory(const Executable &out, const std::string &appDir)
    {
        const std::string windowsDir = m_volume.windowsPath(appDir);
        const bool first = m_applicationDirectories.emplace(aclKey(windowsDir), true).second;
        const Access access = directoryAccess(windowsDir);
        if (access.status != "writable" || !first)
            return access.status == "writable";
        Finding f;
        f.code = "writable-application-directory";
        // A user's own profile is theirs to write; a program directory elsewhere is a misconfiguration.
        const bool inProfile = foldCase(windowsDir).rfind("c:\\users\\", 0) == 0;
        f.level = inProfile ? "low" : "high";
        f.executable = out.path;
        f.title = "the application directory of " + out.path.substr(out.path.rfind('\\') + 1) +
                  " is writable by non-administrators";
        f.evidence = windowsDir + " is " + access.evidence +
                     ". Every DLL a program there imports by name, other than KnownDLLs, is looked for in it first." +
                     (inProfile ? " It is in a user profile, where its user plants only into their own programs." : "");
        f.technique = "T1574.001";
        f.measure = kMeasureSearchOrder;
        m_result.findings.push_back(std::move(f));
        return true;
    }

    // PATH directories non-administrators can create files in: the last place every program
    // looks for a DLL it did not find elsewhere, so every phantom DLL lands there.
    void pathDirectoryAccess()
    {
        const Settings &s = m_result.settings;
        std::size_t index = 0;
        for (const auto &entry : m_pathDirectories) {
            const bool system = index++ < s.systemPath.size();
            const auto expanded = expand(entry);
            if (!expanded) {
                m_pathUnknown.push_back(entry + " (not on C: or depends on the user)");
                continue;
            }
            const Access access = directoryAccess(*expanded);
            if (access.status == "unknown") {
                m_pathUnknown.push_back(entry);
                continue;
            }
            if (access.status != "writable")
                continue;
            ++m_pathWritable;
            Finding f;
            f.code = "writable-path-directory";
            f.level = system ? "high" : "medium";
            f.title = std::string(system ? "system" : "user") + " PATH directory " + *expanded + " is writable by non-administrators";
            f.evidence = std::string(system ? "the system PATH" : "a user's PATH") + " entry " + entry + " is " + access.evidence +
                         ". A DLL any program imports but finds nowhere else (a phantom DLL) is loaded from here" +
                         (system ? ", by services running as SYSTEM too." : ", by that user's programs.");
            f.technique = "T1574.007";
            f.measure = "M1044: keep PATH directories writable only by administrators, and remove entries that are not";
            m_result.findings.push_back(std::move(f));
        }
    }

    // --- HijackLibs ------------------------------------------------------------------------------
    // A DLL the HijackLibs dataset knows as hijackable, resolved outside the folders it is
    // expected in: high when this executable is one the dataset names as vulnerable to it.
    bool knownHijack(const Executable &out, const DllResolution &r)
    {
        if (!m_options.hijackLibs || r.path.empty() || r.how == "known-dll" || r.how == "sxs")
            return false;
        const std::string dllPath = winpath::normalize(r.path);
        const std::string exePath = winpath::normalize(out.path);
        const std::string directory(winpath::directoryOf(dllPath));
        for (const auto *entry : m_options.hijackLibs->findAll(r.dll)) {
            if (entry->isExpectedDirectory(directory))
                continue;
            const auto *vulnerable = entry->vulnerableExecutableFor(exePath);
            // A known vulnerable program copied elsewhere keeps its file name.
            const hijacklibs::VulnerableExecutable *byName = nullptr;
            if (!vulnerable)
                for (const auto &v : entry->vulnerableExecutables)
                    if (winpath::equalsIgnoreCase(winpath::baseName(winpath::normalize(v.path)), winpath::baseName(exePath)))
                        byName = &v;
            const auto *match = vulnerable ? vulnerable : byName;
            Finding f;
            f.code = "hijacklibs-dll";
            f.executable = out.path;
            f.dll = r.dll;
            f.level = match ? "high" : "medium";
            f.title = r.dll + " (HijackLibs: " + entry->hijackTypes() + ") loaded from outside its expected folders" +
                      (match ? " by " + out.path.substr(out.path.rfind('\\') + 1) + ", a program known to load it" : "");
            std::string expected;
            for (const auto &loc : entry->expectedLocations)
                expected += (expected.empty() ? "" : ", ") + loc.text();
            f.evidence = "resolved to " + r.path + " (" + r.how + "); HijackLibs " + entry->file + " expects it in " +
                         (expected.empty() ? std::string("no folder (Windows does not ship it)") : expected) +
                         (match ? "; it lists " + match->path + " as vulnerable (" + match->type + ")" +
                                      (vulnerable ? "" : ", and this copy has that program's name")
                                : std::string());
            f.technique = "T1574.001";
            f.measure = kMeasureSearchOrder;
            m_result.findings.push_back(std::move(f));
            return true;
        }
        return false;
    }

    // --- services -------------------------------------------------------------------------------
    // A service's ServiceDll (or its own image) runs as SYSTEM or a service account: outside
    // System32 or unsigned, it is where a persistent hijack would sit.
    void services()
    {
        std::size_t notCollected = 0;
        for (const auto &service : m_result.settings.services) {
            if (cancelled())
                return;
            for (const bool dll : {true, false}) {
                std::string target = dll ? service.serviceDll : service.imagePath;
                if (target.empty())
                    continue;
                // ImagePath may carry arguments ("svchost.exe -k netsvcs") and quotes.
                if (!target.empty() && target.front() == '"') {
                    target = target.substr(1, target.find('"', 1) - 1);
                } else if (const auto exe = foldCase(target).find(".exe"); exe != std::string::npos) {
                    target = target.substr(0, exe + 4);
                }
                if (foldCase(target).rfind("\\systemroot\\", 0) == 0)
                    target = "%SystemRoot%" + target.substr(11);
                if (foldCase(target).rfind("\\??\\", 0) == 0)
                    target = target.substr(4);
                const auto host = hostDirectory(target);
                if (!host) {
                    ++notCollected;
                    continue;
                }
                const std::string folded = foldCase(windowsPath(*host));
                const bool inSystem = folded.rfind("c:\\windows\\system32\\", 0) == 0 ||
                                      folded.rfind("c:\\windows\\syswow64\\", 0) == 0;
                Image &img = signedImage(*host);
                if (!img.parsed)
                    continue;
                if (inSystem && isSigned(img))
                    continue;
                Finding f;
                f.code = dll ? "service-dll" : "service-binary";
                f.level = !isSigned(img) ? "high" : "medium";
                f.executable = windowsPath(*host);
                f.title = std::string("service ") + service.name + (dll ? " loads " : " runs ") +
                          windowsPath(*host).substr(windowsPath(*host).rfind('\\') + 1) +
                          (inSystem ? "" : " from outside System32") + (isSigned(img) ? "" : ", unsigned");
                f.evidence = std::string(dll ? "Parameters\\ServiceDll = " : "ImagePath = ") +
                             (dll ? service.serviceDll : service.imagePath) + "; signature: " +
                             authenticode::stateName(*img.state) + (img.signer.empty() ? "" : " by " + img.signer) +
                             ". Services run with high privileges at every start.";
                f.technique = dll ? "T1574.001" : "T1543.003";
                f.measure = "M1044: allow only signed service binaries and DLLs (WDAC), and keep their directories "
                            "writable by administrators only";
                m_result.findings.push_back(std::move(f));
            }
        }
        if (notCollected)
            m_result.problems.push_back(std::to_string(notCollected) +
                                        " service binaries or DLLs are not in the collection and were not checked");
    }

    // --- posture --------------------------------------------------------------------------------
    void posture()
    {
        const Settings &s = m_result.settings;
        const bool haveSystem = !s.controlSet.empty();
        auto add = [&](std::string id, std::string title, std::string status, std::string evidence, std::string fix) {
            m_result.posture.push_back({std::move(id), std::move(title), std::move(status), std::move(evidence), std::move(fix)});
        };
        const std::string sm = s.controlSet + "\\Control\\Session Manager";
        if (!haveSystem) {
            add("safe-dll-search-mode", "Safe DLL search mode", "unknown", "no SYSTEM hive", "collect the SYSTEM hive");
        } else {
            add("safe-dll-search-mode", "Safe DLL search mode", s.safeDllSearchOn() ? "pass" : "fail",
                s.safeDllSearchMode ? sm + "\\SafeDllSearchMode = " + std::to_string(*s.safeDllSearchMode)
                                    : sm + "\\SafeDllSearchMode is absent (the default, on)",
                "remove SafeDllSearchMode or set it to 1");
            const bool cwdOff = s.cwdIllegalInDllSearch &&
                                (*s.cwdIllegalInDllSearch == 0xffffffffu || *s.cwdIllegalInDllSearch == 1 ||
                                 *s.cwdIllegalInDllSearch == 2);
            add("cwd-illegal-in-dll-search", "The current directory is not searched for DLLs", cwdOff ? "pass" : "fail",
                s.cwdIllegalInDllSearch ? sm + "\\CWDIllegalInDllSearch = " + std::to_string(*s.cwdIllegalInDllSearch)
                                        : sm + "\\CWDIllegalInDllSearch is absent: every program searches its current "
                                               "directory (a remote share or download folder) for DLLs",
                "set CWDIllegalInDllSearch to 0xFFFFFFFF (or 2 to block WebDAV and remote shares only)");
            knownDllsIntact(add);
            add("app-cert-dlls", "No AppCertDlls", s.appCertDlls.empty() ? "pass" : "fail",
                s.appCertDlls.empty() ? "no AppCertDlls key" : std::to_string(s.appCertDlls.size()) + " AppCertDlls entries",
                "remove the AppCertDlls entries you do not know");
        }
        if (!s.appInitDlls && !m_layout.software) {
            add("appinit-dlls", "AppInit_DLLs off or signed only", "unknown", "no SOFTWARE hive in the collection",
                "collect Windows\\System32\\config\\SOFTWARE");
        } else {
            const bool none = !s.appInitDlls || s.appInitDlls->empty() || s.loadAppInitDlls.value_or(0) == 0;
            const bool signedOnly = s.requireSignedAppInitDlls.value_or(1) != 0;
            add("appinit-dlls", "AppInit_DLLs off or signed only", none || signedOnly ? "pass" : "fail",
                "AppInit_DLLs = \"" + s.appInitDlls.value_or("") + "\", LoadAppInit_DLLs = " +
                    (s.loadAppInitDlls ? std::to_string(*s.loadAppInitDlls) : std::string("absent")) +
                    ", RequireSignedAppInit_DLLs = " +
                    (s.requireSignedAppInitDlls ? std::to_string(*s.requireSignedAppInitDlls) : std::string("absent")),
                "set LoadAppInit_DLLs to 0, or RequireSignedAppInit_DLLs to 1");
        }
        applicationControl(add);
        codeSigning(add);
        std::size_t unresolved = 0;
        for (const auto &entry : m_pathDirectories)
            unresolved += !hostDirectory(entry).has_value();
        const bool haveAcls = m_options.acls && !m_options.acls->empty();
        add("path-directories", "PATH directories are writable by administrators only",
            m_pathWritable ? "fail" : m_pathUnknown.empty() ? "pass" : "unknown",
            std::to_string(m_pathDirectories.size()) + " PATH entries, " + std::to_string(unresolved) +
                " not in the collection, " + std::to_string(m_pathWritable) + " writable by non-administrators, " +
                std::to_string(m_pathUnknown.size()) + " without a collected ACL" +
                (haveAcls ? std::string() : " (directory permissions need the ACLs, which a file copy does not keep: "
                                            "collect them with icacls C:\\ /save acls.txt /t /c and give --acls)"),
            "keep PATH directories writable by administrators only");
        std::size_t writableApps = 0, unknownApps = 0;
        for (const auto &[key, unused] : m_applicationDirectories) {
            const auto it = m_access.find(key);
            writableApps += it != m_access.end() && it->second.status == "writable";
            unknownApps += it == m_access.end() || it->second.status == "unknown";
        }
        add("application-directories", "Application directories are writable by administrators only",
            writableApps ? "fail" : unknownApps ? "unknown" : "pass",
            std::to_string(m_applicationDirectories.size()) + " application directories, " + std::to_string(writableApps) +
                " writable by non-administrators, " + std::to_string(unknownApps) + " without a collected ACL" +
                (haveAcls ? std::string() : " (no ACLs were collected: give --acls)"),
            "remove write access for Users, Authenticated Users and Everyone from program directories");
    }

    // KnownDLLs intact: the DLLs every Windows from 7 to 11 lists there by default are present
    // (later versions add some: combase, gdiplus, SHCORE, the wow64 DLLs; 7 also has LPK, USP10,
    // URLMON, WININET and IERTUTIL), and none is excluded. A missing one is searched for like any
    // other DLL, application directory first: that is what removing it from the key is for.
    template <typename Add>
    void knownDllsIntact(Add &add)
    {
        static const char *const kEveryVersion[] = {
            "advapi32.dll", "clbcatq.dll", "comdlg32.dll", "difxapi.dll", "gdi32.dll",  "imagehlp.dll",
            "imm32.dll",    "kernel32.dll", "msctf.dll",   "msvcrt.dll",  "normaliz.dll", "nsi.dll",
            "ole32.dll",    "oleaut32.dll", "psapi.dll",   "rpcrt4.dll",  "sechost.dll", "setupapi.dll",
            "shell32.dll",  "shlwapi.dll",  "user32.dll",  "wldap32.dll", "ws2_32.dll"};
        const Settings &s = m_result.settings;
        std::set<std::string> listed, excluded;
        for (const auto &name : s.knownDlls)
            listed.insert(foldCase(name));
        for (const auto &name : s.excludeFromKnownDlls) {
            excluded.insert(foldCase(name));
            excluded.insert(foldCase(name) + ".dll"); // the value may name them without the extension
        }
        std::string missing, dropped;
        for (const char *dll : kEveryVersion) {
            if (!listed.count(dll))
                missing += (missing.empty() ? "" : ", ") + std::string(dll);
            else if (excluded.count(dll))
                dropped += (dropped.empty() ? "" : ", ") + std::string(dll);
        }
        std::string evidence = std::to_string(s.knownDlls.size()) + " KnownDLLs";
        if (!s.excludeFromKnownDlls.empty())
            evidence += ", " + std::to_string(s.excludeFromKnownDlls.size()) + " excluded (ExcludeFromKnownDlls)";
        if (missing.empty() && dropped.empty())
            evidence += "; all " + std::to_string(std::size(kEveryVersion)) +
                        " that every Windows from 7 to 11 lists are there";
        if (!missing.empty())
            evidence += "; missing from the defaults: " + missing;
        if (!dropped.empty())
            evidence += "; excluded from the defaults: " + dropped;
        add("known-dlls", "KnownDLLs are intact", missing.empty() && dropped.empty() ? "pass" : "fail", evidence,
            "restore the default KnownDLLs key; remove ExcludeFromKnownDlls entries");
    }

    // WDAC policies (Windows\System32\CodeIntegrity) or AppLocker DLL rules (SrpV2\Dll in the
    // SOFTWARE hive) make Windows refuse DLLs the policy does not allow, wherever they are planted.
    template <typename Add>
    void applicationControl(Add &add)
    {
        std::vector<std::string> wdac;
        if (const auto ci = m_volume.resolve("Windows/System32/CodeIntegrity")) {
            if (fileIn(*ci, "SiPolicy.p7b"))
                wdac.push_back("C:\\Windows\\System32\\CodeIntegrity\\SiPolicy.p7b");
            if (const auto active = m_volume.resolve("Windows/System32/CodeIntegrity/CiPolicies/Active"))
                for (const auto &[folded, name] : m_volume.listing(*active))
                    if (folded.size() > 4 && folded.compare(folded.size() - 4, 4, ".cip") == 0)
                        wdac.push_back("C:\\Windows\\System32\\CodeIntegrity\\CiPolicies\\Active\\" + name);
        }
        std::string appLocker;
        bool dllRulesEnforced = false;
        if (m_layout.software) {
            const std::string srp = "Policies\\Microsoft\\Windows\\SrpV2\\Dll";
            if (const auto key = m_layout.software->key(srp)) {
                const auto mode = m_layout.software->value(srp, "EnforcementMode");
                const std::uint64_t enforcement = mode ? mode->number : 0;
                dllRulesEnforced = !key->subkeys.empty() && enforcement == 1;
                appLocker = "AppLocker DLL rules: " + std::to_string(key->subkeys.size()) + ", EnforcementMode = " +
                            (mode ? std::to_string(enforcement) : std::string("absent")) +
                            (enforcement == 1 ? " (enforced)" : " (audit only or not configured)");
            } else {
                appLocker = "no AppLocker DLL rules (SOFTWARE\\Policies\\Microsoft\\Windows\\SrpV2\\Dll is absent)";
            }
        }
        std::string evidence;
        for (const auto &w : wdac)
            evidence += (evidence.empty() ? "WDAC policy files: " : ", ") + w;
        if (wdac.empty())
            evidence = m_volume.resolve("Windows/System32/CodeIntegrity") ? "no WDAC policy file in CodeIntegrity"
                                                                           : "Windows\\System32\\CodeIntegrity is not in the collection";
        evidence += "; " + (appLocker.empty() ? std::string("no SOFTWARE hive: AppLocker rules unknown") : appLocker);
        // Absence is known only when both places were collected.
        const bool known = !appLocker.empty() && m_volume.resolve("Windows/System32/CodeIntegrity").has_value();
        add("application-control", "An application control policy restricts DLLs",
            !wdac.empty() || dllRulesEnforced ? "pass" : known ? "fail" : "unknown", evidence,
            "deploy a WDAC policy (or AppLocker with enforced DLL rules) that allows only signed, approved DLLs");
    }

    // Of the files whose signatures were checked (every executable outside the Windows directory,
    // and the DLLs of each finding), how many are validly signed.
    template <typename Add>
    void codeSigning(Add &add)
    {
        std::size_t checked = 0, good = 0, viaCatalog = 0;
        std::vector<std::string> bad;
        for (const auto &[host, img] : m_images) {
            if (!img.state || !img.parsed)
                continue;
            ++checked;
            if (isSigned(img)) {
                ++good;
                viaCatalog += !img.catalog.empty();
            } else if (bad.size() < 5) {
                bad.push_back(windowsPath(host) + " (" + authenticode::stateName(*img.state) + ")");
            }
        }
        std::string evidence = std::to_string(good) + " of " + std::to_string(checked) +
                               " checked executables and DLLs are signed (" + std::to_string(viaCatalog) +
                               " through a catalog; " + std::to_string(m_result.catalogsRead) + " catalogs read)";
        for (std::size_t i = 0; i < bad.size(); ++i)
            evidence += (i == 0 ? "; not signed: " : ", ") + bad[i];
        if (checked > good && checked - good > bad.size())
            evidence += ", ...";
        if (!m_options.verifyEverySignature)
            evidence += "; the Windows directory's files are checked only when a finding names them (--verify-all checks all)";
        add("code-signing", "Loadable code is signed", checked == 0 ? "unknown" : good == checked ? "pass" : "fail",
            evidence, "sign in-house programs and DLLs, replace or remove unsigned ones, and enforce it with application control");
    }

    const TriageOptions &m_options;
    ImageLayout &m_layout;
    const CiTree &m_volume;
    TriageResult &m_result;
    std::set<std::string> m_knownDlls;
    std::optional<std::string> m_systemDirectory, m_wowDirectory, m_windowsDirectory;
    bool m_systemLooksComplete = false;
    std::vector<std::string> m_pathDirectories;
    std::map<std::string, Image> m_images;
    std::optional<authenticode::CatalogIndex> m_catalogs;
    SxsStore m_sxs;
    std::set<std::string> m_problemsSeen;
    std::map<std::string, Access> m_access;                 // by aclKey
    std::map<std::string, bool> m_applicationDirectories;   // by aclKey
    std::vector<std::string> m_pathUnknown;
    std::size_t m_pathWritable = 0;
};

} // namespace

std::string trustStoreText(const TriageResult &result)
{
    return result.trustStore.empty() ? std::string("no trust store: chains unknown") : "trust store: " + result.trustStore;
}

nlohmann::json toJson(const Finding &f)
{
    return {{"code", f.code},   {"level", f.level},         {"title", f.title},       {"executable", f.executable},
            {"dll", f.dll},     {"evidence", f.evidence},   {"technique", f.technique}, {"measure", f.measure}};
}

nlohmann::json toJson(const DllResolution &d)
{
    return {{"dll", d.dll},   {"delayed", d.delayed}, {"how", d.how},
            {"path", d.path}, {"evidence", d.evidence}, {"also_in", d.alsoIn}};
}

nlohmann::json toJson(const Executable &e)
{
    nlohmann::json dlls = nlohmann::json::array();
    for (const auto &d : e.dlls)
        dlls.push_back(toJson(d));
    return {{"path", e.path},     {"bits", e.bits}, {"signature", e.signature},
            {"signer", e.signer}, {"catalog", e.catalog}, {"dlls", dlls}};
}

Result<TriageResult> triage(const TriageOptions &options)
{
    const auto cancelled = [&options]() -> std::optional<Error> {
        if (options.cancel && options.cancel->cancelled())
            return Error{ECANCELED, "triage of " + options.root + " cancelled"};
        return std::nullopt;
    };
    auto layout = openLayout(options.root);
    if (!layout)
        return layout.error();
    if (auto stop = cancelled())
        return *stop;
    TriageResult result;
    result.root = options.root;
    result.layout = layout->kind;
    if (options.anchors)
        result.trustStore = (options.trustStoreName.empty() ? std::string("given") : options.trustStoreName) + " (" +
                            std::to_string(options.anchors->size()) + " certificates)";
    if (options.catalogs)
        result.catalogs = (options.catalogsName.empty() ? std::string("given") : options.catalogsName) + " (" +
                          std::to_string(options.catalogs->size()) + " catalogs)";
    auto settings = readSettings(*layout);
    if (!settings)
        return settings.error();
    result.settings = std::move(*settings);
    if (auto stop = cancelled())  // the hives can take a while: no walk after a cancel
        return *stop;
    for (const auto *hive : {layout->system.get(), layout->software.get()})
        if (hive)
            for (const auto &p : hive->problems())
                result.problems.push_back(p);
    Triage work(options, *layout, result);
    work.run();
    if (auto stop = cancelled())
        return *stop;
    auto rank = [](const std::string &level) { return level == "high" ? 0 : level == "medium" ? 1 : level == "low" ? 2 : 3; };
    std::stable_sort(result.findings.begin(), result.findings.end(),
                     [&](const Finding &a, const Finding &b) { return rank(a.level) < rank(b.level); });
    return result;
}

nlohmann::json toJson(const TriageResult &r)
{
    const Settings &s = r.settings;
    nlohmann::json services = nlohmann::json::array();
    for (const auto &svc : s.services)
        services.push_back({{"name", svc.name}, {"image_path", svc.imagePath}, {"service_dll", svc.serviceDll}});
    nlohmann::json userPaths = nlohmann::json::array();
    for (const auto &[hive, entry] : s.userPaths)
        userPaths.push_back({{"hive", hive}, {"entry", entry}});
    auto optionalNumber = [](const std::optional<std::uint64_t> &v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); };
    nlohmann::json settings = {{"computer_name", s.computerName},
                               {"control_set", s.controlSet},
                               {"known_dlls", s.knownDlls},
                               {"known_dlls_directory", s.knownDllsDirectory},
                               {"exclude_from_known_dlls", s.excludeFromKnownDlls},
                               {"safe_dll_search_mode", optionalNumber(s.safeDllSearchMode)},
                               {"cwd_illegal_in_dll_search", optionalNumber(s.cwdIllegalInDllSearch)},
                               {"appinit_dlls", s.appInitDlls ? nlohmann::json(*s.appInitDlls) : nlohmann::json(nullptr)},
                               {"load_appinit_dlls", optionalNumber(s.loadAppInitDlls)},
                               {"require_signed_appinit_dlls", optionalNumber(s.requireSignedAppInitDlls)},
                               {"app_cert_dlls", s.appCertDlls},
                               {"dev_override_enable", optionalNumber(s.devOverrideEnable)},
                               {"system_path", s.systemPath},
                               {"user_paths", userPaths},
                               {"services", services},
                               {"product_name", s.productName},
                               {"current_version", s.currentVersion},
                               {"current_build", s.currentBuild},
                               {"service_pack", s.servicePack},
                               {"architecture", s.architecture},
                               {"registry_sources", s.registrySources},
                               {"missing", s.missing}};
    nlohmann::json executables = nlohmann::json::array();
    for (const auto &e : r.executables)
        executables.push_back(toJson(e));
    nlohmann::json findings = nlohmann::json::array();
    for (const auto &f : r.findings)
        findings.push_back(toJson(f));
    nlohmann::json posture = nlohmann::json::array();
    for (const auto &p : r.posture)
        posture.push_back({{"id", p.id}, {"title", p.title}, {"status", p.status}, {"evidence", p.evidence}, {"remediation", p.remediation}});
    return {{"root", r.root},          {"layout", r.layout},   {"settings", settings},
            {"posture", posture},      {"findings", findings}, {"executables", executables},
            {"executables_seen", r.executablesSeen}, {"truncated", r.truncated}, {"problems", r.problems},
            {"acl_sources", r.aclSources},
            {"trust_store", r.trustStore}, {"catalogs", r.catalogs},
            {"catalog_sources", r.catalogSources}, {"catalogs_read", r.catalogsRead}};
}

} // namespace loadlens::wintriage
