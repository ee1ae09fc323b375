#include "commands.h"

#include "analysis/case_queries.h"
#include "analysis/case_report.h"
#include "casestore/case_store.h"
#include "cmd_case_support.h"
#include "pkg/hash_cache.h"
#include "report_output.h"
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
    so.hijackLibsDir = o.hijackLibsDir;
    so.interpositionOfAllModules = o.interpositionOfAllModules;
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
    ReportOutput output(o.outputPath);
    if (int status = output.prepare(); status != 0)
        return status;
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
        output.stream().write(out.data(), static_cast<std::streamsize>(out.size()));
    } else {
        report::writeScanHeader(output.stream(), *filtered);
        report::writeScanTable(output.stream(), *filtered);
        report::writeScanSummary(output.stream(), *filtered);
    }
    return output.finish();
}

int runWhoLoadsCommand(const CliOptions &o)
{
    ReportOutput output(o.outputPath);
    if (int status = output.prepare(); status != 0)
        return status;
    if (!o.casePath.empty()) {
        auto db = openStore(o.casePath, store::OpenMode::ReadOnly);
        if (!db)
            return failWith(db.error().message, 1);
        auto hits = (*db)->whoLoads(o.positional.front(), false);
        if (!hits)
            return failWith(hits.error().message, 1);
        if (o.json)
            output.stream() << analysis::whoLoadsToJson(*hits).dump(1) << "\n";
        else
            analysis::writeWhoLoads(output.stream(), *hits);
        return output.finish();
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
        output.stream() << out.dump(1) << "\n";
    } else {
        report::writeWhoLoads(output.stream(), hits);
    }
    return output.finish();
}

int runExplainCommand(const CliOptions &o)
{
    ReportOutput output(o.outputPath);
    if (int status = output.prepare(); status != 0)
        return status;
    const ScanResult scan = scanFor(o, false);
    const ProcessInfo *proc = nullptr;
    for (const auto &p : scan.processes)
        if (p.pid == *o.pid)
            proc = &p;
    // A process that is gone, or a zombie, has no modules: say that rather than that none matched.
    const std::string procDir = o.procRoot + "/" + std::to_string(*o.pid);
    if (!proc || (proc->modules.empty() && ::access(procDir.c_str(), F_OK) != 0)) {
        std::cerr << "loadlens-cli: process " << *o.pid << " has exited (there is no " << procDir << ")\n";
        return 1;
    }
    if (proc->state == 'Z' && proc->modules.empty()) {
        std::cerr << "loadlens-cli: process " << *o.pid << " is a zombie: its memory maps are gone (it has exited "
                  << "and waits for its parent, pid " << proc->ppid << ", to collect its status)\n";
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
        output.stream() << out.dump(1) << "\n";
    } else {
        report::writeExplain(output.stream(), scan, *proc, *match);
    }
    return output.finish();
}

} // namespace loadlens::cli
