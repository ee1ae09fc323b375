// M1044 "Application control (AppArmor/SELinux, fapolicyd)": a mandatory access control policy is
// enforced (so a confined program cannot map libraries from where its profile forbids), and which
// running processes it leaves unconfined.
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <map>
#include <optional>

namespace loadlens::posture {

namespace {

std::string firstLine(const std::string &path, bool *exists = nullptr)
{
    // The paths here are absolute already (below sysRoot/procRoot), so read them from "/".
    const TextFile f = readTextFile("/", path);
    if (exists)
        *exists = f.exists && f.error.empty();
    return f.lines.empty() ? std::string() : trim(f.lines.front());
}

// True when AppArmor enforces at least one profile; nullopt when that cannot be read.
std::optional<bool> checkAppArmor(const PostureOptions &o, CheckBuilder &b)
{
    bool known = false;
    const std::string enabled = firstLine(o.sysRoot + "/module/apparmor/parameters/enabled", &known);
    if (!known) {
        b.info("AppArmor is not in this kernel (" + o.sysRoot + "/module/apparmor/parameters/enabled absent)");
        return false;
    }
    if (enabled != "Y") {
        b.info("AppArmor is built in but disabled (enabled=" + enabled + ")");
        return false;
    }
    const std::string fs = o.sysRoot + "/kernel/security/apparmor";
    const TextFile profiles = readTextFile("/", fs + "/profiles");
    if (!profiles.exists || !profiles.error.empty()) {
        b.unknown("AppArmor is enabled but its profiles cannot be read (" +
                  (profiles.error.empty() ? fs + "/profiles absent: securityfs not mounted?" : profiles.error) + ")");
        return std::nullopt;
    }
    std::map<std::string, int> modes;
    for (const auto &line : profiles.lines) {
        const auto open = line.rfind(" (");
        if (open != std::string::npos && line.back() == ')')
            ++modes[line.substr(open + 2, line.size() - open - 3)];
    }
    std::string summary;
    for (const auto &[mode, count] : modes)
        summary += (summary.empty() ? "" : ", ") + std::to_string(count) + " " + mode;
    const int enforcing = modes["enforce"] + modes["kill"];
    if (enforcing > 0) {
        b.pass("AppArmor is enabled with " + summary + " profiles loaded");
        return true;
    }
    b.info("AppArmor is enabled but no profile is enforced" + (summary.empty() ? "" : " (" + summary + ")"));
    return false;
}

// Returns true when SELinux is enforcing.
bool checkSelinux(const PostureOptions &o, CheckBuilder &b)
{
    bool known = false;
    const std::string enforce = firstLine(o.sysRoot + "/fs/selinux/enforce", &known);
    if (!known) {
        b.info("SELinux is not active (" + o.sysRoot + "/fs/selinux/enforce absent)");
        return false;
    }
    if (enforce == "1") {
        b.pass("SELinux is enforcing");
        return true;
    }
    b.info("SELinux is permissive (enforce=" + enforce + "): it logs but does not deny");
    return false;
}

// Returns true when fapolicyd is installed with its service enabled.
bool checkFapolicyd(const PostureOptions &o, CheckBuilder &b)
{
    const bool config = isDirectoryUnder(o.rootDir, "/etc/fapolicyd");
    bool unit = false;
    for (const char *dir : {"/etc/systemd/system", "/lib/systemd/system", "/usr/lib/systemd/system"})
        unit = unit || existsUnder(o.rootDir, std::string(dir) + "/fapolicyd.service");
    const bool enabled = existsUnder(o.rootDir, "/etc/systemd/system/multi-user.target.wants/fapolicyd.service");
    if (!config && !unit) {
        b.info("fapolicyd is not installed");
        return false;
    }
    if (config && enabled) {
        b.pass("fapolicyd is configured (/etc/fapolicyd) and its service is enabled");
        return true;
    }
    b.info(std::string("fapolicyd is installed but ") + (config ? "its service is not enabled" : "/etc/fapolicyd is missing"));
    return false;
}

bool isUnconfined(const std::string &label)
{
    return label.empty() || label == "unconfined" || label.find("unconfined_t") != std::string::npos ||
           label.find("(unconfined)") != std::string::npos;
}

void checkProcesses(const PostureOptions &o, const ScanResult *scan, CheckBuilder &b)
{
    if (!scan) {
        b.info("running processes were not scanned: which of them are confined is not known");
        return;
    }
    std::vector<std::string> unconfined;
    int confined = 0;
    int unreadable = 0;
    for (const auto &p : scan->processes) {
        if (p.kernelThread)
            continue;
        const std::string base = o.procRoot + "/" + std::to_string(p.pid) + "/attr";
        bool read = false;
        std::string label = firstLine(base + "/apparmor/current", &read);
        if (!read)
            label = firstLine(base + "/current", &read);
        if (!read) {
            ++unreadable;
            continue;
        }
        if (isUnconfined(label))
            unconfined.push_back("pid " + std::to_string(p.pid) + " (" + p.name + ")" +
                                 (p.exe.empty() ? "" : " " + p.exe) + ": " + (label.empty() ? "no label" : label));
        else
            ++confined;
    }
    b.info(std::to_string(confined) + " processes run confined, " + std::to_string(unconfined.size()) +
           " unconfined" + (unreadable ? ", " + std::to_string(unreadable) + " without a readable label" : ""));
    b.addCapped(Status::Info, unconfined, 30);
}

} // namespace

PostureCheck checkApplicationControl(const PostureOptions &options, const ScanResult *scan)
{
    CheckBuilder b(check_id::ApplicationControl, verdict::measure::ApplicationControl,
                   "A mandatory access control policy or fapolicyd is enforced");
    const std::optional<bool> apparmorState = checkAppArmor(options, b);
    const bool apparmor = apparmorState.value_or(false);
    const bool selinux = checkSelinux(options, b);
    const bool fapolicyd = checkFapolicyd(options, b);
    if (!apparmor && !selinux && !fapolicyd) {
        if (!isDirectoryUnder("/", options.sysRoot))
            b.unknown(options.sysRoot + " is not readable: the kernel's security modules cannot be seen");
        else if (apparmorState.has_value())
            b.fail("no enforcing AppArmor profile, no enforcing SELinux and no enabled fapolicyd");
    }
    checkProcesses(options, scan, b);
    return b.finish("Enable AppArmor (apparmor=1 security=apparmor) with enforcing profiles for exposed services "
                    "(aa-enforce), or SELinux in enforcing mode, or fapolicyd with a trust database; confine the "
                    "unconfined processes listed that face untrusted input.");
}

} // namespace loadlens::posture
