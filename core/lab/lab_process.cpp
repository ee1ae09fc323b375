#include "lab/lab_process.h"

#include "common/io.h"

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <fstream>
#include <poll.h>
#include <sched.h>
#include <sstream>
#include <sys/mount.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

namespace loadlens::lab {

namespace {

int pidfdOpen(int pid) { return static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)); }

// In the forked child only async-signal-safe calls: report and leave.
[[noreturn]] void childFail(const char *what)
{
    const int err = errno;
    char line[256];
    std::size_t n = 0;
    auto add = [&](const char *s) {
        while (*s && n < sizeof line - 2)
            line[n++] = *s++;
    };
    add("error: ");
    add(what);
    add(": ");
    add(strerrordesc_np(err) ? strerrordesc_np(err) : "unknown error");
    line[n++] = '\n';
    if (::write(STDOUT_FILENO, line, n) < 0) {
    }
    ::_exit(127);
}

bool writeWhole(const char *path, const char *text)
{
    const int fd = ::open(path, O_WRONLY | O_CLOEXEC);
    if (fd < 0)
        return false;
    const auto len = std::strlen(text);
    const bool ok = ::write(fd, text, len) == static_cast<ssize_t>(len);
    ::close(fd);
    return ok;
}

struct ChildPlan {
    std::vector<char *> argv;
    std::vector<char *> envp;
    const char *overlay = nullptr;
    const char *hostEtc = nullptr;
    bool asRoot = false;
    std::string uidMap;
    std::string gidMap;
};

[[noreturn]] void runChild(const ChildPlan &plan, int readyFd, int logFd, int nullFd)
{
    if (::setsid() < 0)
        childFail("setsid");
    if (::dup2(nullFd, STDIN_FILENO) < 0 || ::dup2(readyFd, STDOUT_FILENO) < 0 || ::dup2(logFd, STDERR_FILENO) < 0)
        childFail("dup2");
    ::close_range(3, ~0U, 0);
    if (plan.overlay) {
        // Refuse to mount anything unless the namespace is private first.
        if (plan.asRoot) {
            if (::unshare(CLONE_NEWNS) != 0)
                childFail("unshare(CLONE_NEWNS)");
        } else {
            if (::unshare(CLONE_NEWUSER | CLONE_NEWNS) != 0)
                childFail("unshare(CLONE_NEWUSER|CLONE_NEWNS) (user namespaces not allowed here?)");
            if (!writeWhole("/proc/self/setgroups", "deny") || !writeWhole("/proc/self/uid_map", plan.uidMap.c_str()) ||
                !writeWhole("/proc/self/gid_map", plan.gidMap.c_str()))
                childFail("writing the user namespace's id maps");
        }
        if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0)
            childFail("mount --make-rprivate /");
        if (::mount("/etc", plan.hostEtc, nullptr, MS_BIND | MS_REC, nullptr) != 0)
            childFail("mount --rbind /etc");
        if (::mount(plan.overlay, "/etc", nullptr, MS_BIND, nullptr) != 0)
            childFail("mount --bind over /etc");
    }
    ::execve(plan.argv[0], plan.argv.data(), plan.envp.data());
    childFail("execve");
}

std::vector<char *> cStrings(const std::vector<std::string> &strings)
{
    std::vector<char *> out;
    for (const auto &s : strings)
        out.push_back(const_cast<char *>(s.c_str()));
    out.push_back(nullptr);
    return out;
}

// Where a lab child's output goes: stdout and stderr to the lab log (appended, never through a
// symlink), stdin from /dev/null.
struct ChildOutput {
    io::UniqueFd log;
    io::UniqueFd null;
};

Result<ChildOutput> openChildOutput(const std::string &logPath)
{
    ChildOutput out;
    out.log = io::UniqueFd(::open(logPath.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644));
    if (!out.log.valid())
        return Error::fromErrno(errno, "cannot open the lab log " + logPath);
    out.null = io::UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC));
    if (!out.null.valid())
        return Error::fromErrno(errno, "cannot open /dev/null");
    return out;
}

} // namespace

std::optional<std::uint64_t> processStartTime(int pid)
{
    std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const auto close = text.rfind(')');
    if (close == std::string::npos)
        return std::nullopt;
    std::istringstream fields(text.substr(close + 2));
    std::string field;
    std::uint64_t start = 0;
    for (int i = 3; i <= 22 && fields >> field; ++i) {
        if (i == 3 && (field == "Z" || field == "X"))
            return std::nullopt;
        if (i == 22) {
            try {
                start = std::stoull(field);
            } catch (...) {
                return std::nullopt;
            }
            return start;
        }
    }
    return std::nullopt;
}

