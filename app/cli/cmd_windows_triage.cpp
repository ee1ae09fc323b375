// loadlens-cli windows-triage: DLL hijacking triage of a collected Windows image (a mounted
// volume, a triage collection or a Wine prefix) on a Linux workstation.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"
#include "hijacklibs/hijacklibs.h"
#include "store/case_database.h"
#include "store/snapshot_writer.h"
#include "wintriage/triage.h"
#include "wintriage/triage_snapshot.h"

#include <nlohmann/json.hpp>

#include <cerrno>
#include <ctime>
#include <iostream>
#include <unistd.h>

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
    out << "Signatures: " << wintriage::trustStoreText(r);
    if (!r.catalogs.empty())
        out << "; catalogs: " << r.catalogs;
    out << "\n";
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

// The triage as a snapshot bundle: written beside the target and renamed at the end, so a
// half-written bundle never carries the final name.
int writeBundle(const std::string &file, const wintriage::TriageResult &result, const wintriage::SnapshotOptions &options)
{
    const std::string partial = file + ".partial";
    ::unlink(partial.c_str());
    const wintriage::TriageSnapshot snapshot = wintriage::triageSnapshot(result, options);
    {
        auto bundle = store::CaseDatabase::open(partial, store::OpenMode::CreateNew);
        if (!bundle)
            return failWith(bundle.error().message, 1);
        store::SnapshotWriter writer(*bundle);
        if (auto id = writer.write(snapshot.scan, snapshot.facts); !id) {
            ::unlink(partial.c_str());
            return failWith(id.error().message, 1);
        }
    }
    if (::rename(partial.c_str(), file.c_str()) != 0) {
        const int err = errno;
        ::unlink(partial.c_str());
        return failWith(Error::fromErrno(err, "cannot move the bundle to " + file).message, 1);
    }
    std::size_t modules = 0;
    for (const auto &p : snapshot.scan.processes)
        modules += p.modules.size();
    std::cerr << "wrote " << file << ": Windows host " << snapshot.scan.host.hostname << ", "
              << snapshot.scan.processes.size() << " executables, " << modules << " modules, "
              << snapshot.scan.findings.size() << " findings\n";
    return 0;
}

int runWindowsTriage(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--root").option("--trust-store").option("--max-executables").option("--hijacklibs").option("--acls").flag("--json");
    parser.flag("--verify-all").option("--catalogs").option("--bundle").option("--host").flag("--force").flag("--no-image-catalogs");
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
    options.imageCatalogs = !parser.has("--no-image-catalogs");
    auto max = parser.integer("--max-executables");
    if (!max)
        return failWith(max.error().message, 2);
    if (*max) {
        if (**max < 1)
            return failWith("--max-executables needs a number of at least 1", 2);
        options.maxExecutables = std::size_t(**max);
    }
    const auto bundleFile = parser.value("--bundle");
    if (bundleFile && bundleFile->empty())
        return failWith("--bundle needs a FILE", 2);
    if (bundleFile && ::access(bundleFile->c_str(), F_OK) == 0 && !parser.has("--force"))
        return failWith(*bundleFile + " already exists (use --force to replace it)", 2);
    if (parser.has("--host") && !bundleFile)
        return failWith("--host names the host of a --bundle", 2);
    std::optional<authenticode::TrustStore> anchors;
    if (auto path = parser.value("--trust-store")) {
        anchors.emplace();
        if (auto added = anchors->add(*path); !added)
            return failWith(added.error().message, 2);
        options.anchors = &*anchors;
        options.trustStoreName = *path;
    }
    std::optional<authenticode::CatalogIndex> catalogs;
    if (auto dir = parser.value("--catalogs")) {
        catalogs.emplace();
        authenticode::VerifyOptions verify;
        verify.anchors = options.anchors;
        if (auto s = catalogs->addDirectory(*dir, verify); !s)
            return failWith("--catalogs " + *dir + ": " + s.error().message, 2);
        for (const auto &p : catalogs->problems())
            std::cerr << "loadlens-cli: catalog skipped: " << p << "\n";
        options.catalogs = &*catalogs;
        options.catalogsName = *dir;
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
    const std::int64_t triagedAt = std::int64_t(std::time(nullptr));
    auto result = wintriage::triage(options);
    if (!result)
        return failWith(result.error().message, 1);
    if (bundleFile) {
        wintriage::SnapshotOptions snapshotOptions;
        snapshotOptions.host = parser.value("--host").value_or("");
        snapshotOptions.triagedAt = triagedAt;
        snapshotOptions.anchors = options.anchors;
        snapshotOptions.catalogs = options.catalogs;
        if (int status = writeBundle(*bundleFile, *result, snapshotOptions); status != 0)
            return status;
    }
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
  --trust-store PATH     PEM/DER certificates to anchor signature chains in (a file or a
                         directory of them); without it every chain is unknown
  --catalogs DIR         a collected CatRoot tree: files its catalogs list count as signed
  --no-image-catalogs    do not read the image's own Windows\System32\CatRoot (read by default:
                         most system files are signed only there)
  --max-executables N    stop after N executables (default 20000)
  --verify-all           verify the signature of every executable, the Windows directory's too
  --hijacklibs DIR       the HijackLibs YAML dataset: known hijackable DLLs resolved outside
                         their expected folders are findings (high for a program it names)
  --acls FILE            directory ACLs saved on the host with
                         icacls C:\ /save FILE /t /c (UTF-16LE); may be repeated
  --json                 machine-readable output
  --bundle FILE          also write the triage as a snapshot bundle of the Windows host, to
                         add to a case with 'loadlens-cli import' (beside Linux snapshots:
                         case list, stack, who-loads --case, diff, export --case). Each
                         executable is an entry with pid 0 (nothing in an image runs), its
                         modules the DLLs it resolves to with SHA-256, signature and verdict
  --host NAME            the bundle's host name when the SYSTEM hive has no ComputerName
                         (default: the name of the --root directory)
  --force                replace the --bundle FILE when it exists
)" + std::string(kOutputOptionHelp),
                      &runWindowsTriage});

} // namespace loadlens::cli
