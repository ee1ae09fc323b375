#include "proc/pid_listing.h"

#include "common/io.h"
#include "proc/proc_stat.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <csignal>
#include <ctime>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace loadlens::proc {

namespace {

// The kernel's struct linux_dirent64; glibc exposes no declaration for the raw call.
struct LinuxDirent64 {
    std::uint64_t d_ino;
    std::int64_t d_off;
    unsigned short d_reclen;
    unsigned char d_type;
    char d_name[1];
};

std::optional<int> pidFromName(std::string_view name)
{
    int pid = 0;
    if (name.empty() || name.front() == '0')
        return std::nullopt;
    const auto [ptr, ec] = std::from_chars(name.data(), name.data() + name.size(), pid);
    if (ec != std::errc() || ptr != name.data() + name.size() || pid <= 0)
        return std::nullopt;
    return pid;
}

std::optional<int> readSmallInt(const std::string &path)
{
    auto content = io::readFile(path, 256);
    if (!content.ok())
        return std::nullopt;
    std::string_view text = content->data;
    while (!text.empty() && (text.back() == '\n' || text.back() == ' '))
        text.remove_suffix(1);
    int value = 0;
    const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || ptr != text.data() + text.size() || value <= 0)
        return std::nullopt;
    return value;
}

} // namespace

Result<std::vector<int>> listPids(int dirFd)
{
    if (::lseek(dirFd, 0, SEEK_SET) < 0)
        return Error::fromErrno(errno, "cannot rewind the /proc directory");
    std::vector<int> pids;
    pids.reserve(1024);
    alignas(8) char buffer[32768];
    for (;;) {
        const long n = ::syscall(SYS_getdents64, dirFd, buffer, sizeof buffer);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot list the /proc directory (getdents64)");
        }
        if (n == 0)
            break;
        long pos = 0;
        while (pos < n) {
            const auto *entry = reinterpret_cast<const LinuxDirent64 *>(buffer + pos);
            if (entry->d_reclen == 0 || pos + entry->d_reclen > n)
                return Error{EIO, "malformed getdents64 record while listing /proc"};
            const std::size_t nameMax = entry->d_reclen - offsetof(LinuxDirent64, d_name);
            const std::string_view name(entry->d_name, ::strnlen(entry->d_name, nameMax));
            if (auto pid = pidFromName(name))
                pids.push_back(*pid);
            pos += entry->d_reclen;
        }
    }
    std::sort(pids.begin(), pids.end());
    pids.erase(std::unique(pids.begin(), pids.end()), pids.end());
    return pids;
}

std::optional<int> parseLastPid(std::string_view loadavg)
{
    // "0.05 0.10 0.05 1/86 5567\n"
    std::size_t pos = 0;
    for (int field = 1; field < 5; ++field) {
        pos = loadavg.find(' ', pos);
        if (pos == std::string_view::npos)
            return std::nullopt;
        ++pos;
    }
    std::string_view token = loadavg.substr(pos);
    token = token.substr(0, token.find_first_of(" \n"));
    int pid = 0;
    const auto [ptr, ec] = std::from_chars(token.data(), token.data() + token.size(), pid);
    if (ec != std::errc() || ptr != token.data() + token.size() || pid < 0)
        return std::nullopt;
    return pid;
}

std::optional<int> readLastPid(const std::string &procRoot)
{
    auto content = io::readFile(procRoot + "/loadavg", 256);
    if (!content.ok())
        return std::nullopt;
    return parseLastPid(content->data);
}

std::optional<int> readPidMax(const std::string &procRoot)
{
    return readSmallInt(procRoot + "/sys/kernel/pid_max");
}

std::vector<int> probeUnlistedPids(const std::vector<int> &listed, int maxPid, const CancelToken &cancel)
{
    std::vector<int> hits;
    auto next = listed.begin();
    for (int pid = 1; pid <= maxPid; ++pid) {
        if ((pid & 4095) == 0 && cancel.cancelled())
            break;
        while (next != listed.end() && *next < pid)
            ++next;
        if (next != listed.end() && *next == pid)
            continue;
        // The raw call: a preloaded library cannot make a pid look absent.
        if (::syscall(SYS_kill, pid, 0) == 0 || errno == EPERM)
            hits.push_back(pid);
    }
    return hits;
}

const char *probeHitName(ProbeHit hit)
{
    switch (hit) {
    case ProbeHit::Hidden: return "hidden";
    case ProbeHit::Thread: return "thread";
    case ProbeHit::Listed: return "listed";
    case ProbeHit::BornDuringScan: return "born during the scan";
    case ProbeHit::Gone: return "gone";
    }
    return "?";
}

ProbeHit classifyProbeHit(int procFd, int pid, const std::vector<int> &secondListing,
                          std::uint64_t scanStartTicks)
{
    if (std::binary_search(secondListing.begin(), secondListing.end(), pid))
        return ProbeHit::Listed;
    const std::string dir = std::to_string(pid);
    // Tgid is on the 4th line; the first few hundred bytes are enough.
    auto status = io::readFileAt(procFd, (dir + "/status").c_str(), 512);
    if (!status.ok())
        return ProbeHit::Gone;
    const auto tgid = parseStatusTgid(status->data);
    if (!tgid)
        return ProbeHit::Gone;
    if (*tgid != pid)
        return ProbeHit::Thread;
    auto statText = io::readFileAt(procFd, (dir + "/stat").c_str(), 4096);
    if (!statText.ok())
        return ProbeHit::Gone;
    const auto stat = parseProcStat(statText->data);
    if (!stat)
        return ProbeHit::Gone;
    if (stat->startTime >= scanStartTicks)
        return ProbeHit::BornDuringScan;
    return ProbeHit::Hidden;
}

std::uint64_t bootTimeTicksNow()
{
    timespec now{};
    ::clock_gettime(CLOCK_BOOTTIME, &now);
    const long ticks = ::sysconf(_SC_CLK_TCK);
    const auto perSecond = static_cast<std::uint64_t>(ticks > 0 ? ticks : 100);
    return static_cast<std::uint64_t>(now.tv_sec) * perSecond +
           static_cast<std::uint64_t>(now.tv_nsec) * perSecond / 1000000000u;
}

} // namespace loadlens::proc
