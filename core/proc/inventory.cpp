#include "proc/inventory.h"

#include "common/log.h"
#include "proc/pid_listing.h"
#include "proc/process_reader.h"

#include <algorithm>
#include <chrono>

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

// Probes for pids the listing does not show and keeps those that are real, hidden processes.
std::vector<int> findHiddenPids(const ProcessReader &reader, const std::vector<int> &listed,
                                const InventoryOptions &options, std::uint64_t scanStartTicks,
                                const CancelToken &cancel)
{
    auto logger = log::get("core.proc");
    int maxPid = listed.empty() ? 0 : listed.back();
    if (auto last = readLastPid(options.procRoot))
        maxPid = std::max(maxPid, *last);
    if (options.probeAllPids)
        maxPid = std::max(maxPid, readPidMax(options.procRoot).value_or(kFallbackPidMax));

    const std::vector<int> hits = probeUnlistedPids(listed, maxPid, cancel);
    std::vector<int> hidden;
    if (hits.empty() || cancel.cancelled())
        return hidden;
    auto second = listPids(reader.procFd());
    if (!second.ok()) {
        logger->warn("second /proc listing failed, hidden-process check skipped: {}", second.error().message);
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
    logger->debug("probed pids 1..{}: {} unlisted answers, {} thread ids, {} hidden", maxPid, hits.size(),
                  threads, hidden.size());
    return hidden;
}

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
        info.errors = {"no such process: pid " + std::to_string(pid) + " is not running"};
        outcome.causes = {"no such process"};
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

    std::vector<int> hidden;
    if (options.probeHidden) {
        if (progress)
            progress(0, listed->size(), "probing pids for hidden processes");
        hidden = findHiddenPids(reader, *listed, options, scanStartTicks, cancel);
    }

    std::vector<std::pair<int, bool>> work;  // (pid, hidden)
    work.reserve(listed->size() + hidden.size());
    for (int pid : *listed)
        work.emplace_back(pid, false);
    for (int pid : hidden)
        work.emplace_back(pid, true);
    inventory.processes.reserve(work.size());

    auto lastReport = std::chrono::steady_clock::now() - kProgressInterval;
    for (std::size_t i = 0; i < work.size(); ++i) {
        if (cancel.cancelled()) {
            stats.cancelled = true;
            break;
        }
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
