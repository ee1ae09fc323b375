#include "proc/process_reader.h"

#include "proc/cgroup_container.h"

#include "common/log.h"
#include "proc/errno_text.h"
#include "proc/maps_parser.h"
#include "proc/modules.h"
#include "proc/pid_listing.h"
#include "proc/proc_stat.h"

#include <cerrno>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::proc {

namespace {

constexpr std::size_t kArgumentsLimit = 4u << 20;  // cmdline and environ: ARG_MAX is far below
constexpr const char *kExitedDuringScan = "process exited during the scan";

Result<std::string> readLinkAt(int dirFd, const char *path)
{
    char buffer[PATH_MAX + 64];
    const ssize_t n = ::readlinkat(dirFd, path, buffer, sizeof buffer);
    if (n < 0)
        return Error::fromErrno(errno, std::string("cannot read link ") + path);
    return std::string(buffer, static_cast<std::size_t>(n));
}

// The state of one read: collects errors, and stops everything once the process is gone.
class ProcessRead {
public:
    ProcessRead(ProcessInfo &info, ReadOutcome &outcome) : m_info(info), m_outcome(outcome) {}

    // Records a failure to read `what`; returns false when the process is gone.
    bool failed(const char *what, int err, bool countsAsInaccessible)
    {
        if (isGoneErrno(err)) {
            markVanished();
            return false;
        }
        addError(std::string(what) + ": " + describeErrno(err), errnoCause(err));
        if (countsAsInaccessible && (err == EACCES || err == EPERM))
            m_outcome.inaccessible = true;
        return true;
    }
    void addError(std::string text, std::string cause)
    {
        m_info.errors.push_back(std::move(text));
        m_outcome.causes.push_back(std::move(cause));
    }
    // Another process under the same pid: not the one we began with.
    void markReused()
    {
        m_outcome.vanished = true;
        addError("pid reused during the scan (start time changed)", "pid reused");
    }
    void markVanished()
    {
        if (m_outcome.vanished)
            return;
        m_outcome.vanished = true;
        addError(kExitedDuringScan, kExitedDuringScan);
    }

private:
    ProcessInfo &m_info;
    ReadOutcome &m_outcome;
};

// A thread of a zombie leader that still runs: its maps are the process's maps. A leader
// that calls pthread_exit() turns into a zombie whose own /proc files are empty, which would
// otherwise hide every module of a live process.
io::UniqueFd openLiveThreadOfZombie(int pidFd, int pid)
{
    io::UniqueFd taskFd(::openat(pidFd, "task", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!taskFd.valid())
        return {};
    auto tids = listPids(taskFd.get());
    if (!tids.ok())
        return {};
    for (int tid : *tids) {
        if (tid == pid)
            continue;
        io::UniqueFd threadFd(::openat(taskFd.get(), std::to_string(tid).c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
        if (!threadFd.valid())
            continue;
        auto stat = io::readFileAt(threadFd.get(), "stat", 4096);
        if (!stat.ok())
            continue;
        auto parsed = parseProcStat(stat->data);
        if (parsed && parsed->state != 'Z' && parsed->state != 'X')
            return threadFd;
    }
    return {};
}

} // namespace

std::vector<std::string> splitCmdline(std::string_view cmdline)
{
    std::vector<std::string> args;
    if (!cmdline.empty() && cmdline.back() == '\0')
        cmdline.remove_suffix(1);
    if (cmdline.empty())
        return args;
    std::size_t pos = 0;
    for (;;) {
        const std::size_t end = cmdline.find('\0', pos);
        args.emplace_back(cmdline.substr(pos, end == std::string_view::npos ? std::string_view::npos : end - pos));
        if (end == std::string_view::npos)
            break;
        pos = end + 1;
    }
    return args;
}

std::map<std::string, std::string> loaderVariables(std::string_view environ)
{
    std::map<std::string, std::string> vars;
    std::size_t pos = 0;
    while (pos < environ.size()) {
        std::size_t end = environ.find('\0', pos);
        if (end == std::string_view::npos)
            end = environ.size();
        const std::string_view entry = environ.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t eq = entry.find('=');
        if (eq == std::string_view::npos || eq == 0)
            continue;
        const std::string_view name = entry.substr(0, eq);
        // Wine's prefix and DLL overrides decide which Windows DLLs a Wine process loads.
        if (name.starts_with("LD_") || name == "GLIBC_TUNABLES" || name == "WINEPREFIX" || name == "WINEDLLOVERRIDES")
            // ld.so walks the whole block and the last LD_PRELOAD it meets wins: keep the last.
            vars[std::string(name)] = std::string(entry.substr(eq + 1));
    }
    return vars;
}

ProcessReader::ProcessReader(std::string procRoot) : m_procRoot(std::move(procRoot))
{
    m_procFd = io::UniqueFd(::open(m_procRoot.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!m_procFd.valid()) {
        m_setupError = "cannot open " + m_procRoot + ": " + describeErrno(errno);
        return;
    }
    if (auto ns = readLinkAt(m_procFd.get(), "self/ns/mnt"); ns.ok())
        m_ownMountNamespace = *ns;
    std::string why;
    m_shmemDev = detectShmemDevice(&why);
    if (!m_shmemDev)
        log::get("core.proc")->warn("memfd regions cannot be told apart from deleted files: {}", why);
}

ProcessInfo ProcessReader::read(int pid, ReadOutcome *outcomeOut)
{
    ProcessInfo info;
    info.pid = pid;
    ReadOutcome localOutcome;
    ReadOutcome &outcome = outcomeOut ? *outcomeOut : localOutcome;
    outcome = ReadOutcome{};
    ProcessRead read(info, outcome);
    if (!ok()) {
        read.addError(m_setupError, "cannot open /proc");
        return info;
    }

    const std::string pidName = std::to_string(pid);
    io::UniqueFd pidFd(::openat(m_procFd.get(), pidName.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!pidFd.valid()) {
        if (isGoneErrno(errno)) {
            outcome.notFound = true;
            read.markVanished();
        } else {
            read.failed(("/proc/" + pidName).c_str(), errno, true);
        }
        return info;
    }

    struct stat dirStat {};
    if (::fstat(pidFd.get(), &dirStat) == 0) {
        info.uid = dirStat.st_uid;
        info.user = m_users.nameOf(info.uid);
    } else if (!read.failed("owner", errno, false)) {
        return info;
    }

    std::optional<ProcStat> firstStat;
    if (auto statText = m_buffer.readAt(pidFd.get(), "stat", 4096); !statText.ok()) {
        if (!read.failed("stat", statText.error().code, false))
            return info;
    } else if (statText->data.empty()) {
        read.markVanished();
        return info;
    } else if (firstStat = parseProcStat(statText->data); !firstStat) {
        read.addError("stat: malformed", "malformed stat");
    } else {
        info.name = firstStat->comm;
        info.ppid = firstStat->ppid;
        info.state = firstStat->state;
        info.startTime = firstStat->startTime;
        info.kernelThread = firstStat->kernelThread();
    }
    if (info.kernelThread)
        return info;  // no user memory, no environment, no executable: nothing else to read

    // A zombie leader keeps no memory, arguments or namespaces of its own; a thread that still
    // runs has them all.
    int memoryFd = pidFd.get();
    io::UniqueFd threadFd;
    if (info.state == 'Z') {
        threadFd = openLiveThreadOfZombie(pidFd.get(), pid);
        if (!threadFd.valid()) {
            read.addError("zombie: no memory maps", "zombie");
            return info;
        }
        memoryFd = threadFd.get();
    }

    if (auto cmdline = m_buffer.readAt(memoryFd, "cmdline", kArgumentsLimit); cmdline.ok()) {
        info.cmdline = splitCmdline(cmdline->data);
        if (cmdline->truncated)
            read.addError("cmdline: longer than 4 MiB, cut there", "truncated");
    } else if (!read.failed("cmdline", cmdline.error().code, false)) {
        return info;
    }

    if (auto exe = readLinkAt(memoryFd, "exe"); exe.ok())
        info.exe = std::move(*exe);
    else if (!read.failed("exe", exe.error().code, false))
        return info;

    if (auto environ = m_buffer.readAt(memoryFd, "environ", kArgumentsLimit); environ.ok())
        info.loaderEnv = loaderVariables(environ->data);
    else if (!read.failed("environ", environ.error().code, true))
        return info;

    bool mapsEmpty = false;
    if (auto maps = m_buffer.readAt(memoryFd, "maps"); maps.ok()) {
        if (maps->data.empty()) {
            mapsEmpty = true;  // exited or turned zombie meanwhile: the last stat tells which
        } else {
            const ParsedMaps parsed = parseMaps(maps->data);
            if (parsed.malformedLines > 0)
                read.addError("maps: " + std::to_string(parsed.malformedLines) + " malformed lines skipped",
                              "malformed maps");
            MapFilesContext context;
            if (threadFd.valid()) {
                // map_files exists only at the process level, and a zombie leader's is empty.
                context.unavailableReason = "none while the main thread has exited";
            } else {
                context.pidDirFd = pidFd.get();
            }
            context.shmemDev = m_shmemDev;
            info.modules = buildModules(parsed.entries, context);
        }
    } else if (!read.failed("maps", maps.error().code, true)) {
        return info;
    }

    if (auto ns = readLinkAt(memoryFd, "ns/mnt"); ns.ok()) {
        info.mountNamespace = namespaceInode(*ns);
        if (!m_ownMountNamespace.empty() && *ns != m_ownMountNamespace)
            info.namespaceHint = *ns + " (differs from LoadLens's " + m_ownMountNamespace + ")";
    } else if (!read.failed("ns/mnt", ns.error().code, false)) {
        return info;
    }

    // Readable by everyone; a process in no container (or an unknown runtime) has none.
    if (auto cgroup = m_buffer.readAt(memoryFd, "cgroup", 65536); cgroup.ok())
        if (auto container = containerFromCgroupFile(cgroup->data))
            info.container = std::move(*container);

    // Did the process live through the whole read? Reads of an exiting process can come back
    // short or empty rather than failing. The pid directory fd is bound to the process it was
    // opened for (a new process reusing the pid has another /proc inode), so one lookup through
    // it tells whether that process still exists.
    if (::faccessat(pidFd.get(), "stat", F_OK, 0) != 0) {
        if (isGoneErrno(errno))
            read.markVanished();
    } else if (mapsEmpty) {
        // Empty maps of a live process: it turned zombie meanwhile, or it is something odd.
        auto lastStat = m_buffer.readAt(pidFd.get(), "stat", 4096);
        const auto last = lastStat.ok() ? parseProcStat(lastStat->data) : std::nullopt;
        if (!lastStat.ok() || lastStat->data.empty())
            read.markVanished();
        else if (firstStat && last && last->startTime != firstStat->startTime)
            read.markReused();
        else if (last && last->state == 'Z') {
            info.state = 'Z';
            read.addError("zombie: no memory maps", "zombie");
        } else {
            read.addError("maps: empty (no memory mappings)", "empty maps");
        }
    }
    return info;
}

} // namespace loadlens::proc
