#include "posture/audit_rules.h"

#include "posture/posture_fs.h"

#include <algorithm>
#include <sstream>

namespace loadlens::posture {

namespace {

std::string stripQuotes(std::string value)
{
    if (value.size() >= 2 && value.front() == '"' && value.back() == '"')
        return value.substr(1, value.size() - 2);
    return value;
}

// Syscalls through which a file or directory entry is changed; a rule naming one of them without
// a perm field still sees writes.
bool isWriteSyscall(std::string_view name)
{
    for (const std::string_view s : {"all", "open", "openat", "openat2", "creat", "rename", "renameat", "renameat2",
                                     "unlink", "unlinkat", "truncate", "ftruncate", "link", "linkat", "symlink",
                                     "symlinkat", "write", "pwrite64", "mknod", "mknodat"})
        if (name == s)
            return true;
    return false;
}

struct SyscallRule {
    bool always = false;
    bool never = false;
    bool exitList = false;
    std::vector<std::string> syscalls;
    bool hasPerm = false;
    AuditWatch watch;
};

void addSyscallRule(SyscallRule r, AuditRuleSet &rules, const std::string &where)
{
    if (r.watch.path.empty())
        return;  // a syscall rule without a path is not a file watch
    if (!r.exitList) {
        rules.notes.push_back(where + ": path rule on a list other than exit does not watch file changes");
        return;
    }
    if (!r.always && !r.never)
        return;
    if (!r.hasPerm) {
        const bool writes = r.syscalls.empty() ||
                            std::any_of(r.syscalls.begin(), r.syscalls.end(), [](const std::string &s) { return isWriteSyscall(s); });
        r.watch.perms.assign(writes ? 1 : 0, 'w');
    }
    r.watch.never = r.never;
    rules.watches.push_back(std::move(r.watch));
}

} // namespace

void parseAuditRules(const std::vector<std::string> &lines, const std::string &fileName, AuditRuleSet &rules)
{
    rules.filesRead.push_back(fileName);
    for (std::size_t n = 0; n < lines.size(); ++n) {
        const std::string line = trim(lines[n]);
        if (line.empty() || line.front() == '#')
            continue;
        const std::string where = fileName + ":" + std::to_string(n + 1);
        const auto w = splitBlanks(line);
        const std::string &op = w.front();
        auto arg = [&](std::size_t i) { return i < w.size() ? stripQuotes(w[i]) : std::string(); };
        if (op == "-D") {
            rules.watches.clear();
            continue;
        }
        if (op == "-e") {
            const std::string v = arg(1);
            rules.disabled = v == "0";
            if (v == "0")
                rules.notes.push_back(where + ": -e 0 disables auditing");
            else if (v == "2")
                rules.notes.push_back(where + ": -e 2 locks the rules until reboot");
            continue;
        }
        if (op == "-W") {
            const std::string path = arg(1);
            std::erase_if(rules.watches, [&](const AuditWatch &x) {
                return !x.pathField && !x.directoryField && x.path == path;
            });
            continue;
        }
        if (op == "-w") {
            AuditWatch watch;
            watch.path = arg(1);
            watch.perms = "rwxa";
            watch.file = fileName;
            watch.line = static_cast<int>(n) + 1;
            if (watch.path.empty()) {
                rules.errors.push_back(where + ": -w without a path");
                continue;
            }
            for (std::size_t i = 2; i + 1 < w.size(); ++i) {
                if (w[i] == "-p")
                    watch.perms = arg(++i);
                else if (w[i] == "-k")
                    watch.key = arg(++i);
                else if (w[i] == "-F" && arg(i + 1).rfind("key=", 0) == 0)
                    watch.key = arg(++i).substr(4);
            }
            rules.watches.push_back(std::move(watch));
            continue;
        }
        if (op == "-a" || op == "-A") {
            SyscallRule r;
            r.watch.file = fileName;
            r.watch.line = static_cast<int>(n) + 1;
            std::istringstream parts(arg(1));
            std::string part;
            while (std::getline(parts, part, ',')) {
                r.always = r.always || part == "always";
                r.never = r.never || part == "never";
                r.exitList = r.exitList || part == "exit";
            }
            for (std::size_t i = 2; i + 1 < w.size(); ++i) {
                if (w[i] == "-S") {
                    std::istringstream calls(arg(++i));
                    std::string call;
                    while (std::getline(calls, call, ','))
                        r.syscalls.push_back(call);
                } else if (w[i] == "-k") {
                    r.watch.key = arg(++i);
                } else if (w[i] == "-F") {
                    const std::string field = arg(++i);
                    const auto eq = field.find('=');
                    if (eq == std::string::npos || eq == 0 || field[eq - 1] == '!')
                        continue;  // only equality fields name what is watched
                    const std::string name = field.substr(0, eq);
                    const std::string value = stripQuotes(field.substr(eq + 1));
                    if (name == "path") {
                        r.watch.path = value;
                        r.watch.pathField = true;
                    } else if (name == "dir") {
                        r.watch.path = value;
                        r.watch.directoryField = true;
                    } else if (name == "perm") {
                        r.watch.perms = value;
                        r.hasPerm = true;
                    } else if (name == "key") {
                        r.watch.key = value;
                    }
                }
            }
            addSyscallRule(std::move(r), rules, where);
            continue;
        }
        if (op.size() < 2 || op.front() != '-')
            rules.errors.push_back(where + ": not an auditctl rule: " + line);
    }
}

AuditRuleSet readAuditRules(const PostureOptions &options)
{
    AuditRuleSet rules;
    std::string error;
    std::vector<std::string> ruleFiles;
    if (auto names = listDirectory(options.rootDir, "/etc/audit/rules.d", &error))
        for (const auto &name : *names)
            if (name.size() > 6 && name.substr(name.size() - 6) == ".rules")
                ruleFiles.push_back("/etc/audit/rules.d/" + name);
    if (!error.empty())
        rules.errors.push_back(error);
    if (ruleFiles.empty())
        ruleFiles.push_back("/etc/audit/audit.rules");
    else
        rules.notes.push_back("rules taken from /etc/audit/rules.d (augenrules builds /etc/audit/audit.rules from them)");
    for (const auto &path : ruleFiles) {
        const TextFile file = readTextFile(options.rootDir, path);
        if (!file.exists)
            continue;
        if (!file.error.empty())
            rules.errors.push_back(file.error);
        parseAuditRules(file.lines, path, rules);
    }
    return rules;
}

const AuditWatch *findWriteWatch(const PostureOptions &options, const AuditRuleSet &rules, const std::string &target)
{
    const AuditWatch *found = nullptr;
    for (const auto &watch : rules.watches) {
        const std::string resolved = resolveUnderRoot(options.rootDir, watch.path);
        bool reaches = false;
        if (watch.pathField)
            reaches = resolved == target;
        else if (watch.directoryField || isDirectoryUnder(options.rootDir, resolved))
            reaches = isSameOrBelow(target, resolved);
        else
            reaches = resolved == target;
        if (!reaches)
            continue;
        if (watch.never)
            return nullptr;  // suppressed whatever else watches it
        if (!found && watch.perms.find('w') != std::string::npos)
            found = &watch;
    }
    return found;
}

std::string_view auditKeyFor(std::string_view path)
{
    if (path == "/etc/ld.so.preload")
        return "loadlens_preload";
    if (path.rfind("/etc/ld.so.conf", 0) == 0)
        return "loadlens_ldconf";
    return "loadlens_libdirs";
}

std::string emitAuditdRules(const std::vector<std::string> &paths)
{
    std::string out =
        "# Audit rules for M1044 (Restrict Library Loading): record writes and attribute changes to the\n"
        "# loader's configuration and library directories. Written by loadlens-cli posture; install as\n"
        "# /etc/audit/rules.d/60-loadlens.rules and load with: augenrules --load\n";
    if (paths.empty())
        out += "# Every path was already watched: no rule needed.\n";
    for (const auto &path : paths)
        out += "-w " + path + " -p wa -k " + std::string(auditKeyFor(path)) + "\n";
    return out;
}

} // namespace loadlens::posture
