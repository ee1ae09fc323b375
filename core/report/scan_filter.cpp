#include "report/scan_filter.h"

#include <regex>

namespace loadlens::report {

Result<ScanResult> applyFilter(ScanResult scan, const ScanFilter &filter)
{
    std::optional<std::regex> pattern;
    if (!filter.modulePattern.empty()) {
        try {
            pattern.emplace(filter.modulePattern, std::regex::ECMAScript | std::regex::optimize);
        } catch (const std::regex_error &e) {
            return Error{EINVAL, "invalid --module pattern '" + filter.modulePattern + "': " + e.what()};
        }
    }
    const bool moduleFilter = pattern || filter.minLevel > Level::Ok || filter.unsignedOnly;
    std::vector<ProcessInfo> kept;
    kept.reserve(scan.processes.size());
    for (auto &p : scan.processes) {
        if (filter.pid && p.pid != *filter.pid)
            continue;
        if (moduleFilter) {
            std::erase_if(p.modules, [&](const ModuleRecord &m) {
                if (m.verdict.level < filter.minLevel)
                    return true;
                if (filter.unsignedOnly &&
                    (m.pseudo || m.verdict.has("package-verified") || m.verdict.has("ima-signed")))
                    return true;
                if (pattern && !std::regex_search(m.path, *pattern))
                    return true;
                return false;
            });
            if (p.modules.empty() && !filter.keepEmptyProcesses)
                continue;
        }
        kept.push_back(std::move(p));
    }
    scan.processes = std::move(kept);
    return scan;
}

} // namespace loadlens::report
