#include "scan/scanner.h"

#include "common/log.h"
#include "elf/ld_cache.h"
#include "pathsec/ld_config.h"
#include "scan/package_lookup.h"
#include "pkg/hash_cache.h"
#include "proc/inventory.h"
#include "scan/file_survey.h"
#include "scan/loader_paths.h"
#include "verdict/module_classifier.h"

#include <ctime>
#include <sys/stat.h>

namespace loadlens::scan {

namespace {

std::string underRoot(const std::string &root, const std::string &path)
{
    if (root.empty() || root == "/")
        return path;
    return (root.back() == '/' ? root.substr(0, root.size() - 1) : root) + path;
}

verdict::DeletionFacts deletionFacts(const ModuleRecord &m, PackageLookup *dpkg)
{
    verdict::DeletionFacts d;
    struct stat st {};
    if (::stat(m.path.c_str(), &st) != 0) {
        d.pathNowAbsent = true;
        return d;
    }
    if (dpkg && dpkg->available())
        if (auto owned = dpkg->lookup(m.path)) {
            d.replacedByPackageFile = true;
            d.replacementPackage = owned->package;
        }
    return d;
}

} // namespace

ScanResult runScan(const ScanOptions &options, const ProgressFn &progress, const CancelToken &cancel)
{
    auto logger = log::get("core.scan");
    ScanResult result;
    result.scannedAt = static_cast<std::int64_t>(std::time(nullptr));
    result.host = proc::readHostInfo(options.rootDir);

    proc::InventoryOptions inventoryOptions;
    inventoryOptions.procRoot = options.procRoot;
    inventoryOptions.pid = options.pid;
    inventoryOptions.probeHidden = options.probeHiddenPids && !options.pid;
    inventoryOptions.probeAllPids = options.probeAllPids;
    auto inventory = proc::scanProcesses(inventoryOptions, progress, cancel);
    result.processes = std::move(inventory.processes);
    result.findings = std::move(inventory.findings);
    result.stats = inventory.stats;

    if (!options.verdicts || cancel.cancelled()) {
        for (const auto &p : result.processes)
            for (const auto &m : p.modules)
                if (!m.anonymousExec && !m.pseudo && !m.path.empty()) {
                    FileFacts facts;
                    facts.key = m.file;
                    facts.path = m.path;
                    result.files.try_emplace(m.file, std::move(facts));
                }
        result.stats.uniqueFiles = static_cast<int>(result.files.size());
        result.stats.cancelled = cancel.cancelled();
        return result;
    }

    PackageLookup packages(options.dpkgAdminDir,
                           options.hashCachePath.empty() ? std::string() : options.hashCachePath + ".dpkg-lookup");

    std::optional<pkg::HashCache> hashCache;
    if (!options.hashCachePath.empty()) {
        auto opened = pkg::HashCache::open(options.hashCachePath);
        if (opened)
            hashCache.emplace(std::move(*opened));
        else
            logger->warn("hash cache not used: {}", opened.error().message);
    }

    SurveyInputs inputs;
    inputs.packages = &packages;
    inputs.hashCache = hashCache ? &*hashCache : nullptr;
    inputs.rootDir = options.rootDir;
    inputs.procRoot = options.procRoot;
    SurveyStats surveyStats;
    auto files = surveyFiles(result.processes, inputs, surveyStats, progress, cancel);
    logger->debug("surveyed {} files: {} hashed, {} from cache, {} failed", files.size(), surveyStats.hashed,
                  surveyStats.fromCache, surveyStats.hashFailures);

    std::optional<elf::LdCache> ldCache;
    if (auto cache = elf::readLdCache(underRoot(options.rootDir, "/etc/ld.so.cache")))
        ldCache = std::move(*cache);
    else
        logger->info("ld.so.cache not read: {}", cache.error().message);

    std::vector<std::string> preloadEntries;
    if (auto preload = pathsec::readLdSoPreload(options.rootDir))
        preloadEntries = std::move(*preload);
    else
        result.findings.push_back(Finding{"preload-file-unreadable", Level::Low, 0,
                                          "Could not read /etc/ld.so.preload, so modules it may inject are not "
                                          "recognised: " + preload.error().message,
                                          "T1574.006", "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage", {}});
    if (!preloadEntries.empty()) {
        std::string list;
        for (const auto &e : preloadEntries)
            list += (list.empty() ? "" : " ") + e;
        result.findings.push_back(Finding{"preload-file-present", Level::Medium, 0,
                                          "/etc/ld.so.preload names libraries that the loader injects into every "
                                          "dynamically linked program on this host.",
                                          "T1574.006", "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage",
                                          {{"file", underRoot(options.rootDir, "/etc/ld.so.preload")},
                                           {"entries", list}}});
    }

    LoaderPathAnalyzer analyzer(files, ldCache ? &*ldCache : nullptr, preloadEntries);
    const std::size_t total = result.processes.size();
    std::size_t done = 0;
    for (auto &p : result.processes) {
        if (cancel.cancelled())
            break;
        auto facts = analyzer.analyse(p);
        for (std::size_t i = 0; i < p.modules.size(); ++i) {
            auto &m = p.modules[i];
            if (m.deleted && !m.memfd)
                facts[i].deletion = deletionFacts(m, &packages);
            m.verdict = verdict::classifyModule(p, m, facts[i]);
        }
        if (progress)
            progress(++done, total, "judging modules");
    }

    packages.save();
    for (auto &[key, s] : files)
        result.files.emplace(key, std::move(s.facts));
    result.stats.uniqueFiles = static_cast<int>(result.files.size());
    result.stats.cancelled = cancel.cancelled();
    return result;
}

} // namespace loadlens::scan
