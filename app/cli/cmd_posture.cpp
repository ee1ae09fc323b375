// loadlens-cli posture: the host's M1044 posture as a checklist, JSON or HTML, and the audit
// rules / Sysmon configuration that would close the monitoring gaps.
#include "arg_parser.h"
#include "command_registry.h"

#include "posture/audit_rules.h"
#include "posture/posture_export.h"
#include "scan/scanner.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>

namespace loadlens::cli {

namespace {

constexpr const char *kUsage =
    "usage: loadlens-cli posture [--root DIR] [--no-scan] [--json] [--html FILE]\n"
    "                            [--emit-auditd-rules FILE] [--emit-sysmon-config FILE]\n"
    "\n"
    "Checks each measure of MITRE ATT&CK M1044 (Restrict Library Loading) on this host and says\n"
    "pass, fail or unknown with the evidence: ld.so.preload and LD_* in start-up files, units and\n"
    "sudoers; library directory permissions and ld.so.cache; immutable loader configuration;\n"
    "auditd watches; AppArmor/SELinux/fapolicyd; AIDE/Wazuh/Tripwire coverage; the share of\n"
    "loaded code that is package-verified. Nothing is executed or changed.\n"
    "\n"
    "  --root DIR                 read configuration below DIR (an image or a mounted disk); its\n"
    "                             proc and sys are read below DIR too, and no live scan is made\n"
    "  --no-scan                  skip the live process scan (those parts say unknown)\n"
    "  --json                     {\"checks\":[{\"id\",\"measure\",\"title\",\"status\",\"evidence\",\"remediation\"}]}\n"
    "  --html FILE                also write a self-contained, printable HTML report\n"
    "  --emit-auditd-rules FILE   write audit rules (-w PATH -p wa -k KEY) for every unwatched path\n"
    "  --emit-sysmon-config FILE  write a Sysmon ImageLoad rule group for Windows hosts\n"
    "  --hash-cache PATH          reuse file digests from this SQLite cache during the scan\n"
    "\n"
    "Examples:\n"
    "  loadlens-cli posture\n"
    "  loadlens-cli posture --no-scan --json | jq '.checks[] | select(.status==\"fail\") | .id'\n"
    "  loadlens-cli posture --emit-auditd-rules /etc/audit/rules.d/60-loadlens.rules && augenrules --load\n"
    "  loadlens-cli posture --root /mnt/image --html posture.html\n";

int fail(int status, const std::string &message)
{
    std::cerr << "loadlens-cli posture: " << message << "\n";
    return status;
}

bool writeTextFile(const std::string &path, const std::string &content, std::string &error)
{
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (out)
        out << content;
    out.close();
    if (!out) {
        error = "cannot write " + path + ": " + std::strerror(errno ? errno : EIO);
        return false;
    }
    return true;
}

int runPosture(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--root").option("--html").option("--emit-auditd-rules").option("--emit-sysmon-config");
    parser.option("--hash-cache").flag("--no-scan").flag("--json");
    if (auto parsed = parser.parse(args); !parsed)
        return fail(2, parsed.error().message);
    if (!parser.positional().empty())
        return fail(2, "unexpected argument '" + parser.positional().front() + "'");

    const std::string root = parser.value("--root").value_or("/");
    if (root.empty() || root.front() != '/')
        return fail(2, "--root needs an absolute directory");
    const posture::PostureOptions options = posture::PostureOptions::forRoot(root);

    std::optional<ScanResult> scan;
    const bool liveRoot = root.find_first_not_of('/') == std::string::npos;
    if (!parser.has("--no-scan") && liveRoot) {
        scan::ScanOptions so;
        so.hashCachePath = parser.value("--hash-cache").value_or("");
        scan = scan::runScan(so);
    } else if (!parser.has("--no-scan")) {
        std::cerr << "loadlens-cli posture: --root given, so the running processes of this host are not scanned\n";
    }

    const posture::PostureReport report = posture::runPostureChecks(options, scan ? &*scan : nullptr);

    std::string error;
    if (auto path = parser.value("--html")) {
        const std::string label = scan ? scan->host.hostname : root;
        if (!writeTextFile(*path, posture::renderPostureHtml(report, label), error))
            return fail(1, error);
    }
    if (auto path = parser.value("--emit-auditd-rules")) {
        if (!writeTextFile(*path, posture::emitAuditdRules(report.auditGaps), error))
            return fail(1, error);
        std::cerr << "loadlens-cli posture: wrote " << report.auditGaps.size() << " audit watches to " << *path << "\n";
    }
    if (auto path = parser.value("--emit-sysmon-config")) {
        if (!writeTextFile(*path, posture::emitSysmonImageLoadConfig(), error))
            return fail(1, error);
    }

    if (parser.has("--json"))
        std::cout << posture::postureToJson(report).dump(1) << "\n";
    else
        posture::writePostureText(std::cout, report);
    return 0;
}

} // namespace

LOADLENS_CLI_COMMAND({"posture", "check the host against each measure of ATT&CK M1044 (pass/fail/unknown)", kUsage,
                      &runPosture});

} // namespace loadlens::cli
