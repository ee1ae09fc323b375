#include "report/text_report.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <map>

namespace loadlens::report {

namespace {

std::string pad(std::string s, std::size_t width)
{
    if (s.size() < width)
        s.append(width - s.size(), ' ');
    return s;
}

std::string utcTime(std::int64_t seconds)
{
    std::time_t t = static_cast<std::time_t>(seconds);
    std::tm tm{};
    gmtime_r(&t, &tm);
    char buf[64];
    std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
    return buf;
}

std::string displayPath(const ModuleRecord &m)
{
    if (m.anonymousExec)
        return m.path.empty() ? "[anonymous executable memory]" : m.path;
    return m.deleted && !m.memfd ? m.path + " (deleted)" : m.path;
}

Level worstLevel(const ProcessInfo &p)
{
    Level worst = Level::Ok;
    for (const auto &m : p.modules)
        worst = std::max(worst, m.verdict.level);
    return worst;
}

} // namespace

std::string moduleFlags(const ModuleRecord &m)
{
    std::string flags;
    if (m.deleted && !m.memfd)
        flags += 'D';
    if (m.memfd)
        flags += 'M';
    if (m.anonymousExec)
        flags += 'A';
    if (m.pseudo)
        flags += 'K';
    return flags;
}

std::string reasonCodes(const Verdict &v)
{
    std::string out;
    for (const auto &r : v.reasons) {
        if (!out.empty())
            out += ", ";
        out += r.code;
    }
    return out;
}

void writeScanHeader(std::ostream &out, const ScanResult &scan)
{
    out << "LoadLens scan of " << scan.host.hostname;
    if (!scan.host.osRelease.empty())
        out << " (" << scan.host.osRelease << ", kernel " << scan.host.kernel << ")";
    out << " at " << utcTime(scan.scannedAt) << "\n";
}

void writeScanTable(std::ostream &out, const ScanResult &scan)
{
    for (const auto &p : scan.processes) {
        out << "\nPID " << p.pid << "  " << p.name << "  user " << p.user << "  worst " << levelName(worstLevel(p));
        if (!p.exe.empty())
            out << "  " << p.exe;
        out << "\n";
        if (p.hidden)
            out << "  ! hidden from the /proc listing\n";
        for (const auto &[k, v] : p.loaderEnv)
            out << "  env " << k << "=" << v << "\n";
        for (const auto &e : p.errors)
            out << "  ! " << e << "\n";
        for (const auto &m : p.modules) {
            out << "  " << pad(std::string(levelName(m.verdict.level)), 7) << pad(moduleFlags(m), 3) << displayPath(m);
            std::string codes = reasonCodes(m.verdict);
            if (!codes.empty())
                out << "  [" << codes << "]";
            out << "\n";
        }
    }
}

void writeScanSummary(std::ostream &out, const ScanResult &scan)
{
    const auto &s = scan.stats;
    std::map<Level, int> byLevel;
    for (const auto &p : scan.processes)
        for (const auto &m : p.modules)
            ++byLevel[m.verdict.level];
    out << "\n" << s.processesScanned << " processes, " << s.modules << " modules (" << s.uniqueFiles
        << " unique files)";
    if (s.cancelled)
        out << ", CANCELLED: partial result";
    out << "\nmodules by verdict:";
    for (Level l : {Level::High, Level::Medium, Level::Low, Level::Info, Level::Ok})
        out << " " << levelName(l) << " " << byLevel[l];
    out << "\n";
    if (s.processesInaccessible > 0 || !s.errorCounts.empty()) {
        out << s.processesInaccessible << (s.processesInaccessible == 1 ? " process" : " processes")
            << " could not be read completely; failed reads:";
        for (const auto &[cause, n] : s.errorCounts)
            out << " " << cause << " (" << n << ")";
        out << "\n";
    }
    if (s.processesVanished > 0)
        out << s.processesVanished << (s.processesVanished == 1 ? " process" : " processes") << " exited during the scan\n";
    for (const auto &f : scan.findings)
        out << "finding [" << levelName(f.level) << "] " << f.code << (f.pid ? " pid " + std::to_string(f.pid) : "")
            << ": " << f.text << "\n";
}

std::vector<WhoLoadsHit> whoLoads(const ScanResult &scan, const std::string &needle)
{
    std::vector<WhoLoadsHit> hits;
    for (const auto &p : scan.processes)
        for (const auto &m : p.modules)
            if (!m.path.empty() && m.path.find(needle) != std::string::npos)
                hits.push_back({&p, &m});
    return hits;
}

void writeWhoLoads(std::ostream &out, const std::vector<WhoLoadsHit> &hits)
{
    out << pad("PID", 8) << pad("PROCESS", 18) << pad("USER", 12) << pad("LEVEL", 8) << "MODULE\n";
    for (const auto &h : hits)
        out << pad(std::to_string(h.process->pid), 8) << pad(h.process->name, 18) << pad(h.process->user, 12)
            << pad(std::string(levelName(h.module->verdict.level)), 8) << displayPath(*h.module) << "\n";
    out << hits.size() << " modules matched\n";
}

void writeExplain(std::ostream &out, const ScanResult &scan, const ProcessInfo &p, const ModuleRecord &m)
{
    out << "Process " << p.pid << " (" << p.name << ", user " << p.user << ")";
    if (!p.exe.empty())
        out << " " << p.exe;
    out << "\nModule  " << displayPath(m) << "\n";
    out << "Verdict " << levelName(m.verdict.level) << "\n";
    if (!moduleFlags(m).empty())
        out << "Flags   " << moduleFlags(m) << (m.confirmation.empty() ? "" : "  (" + m.confirmation + ")") << "\n";
    auto it = scan.files.find(m.file);
    if (it != scan.files.end() && !m.anonymousExec && !m.pseudo) {
        const auto &f = it->second;
        char mode[16];
        std::snprintf(mode, sizeof mode, "%04o", f.mode & 07777);
        out << "File    dev " << m.file.dev << " inode " << m.file.inode << ", " << f.size << " bytes, owner "
            << f.ownerName << ":" << f.groupName << " mode " << mode << "\n";
        if (!f.sha256.empty())
            out << "SHA-256 " << f.sha256 << "\n";
        if (!f.package.empty())
            out << "Package " << f.package << "\n";
        for (const auto &e : f.errors)
            out << "  ! " << e << "\n";
    }
    for (const auto &r : m.ranges)
        out << "Range   " << std::hex << r.start << "-" << r.end << std::dec << " " << r.perms << " offset " << r.offset
            << "\n";
    for (const auto &r : m.verdict.reasons) {
        out << "\n[" << levelName(r.level) << "] " << r.code;
        if (!r.technique.empty())
            out << "  ATT&CK " << r.technique;
        out << "\n  " << r.text << "\n";
        if (!r.measure.empty())
            out << "  M1044 measure: " << r.measure << "\n";
        for (const auto &[k, v] : r.evidence)
            if (!v.empty())
                out << "    " << pad(k, 14) << v << "\n";
    }
}

} // namespace loadlens::report
