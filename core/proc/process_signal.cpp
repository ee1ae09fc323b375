#include "process_signal.h"

#include "common/io.h"
#include "proc_stat.h"

#include <csignal>
#include <sys/syscall.h>
#include <unistd.h>

namespace loadlens::proc {

namespace {

// glibc 2.36 wraps these in <sys/pidfd.h>; the raw calls also build against older headers.
int pidfdOpen(int pid)
{
    return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
}

int pidfdSendSignal(int pidfd, int signal)
{
    return static_cast<int>(::syscall(SYS_pidfd_send_signal, pidfd, signal, nullptr, 0));
}

std::string pidText(int pid)
{
    return "pid " + std::to_string(pid);
}

} // namespace

std::optional<SignalKind> parseSignalKind(std::string_view name)
{
    if (name == "stop")
        return SignalKind::Stop;
    if (name == "cont")
        return SignalKind::Continue;
    if (name == "kill")
        return SignalKind::Kill;
    return std::nullopt;
}

std::string_view signalKindName(SignalKind kind)
{
    switch (kind) {
    case SignalKind::Stop:
        return "stop";
    case SignalKind::Continue:
        return "cont";
    case SignalKind::Kill:
        return "kill";
    }
    return "?";
}

int signalNumber(SignalKind kind)
{
    switch (kind) {
    case SignalKind::Stop:
        return SIGSTOP;
    case SignalKind::Continue:
        return SIGCONT;
    case SignalKind::Kill:
        return SIGKILL;
    }
    return 0;
}

Status signalProcess(int pid, std::uint64_t expectedStartTime, SignalKind kind, const std::string &procRoot)
{
    if (pid < 1)
        return Error{kSignalRefused, "no process can have " + pidText(pid)};
    if (pid == 1)
        return Error{kSignalRefused, "refusing to signal pid 1 (init): the whole system depends on it"};
    if (pid == ::getpid())
        return Error{kSignalRefused, "refusing to signal " + pidText(pid) + ": it is loadlens-cli itself"};

    // The pidfd pins the process that holds the pid now; the start time read after it tells
    // whether that is the process the caller saw.
    io::UniqueFd pidfd(pidfdOpen(pid));
    if (!pidfd.valid()) {
        const int err = errno;
        if (err == ESRCH)
            return Error{kSignalGone, "no process with " + pidText(pid) + " (it has exited)"};
        return Error::fromErrno(err, "cannot open " + pidText(pid) + " (pidfd_open)");
    }
    const std::string statPath = procRoot + "/" + std::to_string(pid) + "/stat";
    auto text = io::readFile(statPath, 64 * 1024);
    if (!text) {
        if (text.error().code == ENOENT || text.error().code == ESRCH)
            return Error{kSignalGone, "no process with " + pidText(pid) + " (it has exited)"};
        return text.error();
    }
    const auto stat = parseProcStat(text->data);
    if (!stat)
        return Error{EIO, "cannot parse " + statPath};
    if (stat->startTime != expectedStartTime)
        return Error{kSignalStartTimeMismatch,
                     pidText(pid) + " now belongs to another process (" + stat->comm + ", start time "
                         + std::to_string(stat->startTime) + ", expected " + std::to_string(expectedStartTime)
                         + "): not signalled"};
    if (pidfdSendSignal(pidfd.get(), signalNumber(kind)) != 0) {
        const int err = errno;
        if (err == ESRCH)
            return Error{kSignalGone, "no process with " + pidText(pid) + " (it has exited)"};
        if (err == EPERM)
            return Error{EPERM, "not permitted to signal " + pidText(pid) + " (" + stat->comm
                                    + "): it belongs to another user; an administrator can"};
        return Error::fromErrno(err, "cannot signal " + pidText(pid) + " (pidfd_send_signal)");
    }
    return Ok{};
}

} // namespace loadlens::proc
