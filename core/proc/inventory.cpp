#include "proc/inventory.h"

#include "common/log.h"
#include "proc/pid_listing.h"
#include "proc/process_reader.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <system_error>

namespace loadlens::proc {

namespace {

constexpr auto kProgressInterval = std::chrono::milliseconds(50);
constexpr int kFallbackPidMax = 4194304;  // the kernel's PID_MAX_LIMIT on 64-bit

Finding hiddenProcessFinding(const ProcessInfo &info)
{
    Finding finding;
    finding.code = "hidden-process";
    finding.level = Level::High;
    finding.pid = info.pid;
    finding.text = "Process " + std::to_string(info.pid) +
                   " exists (it answers kill(pid, 0) and has its own /proc entry) but is missing from the "
                   "/proc directory listing. Something in the kernel filters the listing: a rootkit hiding "
                   "this process from ps, top and other tools.";
    finding.technique = "T1014";
    finding.measure = "Enforce signed kernel modules (module.sig_enforce, lockdown) so a rootkit module cannot load.";
    finding.evidence = {{"pid", std::to_string(info.pid)}, {"exe", info.exe}, {"name", info.name}};
    return finding;
}

Finding listingFailedFinding(const std::string &message)
{
    Finding finding;
    finding.code = "proc-listing-failed";
    finding.level = Level::Medium;
    finding.text = "The process list could not be read, so no process was inventoried: " + message;
    finding.evidence = {{"error", message}};
    return finding;
}

int probeLimit(const std::vector<int> &listed, const InventoryOptions &options)
{
    int maxPid = listed.empty() ? 0 : listed.back();
    if (auto last = readLastPid(options.procRoot))
        maxPid = std::max(maxPid, *last);
    if (options.probeAllPids)
        maxPid = std::max(maxPid, readPidMax(options.procRoot).value_or(kFallbackPidMax));
    return maxPid;
}

// Keeps the probe hits that are real, hidden processes.
std::vector<int> hiddenAmong(const std::vector<int> &hits, const ProcessReader &reader, std::uint64_t scanStartTicks,
                             ScanStats &stats)
{
    auto logger = log::get("core.proc");
    std::vector<int> hidden;
    if (hits.empty())
        return hidden;
    auto second = listPids(reader.procFd());
    if (!second.ok()) {
        logger->warn("second /proc listing failed, hidden-process check skipped: {}", second.error().message);
        ++stats.errorCounts["hidden-process check skipped: second listing failed"];
        return hidden;
    }
    int threads = 0;
    for (int pid : hits) {
        const ProbeHit hit = classifyProbeHit(reader.procFd(), pid, *second, scanStartTicks);
        if (hit == ProbeHit::Hidden)
            hidden.push_back(pid);
        else if (hit == ProbeHit::Thread)
            ++threads;
        else
            logger->debug("pid {} answered a probe but is not hidden: {}", pid, probeHitName(hit));
    }
    logger->debug("{} unlisted pids answered probes: {} thread ids, {} hidden", hits.size(), threads, hidden.size());
    return hidden;
}

// Runs the pid probes beside the process reads: they cost about as much as reading every
// maps file, and the two do not depend on each other until the hidden pids are read.
class BackgroundProbe {
public:
    BackgroundProbe(std::vector<int> listed, int maxPid) : m_listed(std::move(listed)), m_maxPid(maxPid)
    {
        try {
            m_future = std::async(std::launch::async, [this] { return probeUnlistedPids(m_listed, m_maxPid, m_stop); });
        } catch (const std::system_error &) {
            // No thread to spare: probe in results() instead.
        }
    }
    ~BackgroundProbe() { m_stop.cancel(); }
    void stop() { m_stop.cancel(); }
    std::vector<int> results(const CancelToken &cancel)
    {
        if (m_future.valid())
            return m_future.get();
        return probeUnlistedPids(m_listed, m_maxPid, cancel);
    }

private:
    std::vector<int> m_listed;
    int m_maxPid;
    CancelToken m_stop;
    std::future<std::vector<int>> m_future;
};

void count(ScanStats &stats, const ProcessInfo &info, const ReadOutcome &outcome)
{
    if (outcome.vanished)
        ++stats.processesVanished;
    if (outcome.inaccessible)
        ++stats.processesInaccessible;
    stats.modules += static_cast<int>(info.modules.size());
    for (const std::string &cause : outcome.causes)
        ++stats.errorCounts[cause];
}

Inventory scanOne(ProcessReader &reader, int pid)
{
    Inventory inventory;
    inventory.stats.processesListed = 1;
    ReadOutcome outcome;
    ProcessInfo info = reader.read(pid, &outcome);
    if (outcome.notFound) {
        // It never was: not a process that exited while being read.
        info.errors = {"no such process: pid " + std::to_string(pid) + " is not running"};
        outcome.causes = {"no such process"};
        outcome.vanished = false;
    } else {
        inventory.stats.processesScanned = 1;
    }
    count(inventory.stats, info, outcome);
    inventory.processes.push_back(std::move(info));
    return inventory;
}

} // namespace

Inventory scanProcesses(const InventoryOptions &options, const ProgressFn &progress, const CancelToken &cancel)
{
    auto logger = log::get("core.proc");
    ProcessReader reader(options.procRoot);
    if (!reader.ok()) {
        Inventory inventory;
        inventory.findings.push_back(listingFailedFinding(reader.setupError()));
        ++inventory.stats.errorCounts["cannot open /proc"];
        return inventory;
    }
    if (options.pid)
        return scanOne(reader, *options.pid);

    Inventory inventory;
    ScanStats &stats = inventory.stats;
    const std::uint64_t scanStartTicks = bootTimeTicksNow();
    auto listed = listPids(reader.procFd());
    if (!listed.ok()) {
        inventory.findings.push_back(listingFailedFinding(listed.error().message));
        ++stats.errorCounts["cannot list /proc"];
        return inventory;
    }
    stats.processesListed = static_cast<int>(listed->size());

    std::optional<BackgroundProbe> probe;
    if (options.probeHidden) {
        const int maxPid = probeLimit(*listed, options);
        logger->debug("probing pids 1..{} for processes missing from the listing", maxPid);
        probe.emplace(*listed, maxPid);
    }

    std::vector<std::pair<int, bool>> work;  // (pid, hidden)
    work.reserve(listed->size() + 8);
    for (int pid : *listed)
        work.emplace_back(pid, false);
    inventory.processes.reserve(work.size());

    auto lastReport = std::chrono::steady_clock::now() - kProgressInterval;
    for (std::size_t i = 0;; ++i) {
        if (cancel.cancelled()) {
            stats.cancelled = true;
            if (probe)
                probe->stop();
            break;
        }
        if (i == work.size() && probe) {
            // Every listed process is read: the probe results decide whether more follow.
            for (int pid : hiddenAmong(probe->results(cancel), reader, scanStartTicks, stats))
                work.emplace_back(pid, true);
            probe.reset();
        }
        if (i == work.size())
            break;
        const auto [pid, isHidden] = work[i];
        if (progress) {
            const auto now = std::chrono::steady_clock::now();
            if (now - lastReport >= kProgressInterval) {
                lastReport = now;
                progress(i, work.size(), "reading process " + std::to_string(pid));
            }
        }
        ReadOutcome outcome;
        ProcessInfo info = reader.read(pid, &outcome);
        count(stats, info, outcome);
        if (outcome.notFound)
            continue;  // exited between the listing and now: counted as vanished, nothing to show
        ++stats.processesScanned;
        info.hidden = isHidden;
        if (isHidden) {
            logger->warn("pid {} ({}) is hidden from the /proc listing", pid, info.exe);
            inventory.findings.push_back(hiddenProcessFinding(info));
        }
        logger->debug("pid {} {}: {} modules, {} errors", pid, info.name, info.modules.size(), info.errors.size());
        inventory.processes.push_back(std::move(info));
    }
    if (cancel.cancelled())
        stats.cancelled = true;
    if (progress && !stats.cancelled)
        progress(work.size(), work.size(), "done");
    logger->debug("inventory: {} listed, {} scanned, {} vanished, {} inaccessible, {} modules{}",
                  stats.processesListed, stats.processesScanned, stats.processesVanished,
                  stats.processesInaccessible, stats.modules, stats.cancelled ? " (cancelled)" : "");
    return inventory;
}

} // namespace loadlens::proc
