#pragma once
// Offline triage of a Windows image for DLL hijacking: a mounted volume, a triage collection or
// a Wine prefix, read from the analyst's Linux workstation. The registry gives the loader's
// settings (KnownDLLs, SafeDllSearchMode, CWDIllegalInDllSearch, PATH, AppInit_DLLs, services);
// every executable's imports are resolved by the search order those settings imply; what an
// attacker could plant or has planted becomes a finding with its evidence. Nothing is run.
#include "authenticode/authenticode.h"
#include "wintriage/acl.h"
#include "hijacklibs/hijacklibs.h"
#include "common/cancel.h"
#include "common/result.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::wintriage {

struct Service {
    std::string name;
    std::string imagePath;   // as written (unexpanded)
    std::string serviceDll;  // Parameters\ServiceDll, if any
};

struct Settings {
    std::string computerName;
    std::string controlSet;                       // "ControlSet001"
    std::vector<std::string> knownDlls;           // DLL file names, as the KnownDLLs values give them
    std::string knownDllsDirectory;               // DllDirectory value
    std::vector<std::string> excludeFromKnownDlls;
    std::optional<std::uint64_t> safeDllSearchMode;     // absent: the documented default (on)
    std::optional<std::uint64_t> cwdIllegalInDllSearch; // absent: the current directory is searched
    std::optional<std::string> appInitDlls;             // SOFTWARE hive, 64-bit view
    std::optional<std::uint64_t> loadAppInitDlls;
    std::optional<std::uint64_t> requireSignedAppInitDlls;
    std::vector<std::string> appCertDlls;
    // SOFTWARE\Microsoft\Windows NT\CurrentVersion\Image File Execution Options\DevOverrideEnable:
    // non-zero makes DotLocal (app.exe.local) redirection work; absent is taken as off.
    std::optional<std::uint64_t> devOverrideEnable;
    std::vector<std::string> systemPath;          // Session Manager\Environment\Path entries, unexpanded
    std::vector<std::pair<std::string, std::string>> userPaths; // (hive file, entry)
    std::vector<Service> services;
    // The Windows version (SOFTWARE hive, Microsoft\Windows NT\CurrentVersion) and processor
    // architecture (SYSTEM hive, Session Manager\Environment); empty when not collected.
    std::string productName;                      // "Windows 10 Pro"
    std::string currentVersion;                   // "6.1" (DisplayVersion on Windows 10 and later: "22H2")
    std::string currentBuild;                     // "7601"
    std::string servicePack;                      // CSDVersion
    std::string architecture;                     // PROCESSOR_ARCHITECTURE: "AMD64", "x86", "ARM64"
    std::vector<std::string> registrySources;     // the hive files that were read
    std::vector<std::string> missing;             // what could not be read, and so is unknown

    bool safeDllSearchOn() const { return !safeDllSearchMode || *safeDllSearchMode != 0; }
};

// How one imported DLL name resolves for one executable.
struct DllResolution {
    std::string dll;                 // the name imported
    bool delayed = false;
    std::string how;                 // api-set, known-dll, application-directory, system-directory,
                                     // 16-bit-system-directory, windows-directory, path, not-found;
                                     // or redirected: manifest, sxs, .local
    std::string path;                // Windows path of the file found (C:\...), empty if none
    std::string evidence;            // for a redirection: the manifest (or .local folder) and why
    std::vector<std::string> alsoIn; // later directories that also hold a file of that name
};

struct Executable {
    std::string path;                // Windows path
    std::string signature;           // signature state of the executable
    std::string signer;
    int bits = 0;
    std::vector<DllResolution> dlls;
    std::string catalog;             // the security catalog that signs it, when not signed itself
};

struct Finding {
    std::string code;       // dll-side-loading, phantom-dll, writable... (stable identifiers)
    std::string level;      // info, low, medium, high
    std::string title;
    std::string executable; // Windows path, when the finding is about one executable
    std::string dll;
    std::string evidence;
    std::string technique = "T1574.001";
    std::string measure;    // the M1044 measure that prevents it
};

struct PostureCheck {
    std::string id, title, status, evidence, remediation; // status: pass, fail, unknown
};

struct TriageOptions {
    std::string root;                       // volume root, triage collection or Wine prefix
    const authenticode::TrustStore *anchors = nullptr;
    // Security catalogs (a collected CatRoot tree): an executable or DLL without a valid
    // embedded signature that a catalog lists takes the catalog's signature state.
    const authenticode::CatalogIndex *catalogs = nullptr;
    // What `anchors` and `catalogs` were (paths), carried into the result for the reader.
    std::string trustStoreName;
    std::string catalogsName;
    const hijacklibs::Dataset *hijackLibs = nullptr; // known hijackable DLLs, when given
    // Directory ACLs collected on the host (icacls /save): application and PATH directories that
    // non-administrators can create files in become findings; without them, "unknown".
    const AclCollection *acls = nullptr;
    std::size_t maxExecutables = 20000;
    // Signatures of executables are verified (the whole file is hashed) when they have a finding,
    // and for every executable outside the Windows directory (the programs DLLs are side-loaded
    // into); a signed executable that fails verification is then a finding of its own. True:
    // every executable, the Windows directory's too.
    bool verifyEverySignature = false;
    // Security catalogs. Most Windows system files carry no signature of their own: a catalog in
    // Windows\System32\CatRoot lists their hash. The image's CatRoot is read (when it is in the
    // collection and imageCatalogs is true) the first time a file without an embedded signature
    // is judged, together with these directories (a CatRoot collected apart from the volume).
    std::vector<std::string> catalogDirectories;
    bool imageCatalogs = true;
    std::vector<std::string> scanDirectories = {"Program Files", "Program Files (x86)", "ProgramData", "Users", "Windows"};
    // Checked before each file of the walk and each service: once cancelled, triage() stops and
    // returns an Error (code ECANCELED) instead of a partial result.
    const CancelToken *cancel = nullptr;
    // After each executable: executables examined so far (total 0: not known in advance) and
    // its Windows path. Called on the triage's thread.
    ProgressFn progress;
};

struct TriageResult {
    std::string root;
    std::string layout;                     // "windows-volume" or "wine-prefix"
    Settings settings;
    std::vector<Executable> executables;
    std::vector<Finding> findings;
    std::vector<PostureCheck> posture;
    std::vector<std::string> problems;      // damage stepped over, limits reached, malformed manifests
    std::vector<std::string> aclSources;    // the icacls files read
    std::vector<std::string> catalogSources; // catalog directories read (when any file needed them)
    std::size_t catalogsRead = 0;
    std::size_t executablesSeen = 0;
    bool truncated = false;                 // maxExecutables reached
    // The trust store that anchored signature chains ("path (N certificates)"), empty when none:
    // every chain is then unknown (signature-valid-chain-unknown at best).
    std::string trustStore;
    std::string catalogs;                   // the catalog directory used ("dir (N catalogs)"), or empty
};

// "no trust store: chains unknown" or "trust store: NAME".
std::string trustStoreText(const TriageResult &result);

Result<TriageResult> triage(const TriageOptions &options);

// Reads only the registry settings (no file walk).
Result<Settings> readSettings(const std::string &root);

nlohmann::json toJson(const TriageResult &result);
// The parts of toJson(), for one row of a table.
nlohmann::json toJson(const Finding &finding);
nlohmann::json toJson(const Executable &executable);
nlohmann::json toJson(const DllResolution &resolution);

} // namespace loadlens::wintriage
