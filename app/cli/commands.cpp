#include "commands.h"

#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "cmd_case_support.h"
#include "pkg/hash_cache.h"
#include "report/json_report.h"
#include "report/json_scan_writer.h"
#include "report/scan_filter.h"
#include "report/text_report.h"
#include "scan/scanner.h"

#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <unistd.h>

namespace loadlens::cli {

scan::ScanOptions scanOptionsFor(const CliOptions &o, bool wholeHost)
{
    scan::ScanOptions so;
    if (!wholeHost)
        so.pid = o.pid;
    so.procRoot = o.procRoot;
    so.rootDir = o.rootDir;
    so.dpkgAdminDir = o.dpkgAdminDir;
    so.verdicts = o.verdicts;
    so.probeHiddenPids = !o.pid || wholeHost;
    so.probeAllPids = o.probeAllPids;
    if (o.hashCache)
        so.hashCachePath = o.hashCachePath.empty() ? pkg::defaultHashCachePath() : o.hashCachePath;
    return so;
}

namespace {

ScanResult scanFor(const CliOptions &o, bool wholeHost)
{
    const scan::ScanOptions so = scanOptionsFor(o, wholeHost);
    ProgressFn progress;
    if (!o.quiet && ::isatty(STDERR_FILENO)) {
        progress = [](std::size_t done, std::size_t total, const std::string &step) {
            std::fprintf(stderr, "\r\033[K%s %zu/%zu", step.c_str(), done, total);
            if (done == total)
                std::fprintf(stderr, "\r\033[K");
        };
    }
    ScanResult result = scan::runScan(so, progress);
    if (progress)
        std::fprintf(stderr, "\r\033[K");
    return result;
}

} // namespace

int runScanCommand(const CliOptions &o)
{
    if (o.stream)
        return runScanStreamCommand(o);
    ScanResult full = scanFor(o, false);
    report::ScanFilter filter;
    filter.pid = o.pid;
    filter.modulePattern = o.modulePattern;
    filter.minLevel = o.minLevel;
    filter.unsignedOnly = o.unsignedOnly;
    filter.keepEmptyProcesses = o.modulePattern.empty() && o.minLevel == Level::Ok && !o.unsignedOnly;
    auto filtered = report::applyFilter(std::move(full), filter);
    if (!filtered) {
        std::cerr << "loadlens-cli: " << filtered.error().message << "\n";
        return 2;
    }
    if (o.pid && filtered->processes.empty() && filter.keepEmptyProcesses) {
        std::cerr << "loadlens-cli: no process with pid " << *o.pid << "\n";
        return 1;
    }
    if (o.json) {
        std::string out;
        out.reserve(1u << 20);
        report::writeScanJson(out, *filtered);
        std::fwrite(out.data(), 1, out.size(), stdout);
    } else {
        report::writeScanHeader(std::cout, *filtered);
        report::writeScanTable(std::cout, *filtered);
        report::writeScanSummary(std::cout, *filtered);
    }
    return 0;
}

int runWhoLoadsCommand(const CliOptions &o)
{
    if (!o.casePath.empty()) {
        auto db = openCase(o.casePath, store::OpenMode::ReadOnly);
        if (!db)
            return failWith(db.error().message, 1);
        auto hits = analysis::whoLoads(*db, o.positional.front());
        if (!hits)
            return failWith(hits.error().message, 1);
        if (o.json)
            std::cout << analysis::whoLoadsToJson(*hits).dump(1) << "\n";
        else
            analysis::writeWhoLoads(std::cout, *hits);
        return 0;
    }
    const ScanResult scan = scanFor(o, true);
    const auto hits = report::whoLoads(scan, o.positional.front());
    if (o.json) {
        nlohmann::json out = nlohmann::json::array();
        for (const auto &h : hits) {
            auto it = scan.files.find(h.module->file);
            nlohmann::json entry = report::moduleToJson(*h.module, it != scan.files.end() ? &it->second : nullptr);
            entry["pid"] = h.process->pid;
            entry["process"] = h.process->name;
            entry["user"] = h.process->user;
            out.push_back(entry);
        }
        std::cout << out.dump(1) << "\n";
    } else {
        report::writeWhoLoads(std::cout, hits);
    }
    return 0;
}

int runExplainCommand(const CliOptions &o)
{
    const ScanResult scan = scanFor(o, false);
    const ProcessInfo *proc = nullptr;
    for (const auto &p : scan.processes)
        if (p.pid == *o.pid)
            proc = &p;
    if (!proc) {
        std::cerr << "loadlens-cli: no process with pid " << *o.pid << "\n";
        return 1;
    }
    const std::string &needle = o.positional[1];
    const ModuleRecord *match = nullptr;
    for (const auto &m : proc->modules) {
        if (m.path == needle) {
            match = &m;
            break;
        }
        if (!match && m.path.find(needle) != std::string::npos)
            match = &m;
    }
    if (!match) {
        std::cerr << "loadlens-cli: process " << *o.pid << " has no module matching '" << needle << "'\n";
        return 1;
    }
    if (o.json) {
        auto it = scan.files.find(match->file);
        nlohmann::json out = report::moduleToJson(*match, it != scan.files.end() ? &it->second : nullptr);
        out["pid"] = proc->pid;
        out["process"] = proc->name;
        std::cout << out.dump(1) << "\n";
    } else {
        report::writeExplain(std::cout, scan, *proc, *match);
    }
    return 0;
}

} // namespace loadlens::cli
