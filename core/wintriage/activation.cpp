#include "wintriage/activation.h"

#include "winreg/registry.h"

#include <sys/stat.h>

#include <algorithm>
#include <fstream>

namespace loadlens::wintriage {

namespace {

using winreg::foldCase;

std::string directoryOf(const std::string &host) { return host.substr(0, host.rfind('/')); }
std::string baseName(const std::string &host) { return host.substr(host.rfind('/') + 1); }

std::vector<std::string> splitOn(const std::string &text, char separator)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const auto end = text.find(separator, start);
        parts.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
        if (end == std::string::npos)
            return parts;
        start = end + 1;
    }
}

// Negative when a < b, by numeric parts ("9.0.30729.9625").
int compareVersions(const std::string &a, const std::string &b)
{
    const auto pa = splitOn(a, '.'), pb = splitOn(b, '.');
    for (std::size_t i = 0; i < std::max(pa.size(), pb.size()); ++i) {
        const unsigned long long x = i < pa.size() ? std::strtoull(pa[i].c_str(), nullptr, 10) : 0;
        const unsigned long long y = i < pb.size() ? std::strtoull(pb[i].c_str(), nullptr, 10) : 0;
        if (x != y)
            return x < y ? -1 : 1;
    }
    return 0;
}

// WinSxS shortens long assembly names in folder names ("microsoft-windows-a..ence-infrastructure").
bool assemblyNameMatches(const std::string &folder, const std::string &wanted)
{
    if (folder == wanted)
        return true;
    const auto dots = folder.find("..");
    if (dots == std::string::npos)
        return false;
    const std::string head = folder.substr(0, dots), tail = folder.substr(dots + 2);
    return wanted.size() >= head.size() + tail.size() && wanted.rfind(head, 0) == 0 &&
           wanted.compare(wanted.size() - tail.size(), tail.size(), tail) == 0;
}

// The DLLs a dependent assembly carries, for an assembly that is not there to read: the
// well-known redistributables by name, and <name>.dll as private assemblies are often built.
std::vector<std::string> dllsOf(const AssemblyIdentity &id)
{
    static const std::pair<const char *, std::vector<const char *>> known[] = {
        {"microsoft.vc80.crt", {"msvcr80.dll", "msvcp80.dll", "msvcm80.dll"}},
        {"microsoft.vc90.crt", {"msvcr90.dll", "msvcp90.dll", "msvcm90.dll"}},
        {"microsoft.vc80.mfc", {"mfc80.dll", "mfc80u.dll", "mfcm80.dll", "mfcm80u.dll"}},
        {"microsoft.vc90.mfc", {"mfc90.dll", "mfc90u.dll", "mfcm90.dll", "mfcm90u.dll"}},
        {"microsoft.vc80.atl", {"atl80.dll"}},
        {"microsoft.vc90.atl", {"atl90.dll"}},
        {"microsoft.vc80.openmp", {"vcomp.dll"}},
        {"microsoft.vc90.openmp", {"vcomp90.dll"}},
        {"microsoft.windows.common-controls", {"comctl32.dll"}},
        {"microsoft.windows.gdiplus", {"gdiplus.dll"}},
    };
    const std::string name = foldCase(id.name);
    std::vector<std::string> out;
    for (const auto &[assembly, dlls] : known)
        if (name == assembly)
            for (const char *dll : dlls)
                out.emplace_back(dll);
    if (!name.empty()) {
        out.push_back(name + ".dll");
        if (const auto dot = name.rfind('.'); dot != std::string::npos && dot + 1 < name.size())
            out.push_back(name.substr(dot + 1) + ".dll");
    }
    return out;
}

bool isDirectory(const std::string &host)
{
    struct stat st {};
    return ::lstat(host.c_str(), &st) == 0 && S_ISDIR(st.st_mode);
}

} // namespace

SxsStore::SxsStore(const CiTree &volume) : m_volume(volume)
{
    m_winsxs = m_volume.resolve("Windows/WinSxS");
    if (!m_winsxs)
        return;
    for (const auto &[folded, name] : m_volume.listing(*m_winsxs)) {
        // <arch>_<name>_<publicKeyToken>_<version>_<language>_<hash>; the name may hold '_'.
        const auto parts = splitOn(folded, '_');
        if (parts.size() < 6)
            continue;
        Folder f;
        f.name = name;
        f.arch = parts.front();
        f.language = parts[parts.size() - 2];
        f.version = parts[parts.size() - 3];
        f.token = parts[parts.size() - 4];
        for (std::size_t i = 1; i + 4 < parts.size(); ++i)
            f.assembly += (i > 1 ? "_" : "") + parts[i];
        m_folders.push_back(std::move(f));
    }
}

