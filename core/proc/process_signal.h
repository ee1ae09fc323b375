#pragma once
// Suspends, resumes or kills one process, and only the process that was looked at: the pid is
// opened as a pidfd first, then /proc/PID/stat must still show the start time the caller saw.
// A pid reused by another process after the scan is never signalled.
#include "common/result.h"

#include <cerrno>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace loadlens::proc {

enum class SignalKind { Stop, Continue, Kill };

// "stop", "cont", "kill".
std::optional<SignalKind> parseSignalKind(std::string_view name);
std::string_view signalKindName(SignalKind kind);
int signalNumber(SignalKind kind);  // SIGSTOP, SIGCONT, SIGKILL

// Error codes of signalProcess, beside errno values such as EPERM:
inline constexpr int kSignalGone = ESRCH;               // no such process (it exited)
inline constexpr int kSignalStartTimeMismatch = ESTALE;  // the pid belongs to another process now
inline constexpr int kSignalRefused = EINVAL;           // pid 1, the caller itself, or pid < 1

// Sends `kind` to `pid` when its start time (stat field 22, clock ticks since boot) is
// `expectedStartTime`. `procRoot` is where /proc is (tests).
Status signalProcess(int pid, std::uint64_t expectedStartTime, SignalKind kind, const std::string &procRoot = "/proc");

} // namespace loadlens::proc
