// M1044 "Require digital signatures for all libraries": on Debian the nearest thing for ELF
// libraries is the package manifest (dpkg's MD5 list) or an IMA signature. This check reports the
// share of loaded code the scan could vouch for that way, and why the rest could not be.
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <algorithm>
#include <map>
#include <set>

namespace loadlens::posture {

namespace {

// Reason codes that say why a module is not vouched for, most telling first.
const std::vector<std::string_view> &unvouchedReasons()
{
    namespace c = verdict::code;
    static const std::vector<std::string_view> codes{
        c::PackageModified, c::Unowned,     c::PackageNoDigest, c::DeletedUpgraded, c::Deleted,
        c::MemfdExec,       c::AnonymousExec, c::NoPackageDatabase, c::Unverifiable};
    return codes;
}

std::string percent(std::size_t part, std::size_t whole)
{
    const auto tenths = whole ? (part * 1000 + whole / 2) / whole : 0;
    return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10) + "%";
}

} // namespace

PostureCheck checkCodeSigning(const ScanResult *scan)
{
    CheckBuilder b(check_id::CodeSigning, verdict::measure::RequireSignatures,
                   "Loaded code is vouched for by a package manifest or a signature");
    const std::string remedy =
        "Reinstall modified packages (apt install --reinstall PKG) and investigate the files listed; replace "
        "unowned libraries with packaged ones; enable IMA appraisal where signatures are required.";
    if (!scan) {
        b.unknown("running processes were not scanned: which loaded modules are package-verified is unknown");
        return b.finish(remedy);
    }
    // Counted per distinct file: a library mapped by 200 processes is one thing to vouch for.
    std::set<FileKey> verified;
    std::map<FileKey, std::string> unvouched;  // file -> reason code
    int fileless = 0;
    std::map<std::string, int> byReason;
    std::map<std::string, std::vector<std::string>> examples;
    for (const auto &p : scan->processes) {
        for (const auto &m : p.modules) {
            if (m.pseudo || m.verdict.has(verdict::code::KernelProvided))
                continue;
            const bool vouched = m.verdict.has(verdict::code::PackageVerified) || m.verdict.has(verdict::code::ImaSigned);
            const bool noFile = m.anonymousExec || m.memfd || (m.file.dev == 0 && m.file.inode == 0);
            if (!noFile && (verified.count(m.file) || unvouched.count(m.file)))
                continue;
            if (vouched) {
                verified.insert(m.file);
                continue;
            }
            std::string reason = "no-verdict";
            for (const auto code : unvouchedReasons())
                if (m.verdict.has(code)) {
                    reason = std::string(code);
                    break;
                }
            if (noFile)
                ++fileless;
            else
                unvouched[m.file] = reason;
            ++byReason[reason];
            auto &ex = examples[reason];
            const std::string example = m.path.empty() ? "pid " + std::to_string(p.pid) + " anonymous" : m.path;
            if (ex.size() < 3 && std::find(ex.begin(), ex.end(), example) == ex.end())
                ex.push_back(example);
        }
    }
    const std::size_t total = verified.size() + unvouched.size() + static_cast<std::size_t>(fileless);
    if (total == 0) {
        b.unknown("the scan holds no loaded modules (no process could be read?)");
        return b.finish(remedy);
    }
    const std::size_t others = total - verified.size();
    b.add(others == 0 ? Status::Pass : Status::Info,
          std::to_string(verified.size()) + " of " + std::to_string(total) + " loaded files (" +
              percent(verified.size(), total) + ") are package-verified or IMA-signed");
    for (const auto &[reason, count] : byReason) {
        // Without a package database or a readable file nothing could be verified: that is not
        // knowing, not failing. A library an upgrade replaced on disk needs a restart, not an alarm.
        Status s = Status::Fail;
        if (reason == verdict::code::NoPackageDatabase || reason == verdict::code::Unverifiable)
            s = Status::Unknown;
        else if (reason == verdict::code::DeletedUpgraded)
            s = Status::Info;
        b.add(s, reason + ": " + std::to_string(count) + " (e.g. " + joinList(examples[reason]) + ")");
    }
    return b.finish(remedy);
}

} // namespace loadlens::posture
