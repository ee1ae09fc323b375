// loadlens-cli posture: the host's M1044 posture as a checklist, JSON or HTML, and the audit
// rules / Sysmon configuration that would close the monitoring gaps.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "report_output.h"

#include "common/atomic_file.h"
#include "posture/audit_rules.h"
#include "posture/posture_export.h"
#include "scan/scanner.h"

#include <iostream>
#include <optional>

namespace loadlens::cli {

namespace {

constexpr const char *kUsage =
    "usage: loadlens-cli posture [--root DIR] [--no-scan] [--json] [-o FILE] [--html FILE]\n"
    "                            [--emit-auditd-rules FILE] [--emit-sysmon-config FILE] [--quiet]\n"
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
    "  -o, --output FILE          write the checklist (text or JSON) to FILE instead of standard\n"
    "                             output; FILE and the files below are complete or not written\n"
    "  --html FILE                also write a self-contained, printable HTML report\n"
    "  --emit-auditd-rules FILE   write audit rules (-w PATH -p wa -k KEY) for every unwatched path\n"
    "  --emit-sysmon-config FILE  write a Sysmon ImageLoad rule group for Windows hosts\n"
    "  --hash-cache PATH          reuse file digests from this SQLite cache during the scan\n"
    "  --quiet                    no progress on standard error\n"
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
    if (auto s = io::writeFileAtomically(path, content); !s) {
        error = s.error().message;
        return false;
    }
    return true;
}

int runPosture(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--root").option("--html").option("--emit-auditd-rules").option("--emit-sysmon-config");
    parser.option("--hash-cache").flag("--no-scan").flag("--json").flag("--quiet");
    withOutputOption(parser);
    if (auto parsed = parser.parse(args); !parsed)
        return fail(2, parsed.error().message);
    if (!parser.positional().empty())
        return fail(2, "unexpected argument '" + parser.positional().front() + "'");

    const std::string root = parser.value("--root").value_or("/");
    if (root.empty() || root.front() != '/')
        return fail(2, "--root needs an absolute directory");
    const posture::PostureOptions options = posture::PostureOptions::forRoot(root);
    ReportOutput output(outputPathFrom(parser));
    if (int status = output.prepare(); status != 0)
        return status;
    for (const char *option : {"--html", "--emit-auditd-rules", "--emit-sysmon-config"})
        if (auto path = parser.value(option))
            if (auto s = io::checkWritableAtomically(*path); !s)
                return fail(1, s.error().message);

    std::optional<ScanResult> scan;
    const bool liveRoot = root.find_first_not_of('/') == std::string::npos;
    if (!parser.has("--no-scan") && liveRoot) {
        scan::ScanOptions so;
        so.hashCachePath = parser.value("--hash-cache").value_or("");
        const ProgressFn progress = progressLine(parser.has("--quiet"));
        scan = scan::runScan(so, progress);
        clearProgressLine(progress);
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
        output.stream() << posture::postureToJson(report).dump(1) << "\n";
    else
        posture::writePostureText(output.stream(), report);
    return output.finish();
}

} // namespace

LOADLENS_CLI_COMMAND({"posture", "check the host against each measure of ATT&CK M1044 (pass/fail/unknown)", kUsage,
                      &runPosture});

} // namespace loadlens::cli
