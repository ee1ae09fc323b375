#include "scan/scanner.h"

#include "common/log.h"
#include "common/trusted_path.h"
#include "scan/collector.h"
#include "elf/ld_cache.h"
#include "pathsec/ld_config.h"
#include "scan/package_lookup.h"
#include "pkg/hash.h"
#include "pkg/hash_cache.h"
#include "proc/inventory.h"
#include "proc/modules.h"
#include "scan/file_survey.h"
#include "scan/loader_env_findings.h"
#include "scan/loader_paths.h"
#include "scan/root_views.h"
#include "scan/windows_images.h"
#include "hijacklibs/hijacklibs.h"
#include "verdict/module_classifier.h"

#include <algorithm>
#include <chrono>
#include <memory>
#include <ctime>
#include <unordered_map>
#include <sys/stat.h>

namespace loadlens::scan {

namespace {

// An upgrade replaces the file with the package's new version: only a file at the path that a
// package lists and that matches that package's manifest digest is one. Anything else there
// (planted after the deletion, modified since) leaves the deletion unexplained.
// Judged in the process's own root: what is now at the path there, and that root's packages.
verdict::DeletionFacts deletionFacts(const ModuleRecord &m, PackageLookup *dpkg, const std::string &rootDir)
{
    verdict::DeletionFacts d;
    const std::string physical = underRoot(rootDir, m.path);
    struct stat st {};
    if (::stat(physical.c_str(), &st) != 0) {
        d.pathNowAbsent = true;
        return d;
    }
    if (!dpkg || !dpkg->available())
        return d;
    auto owned = dpkg->lookup(m.path);
    if (!owned)
        return d;
    d.replacementPackage = owned->package;
    if (!owned->md5 && !owned->sha256) {
        d.replacementMismatch = "the manifest of " + owned->package + " has no digest for it";
        return d;
    }
    auto digests = pkg::hashFile(physical);
    if (!digests) {
        d.replacementMismatch = "it could not be hashed: " + digests.error().message;
        return d;
    }
    const bool sha256 = owned->sha256.has_value();
    const std::string &expected = sha256 ? *owned->sha256 : *owned->md5;
    const std::string &actual = sha256 ? digests->sha256 : digests->md5;
    if (actual != expected) {
        d.replacementMismatch = std::string(sha256 ? "its SHA-256 " : "its MD5 ") + actual + " differs from " +
                                expected + " in the manifest of " + owned->package;
        return d;
    }
    d.replacedByPackageFile = true;
    return d;
}

// Everything a module's verdict depends on besides the per-file facts: its identity and flags,
// with the address ranges where they appear in the evidence.
std::string moduleIdentity(const ModuleRecord &m)
{
    std::string id = std::to_string(m.file.dev);
    id += ':';
    id += std::to_string(m.file.inode);
    id += ':';
    id += m.path;
    id += m.deleted ? 'D' : '-';
    id += m.memfd ? 'M' : '-';
    id += m.anonymousExec ? 'A' : '-';
    id += m.pseudo ? 'K' : '-';
    if (m.deleted || m.memfd || m.anonymousExec) {
        id += m.confirmation;
        for (const auto &r : m.ranges) {
            id += ' ';
            id += std::to_string(r.start);
            id += '-';
            id += std::to_string(r.end);
            id += r.perms;
        }
    }
    return id;
}

// The program, its name (evidence of anonymous regions), its loader variables and its modules
// in a fixed order (address order differs between processes: ASLR). `order` receives the
// module indexes in that fixed order.
std::string verdictSignature(const ProcessInfo &p, std::vector<std::size_t> &order)
{
    std::vector<std::string> ids;
    ids.reserve(p.modules.size());
    for (const auto &m : p.modules)
        ids.push_back(moduleIdentity(m));
    order.resize(ids.size());
    for (std::size_t i = 0; i < order.size(); ++i)
        order[i] = i;
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return ids[a] < ids[b]; });
    std::string sig = p.exe;
    sig += '\0';
    sig += p.namespaceHint;  // another mount namespace can have its own /etc/ld.so.preload
    sig += '\0';
    sig += p.name;
    for (const auto &[k, v] : p.loaderEnv) {
        sig += '\0';
        sig += k;
        sig += '=';
        sig += v;
    }
    for (std::size_t i : order) {
        sig += '\n';
        sig += ids[i];
    }
    return sig;
}

} // namespace