std::optional<Manifest> SxsStore::readManifestFile(const std::string &host, std::vector<std::string> &notes)
{
    const std::string where = m_volume.windowsPath(host);
    std::string problem;
    auto [it, inserted] = m_manifests.try_emplace(host);
    if (inserted) {
        struct stat st {};
        if (::stat(host.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) {
            problem = where + ": not a readable file";
        } else if (std::uint64_t(st.st_size) > manifest_limits::kMaxBytes) {
            problem = where + ": manifest larger than " + std::to_string(manifest_limits::kMaxBytes) + " bytes, not read";
        } else {
            std::ifstream in(host, std::ios::binary);
            std::string text(std::size_t(st.st_size), '\0');
            in.read(text.data(), std::streamsize(text.size()));
            if (!in) {
                problem = where + ": cannot be read";
            } else if (text.rfind("DCM", 0) == 0) {
                problem = where + ": compressed (Windows 10 delta format), not read";
            } else if (auto parsed = parseManifest(text, where)) {
                it->second = std::move(*parsed);
            } else {
                problem = parsed.error().message;
            }
        }
        if (!problem.empty())
            m_problems[host] = problem;
    }
    if (const auto p = m_problems.find(host); p != m_problems.end())
        notes.push_back(p->second);
    return it->second;
}

std::optional<SxsStore::Found> SxsStore::findShared(const AssemblyIdentity &id, bool is64, std::vector<std::string> &notes)
{
    if (!m_winsxs)
        return std::nullopt;
    const std::string memo = foldCase(id.text() + "|" + id.type) + (is64 ? "|64" : "|32");
    if (const auto it = m_shared.find(memo); it != m_shared.end())
        return it->second;
    std::optional<Found> &answer = m_shared[memo];
    std::string arch = foldCase(id.processorArchitecture);
    if (arch.empty() || arch == "*")
        arch = is64 ? "amd64" : "x86";
    const std::string name = foldCase(id.name), token = foldCase(id.publicKeyToken), language = foldCase(id.language);
    const Folder *exact = nullptr, *newest = nullptr;
    for (const auto &f : m_folders) {
        if (!(f.arch == arch || (arch == "x86" && f.arch == "wow64")) || f.token != token || !assemblyNameMatches(f.assembly, name))
            continue;
        if (!language.empty() && language != "*" && language != "neutral" && f.language != language)
            continue;
        if (compareVersions(f.version, id.version) == 0 && (!exact || f.language == "none"))
            exact = &f;
        if (!newest || compareVersions(f.version, newest->version) > 0)
            newest = &f;
    }
    const Folder *folder = exact ? exact : newest;
    if (!folder)
        return answer;
    Found found;
    found.how = "sxs";
    found.directory = *m_winsxs + "/" + folder->name;
    if (!exact)
        found.note = " (version " + folder->version + " is installed where " + id.version +
                     " is asked for; taken as a publisher policy would redirect it, policies are not read)";
    const auto manifests = m_volume.entry(*m_winsxs, "Manifests");
    const auto manifestHost = manifests ? m_volume.entry(*manifests, folder->name + ".manifest") : std::nullopt;
    std::optional<Manifest> manifest = manifestHost ? readManifestFile(*manifestHost, notes) : std::nullopt;
    if (manifest) {
        found.manifest = m_volume.windowsPath(*manifestHost);
        found.files = manifest->files;
    } else {
        // No readable component manifest: the folder's DLLs stand for its members.
        found.manifest = m_volume.windowsPath(found.directory);
        for (const auto &[folded, file] : m_volume.listing(found.directory))
            if (folded.size() > 4 && folded.compare(folded.size() - 4, 4, ".dll") == 0)
                found.files.push_back(file);
        found.note += " (no readable manifest in WinSxS\\Manifests; the folder's DLLs are taken as its files)";
    }
    answer = std::move(found);
    return answer;
}

std::optional<SxsStore::Found> SxsStore::findPrivate(const AssemblyIdentity &id, const std::string &appDir,
                                                     std::vector<std::string> &notes)
{
    if (id.name.empty() || id.name.find_first_of("/\\") != std::string::npos || id.name == "." || id.name == "..")
        return std::nullopt;
    std::vector<std::string> candidates;
    if (auto m = m_volume.entry(appDir, id.name + ".manifest"))
        candidates.push_back(*m);
    if (auto sub = m_volume.entry(appDir, id.name); sub && isDirectory(*sub))
        if (auto m = m_volume.entry(*sub, id.name + ".manifest"))
            candidates.push_back(*m);
    for (const auto &host : candidates) {
        auto manifest = readManifestFile(host, notes);
        if (!manifest)
            continue;
        if (foldCase(manifest->identity.name) != foldCase(id.name)) {
            notes.push_back(m_volume.windowsPath(host) + ": names assembly \"" + manifest->identity.name + "\", not \"" +
                            id.name + "\"; Windows does not take it");
            continue;
        }
        Found found;
        found.how = "manifest";
        found.directory = directoryOf(host);
        found.manifest = m_volume.windowsPath(host);
        found.files = manifest->files;
        found.note = " (a private assembly in the application directory)";
        return found;
    }
    return std::nullopt;
}

ActivationContext SxsStore::contextFor(const std::string &exeHost, const pe::PeInfo &exe, bool devOverrideEnable)
{
    ActivationContext ctx;
    const std::string appDir = directoryOf(exeHost), exeName = baseName(exeHost);
    std::optional<Manifest> manifest;
    bool hasManifest = false;
    if (!exe.manifest.empty() && exe.manifestResourceId == 1) {
        hasManifest = true;
        const std::string where = m_volume.windowsPath(exeHost) + " (RT_MANIFEST resource 1)";
        if (auto parsed = parseManifest(exe.manifest, where)) {
            manifest = std::move(*parsed);
            ctx.manifest = where;
        } else {
            ctx.notes.push_back(parsed.error().message);
        }
    } else if (const auto external = m_volume.entry(appDir, exeName + ".manifest")) {
        hasManifest = true;
        manifest = readManifestFile(*external, ctx.notes);
        if (manifest)
            ctx.manifest = m_volume.windowsPath(*external);
    }
    if (hasManifest && !manifest && !ctx.notes.empty())
        ctx.notes.back() += "; Windows refuses to start a program whose manifest does not parse (side-by-side "
                            "configuration error), and its imports are shown without redirection";

    if (manifest) {
        for (const auto &file : manifest->files) {
            if (file.find_first_of("/\\") != std::string::npos)
                continue;
            const auto host = m_volume.entry(appDir, file);
            ctx.dlls.try_emplace(foldCase(file),
                                 Redirection{"manifest", host ? *host : appDir + "/" + file,
                                             ctx.manifest + " lists <file name=\"" + file + "\"/>: taken from the "
                                             "application directory" + (host ? "" : " (the file is not in the collection)")});
        }
        for (std::size_t i = 0; i < manifest->dependencies.size(); ++i) {
            const auto &id = manifest->dependencies[i];
            std::optional<Found> found;
            if (!id.publicKeyToken.empty())
                found = findShared(id, exe.is64(), ctx.notes);
            if (!found)
                found = findPrivate(id, appDir, ctx.notes);
            if (!found) {
                MissingAssembly missing{id, ctx.manifest, manifest->optionalDependencies[i], dllsOf(id)};
                ctx.missing.push_back(std::move(missing));
                continue;
            }
            for (const auto &file : found->files) {
                if (file.find_first_of("/\\") != std::string::npos)
                    continue;
                const auto host = m_volume.entry(found->directory, file);
                ctx.dlls.try_emplace(foldCase(file),
                                     Redirection{found->how, host ? *host : found->directory + "/" + file,
                                                 ctx.manifest + " depends on " + id.text() + "; " + found->manifest +
                                                     " lists " + file + found->note +
                                                     (host ? "" : " (the file is not in the collection)")});
            }
        }
    }

    // DotLocal: a folder app.exe.local whose DLLs load before any other copy.
    if (const auto dotLocal = m_volume.entry(appDir, exeName + ".local"); dotLocal && isDirectory(*dotLocal)) {
        const std::string where = m_volume.windowsPath(*dotLocal);
        const bool honoured = devOverrideEnable && !hasManifest;
        const std::string why = hasManifest ? "; not used: Windows ignores .local for a program with a manifest"
                                            : devOverrideEnable ? ""
                                                                : "; not used now: DevOverrideEnable is not set (taken as 0 "
                                                                  "when absent), and setting it activates it";
        for (const auto &import : exe.imports) {
            const auto host = m_volume.entry(*dotLocal, import.dll);
            if (!host)
                continue;
            Redirection r{".local", *host, where + " holds " + baseName(*host) + " (DotLocal redirection)" + why};
            if (honoured)
                ctx.dlls.insert_or_assign(foldCase(import.dll), std::move(r));
            else
                ctx.dormant.try_emplace(foldCase(import.dll), std::move(r));
        }
    }
    return ctx;
}

} // namespace loadlens::wintriage
