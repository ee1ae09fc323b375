// loadlens-cli signal: suspend, resume or kill one process the GUI (or a script) looked at,
// never a process that took over its pid since. Runs as the user, or as root through pkexec
// and the polkit action org.loadlens.signal.
#include "arg_parser.h"
#include "cmd_case_support.h"
#include "command_registry.h"
#include "proc/process_signal.h"

#include <iostream>

namespace loadlens::cli {

namespace {

// Exit status when the process is gone or its pid now belongs to another process.
constexpr int kExitNotThatProcess = 3;

int runSignal(const std::vector<std::string> &args)
{
    ArgParser parser;
    parser.option("--pid").option("--start-time").option("--signal");
    if (auto s = parser.parse(args); !s)
        return failWith(s.error().message, 2);
    if (!parser.positional().empty())
        return failWith("signal takes no argument '" + parser.positional().front() + "'", 2);
    auto pid = parser.integer("--pid");
    auto startTime = parser.integer("--start-time");
    if (!pid || !startTime)
        return failWith((pid ? startTime.error() : pid.error()).message, 2);
    if (!*pid || **pid < 1 || **pid > 0x7fffffff)
        return failWith("--pid needs a positive process id", 2);
    if (!*startTime || **startTime < 0)
        return failWith("--start-time needs the process's start time (field 22 of /proc/PID/stat, clock ticks "
                        "since boot) as a number", 2);
    const std::string name = parser.value("--signal").value_or("");
    const auto kind = proc::parseSignalKind(name);
    if (!kind)
        return failWith(name.empty() ? std::string("--signal needs stop, cont or kill")
                                     : "--signal takes stop, cont or kill, not '" + name + "'",
                        2);

    const int target = static_cast<int>(**pid);
    auto status = proc::signalProcess(target, static_cast<std::uint64_t>(**startTime), *kind);
    if (!status) {
        const int code = status.error().code;
        const int exitCode = code == proc::kSignalGone || code == proc::kSignalStartTimeMismatch ? kExitNotThatProcess
                             : code == proc::kSignalRefused                                      ? 2
                                                                                                 : 1;
        return failWith(status.error().message, exitCode);
    }
    std::cout << "sent SIG" << (*kind == proc::SignalKind::Stop ? "STOP" : *kind == proc::SignalKind::Continue ? "CONT" : "KILL")
              << " to pid " << target << "\n";
    return 0;
}

} // namespace

LOADLENS_CLI_COMMAND({"signal", "suspend, resume or kill one process, checked by its start time",
                      R"(Usage: loadlens-cli signal --pid N --start-time T --signal stop|cont|kill

Sends SIGSTOP, SIGCONT or SIGKILL to process N, but only when its start time (field 22 of
/proc/N/stat, clock ticks since boot, as "start_time" in scan --json) is still T: a pid that
another process took over since the scan is never signalled. The process is opened with
pidfd_open first and signalled through that descriptor. pid 1 and loadlens-cli itself are
refused. Another user's process needs root (the desktop program runs this through pkexec).

Options:
  --pid N                the process id
  --start-time T         the start time the process had when it was looked at
  --signal stop|cont|kill
                         suspend (SIGSTOP), resume (SIGCONT) or kill (SIGKILL)

Exit status: 0 sent, 1 not permitted or failed, 2 bad arguments or a refused pid,
3 the process has exited or its pid now belongs to another process.
)",
                      &runSignal});

} // namespace loadlens::cli
