// M1044 "Audit and monitor library loading": auditd records every write to the loader's
// configuration and library directories, so a planted preload entry or library leaves a record.
#include "posture/audit_rules.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

namespace loadlens::posture {

PostureCheck checkAuditRules(const PostureOptions &options, std::vector<std::string> *gaps)
{
    CheckBuilder b(check_id::AuditRules, verdict::measure::AuditAndMonitor,
                   "auditd watches the loader configuration and library directories");
    bool installed = false;
    for (const char *binary : {"/sbin/auditd", "/usr/sbin/auditd"})
        installed = installed || existsUnder(options.rootDir, binary);
    if (!installed)
        b.info("auditd is not installed (no /sbin/auditd or /usr/sbin/auditd)");

    const AuditRuleSet rules = readAuditRules(options);
    for (const auto &e : rules.errors)
        b.unknown(e);
    for (const auto &n : rules.notes)
        b.info(n);
    if (rules.disabled)
        b.fail("auditing is disabled by the rules (-e 0): no watch below records anything");
    if (rules.filesRead.empty())
        b.info("no audit rules file (/etc/audit/rules.d/*.rules or /etc/audit/audit.rules)");

    std::vector<std::string> missing;
    for (const auto &target : protectedPaths(options)) {
        if (const AuditWatch *w = findWriteWatch(options, rules, target)) {
            b.pass(target + " is watched for writes by " + w->file + ":" + std::to_string(w->line) +
                   (w->key.empty() ? "" : " (key " + w->key + ")") +
                   (w->perms.find('a') == std::string::npos ? "; attribute changes (chmod, chattr) are not" : ""));
        } else {
            b.fail(target + " is not watched for writes");
            missing.push_back(target);
        }
    }
    if (gaps)
        *gaps = missing;
    return b.finish("Install auditd and add watches for the missing paths (loadlens-cli posture "
                    "--emit-auditd-rules FILE writes them, one -w PATH -p wa -k KEY line each), then augenrules --load.");
}

} // namespace loadlens::posture
