#pragma once
// Small builders for ScanResults that the ui tests construct by hand.
#include "common/types.h"

#include <string>
#include <utility>

namespace loadlens::testing {

inline ProcessInfo makeProcess(int pid, int ppid, std::string name, std::uint64_t startTime = 100)
{
    ProcessInfo process;
    process.pid = pid;
    process.ppid = ppid;
    process.name = std::move(name);
    process.user = "root";
    process.startTime = startTime;
    return process;
}

inline Reason makeReason(std::string code, Level level, Evidence evidence = {})
{
    Reason reason;
    reason.code = std::move(code);
    reason.level = level;
    reason.text = "text for " + reason.code;
    reason.technique = level >= Level::Medium ? "T1574.006" : "";
    reason.measure = level >= Level::Medium ? "Remove LD_PRELOAD from the service unit" : "";
    reason.evidence = std::move(evidence);
    return reason;
}

inline ModuleRecord makeModule(std::string path, std::uint64_t inode, Level level = Level::Ok)
{
    ModuleRecord module;
    module.path = std::move(path);
    module.file = {2049, inode};
    module.executable = true;
    module.ranges.push_back({0x1000 * inode, 0x1000 * inode + 0x3000, 0, "r-xp"});
    if (level != Level::Ok)
        module.verdict.add(makeReason("code-" + std::string(levelName(level)), level, {{"path", module.path}}));
    return module;
}

inline FileFacts makeFacts(const ModuleRecord &module, std::uint64_t size, std::string package = {})
{
    FileFacts facts;
    facts.key = module.file;
    facts.path = module.path;
    facts.size = size;
    facts.mode = 0100755;
    facts.ownerName = "root";
    facts.groupName = "root";
    facts.sha256 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";
    facts.package = std::move(package);
    return facts;
}

} // namespace loadlens::testing
