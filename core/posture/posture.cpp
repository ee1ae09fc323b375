#include "posture/posture.h"

#include <ctime>

#include "common/log.h"
#include "posture/posture_fs.h"

namespace loadlens::posture {

std::string_view statusName(Status status)
{
    switch (status) {
    case Status::Pass: return "pass";
    case Status::Fail: return "fail";
    case Status::Unknown: return "unknown";
    case Status::Info: return "info";
    }
    return "unknown";
}

std::vector<std::string> PostureCheck::evidenceLines() const
{
    std::vector<std::string> lines;
    lines.reserve(evidence.size());
    for (const auto &o : evidence)
        lines.push_back(std::string(statusName(o.status)) + ": " + o.text);
    return lines;
}

PostureOptions PostureOptions::forRoot(const std::string &dir)
{
    PostureOptions o;
    o.rootDir = dir.empty() ? "/" : dir;
    o.procRoot = underRoot(o.rootDir, "/proc");
    o.sysRoot = underRoot(o.rootDir, "/sys");
    return o;
}

const PostureCheck *PostureReport::find(std::string_view id) const
{
    for (const auto &c : checks)
        if (c.id == id)
            return &c;
    return nullptr;
}

PostureReport runPostureChecks(const PostureOptions &options, const ScanResult *scan)
{
    auto logger = log::get("core.posture");
    PostureReport report;
    report.checkedAt = static_cast<std::int64_t>(std::time(nullptr));
    if (scan) {
        report.scannedAt = scan->scannedAt;
        report.scannedHost = scan->host.hostname;
    }
    report.checks.push_back(checkRestrictPreload(options, scan));
    report.checks.push_back(checkSecureLibraryPaths(options, scan));
    report.checks.push_back(checkImmutableLoaderConfig(options));
    report.checks.push_back(checkAuditRules(options, &report.auditGaps));
    report.checks.push_back(checkApplicationControl(options, scan));
    report.checks.push_back(checkFileIntegrity(options));
    report.checks.push_back(checkCodeSigning(scan));
    for (const auto &c : report.checks)
        logger->debug("posture {}: {}", c.id, statusName(c.status));
    return report;
}

} // namespace loadlens::posture
