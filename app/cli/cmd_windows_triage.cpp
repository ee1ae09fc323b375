// loadlens-cli windows-triage: DLL hijacking triage of a collected Windows image (a mounted
// volume, a triage collection or a Wine prefix) on a Linux workstation.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"
#include "hijacklibs/hijacklibs.h"
#include "wintriage/triage.h"

#include <nlohmann/json.hpp>

#include <iostream>

namespace loadlens::cli {

namespace {

void writeText(std::ostream &out, const wintriage::TriageResult &r)
{
    const auto &s = r.settings;
    out << "Windows image: " << r.root << " (" << r.layout << ")";
    if (!s.computerName.empty())
        out << ", computer " << s.computerName;
    out << "\n";
    for (const auto &m : s.missing)
        out << "  not available: " << m << "\n";
    out << "\nLoader settings (" << (s.controlSet.empty() ? "unknown" : s.controlSet) << ")\n";
    out << "  KnownDLLs: " << s.knownDlls.size() << (s.knownDllsDirectory.empty() ? "" : " in " + s.knownDllsDirectory) << "\n";
    out << "  SafeDllSearchMode: "
        << (s.safeDllSearchMode ? std::to_string(*s.safeDllSearchMode) : std::string("absent (default: on)")) << "\n";
    out << "  CWDIllegalInDllSearch: "
        << (s.cwdIllegalInDllSearch ? std::to_string(*s.cwdIllegalInDllSearch) : std::string("absent (the current directory is searched)"))
        << "\n";
    out << "  AppInit_DLLs: " << (s.appInitDlls ? "\"" + *s.appInitDlls + "\"" : std::string("unknown or absent")) << "\n";
    out << "  PATH: " << s.systemPath.size() << " system entries, " << s.userPaths.size() << " user entries\n";
    out << "  services with an image or ServiceDll: " << s.services.size() << "\n";
    out << "  DevOverrideEnable (.local redirection): "
        << (s.devOverrideEnable ? std::to_string(*s.devOverrideEnable) : std::string("absent (off)")) << "\n";
    out << "  directory ACLs: ";
    if (r.aclSources.empty())
        out << "not collected (--acls): directory permissions are unknown\n";
    for (std::size_t i = 0; i < r.aclSources.size(); ++i)
        out << (i ? ", " : "") << r.aclSources[i] << (i + 1 == r.aclSources.size() ? "\n" : "");

    out << "\nM1044 posture\n";
    for (const auto &p : r.posture)
        out << "  [" << p.status << "] " << p.title << ": " << p.evidence << "\n";

    out << "\nFindings (" << r.findings.size() << ", from " << r.executablesSeen << " executables)\n";
    for (const auto &f : r.findings) {
        out << "  " << f.level << "  " << f.title << "  [" << f.code << ", " << f.technique << "]\n";
        out << "      " << f.evidence << "\n";
    }
    if (r.findings.empty())
        out << "  none\n";
    for (const auto &p : r.problems)
        out << "problem: " << p << "\n";
}

int runWindowsTriage(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--root").option("--trust-store").option("--max-executables").option("--hijacklibs").option("--acls").flag("--json");
    parser.option("--catalogs").flag("--no-image-catalogs");
    parser.flag("--verify-all");
    withOutputOption(parser);
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (!parser.positional().empty())
        return failWith("windows-triage takes no argument '" + parser.positional().front() + "' (use --root DIR)", 2);
    const auto root = parser.value("--root");
    if (!root || root->empty())
        return failWith("windows-triage needs --root DIR", 2);
    wintriage::TriageOptions options;
    options.root = *root;
    options.verifyEverySignature = parser.has("--verify-all");
    options.catalogDirectories = parser.values("--catalogs");
    options.imageCatalogs = !parser.has("--no-image-catalogs");
    auto max = parser.integer("--max-executables");
    if (!max)
        return failWith(max.error().message, 2);
    if (*max) {
        if (**max < 1)
            return failWith("--max-executables needs a number of at least 1", 2);
        options.maxExecutables = std::size_t(**max);
    }
    std::optional<authenticode::TrustStore> anchors;
    if (auto path = parser.value("--trust-store")) {
        anchors.emplace();
        if (auto added = anchors->add(*path); !added)
            return failWith(added.error().message, 2);
        options.anchors = &*anchors;
    }
    std::optional<hijacklibs::Dataset> dataset;
    if (auto dir = parser.value("--hijacklibs")) {
        hijacklibs::LoadReport report;
        auto loaded = hijacklibs::Dataset::loadDirectory(*dir, report);
        if (!loaded)
            return failWith("--hijacklibs " + *dir + ": " + loaded.error().message, 2);
        for (const auto &p : report.problems)
            std::cerr << "loadlens-cli: HijackLibs entry skipped: " << p.file << ": " << p.message << "\n";
        dataset = std::move(*loaded);
        options.hijackLibs = &*dataset;
    }
    wintriage::AclCollection acls;
    for (const auto &file : parser.values("--acls"))
        if (auto added = acls.addIcaclsSave(file); !added)
            return failWith("--acls " + file + ": " + added.error().message, 2);
    for (const auto &p : acls.problems())
        std::cerr << "loadlens-cli: ACL entry skipped: " << p << "\n";
    if (!acls.empty())
        options.acls = &acls;
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    auto result = wintriage::triage(options);
    if (!result)
        return failWith(result.error().message, 1);
    if (parser.has("--json"))
        output.stream() << wintriage::toJson(*result).dump(1) << "\n";
    else
        writeText(output.stream(), *result);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"windows-triage", "DLL hijacking triage of a collected Windows image",
                      R"(Usage: loadlens-cli windows-triage --root DIR [OPTIONS]

Reads a Windows volume, a triage collection of one, or a Wine prefix: the loader settings
from its registry (KnownDLLs, SafeDllSearchMode, CWDIllegalInDllSearch, AppInit_DLLs,
AppCertDlls, PATH, services), then resolves the imports of every executable under Program
Files, ProgramData, Users and Windows by the search order those settings imply. Findings:
DLLs in an application directory that shadow a System32 DLL (side-loading; high when the
program is signed and the DLL is not, or is signed by someone else) and DLLs imported but
found nowhere (phantom DLLs), and signed executables whose signature does not verify
(changed after signing; every executable outside the Windows directory is verified).
A program's manifest (embedded resource 1, else app.exe.manifest) redirects its DLLs to
WinSxS, to private assemblies or to files beside it, and DotLocal (app.exe.local) does when
DevOverrideEnable is set: such DLLs show how they were redirected, and an assembly the
manifest names that is not installed is a finding. With --acls, application and PATH
directories non-administrators can create files in are findings; without, "unknown".
Nothing is run; paths match without regard to case.

Options:
  --root DIR             the volume root (with Windows\System32\config), or a Wine prefix
                         (with system.reg and drive_c)
  --trust-store PATH     PEM/DER certificates to anchor signature chains in
  --catalogs DIR         also read the security catalogs (*.cat) under DIR, e.g. a CatRoot
                         collected apart from the volume (may be repeated); the image's own
                         Windows\System32\CatRoot is read in any case
  --no-image-catalogs    do not read the image's CatRoot
  --max-executables N    stop after N executables (default 20000)
  --verify-all           verify the signature of every executable, the Windows directory's too
  --hijacklibs DIR       the HijackLibs YAML dataset: known hijackable DLLs resolved outside
                         their expected folders are findings (high for a program it names)
  --acls FILE            directory ACLs saved on the host with
                         icacls C:\ /save FILE /t /c (UTF-16LE); may be repeated
  --json                 machine-readable output
)" + std::string(kOutputOptionHelp),
                      &runWindowsTriage});

} // namespace loadlens::cli
