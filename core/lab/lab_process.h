#pragma once
// Starting and stopping the lab's victim processes: fork and exec in a new session (optionally
// inside a private mount namespace with a lab directory bound over /etc), a "ready" handshake
// over a pipe, and a kill through a pidfd that cannot hit a reused pid.
#include "common/result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loadlens::lab {

struct SpawnRequest {
    std::vector<std::string> argv;  // argv[0] is the program's path
    std::vector<std::string> env;   // the whole environment, "NAME=value"
    std::string logPath;            // standard error goes here (appended)
    // When set: a private mount namespace (and user namespace when not root), hostEtcMount gets
    // a bind of the real /etc, then etcOverlay is bound over /etc. Only inside that namespace.
    std::string etcOverlay;
    std::string hostEtcMount;
    // How long the victim may take to say "ready" (Wine builds its prefix on the first start).
    int readyTimeoutMs = 10000;
};

// Starts the victim and waits for its "ready" line; the error carries what it said instead.
Result<int> spawnVictim(const SpawnRequest &request, int timeoutMs = 10000);

// Runs a helper program (argv[0] a path) with exactly `env`, its output appended to logPath,
// and waits for it; it is killed after timeoutMs. The error names a failure to start or a
// timeout; the exit status is returned.
Result<int> runToCompletion(const std::vector<std::string> &argv, const std::vector<std::string> &env,
                            const std::string &logPath, int timeoutMs);

// The live processes (no zombies) whose environment holds exactly the entry "NAME=value";
// only processes whose environment this process may read are seen.
std::vector<int> processesWithEnvironment(const std::string &entry);

// Field 22 of /proc/PID/stat; nullopt when the process is gone (or a zombie).
std::optional<std::uint64_t> processStartTime(int pid);

// Kills `pid` with SIGKILL through a pidfd when it still is the process that started at
// `startTime`, waits for it to die and reaps it when it is our child. Gone already is success.
Status killVictim(int pid, std::uint64_t startTime);

} // namespace loadlens::lab
