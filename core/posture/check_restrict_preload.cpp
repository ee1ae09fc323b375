// M1044 "Restrict LD_PRELOAD and LD_LIBRARY_PATH usage": nothing forces a library into every
// process (/etc/ld.so.preload), no start-up file, unit or sudo rule hands LD_* variables to
// programs, and no running process has them.
#include "pathsec/ld_config.h"
#include "posture/env_sources.h"
#include "posture/posture_fs.h"
#include "verdict/reason_catalog.h"

#include <set>
#include <sys/stat.h>

namespace loadlens::posture {

namespace {

// "no sudoers file", "1 sudoers file", "216 systemd unit files and drop-ins".
std::string counted(int count, const char *singular, const char *plural)
{
    if (count == 0)
        return std::string("no ") + singular;
    return std::to_string(count) + " " + (count == 1 ? singular : plural);
}

constexpr int kMaxSudoIncludeDepth = 8;

const std::vector<std::string> &systemdUnitDirs()
{
    static const std::vector<std::string> dirs{"/etc/systemd/system", "/run/systemd/system",
                                               "/lib/systemd/system", "/usr/lib/systemd/system"};
    return dirs;
}

std::string hitText(const std::string &file, const VariableHit &hit)
{
    return file + ":" + std::to_string(hit.line) + ": " + hit.variable + " " + hit.how + " (" + hit.text + ")";
}

void checkPreloadFile(const PostureOptions &o, CheckBuilder &b)
{
    auto entries = pathsec::readLdSoPreload(o.rootDir);
    if (!entries) {
        b.unknown(entries.error().message);
        return;
    }
    if (!existsUnder(o.rootDir, "/etc/ld.so.preload"))
        b.pass("/etc/ld.so.preload is absent");
    else if (entries->empty())
        b.pass("/etc/ld.so.preload is present but names no library");
    else
        for (const auto &entry : *entries)
            b.fail("/etc/ld.so.preload loads " + entry + " into every dynamically linked process");
}

// Returns the number of files read.
int scanShellFiles(const PostureOptions &o, CheckBuilder &b, std::vector<std::string> &hits)
{
    int read = 0;
    auto scanOne = [&](const std::string &path, auto finder) {
        const TextFile file = readTextFile(o.rootDir, path);
        if (!file.exists)
            return;
        if (!file.error.empty())
            b.unknown(file.error);
        ++read;
        for (const auto &hit : finder(file.lines))
            hits.push_back(hitText(path, hit));
    };
    scanOne("/etc/environment", findInEnvironmentFile);
    scanOne("/etc/security/pam_env.conf", findInPamEnvConf);
    scanOne("/etc/profile", findInShellScript);
    scanOne("/etc/bash.bashrc", findInShellScript);
    std::string error;
    if (auto names = listDirectory(o.rootDir, "/etc/profile.d", &error))
        for (const auto &name : *names)
            scanOne("/etc/profile.d/" + name, findInShellScript);
    if (!error.empty())
        b.unknown(error);
    return read;
}

void scanUnitFile(const PostureOptions &o, const std::string &path, CheckBuilder &b, std::vector<std::string> &hits)
{
    const TextFile file = readTextFile(o.rootDir, resolveUnderRoot(o.rootDir, path));
    if (!file.error.empty())
        b.unknown(file.error);
    const UnitEnvironment env = findInSystemdUnit(file.lines);
    for (const auto &hit : env.hits)
        hits.push_back(hitText(path, hit));
    for (const auto &ref : env.environmentFiles) {
        const TextFile envFile = readTextFile(o.rootDir, ref.path);
        if (!envFile.exists) {
            if (!ref.optional)
                b.info(path + ":" + std::to_string(ref.line) + ": EnvironmentFile " + ref.path + " does not exist");
            continue;
        }
        if (!envFile.error.empty())
            b.unknown(envFile.error);
        for (const auto &hit : findInEnvironmentFile(envFile.lines))
            hits.push_back(path + ":" + std::to_string(ref.line) + ": EnvironmentFile " + hitText(ref.path, hit));
    }
}

// Returns the number of unit files and drop-ins read.
int scanSystemd(const PostureOptions &o, CheckBuilder &b, std::vector<std::string> &hits)
{
    int read = 0;
    std::set<std::string> seenDirs;  // /lib/systemd/system is /usr/lib/systemd/system on merged /usr
    auto scanDropIns = [&](const std::string &dir) {
        std::string error;
        if (auto names = listDirectory(o.rootDir, dir, &error))
            for (const auto &name : *names)
                if (name.size() > 5 && name.substr(name.size() - 5) == ".conf") {
                    scanUnitFile(o, dir + "/" + name, b, hits);
                    ++read;
                }
        if (!error.empty())
            b.unknown(error);
    };
    if (existsUnder(o.rootDir, "/etc/systemd/system.conf")) {
        scanUnitFile(o, "/etc/systemd/system.conf", b, hits);
        ++read;
    }
    scanDropIns("/etc/systemd/system.conf.d");
    for (const auto &dir : systemdUnitDirs()) {
        if (!seenDirs.insert(resolveUnderRoot(o.rootDir, dir)).second)
            continue;
        std::string error;
        auto names = listDirectory(o.rootDir, dir, &error);
        if (!error.empty())
            b.unknown(error);
        if (!names)
            continue;
        for (const auto &name : *names) {
            const std::string path = dir + "/" + name;
            if (name.size() > 2 && name.substr(name.size() - 2) == ".d") {
                scanDropIns(path);
                continue;
            }
            struct stat st {};
            const std::string real = underRoot(o.rootDir, resolveUnderRoot(o.rootDir, path));
            if (::stat(real.c_str(), &st) != 0 || !S_ISREG(st.st_mode))
                continue;  // .wants/.requires directories, masked units (/dev/null)
            scanUnitFile(o, path, b, hits);
            ++read;
        }
    }
    return read;
}

void scanSudoersFile(const PostureOptions &o, const std::string &path, int depth, CheckBuilder &b,
                     std::vector<std::string> &hits, std::set<std::string> &visited)
{
    if (depth > kMaxSudoIncludeDepth) {
        b.unknown(path + ": includes nest deeper than " + std::to_string(kMaxSudoIncludeDepth) + ", not followed");
        return;
    }
    const TextFile file = readTextFile(o.rootDir, path);
    if (!file.exists || !visited.insert(path).second)
        return;
    if (!file.error.empty()) {
        b.unknown(file.error);
        return;
    }
    const SudoersAnalysis analysis = analyseSudoers(file.lines);
    for (const auto &hit : analysis.hits)
        hits.push_back(hitText(path, hit));
    for (const auto &note : analysis.notes)
        b.info(path + ":" + std::to_string(note.line) + ": Defaults " + note.how +
               ": the caller's environment is kept, though sudo still deletes LD_* unless env_keep names them");
    const std::string base = path.substr(0, path.rfind('/'));
    for (const auto &include : analysis.includes) {
        const std::string target = include.path.front() == '/' ? include.path : base + "/" + include.path;
        if (!include.directory) {
            scanSudoersFile(o, target, depth + 1, b, hits, visited);
            continue;
        }
        if (auto names = listDirectory(o.rootDir, target))
            for (const auto &name : *names)
                if (sudoReadsIncludedName(name))
                    scanSudoersFile(o, target + "/" + name, depth + 1, b, hits, visited);
    }
}

void checkRunningProcesses(const ScanResult *scan, CheckBuilder &b)
{
    if (!scan) {
        b.unknown("running processes were not scanned: their LD_PRELOAD, LD_LIBRARY_PATH and LD_AUDIT are unknown");
        return;
    }
    std::vector<std::string> lines;
    for (const auto &p : scan->processes) {
        std::vector<std::string> vars;
        for (const char *name : {"LD_PRELOAD", "LD_LIBRARY_PATH", "LD_AUDIT"})
            if (auto it = p.loaderEnv.find(name); it != p.loaderEnv.end() && !it->second.empty())
                vars.push_back(it->first + "=" + it->second);
        if (!vars.empty())
            lines.push_back("pid " + std::to_string(p.pid) + " (" + p.name + "): " + joinList(vars, " "));
    }
    if (lines.empty()) {
        const int scanned = static_cast<int>(scan->processes.size());
        b.pass(scanned == 0 ? std::string("the live scan listed no process")
                            : "none of the " + counted(scanned, "scanned process", "scanned processes") +
                                  " runs with LD_PRELOAD, LD_LIBRARY_PATH or LD_AUDIT");
    } else {
        b.fail(counted(static_cast<int>(lines.size()), "running process has", "running processes have") +
               " loader variables set:");
        b.addCapped(Status::Fail, lines);
    }
    if (scan->stats.processesInaccessible > 0)
        b.info(counted(scan->stats.processesInaccessible, "process", "processes") +
               " could not be read fully; their environment may be missing above");
}

} // namespace

PostureCheck checkRestrictPreload(const PostureOptions &options, const ScanResult *scan)
{
    CheckBuilder b(check_id::RestrictPreload, verdict::measure::RestrictPreload,
                   "No library forced into processes through ld.so.preload or LD_* variables");
    checkPreloadFile(options, b);

    std::vector<std::string> hits;
    const int shellFiles = scanShellFiles(options, b, hits);
    const int unitFiles = scanSystemd(options, b, hits);
    std::set<std::string> visited;
    scanSudoersFile(options, "/etc/sudoers", 0, b, hits, visited);
    if (hits.empty())
        b.pass("no LD_* variable set in the files read: " +
               counted(shellFiles, "environment or shell start-up file", "environment or shell start-up files") + ", " +
               counted(unitFiles, "systemd unit file or drop-in", "systemd unit files and drop-ins") + ", " +
               counted(static_cast<int>(visited.size()), "sudoers file", "sudoers files"));
    b.addCapped(Status::Fail, hits, 40);

    checkRunningProcesses(scan, b);
    return b.finish("Empty /etc/ld.so.preload (or remove it); remove LD_* assignments from start-up files, unit "
                    "Environment= lines and sudoers env_keep/setenv; restart the processes listed with the "
                    "variables unset.");
}

} // namespace loadlens::posture
