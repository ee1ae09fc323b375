// File integrity monitoring of the loader's configuration and library directories (AIDE,
// Wazuh/OSSEC syscheck, Tripwire): a changed or added library or preload entry shows in the next
// integrity report. The catalog files this under auditing and monitoring.
#include "posture/fim_configs.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <functional>

namespace loadlens::posture {

namespace {

using CoverFn = std::function<Coverage(const std::string &path, bool isDirectory)>;

// Returns true when the tool covers every path.
bool reportTool(const PostureOptions &o, const std::string &tool, const CoverFn &covers,
                const std::vector<std::string> &targets, CheckBuilder &b)
{
    std::vector<std::string> missing;
    for (const auto &target : targets) {
        const Coverage c = covers(target, isDirectoryUnder(o.rootDir, target));
        if (!c.covered)
            missing.push_back(target);
    }
    if (missing.empty()) {
        b.pass(tool + " covers " + joinList(targets));
        return true;
    }
    b.info(tool + " does not cover " + joinList(missing));
    return false;
}

} // namespace

PostureCheck checkFileIntegrity(const PostureOptions &options)
{
    CheckBuilder b(check_id::FileIntegrity, verdict::measure::AuditAndMonitor,
                   "File integrity monitoring covers the loader configuration and library directories");
    const std::vector<std::string> targets = protectedPaths(options);
    int configured = 0;
    bool anyComplete = false;
    bool unreadableTool = false;  // a monitor whose configuration could not be read may cover everything

    for (const char *mainFile : {"/etc/aide/aide.conf", "/etc/aide.conf"}) {
        const AideConfig aide = readAideConfig(options, mainFile);
        if (aide.filesRead.empty())
            continue;
        ++configured;
        for (const auto &e : aide.errors)
            b.info("AIDE: " + e);
        anyComplete = reportTool(options, std::string("AIDE (") + mainFile + ")",
                                 [&](const std::string &p, bool dir) { return aideCovers(aide, p, dir); }, targets, b) ||
                      anyComplete;
    }

    const TextFile ossec = readTextFile(options.rootDir, "/var/ossec/etc/ossec.conf");
    if (ossec.exists) {
        if (!ossec.error.empty()) {
            b.unknown(ossec.error);
            unreadableTool = true;
        }
        std::string text;
        for (const auto &l : ossec.lines)
            text += l + "\n";
        const SyscheckConfig syscheck = parseOssecConf(text, "/var/ossec/etc/ossec.conf");
        ++configured;
        for (const auto &n : syscheck.notes)
            b.info(n);
        if (!syscheck.present)
            b.info("Wazuh/OSSEC is installed but ossec.conf has no <syscheck> section");
        else
            anyComplete = reportTool(options, "Wazuh/OSSEC syscheck",
                                     [&](const std::string &p, bool dir) { return syscheckCovers(syscheck, p, dir); },
                                     targets, b) ||
                          anyComplete;
    }

    if (isDirectoryUnder(options.rootDir, "/etc/tripwire")) {
        ++configured;
        const TextFile policy = readTextFile(options.rootDir, "/etc/tripwire/twpol.txt");
        if (!policy.exists || !policy.error.empty()) {
            unreadableTool = true;
            b.unknown("Tripwire is installed but its plain-text policy /etc/tripwire/twpol.txt cannot be read" +
                      (policy.error.empty() ? std::string(" (only the signed tw.pol may be there)") : ": " + policy.error));
        } else {
            const TripwirePolicy tw = parseTripwirePolicy(policy.lines, "/etc/tripwire/twpol.txt");
            anyComplete = reportTool(options, "Tripwire",
                                     [&](const std::string &p, bool dir) { return tripwireCovers(tw, p, dir); }, targets, b) ||
                          anyComplete;
        }
    }

    if (configured == 0)
        b.fail("no file integrity monitor is configured (no AIDE, Wazuh/OSSEC or Tripwire configuration)");
    else if (!anyComplete && !unreadableTool)
        b.fail("no configured integrity monitor covers all of: " + joinList(targets));
    return b.finish("Configure AIDE (or Wazuh syscheck / Tripwire) to check " + joinList(targets) +
                    " with content hashes, initialise its database and run it daily.");
}

} // namespace loadlens::posture
