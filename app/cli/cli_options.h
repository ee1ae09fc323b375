#pragma once
// Command line of loadlens-cli: parsed into plain values, errors as messages for the user.
#include "common/result.h"
#include "common/types.h"

#include <optional>
#include <string>
#include <vector>

namespace loadlens::cli {

enum class Command { Help, Version, Scan, WhoLoads, Explain };

struct CliOptions {
    Command command = Command::Help;
    std::vector<std::string> positional;  // who-loads NAME; explain PID MODULE
    std::optional<int> pid;
    std::string modulePattern;
    Level minLevel = Level::Ok;
    bool unsignedOnly = false;
    bool json = false;
    bool stream = false;  // scan --json --stream: one line per process as it is judged
    bool verdicts = true;
    bool hashCache = true;
    std::string hashCachePath;  // empty = default under the user's data dir
    std::string hijackLibsDir;  // empty = no HijackLibs checks
    bool probeAllPids = false;
    bool interpositionOfAllModules = false;  // --interposition all
    bool quiet = false;
    std::string rootDir = "/";
    std::string procRoot = "/proc";
    std::string dpkgAdminDir;  // empty: the package database under rootDir (dpkg or RPM)
    std::string logLevel = "warn";
    std::string casePath;  // who-loads --case FILE: answer from the case instead of a live scan
    std::optional<std::string> outputPath;  // -o FILE: the report goes there, not to stdout
};

Result<CliOptions> parseCommandLine(const std::vector<std::string> &args);
std::string usageText();

} // namespace loadlens::cli
