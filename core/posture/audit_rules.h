#pragma once
// auditd rules as auditctl reads them (one rule per line, '#' comment lines): file watches
// (-w PATH -p PERMS -k KEY), syscall rules with path/dir fields (-a always,exit -F path=... -F
// perm=wa), their removal (-W, -D), and the enable flag (-e). Enough to say which paths a rule
// set watches for writes; not a full auditctl.
#include "posture/posture.h"

#include <string>
#include <string_view>
#include <vector>

namespace loadlens::posture {

struct AuditWatch {
    std::string path;        // as written
    bool directoryField = false;  // -F dir=: the directory and everything below it
    bool pathField = false;       // -F path=: exactly this path
    // -w: a directory is watched with everything below it, a file alone (decided on the filesystem).
    std::string perms;       // "wa"; every permission when none was given
    std::string key;
    bool never = false;      // -a never,exit: suppresses matching events
    std::string file;
    int line = 0;
};

struct AuditRuleSet {
    std::vector<AuditWatch> watches;
    std::vector<std::string> filesRead;
    std::vector<std::string> notes;   // -e 0, -e 2, rules that cannot be read as watches ...
    std::vector<std::string> errors;  // malformed lines, unreadable files
    bool disabled = false;            // -e 0 was the last enable setting
};

// Adds the rules of one file to `rules`, in order (a -D drops what came before, a -W removes
// the matching watch).
void parseAuditRules(const std::vector<std::string> &lines, const std::string &fileName, AuditRuleSet &rules);

// The rules the system loads: /etc/audit/rules.d/*.rules in name order (what augenrules builds
// audit.rules from) when there are any, otherwise /etc/audit/audit.rules.
AuditRuleSet readAuditRules(const PostureOptions &options);

// The watch that records writes to `target` (absolute, resolved inside rootDir), or null.
const AuditWatch *findWriteWatch(const PostureOptions &options, const AuditRuleSet &rules, const std::string &target);

// An audit rules file with one "-w PATH -p wa -k KEY" line per path.
std::string emitAuditdRules(const std::vector<std::string> &paths);
// The key emitAuditdRules uses for a path: loadlens_preload, loadlens_ldconf or loadlens_libdirs.
std::string_view auditKeyFor(std::string_view path);

} // namespace loadlens::posture