ScanResult runScan(const ScanOptions &options, const ProgressFn &progress, const CancelToken &cancel,
                   const ProcessSink &sink)
{
    auto logger = log::get("core.scan");
    const auto started = std::chrono::steady_clock::now();
    auto elapsedMs = [&] {
        return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
    };
    ScanResult result;
    result.scannedAt = static_cast<std::int64_t>(std::time(nullptr));
    result.host = proc::readHostInfo(options.rootDir);
    result.collector = collectorInfo();

    proc::InventoryOptions inventoryOptions;
    inventoryOptions.procRoot = options.procRoot;
    inventoryOptions.pid = options.pid;
    inventoryOptions.probeHidden = options.probeHiddenPids && !options.pid;
    inventoryOptions.probeAllPids = options.probeAllPids;
    auto inventory = proc::scanProcesses(inventoryOptions, progress, cancel);
    result.processes = std::move(inventory.processes);
    result.findings = std::move(inventory.findings);
    result.stats = inventory.stats;
    logger->debug("inventory of {} processes: {:.1f} ms", result.processes.size(), elapsedMs());

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
        if (sink) {
            const FileFactsLookup lookup = [&result](const FileKey &key) -> const FileFacts * {
                auto it = result.files.find(key);
                return it != result.files.end() ? &it->second : nullptr;
            };
            for (const auto &p : result.processes)
                sink(p, lookup);
        }
        return result;
    }

    // Both caches feed verdicts. As root, one that another user could have written is refused
    // (said once, for both), and the scan reads every file and the package database instead.
    std::string cachePath = options.hashCachePath;
    if (!cachePath.empty()) {
        if (auto trusted = checkCacheTrusted(cachePath); !trusted) {
            logger->warn("caches not used: {}", trusted.error().message);
            cachePath.clear();
        }
    }
    // One root per mount namespace: the host's for LoadLens's own, /proc/PID/root for the others.
    const bool liveRoot = options.rootDir.empty() || options.rootDir == "/";
    auto views = groupByRoot(result.processes, options.procRoot, liveRoot);
    RootView &own = views.front();
    own.rootDir = options.rootDir;
    // The package database of the scanned root (dpkg or RPM), unless a dpkg admin dir was named.
    const std::string lookupCache = cachePath.empty() ? std::string() : cachePath + ".dpkg-lookup";
    own.packages.emplace(options.dpkgAdminDir.empty() ? PackageLookup::forRoot(options.rootDir, lookupCache)
                                                      : PackageLookup(options.dpkgAdminDir, lookupCache));
    own.lookup = &*own.packages;
    const std::string ownAdminDir =
        options.dpkgAdminDir.empty() ? underRoot(options.rootDir, "/var/lib/dpkg") : options.dpkgAdminDir;
    for (std::size_t v = 1; v < views.size(); ++v) {
        readForeignRoot(views[v], own, ownAdminDir);
        if (views[v].unread.empty())
            continue;
        const auto &first = result.processes[views[v].processes.front()];
        Evidence evidence{{"mount_namespace", std::to_string(views[v].mountNamespace)},
                          {"processes", std::to_string(views[v].processes.size())},
                          {"root", views[v].rootDir},
                          {"unread", views[v].unreadText()}};
        if (!views[v].container.empty())
            evidence.emplace_back("container", views[v].container.runtime + " " + views[v].container.id);
        result.findings.push_back(Finding{
            "namespace-root-unreadable", Level::Low, first.pid,
            "The processes of " + views[v].name() + " are judged against their own root, but " +
                (views[v].rootUnreadable ? std::string("it could not be read") : std::string("part of it could not be read")) +
                " (" + views[v].unreadText() + "). Their modules are judged without those parts (each verdict says so), "
                "not against this host's files in their place.",
            "", "", std::move(evidence)});
    }

    std::optional<pkg::HashCache> hashCache;
    if (!cachePath.empty()) {
        auto opened = pkg::HashCache::open(cachePath);
        if (opened)
            hashCache.emplace(std::move(*opened));
        else
            logger->warn("hash cache not used: {}", opened.error().message);
    }

    // Facts per view: a file is identified by (dev, inode) everywhere, but where it lies, who owns
    // it in package terms and who can replace it depend on the root it is seen from.
    std::vector<std::map<FileKey, SurveyedFile>> viewFiles(views.size());
    SurveyStats surveyStats;
    for (std::size_t v = 0; v < views.size() && !cancel.cancelled(); ++v) {
        std::vector<const ProcessInfo *> members;
        members.reserve(views[v].processes.size());
        for (std::size_t index : views[v].processes)
            members.push_back(&result.processes[index]);
        SurveyInputs inputs;
        inputs.packages = views[v].lookup;
        inputs.hashCache = hashCache ? &*hashCache : nullptr;
        // LoadLens's own namespace sees the processes' paths as they are; --root names where the
        // loader configuration and the package database come from, not where mapped files lie.
        inputs.rootDir = views[v].own() ? std::string("/") : views[v].rootDir;
        inputs.procRoot = options.procRoot;
        inputs.surveyedElsewhere = v > 0 ? &viewFiles.front() : nullptr;
        if (views[v].rootUnreadable)
            inputs.rootUnreadable = views[v].unreadText();
        viewFiles[v] = surveyFiles(members, inputs, surveyStats, progress, cancel);
    }
    logger->debug("surveyed files in {} roots: {} hashed, {} from cache, {} failed; at {:.1f} ms", views.size(),
                  surveyStats.hashed, surveyStats.fromCache, surveyStats.hashFailures, elapsedMs());

    if (auto cache = elf::readLdCache(underRoot(options.rootDir, "/etc/ld.so.cache")))
        own.ldCache = std::move(*cache);
    else
        logger->info("ld.so.cache not read: {}", cache.error().message);

    if (auto preload = pathsec::readLdSoPreload(options.rootDir))
        own.preloadEntries = std::move(*preload);
    else
        result.findings.push_back(Finding{"preload-file-unreadable", Level::Low, 0,
                                          "Could not read /etc/ld.so.preload, so modules it may inject are not "
                                          "recognised: " + preload.error().message,
                                          "T1574.006", "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage", {}});
    for (const auto &view : views) {
        if (view.preloadEntries.empty())
            continue;
        std::string list;
        for (const auto &e : view.preloadEntries)
            list += (list.empty() ? "" : " ") + e;
        Evidence evidence{{"file", view.own() ? underRoot(options.rootDir, "/etc/ld.so.preload") : view.preloadFile},
                          {"entries", list}};
        if (!view.own())
            evidence.emplace_back("mount_namespace", std::to_string(view.mountNamespace));
        result.findings.push_back(Finding{
            "preload-file-present", Level::Medium, view.own() ? 0 : result.processes[view.processes.front()].pid,
            view.own() ? std::string("/etc/ld.so.preload names libraries that the loader injects into every "
                                     "dynamically linked program on this host.")
                       : "The /etc/ld.so.preload of " + view.name() +
                             " names libraries that the loader injects into every dynamically linked program "
                             "started there.",
            "T1574.006", "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage", std::move(evidence)});
    }

    logger->debug("loader configuration read: at {:.1f} ms", elapsedMs());
    std::vector<std::unique_ptr<LoaderPathAnalyzer>> analyzers;
    for (std::size_t v = 0; v < views.size(); ++v) {
        analyzers.push_back(std::make_unique<LoaderPathAnalyzer>(
            viewFiles[v], views[v].ldCache ? &*views[v].ldCache : nullptr, views[v].preloadEntries));
        if (!views[v].own())
            analyzers.back()->setRoot(views[v].rootDir, views[v].preloadFile);
        analyzers.back()->compareExportsOfAllModules(options.interpositionOfAllModules);
        PackageLookup *lookup = views[v].lookup;
        analyzers.back()->lookUpSystemLibraries(views[v].rootDir, [lookup](const std::string &path) {
            auto owner = lookup && lookup->available() ? lookup->lookup(path) : std::nullopt;
            return owner ? owner->package : std::string();
        });
    }
    std::vector<std::size_t> viewOf(result.processes.size(), 0);
    for (std::size_t v = 0; v < views.size(); ++v)
        for (std::size_t index : views[v].processes)
            viewOf[index] = v;
    // Many processes are the same program with the same libraries and environment (workers,
    // shells, the 200 copies of a service): judge each such set once.
    std::unordered_map<std::string, std::vector<Verdict>> judged;
    // by view and path: each hashed once
    std::vector<std::unordered_map<std::string, verdict::DeletionFacts>> deletions(views.size());
    std::optional<hijacklibs::Dataset> hijackLibs;
    if (!options.hijackLibsDir.empty()) {
        hijacklibs::LoadReport report;
        if (auto dataset = hijacklibs::Dataset::loadDirectory(options.hijackLibsDir, report, cancel)) {
            hijackLibs.emplace(std::move(*dataset));
            for (const auto &problem : report.problems)
                logger->info("HijackLibs: {}: {}", problem.file, problem.message);
        } else {
            logger->warn("HijackLibs dataset not used: {}", dataset.error().message);
        }
    }
    WindowsImageSurvey windowsImages(hijackLibs ? &*hijackLibs : nullptr);  // PE images that Wine processes map
    std::vector<FileFactsLookup> surveyed;
    for (const auto &files : viewFiles)
        surveyed.push_back([&files](const FileKey &key) -> const FileFacts * {
            auto it = files.find(key);
            return it != files.end() ? &it->second.facts : nullptr;
        });
    const std::size_t total = result.processes.size();
    std::size_t done = 0;
    for (std::size_t index = 0; index < result.processes.size(); ++index) {
        if (cancel.cancelled())
            break;
        auto &p = result.processes[index];
        const std::size_t v = viewOf[index];
        const RootView &view = views[v];
        const auto &files = viewFiles[v];
        LoaderPathAnalyzer &analyzer = *analyzers[v];
        std::vector<std::size_t> order;
        const std::string signature = verdictSignature(p, order);
        if (auto it = judged.find(signature); it != judged.end()) {
            for (std::size_t k = 0; k < order.size(); ++k)
                p.modules[order[k]].verdict = it->second[k];
        } else {
            auto facts = analyzer.analyse(p);
            for (std::size_t i = 0; i < p.modules.size(); ++i) {
                auto &m = p.modules[i];
                if (m.deleted && !m.memfd && !view.rootUnreadable) {
                    auto known = deletions[v].find(m.path);
                    if (known == deletions[v].end())
                        known = deletions[v].emplace(m.path, deletionFacts(m, views[v].lookup, view.rootDir)).first;
                    facts[i].deletion = known->second;
                }
                if (!m.executable || proc::hasWindowsImageName(m.path)) {
                    const auto surveyedFile = files.find(m.file);
                    const bool packaged = surveyedFile != files.end() && !surveyedFile->second.facts.package.empty();
                    facts[i].windows = windowsImages.facts(p, m, packaged);
                }
                if (!view.unread.empty() && !m.pseudo) {
                    facts[i].ownRootUnread = view.unreadText();
                    facts[i].ownRoot = view.rootDir;
                }
                m.verdict = verdict::classifyModule(p, m, facts[i]);
            }
            std::vector<Verdict> verdicts;
            verdicts.reserve(order.size());
            for (std::size_t i : order)
                verdicts.push_back(p.modules[i].verdict);
            judged.emplace(signature, std::move(verdicts));
        }
        for (auto &finding : loaderEnvFindings(p, [&analyzer](const std::string &dir) { return analyzer.whoCanPlantIn(dir); }))
            result.findings.push_back(std::move(finding));
        if (sink)
            sink(p, surveyed[v]);
        if (progress)
            progress(++done, total, "judging modules");
    }

    logger->debug("verdicts for {} processes ({} distinct, {} roots): at {:.1f} ms", result.processes.size(),
                  judged.size(), views.size(), elapsedMs());
    own.packages->save();
    // One entry per file: as LoadLens's own root sees it when it does, else as the first
    // namespace that maps it does (its package is that root's).
    for (auto &files : viewFiles)
        for (auto &[key, s] : files)
            result.files.try_emplace(key, std::move(s.facts));
    result.stats.uniqueFiles = static_cast<int>(result.files.size());
    result.stats.cancelled = cancel.cancelled();
    return result;
}

} // namespace loadlens::scan
