#pragma once
// What a library that replaces system functions can do with them: the functions a preloaded or
// injected library interposes, grouped by what replacing them gives an attacker.
#include <string>
#include <vector>

namespace loadlens::verdict {

struct InterpositionGroup {
    std::string name;                    // "directory listing", "file access", ...
    std::string implies;                 // "hide files and processes from directory listings"
    std::vector<std::string> functions;  // the interposed functions of this group, in input order
};

// The groups that `functions` touch, in a fixed order; functions of no group are left out.
std::vector<InterpositionGroup> groupInterposedFunctions(const std::vector<std::string> &functions);

// "hide files and processes from directory listings (readdir, opendir); hide or protect files
// (open)", or empty when no function belongs to a group.
std::string interpositionImplies(const std::vector<std::string> &functions);

} // namespace loadlens::verdict
