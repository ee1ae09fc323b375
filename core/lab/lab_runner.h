#pragma once
// Runs the lab's scenarios. Everything a scenario creates lives in LABDIR/<name>/: copies of
// the lab's programs and payload, the lab log, and state.json (the victim's pid and start time,
// who started it). Victims are started in their own session and killed through a pidfd at stop;
// stop removes the scenario's directory. A scenario whose victim died, or whose owner (a GUI
// that started it and crashed) is gone, is cleaned up at the next start, status or stop.
//
// Nothing outside LABDIR is written: the /etc/ld.so.preload scenario runs in a private mount
// namespace (plus a user namespace when not root), set up in the victim's child before exec.
#include "common/result.h"
#include "lab/lab_catalog.h"
#include "lab/lab_process.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loadlens::lab {

struct Instance {
    std::string scenario;
    std::string directory;  // LABDIR/<scenario>
    int pid = 0;
    std::uint64_t startTime = 0;  // /proc/PID/stat field 22, so a reused pid is not taken for it
    int ownerPid = 0;             // 0: runs until `lab stop`; else stopped when this process is gone
    std::uint64_t ownerStartTime = 0;
    std::int64_t startedAt = 0;   // unix seconds
    bool running = false;         // filled by status()
    std::vector<std::string> commands;  // the scenario's commands, with the real paths
    bool mitigated = false;             // `mitigate` applied its measure and ran the attack again
    SpawnRequest request;               // how the victim was started (to run it again)
};

struct LabOptions {
    std::string labDir;     // empty: defaultLabDirectory()
    std::string binaryDir;  // empty: labBinaryDirectory()
    bool ownedByCaller = false;  // stop the scenario when the calling process is gone
};

// dataDirectory()/lab, or $LOADLENS_LAB_DIR.
std::string defaultLabDirectory();
// Where ll_lab_victim and the payload are: $LOADLENS_LAB_BINARIES, the installed libexec
// directory, or ../lab beside the running executable (the build tree). Error when none holds them.
Result<std::string> labBinaryDirectory();

class Runner {
public:
    explicit Runner(LabOptions options);

    Result<Instance> start(const std::string &name);
    // Running scenarios (stale ones are cleaned up first).
    Result<std::vector<Instance>> status();
    Status stop(const std::string &name);
    // Applies the scenario's mitigation inside its directory (or namespace file), then runs the
    // attack again; error when the scenario has none it can apply safely or is not running.
    Result<Instance> mitigate(const std::string &name);
    Status stopAll();
    // Removes scenarios whose victim or owner is gone; returns their names.
    std::vector<std::string> cleanStale();

    const std::string &labDirectory() const { return m_labDir; }

private:
    Result<std::string> binaryDir();
    Status prepareLabDirectory();

    LabOptions m_options;
    std::string m_labDir;
};

} // namespace loadlens::lab
