#pragma once
// The activation context of a program, as far as it redirects DLL loads: its manifest's
// dependent assemblies (found in Windows\WinSxS or as private assemblies in the application
// directory), the <file> members of its own manifest, and DotLocal (app.exe.local) redirection.
//
// Which manifest: an EXE's embedded RT_MANIFEST resource 1 when it has one, otherwise an
// external app.exe.manifest next to it (Windows Server 2003 and later prefer the embedded one;
// the PreferExternalManifest override is not read). DotLocal: honoured only when
// Image File Execution Options\DevOverrideEnable is non-zero (Windows Vista and later; the
// default, when the value or the SOFTWARE hive is absent, is taken as off), and never for a
// program with a manifest, as Windows ignores .local then.
#include "pe/pe_info.h"
#include "wintriage/ci_tree.h"
#include "wintriage/manifest.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::wintriage {

struct Redirection {
    std::string how;       // "manifest" (the app's own <file> or a private assembly), "sxs", ".local"
    std::string host;      // host path of the file the DLL is taken from
    std::string evidence;  // the manifest (or .local folder) that redirects, as a Windows path, and why
};

struct MissingAssembly {
    AssemblyIdentity identity;
    std::string manifest;                 // Windows path of the manifest that names it
    bool optional = false;
    std::vector<std::string> dlls;        // the DLLs it is known or named to carry (folded)
};

struct ActivationContext {
    std::string manifest;                        // Windows path of the manifest used ("" for none)
    std::map<std::string, Redirection> dlls;     // folded DLL name -> where it is redirected to
    std::vector<MissingAssembly> missing;        // dependent assemblies found neither in WinSxS nor privately
    std::vector<std::string> notes;              // malformed manifests and the like, one per file
    // DLLs the program imports that its .local folder holds, when .local is not honoured (the
    // evidence says why): they load from there once DevOverrideEnable is set.
    std::map<std::string, Redirection> dormant;
};

// Indexes Windows\WinSxS once and reads the assembly manifests it needs, once each.
class SxsStore {
public:
    explicit SxsStore(const CiTree &volume);
    bool present() const { return m_winsxs.has_value(); }

    ActivationContext contextFor(const std::string &exeHost, const pe::PeInfo &exe, bool devOverrideEnable);

private:
    struct Folder {
        std::string name;      // as on disk
        std::string arch, assembly, token, version, language; // folded
    };
    struct Found {
        std::string how, directory, manifest, note; // manifest: Windows path
        std::vector<std::string> files;
    };
    std::optional<Found> findShared(const AssemblyIdentity &id, bool is64, std::vector<std::string> &notes);
    std::optional<Found> findPrivate(const AssemblyIdentity &id, const std::string &appDir, std::vector<std::string> &notes);
    std::optional<Manifest> readManifestFile(const std::string &host, std::vector<std::string> &notes);

    const CiTree &m_volume;
    std::optional<std::string> m_winsxs;
    std::vector<Folder> m_folders;
    std::map<std::string, std::optional<Manifest>> m_manifests; // by host path
    std::map<std::string, std::string> m_problems;              // by host path: why it was not read
    // findShared's answers by identity and bitness: a volume's WinSxS holds tens of thousands of
    // folders, and thousands of programs name the same few assemblies.
    std::map<std::string, std::optional<Found>> m_shared;
};

} // namespace loadlens::wintriage
