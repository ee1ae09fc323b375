#include "verdict/interposition.h"

#include <algorithm>
#include <array>
#include <initializer_list>
#include <string_view>

namespace loadlens::verdict {
namespace {

struct GroupRule {
    std::string_view name;
    std::string_view implies;
    std::initializer_list<std::string_view> exact;
    std::initializer_list<std::string_view> prefixes;
};

// Exact names where a prefix would catch unrelated functions ("open" would take openlog and
// opendir); prefixes only where every function under them belongs (exec*, pam_*, audit_log_*).
const std::array<GroupRule, 8> kRules{{
    {"directory listing", "hide files and processes from directory listings such as ps and ls",
     {"readdir", "readdir64", "readdir_r", "readdir64_r", "getdents", "getdents64", "opendir", "fdopendir", "scandir",
      "scandir64", "scandirat", "scandirat64", "telldir", "seekdir"},
     {}},
    {"file access", "hide or protect files from the programs that open, stat or delete them",
     {"open", "open64", "openat", "openat64", "__open_2", "__open64_2", "__openat_2", "__openat64_2", "creat",
      "creat64", "fopen", "fopen64", "freopen", "freopen64", "stat", "stat64", "lstat", "lstat64", "fstat", "fstat64",
      "fstatat", "fstatat64", "statx", "__xstat", "__xstat64", "__lxstat", "__lxstat64", "__fxstat", "__fxstat64",
      "__fxstatat", "__fxstatat64", "access", "faccessat", "euidaccess", "eaccess", "unlink", "unlinkat", "rename",
      "renameat", "renameat2", "rmdir", "realpath"},
     {}},
    {"network", "open a backdoor or read and alter network traffic",
     {"accept", "accept4", "bind", "connect", "listen", "recv", "recvfrom", "recvmsg", "recvmmsg", "send", "sendto",
      "sendmsg", "sendmmsg", "read"},
     {}},
    {"encrypted traffic", "read or alter TLS traffic before it is encrypted or after it is decrypted, or accept any "
                          "certificate",
     {"SSL_read", "SSL_read_ex", "SSL_peek", "SSL_peek_ex", "SSL_write", "SSL_write_ex", "SSL_connect", "SSL_accept",
      "SSL_do_handshake", "SSL_get_verify_result", "SSL_CTX_set_verify", "SSL_set_verify"},
     {}},
    {"process execution", "watch, change or hide the programs this process starts",
     {"system", "popen", "posix_spawn", "posix_spawnp", "fexecve"},
     {"exec"}},
    {"authentication", "steal or forge credentials",
     {"crypt", "crypt_r", "crypt_rn", "crypt_ra", "getpwnam", "getpwnam_r", "getpwuid", "getpwuid_r", "getpwent",
      "getspnam", "getspnam_r", "getspent"},
     {"pam_"}},
    {"logging", "keep its traces out of the logs",
     {"syslog", "vsyslog", "openlog", "__syslog_chk", "__vsyslog_chk"},
     {"audit_log_"}},
    {"loader", "decide what else the program loads and run before main",
     {"dlopen", "dlmopen", "dlsym", "dlvsym", "dladdr", "dl_iterate_phdr", "__libc_start_main"},
     {}},
}};

bool matches(const GroupRule &rule, std::string_view function)
{
    if (std::find(rule.exact.begin(), rule.exact.end(), function) != rule.exact.end())
        return true;
    return std::any_of(rule.prefixes.begin(), rule.prefixes.end(),
                       [&](std::string_view prefix) { return function.starts_with(prefix) && function.size() > prefix.size(); });
}

} // namespace

std::vector<InterpositionGroup> groupInterposedFunctions(const std::vector<std::string> &functions)
{
    std::vector<InterpositionGroup> groups;
    for (const GroupRule &rule : kRules) {
        InterpositionGroup group{std::string(rule.name), std::string(rule.implies), {}};
        for (const auto &function : functions)
            if (matches(rule, function))
                group.functions.push_back(function);
        if (!group.functions.empty())
            groups.push_back(std::move(group));
    }
    return groups;
}

std::string interpositionImplies(const std::vector<std::string> &functions)
{
    std::string text;
    for (const auto &group : groupInterposedFunctions(functions)) {
        std::string names;
        const std::size_t shown = std::min<std::size_t>(group.functions.size(), 6);
        for (std::size_t i = 0; i < shown; ++i)
            names += (i ? ", " : "") + group.functions[i];
        if (shown < group.functions.size())
            names += ", ...";
        text += (text.empty() ? "" : "; ") + group.implies + " (" + group.name + ": " + names + ")";
    }
    return text;
}

} // namespace loadlens::verdict
