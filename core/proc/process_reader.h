#pragma once
// Reads one process from /proc: stat, cmdline, environ (loader variables only), exe, maps
// (as modules) and its mount namespace. Every file is opened relative to a /proc/PID
// directory fd, so a pid reused mid-read cannot mix two processes: the old fd stays bound to
// the process it was opened for and answers ENOENT/ESRCH once it is gone.
#include "common/io.h"
#include "common/types.h"
#include "proc/read_buffer.h"
#include "proc/user_names.h"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::proc {

struct ReadOutcome {
    bool notFound = false;      // /proc/PID did not exist when we came to it
    bool vanished = false;      // exited (or its pid was reused) while it was being read
    bool inaccessible = false;  // maps or environ could not be read (permissions)
    std::vector<std::string> causes;  // one per entry of ProcessInfo::errors: "permission denied", ...
};

class ProcessReader {
public:
    explicit ProcessReader(std::string procRoot = "/proc");
    ProcessReader(const ProcessReader &) = delete;
    ProcessReader &operator=(const ProcessReader &) = delete;

    // False when procRoot itself cannot be opened; setupError() says why.
    bool ok() const { return m_procFd.valid(); }
    const std::string &setupError() const { return m_setupError; }
    int procFd() const { return m_procFd.get(); }
    const std::string &procRoot() const { return m_procRoot; }

    // Never throws; what could not be read is in ProcessInfo::errors (and `outcome`).
    ProcessInfo read(int pid, ReadOutcome *outcome = nullptr);

private:
    std::string m_procRoot;
    io::UniqueFd m_procFd;
    std::string m_setupError;
    std::string m_ownMountNamespace;  // "mnt:[4026531841]", empty when unknown
    std::optional<std::uint64_t> m_shmemDev;
    UserNameCache m_users;
    ReadBuffer m_buffer;  // reused by every read of the scan
};

// Loader-relevant variables of an environ block (NUL-separated): LD_*, GLIBC_TUNABLES, and
// Wine's WINEPREFIX and WINEDLLOVERRIDES.
std::map<std::string, std::string> loaderVariables(std::string_view environ);
// NUL-separated arguments.
std::vector<std::string> splitCmdline(std::string_view cmdline);

} // namespace loadlens::proc
