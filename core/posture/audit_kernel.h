#pragma once
// The audit rules the running kernel enforces, read over NETLINK_AUDIT (AUDIT_GET for the
// status, AUDIT_LIST_RULES for the rules), the way `auditctl -s` and `auditctl -l` ask. Rule
// files say what will be loaded at the next start of auditd; only the kernel's list says what is
// recorded now. No tool is run.
#include "common/result.h"
#include "posture/audit_rules.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loadlens::posture {

struct KernelAuditState {
    std::uint32_t enabled = 0;     // 0 off, 1 on, 2 on and locked until reboot
    std::uint32_t auditdPid = 0;   // the audit daemon registered with the kernel; 0: none
    std::uint32_t lost = 0;        // records the kernel dropped
    int ruleCount = 0;             // every rule of every filter list
    // The file watches among them (AUDIT_WATCH / AUDIT_DIR fields on the exit list), with
    // file "kernel" and line = the rule's position in the kernel's list (1-based).
    std::vector<AuditWatch> watches;
    std::vector<std::string> notes;  // rules that could not be decoded, said with their position
};

// Adds one AUDIT_LIST_RULES payload (struct audit_rule_data and its string buffer) to `state`.
// Bounded: a payload shorter than its own counts and lengths say is an error for that rule.
Result<Ok> decodeKernelRule(std::span<const std::uint8_t> payload, KernelAuditState &state);

// Asks the running kernel. Needs CAP_AUDIT_CONTROL in the initial user namespace: otherwise the
// error says so (EPERM as a normal user, ECONNREFUSED inside a container).
Result<KernelAuditState> readKernelAuditState(int timeoutMs = 2000);

} // namespace loadlens::posture
