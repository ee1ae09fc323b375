#pragma once
// Internal to core/audit: what the classifier gathers from one event before judging it.
#include "audit/audit_paths.h"
#include "common/types.h"

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::audit {

struct PathFacts {
    std::string logged;    // the name as logged, decoded
    std::string resolved;  // absolute where the CWD or the parent item tells
    std::string nametype;  // NORMAL, CREATE, DELETE, PARENT, ... (objtype on older kernels)
    std::string mode, inode, ouid;
    PathClass pathClass = PathClass::None;
};

struct LoaderVariable {
    std::string name;   // LD_PRELOAD, LD_LIBRARY_PATH, LD_AUDIT
    std::string value;  // what follows '=' up to the next space or quote
    std::string where;  // "execve" or "proctitle"
};

struct EventFacts {
    std::vector<PathFacts> paths;
    std::string cwd;
    bool envHint = false;  // "LD_" (or its hex) somewhere in EXECVE/PROCTITLE
    bool configChange = false;
    // The process: from SYSCALL, else from the first record that names one.
    std::map<std::string, std::string, std::less<>> process;
    std::vector<std::string> arguments;
    std::size_t missingArguments = 0;
    std::string proctitle;
    std::vector<LoaderVariable> variables;
    std::map<std::string, std::string, std::less<>> config;  // CONFIG_CHANGE fields
    Access access = Access::Unknown;

    std::string_view get(std::string_view name) const
    {
        const auto it = process.find(name);
        return it == process.end() ? std::string_view() : std::string_view(it->second);
    }
};

struct Judgement {
    std::string_view kind;
    std::string imageLoaded;
    Verdict verdict;
};

// Builds the verdict and picks the kind from the gathered facts (audit_verdicts.cpp).
Judgement judgeEvent(const EventFacts &facts);

// Finds LD_PRELOAD=, LD_LIBRARY_PATH= and LD_AUDIT= in a text (an argument, a proctitle).
void findLoaderVariables(std::string_view text, std::string_view where, std::vector<LoaderVariable> &out);

} // namespace loadlens::audit
