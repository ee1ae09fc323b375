#pragma once
// The M1044 ("Restrict Library Loading") posture of a host: one check per measure of the
// mitigation, each saying pass, fail or unknown with the evidence that decided it. Every file is
// read below `rootDir` (and /proc, /sys below their own roots) so an image or a test tree can be
// inspected; checks that need the live processes take the scan and say unknown without it.
#include "common/types.h"

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens {
template<typename T>
class Result;
} // namespace loadlens

namespace loadlens::posture {

enum class Status { Pass, Fail, Unknown, Info };
std::string_view statusName(Status status);  // "pass", "fail", "unknown", "info"

// One observation behind a check. Info lines explain without deciding.
struct Observation {
    Status status = Status::Info;
    std::string text;
};

struct PostureCheck {
    std::string id;           // stable: "restrict-preload", "secure-library-paths", ...
    std::string measure;      // the M1044 measure text from the reason catalog
    std::string title;
    Status status = Status::Unknown;  // worst of the evidence: any fail, else any unknown, else pass
    std::vector<Observation> evidence;
    std::string remediation;

    std::vector<std::string> evidenceLines() const;  // "fail: /etc/ld.so.preload names /tmp/x.so"
};

struct KernelAuditState;

struct PostureOptions {
    std::string rootDir = "/";     // /etc, /lib, /usr, /var are read below it
    std::string procRoot = "/proc";
    std::string sysRoot = "/sys";  // sysfs itself: .../kernel/security, .../module, .../fs/selinux
    // The audit rules a kernel enforces, compared with the rule files. Empty: the running kernel
    // is asked when rootDir is "/" (the running system), and nothing is asked for another root
    // (an image's kernel is not this one). Tests give their own.
    std::function<Result<KernelAuditState>()> kernelAudit;

    // rootDir = dir, procRoot = dir/proc, sysRoot = dir/sys.
    static PostureOptions forRoot(const std::string &dir);
};

struct PostureReport {
    std::vector<PostureCheck> checks;
    // Paths that should be watched by auditd but are not (absolute, as seen from rootDir); what
    // emitAuditdRules() covers.
    std::vector<std::string> auditGaps;
    std::int64_t checkedAt = 0;  // unix seconds when the checks ran
    std::int64_t scannedAt = 0;  // the live scan the process checks used; 0 when none
    std::string scannedHost;     // that scan's host name

    const PostureCheck *find(std::string_view id) const;
};

namespace check_id {
inline constexpr std::string_view RestrictPreload = "restrict-preload";
inline constexpr std::string_view SecureLibraryPaths = "secure-library-paths";
inline constexpr std::string_view ImmutableLoaderConfig = "immutable-loader-config";
inline constexpr std::string_view AuditRules = "audit-rules";
inline constexpr std::string_view ApplicationControl = "application-control";
inline constexpr std::string_view FileIntegrity = "file-integrity";
inline constexpr std::string_view CodeSigning = "code-signing";
} // namespace check_id

// `scan` may be null: the parts that need running processes then say unknown and why.
PostureCheck checkRestrictPreload(const PostureOptions &options, const ScanResult *scan);
PostureCheck checkSecureLibraryPaths(const PostureOptions &options, const ScanResult *scan);
PostureCheck checkImmutableLoaderConfig(const PostureOptions &options);
// `gaps` (optional) receives the paths no audit rule watches.
PostureCheck checkAuditRules(const PostureOptions &options, std::vector<std::string> *gaps = nullptr);
PostureCheck checkApplicationControl(const PostureOptions &options, const ScanResult *scan);
PostureCheck checkFileIntegrity(const PostureOptions &options);
PostureCheck checkCodeSigning(const ScanResult *scan);

// Every check, in the order above. Never throws; what could not be read is evidence.
PostureReport runPostureChecks(const PostureOptions &options, const ScanResult *scan);

// What the loader configuration and library directories come to on this root: the files and
// directories audit rules and integrity monitors should cover (absolute, symlinks resolved
// inside rootDir, existing library directories only).
std::vector<std::string> protectedPaths(const PostureOptions &options);

} // namespace loadlens::posture
