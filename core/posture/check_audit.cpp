// M1044 "Audit and monitor library loading": auditd records every write to the loader's
// configuration and library directories, so a planted preload entry or library leaves a record.
#include "posture/audit_kernel.h"
#include "posture/audit_rules.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <functional>
#include <optional>

namespace loadlens::posture {

namespace {

// The rules the kernel enforces, as a rule set findWriteWatch can search; null when they are not
// known (another root, or they could not be read: said in the evidence).
std::optional<AuditRuleSet> kernelRules(const PostureOptions &options, CheckBuilder &b)
{
    std::function<Result<KernelAuditState>()> source = options.kernelAudit;
    if (!source && options.rootDir == "/")
        source = [] { return readKernelAuditState(); };
    if (!source) {
        b.info("the rules loaded in the kernel are not compared: " + options.rootDir + " is not the running system");
        return std::nullopt;
    }
    auto state = source();
    if (!state) {
        b.unknown("the rules loaded in the kernel could not be read, so it is not known whether the rule files are "
                  "in force: " + state.error().message);
        return std::nullopt;
    }
    if (state->enabled == 0)
        b.fail("auditing is off in the kernel (enabled 0): no rule records anything");
    else if (state->enabled == 2)
        b.info("the kernel's audit rules are locked (enabled 2): they cannot change until reboot");
    if (state->auditdPid == 0)
        b.fail("no audit daemon is registered with the kernel: auditd is not running, so no record reaches the "
               "audit log");
    else
        b.info("auditd (pid " + std::to_string(state->auditdPid) + ") receives the kernel's audit records");
    if (state->lost > 0)
        b.info("the kernel has lost " + std::to_string(state->lost) + " audit records (backlog full or rate limit)");
    b.info("the kernel holds " + std::to_string(state->ruleCount) + " audit rules, " +
           std::to_string(state->watches.size()) + " of them on files");
    for (const auto &n : state->notes)
        b.info(n);
    AuditRuleSet set;
    set.watches = std::move(state->watches);
    return set;
}

std::string describe(const AuditWatch &w)
{
    std::string s = w.file == "kernel" ? "kernel rule " + std::to_string(w.line) : w.file + ":" + std::to_string(w.line);
    if (!w.key.empty())
        s += " (key " + w.key + ")";
    return s;
}

} // namespace

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

    const std::optional<AuditRuleSet> kernel = kernelRules(options, b);

    std::vector<std::string> missing;
    for (const auto &target : protectedPaths(options)) {
        const AuditWatch *w = findWriteWatch(options, rules, target);
        const AuditWatch *k = kernel ? findWriteWatch(options, *kernel, target) : nullptr;
        if (w && (k || !kernel)) {
            b.pass(target + " is watched for writes by " + describe(*w) + (k ? ", loaded in the kernel as " + describe(*k) : "") +
                   (w->perms.find('a') == std::string::npos ? "; attribute changes (chmod, chattr) are not" : ""));
        } else if (w) {
            b.fail(target + " is watched for writes by " + describe(*w) +
                   ", but the kernel has no such rule loaded: the rule files were not loaded (augenrules --load) or "
                   "the rule was removed since");
        } else if (k) {
            b.fail(target + " is watched for writes by " + describe(*k) +
                   ", but no rules file holds that rule: the watch is gone at the next boot");
            missing.push_back(target);
        } else {
            b.fail(target + " is not watched for writes");
            missing.push_back(target);
        }
    }
    if (gaps)
        *gaps = missing;
    return b.finish("Install auditd and add watches for the missing paths (loadlens-cli posture "
                    "--emit-auditd-rules FILE writes them, one -w PATH -p wa -k KEY line each), then augenrules --load, and check "
                    "with auditctl -l that the kernel holds them.");
}

} // namespace loadlens::posture