Result<int> spawnVictim(const SpawnRequest &request, int timeoutMs)
{
    if (request.argv.empty())
        return Error{EINVAL, "no program to start"};
    ChildPlan plan;
    plan.argv = cStrings(request.argv);
    plan.envp = cStrings(request.env);
    plan.asRoot = ::geteuid() == 0;
    if (!request.etcOverlay.empty()) {
        plan.overlay = request.etcOverlay.c_str();
        plan.hostEtc = request.hostEtcMount.c_str();
        plan.uidMap = std::to_string(::geteuid()) + " " + std::to_string(::geteuid()) + " 1\n";
        plan.gidMap = std::to_string(::getegid()) + " " + std::to_string(::getegid()) + " 1\n";
    }
    int pipeFds[2];
    if (::pipe2(pipeFds, O_CLOEXEC) != 0)
        return Error::fromErrno(errno, "cannot create a pipe");
    io::UniqueFd readEnd(pipeFds[0]);
    io::UniqueFd writeEnd(pipeFds[1]);
    auto output = openChildOutput(request.logPath);
    if (!output)
        return output.error();

    const pid_t pid = ::fork();
    if (pid < 0)
        return Error::fromErrno(errno, "cannot fork");
    if (pid == 0)
        runChild(plan, writeEnd.get(), output->log.get(), output->null.get());
    writeEnd = io::UniqueFd();

    std::string said;
    for (int waited = 0; waited < timeoutMs && said.find('\n') == std::string::npos;) {
        pollfd p{readEnd.get(), POLLIN, 0};
        const int r = ::poll(&p, 1, 100);
        if (r < 0 && errno != EINTR)
            break;
        if (r == 0) {
            waited += 100;
            continue;
        }
        char buf[512];
        const ssize_t n = ::read(readEnd.get(), buf, sizeof buf);
        if (n <= 0)
            break;
        said.append(buf, static_cast<std::size_t>(n));
        if (said.size() > 4096)
            break;
    }
    // "ready", or "ready WHAT-WAS-LOADED" (the Windows victim names the DLL it got).
    const bool ready = said.rfind("ready\n", 0) == 0 || said.rfind("ready ", 0) == 0;
    if (ready)
        return pid;
    ::kill(pid, SIGKILL);
    ::waitpid(pid, nullptr, 0);
    if (auto nl = said.find('\n'); nl != std::string::npos)
        said.resize(nl);
    const std::string program = request.argv[0];
    if (said.empty())
        return Error{ETIMEDOUT, program + " did not report ready within " + std::to_string(timeoutMs) + " ms"};
    return Error{ECHILD, program + ": " + said};
}

Result<int> runToCompletion(const std::vector<std::string> &argv, const std::vector<std::string> &env,
                            const std::string &logPath, int timeoutMs)
{
    if (argv.empty())
        return Error{EINVAL, "no program to run"};
    auto args = cStrings(argv);
    auto envp = cStrings(env);
    auto output = openChildOutput(logPath);
    if (!output)
        return output.error();
    const pid_t pid = ::fork();
    if (pid < 0)
        return Error::fromErrno(errno, "cannot fork");
    if (pid == 0) {
        if (::dup2(output->null.get(), STDIN_FILENO) < 0 || ::dup2(output->log.get(), STDOUT_FILENO) < 0 ||
            ::dup2(output->log.get(), STDERR_FILENO) < 0)
            ::_exit(127);
        ::close_range(3, ~0U, 0);
        ::execve(args[0], args.data(), envp.data());
        ::_exit(127);
    }
    io::UniqueFd pidfd(pidfdOpen(pid));
    if (pidfd.get() >= 0) {
        pollfd p{pidfd.get(), POLLIN, 0};
        if (::poll(&p, 1, timeoutMs) == 0) {
            ::kill(pid, SIGKILL);
            ::waitpid(pid, nullptr, 0);
            return Error{ETIMEDOUT, argv[0] + " did not finish within " + std::to_string(timeoutMs) + " ms"};
        }
    }
    int status = 0;
    if (::waitpid(pid, &status, 0) != pid)
        return Error::fromErrno(errno, "cannot wait for " + argv[0]);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
        return Error{ENOENT, "cannot run " + argv[0]};
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

std::vector<int> processesWithEnvironment(const std::string &entry)
{
    std::vector<int> found;
    DIR *proc = ::opendir("/proc");
    if (!proc)
        return found;
    while (const dirent *d = ::readdir(proc)) {
        char *end = nullptr;
        const long pid = std::strtol(d->d_name, &end, 10);
        if (pid <= 0 || *end != '\0' || pid == ::getpid())
            continue;
        std::ifstream in(std::string("/proc/") + d->d_name + "/environ", std::ios::binary);
        if (!in)
            continue;
        std::string environ((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        for (std::size_t at = 0; at < environ.size();) {
            std::size_t nul = environ.find('\0', at);
            if (nul == std::string::npos)
                nul = environ.size();
            if (environ.compare(at, nul - at, entry) == 0 && processStartTime(static_cast<int>(pid))) {
                found.push_back(static_cast<int>(pid));
                break;
            }
            at = nul + 1;
        }
    }
    ::closedir(proc);
    return found;
}

Status killVictim(int pid, std::uint64_t startTime)
{
    if (pid <= 0)
        return Ok{};
    io::UniqueFd pidfd(pidfdOpen(pid));
    if (pidfd.get() < 0) {
        if (errno == ESRCH)
            return Ok{};
        return Error::fromErrno(errno, "cannot open a pidfd for process " + std::to_string(pid));
    }
    // Checked after the pidfd is open: the pidfd now names this process, whatever happens to the pid.
    const auto now = processStartTime(pid);
    if (!now || *now != startTime) {
        ::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), nullptr, WEXITED | WNOHANG);
        return Ok{};  // gone, or the pid belongs to another process now
    }
    if (::syscall(SYS_pidfd_send_signal, pidfd.get(), SIGKILL, nullptr, 0) != 0 && errno != ESRCH)
        return Error::fromErrno(errno, "cannot kill process " + std::to_string(pid));
    pollfd p{pidfd.get(), POLLIN, 0};
    if (::poll(&p, 1, 5000) <= 0)
        return Error{ETIMEDOUT, "process " + std::to_string(pid) + " did not exit after SIGKILL"};
    siginfo_t info{};
    ::waitid(P_PIDFD, static_cast<id_t>(pidfd.get()), &info, WEXITED | WNOHANG);  // ECHILD when not ours
    return Ok{};
}

} // namespace loadlens::lab
