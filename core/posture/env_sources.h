#pragma once
// Where loader variables (LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT, any LD_*) can be handed to every
// login, service or sudo command: shell start-up files, /etc/environment, pam_env, systemd units
// and sudoers. Text level only (lines in, findings out) so each format has its own tests.
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::posture {

// True for a name ld.so reads from the environment: LD_ followed by name characters.
bool isLoaderVariable(std::string_view name);

struct VariableHit {
    std::string variable;  // "LD_PRELOAD"
    int line = 0;          // 1-based
    std::string how;       // "exported", "assigned", "Environment=", "env_keep", ...
    std::string text;      // the line, trimmed
};

// sh/bash start-up files: export/declare -x/typeset -x/readonly and plain assignments, including
// `VAR=value command` prefixes. Reads that only test or print a variable are not hits.
std::vector<VariableHit> findInShellScript(const std::vector<std::string> &lines);

// KEY=VALUE files read by pam_env (/etc/environment) and systemd's EnvironmentFile=; an optional
// "export " prefix is accepted as pam_env does.
std::vector<VariableHit> findInEnvironmentFile(const std::vector<std::string> &lines);

// /etc/security/pam_env.conf: "VAR [DEFAULT=value] [OVERRIDE=value]".
std::vector<VariableHit> findInPamEnvConf(const std::vector<std::string> &lines);

struct UnitEnvironment {
    std::vector<VariableHit> hits;  // Environment=, DefaultEnvironment=, PassEnvironment= naming LD_*
    struct FileRef {
        std::string path;           // as written, without the optional '-' prefix
        bool optional = false;      // '-' prefix: a missing file is not an error
        int line = 0;
    };
    std::vector<FileRef> environmentFiles;  // EnvironmentFile= lines
};
// systemd unit files, drop-ins and system.conf: comments, quoting and continuation lines as
// systemd reads them.
UnitEnvironment findInSystemdUnit(const std::vector<std::string> &lines);

struct SudoersAnalysis {
    std::vector<VariableHit> hits;       // env_keep of LD_*, env_delete -= LD_*, setenv, SETENV:
    std::vector<VariableHit> notes;      // Defaults !env_reset and the like: worth knowing, not decisive
    struct Include {
        std::string path;
        bool directory = false;          // @includedir / #includedir
        int line = 0;
    };
    std::vector<Include> includes;
};
SudoersAnalysis analyseSudoers(const std::vector<std::string> &lines);

// Whether sudo reads a file found through @includedir: not ending in '~' and without a '.'.
bool sudoReadsIncludedName(std::string_view name);

} // namespace loadlens::posture
