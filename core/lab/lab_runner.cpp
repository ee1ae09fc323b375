#include "lab/lab_runner.h"

#include "common/atomic_file.h"
#include "common/data_dir.h"
#include "common/log.h"
#include "lab/lab_process.h"
#include "lab/lab_scenarios.h"

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sys/stat.h>
#include <unistd.h>

#ifndef LOADLENS_LAB_LIBEXEC_DIR
#define LOADLENS_LAB_LIBEXEC_DIR "/usr/libexec/loadlens/lab"
#endif

namespace fs = std::filesystem;

namespace loadlens::lab {

namespace {

constexpr const char *kStateFile = "state.json";

bool holdsLabPrograms(const std::string &dir)
{
    std::error_code ec;
    return !dir.empty() && fs::is_regular_file(fs::path(dir) / "ll_lab_victim", ec) &&
           fs::is_regular_file(fs::path(dir) / "libll_lab_payload.so", ec);
}

nlohmann::json toJson(const Instance &i)
{
    return {{"scenario", i.scenario}, {"pid", i.pid},           {"start_time", i.startTime},
            {"owner_pid", i.ownerPid}, {"owner_start_time", i.ownerStartTime}, {"started_at", i.startedAt},
            {"commands", i.commands}, {"mitigated", i.mitigated},
            {"argv", i.request.argv}, {"env", i.request.env}, {"log", i.request.logPath},
            {"etc_overlay", i.request.etcOverlay}, {"host_etc", i.request.hostEtcMount},
            {"ready_timeout_ms", i.request.readyTimeoutMs}};
}

Result<Instance> readState(const fs::path &dir)
{
    const fs::path file = dir / kStateFile;
    std::ifstream in(file);
    if (!in)
        return Error{ENOENT, "no lab state in " + dir.string()};
    try {
        const auto j = nlohmann::json::parse(in);
        Instance i;
        i.scenario = j.at("scenario").get<std::string>();
        i.directory = dir.string();
        i.pid = j.at("pid").get<int>();
        i.startTime = j.at("start_time").get<std::uint64_t>();
        i.ownerPid = j.value("owner_pid", 0);
        i.ownerStartTime = j.value("owner_start_time", std::uint64_t(0));
        i.startedAt = j.value("started_at", std::int64_t(0));
        i.commands = j.value("commands", std::vector<std::string>{});
        i.mitigated = j.value("mitigated", false);
        i.request.argv = j.value("argv", std::vector<std::string>{});
        i.request.env = j.value("env", std::vector<std::string>{});
        i.request.logPath = j.value("log", std::string());
        i.request.etcOverlay = j.value("etc_overlay", std::string());
        i.request.hostEtcMount = j.value("host_etc", std::string());
        i.request.readyTimeoutMs = j.value("ready_timeout_ms", 10000);
        return i;
    } catch (const std::exception &e) {
        return Error{EINVAL, "damaged lab state " + file.string() + ": " + e.what()};
    }
}

bool victimAlive(const Instance &i)
{
    const auto start = processStartTime(i.pid);
    return start && *start == i.startTime;
}

// A state file names a pid; only a process running a program from the scenario's own
// directory is the lab's to kill (a damaged or forged state must not make the lab kill others).
// A Wine process runs the Wine loader: it is the scenario's when it maps a file of the
// scenario's directory (the Windows program Wine loaded).
bool runsFromScenario(const Instance &i)
{
    std::error_code ec;
    const std::string proc = "/proc/" + std::to_string(i.pid);
    const fs::path exe = fs::read_symlink(proc + "/exe", ec);
    if (ec)
        return false;
    if (exe.string().rfind(i.directory + "/", 0) == 0)
        return true;
    std::ifstream maps(proc + "/maps");
    const std::string mapped = " " + i.directory + "/";
    for (std::string line; std::getline(maps, line);)
        if (line.find(mapped) != std::string::npos)
            return true;
    return false;
}

bool ownerGone(const Instance &i)
{
    if (i.ownerPid == 0)
        return false;
    const auto start = processStartTime(i.ownerPid);
    return !start || *start != i.ownerStartTime;
}

Status removeScenarioDirectory(const fs::path &dir)
{
    // Processes the scenario started besides its victim (Wine's server and services) end first.
    if (auto s = teardownScenario(dir.string()); !s)
        return s;
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec)
        return Error{ec.value(), "cannot remove " + dir.string() + ": " + ec.message()};
    return Ok{};
}

// Paths where a lab directory must never be: the lab removes its directory recursively.
bool unsafeLabDirectory(const fs::path &dir)
{
    const std::string s = dir.lexically_normal().string();
    for (const char *system : {"/", "/etc", "/usr", "/bin", "/sbin", "/lib", "/lib64", "/boot", "/dev", "/proc",
                               "/sys", "/var", "/home", "/root", "/tmp", "/run"})
        if (s == system || s == std::string(system) + "/")
            return true;
    return s.rfind("/etc/", 0) == 0 || s.rfind("/usr/", 0) == 0 || s.rfind("/proc/", 0) == 0 ||
           s.rfind("/sys/", 0) == 0 || s.rfind("/dev/", 0) == 0;
}

} // namespace

std::string defaultLabDirectory()
{
    if (const char *env = std::getenv("LOADLENS_LAB_DIR"); env && *env)
        return env;
    return dataDirectory() + "/lab";
}

Result<std::string> labBinaryDirectory()
{
    std::vector<std::string> tried;
    if (const char *env = std::getenv("LOADLENS_LAB_BINARIES"); env && *env) {
        if (holdsLabPrograms(env))
            return std::string(env);
        return Error{ENOENT, std::string("LOADLENS_LAB_BINARIES=") + env + " holds no ll_lab_victim and libll_lab_payload.so"};
    }
    tried.push_back(LOADLENS_LAB_LIBEXEC_DIR);
    std::error_code ec;
    const fs::path self = fs::read_symlink("/proc/self/exe", ec);
    if (!ec) // a build tree: BUILD/app/cli/loadlens-cli or BUILD/app/gui/loadlens, the programs in BUILD/lab
        tried.push_back((self.parent_path().parent_path().parent_path() / "lab").string());
    for (const auto &dir : tried)
        if (holdsLabPrograms(dir))
            return dir;
    std::string list;
    for (const auto &t : tried)
        list += (list.empty() ? "" : ", ") + t;
    return Error{ENOENT, "the lab's programs (ll_lab_victim, libll_lab_payload.so) are not installed; looked in " + list +
                             " (set LOADLENS_LAB_BINARIES to their directory)"};
}

Runner::Runner(LabOptions options) : m_options(std::move(options))
{
    m_labDir = m_options.labDir.empty() ? defaultLabDirectory() : m_options.labDir;
}

Result<std::string> Runner::binaryDir()
{
    if (!m_options.binaryDir.empty()) {
        if (!holdsLabPrograms(m_options.binaryDir))
            return Error{ENOENT, m_options.binaryDir + " holds no ll_lab_victim and libll_lab_payload.so"};
        return m_options.binaryDir;
    }
    return labBinaryDirectory();
}

Status Runner::prepareLabDirectory()
{
    const fs::path dir(m_labDir);
    if (!dir.is_absolute())
        return Error{EINVAL, "the lab directory must be an absolute path, not " + m_labDir};
    if (unsafeLabDirectory(dir))
        return Error{EINVAL, "refusing to use " + m_labDir + " as the lab directory: the lab removes what is in it"};
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return Error{ec.value(), "cannot create the lab directory " + m_labDir + ": " + ec.message()};
    return Ok{};
}

std::vector<std::string> Runner::cleanStale()
{
    std::vector<std::string> cleaned;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator(m_labDir, ec)) {
        if (!entry.is_directory(ec) || !findScenario(entry.path().filename().string()))
            continue;
        auto state = readState(entry.path());
        if (state && victimAlive(*state) && !ownerGone(*state))
            continue;
        if (state && runsFromScenario(*state))
            (void)killVictim(state->pid, state->startTime);
        if (removeScenarioDirectory(entry.path()))
            cleaned.push_back(entry.path().filename().string());
    }
    return cleaned;
}

Result<Instance> Runner::start(const std::string &name)
{
    const Scenario *scenario = findScenario(name);
    if (!scenario)
        return Error{EINVAL, "no lab scenario named '" + name + "' (see `loadlens-cli lab list`)"};
    auto bin = binaryDir();
    if (!bin)
        return bin.error();
    if (auto s = prepareLabDirectory(); !s)
        return s.error();
    for (const auto &stale : cleanStale())
        log::get("core.lab")->info("removed the stale lab scenario {}", stale);
    const fs::path dir = fs::path(m_labDir) / name;
    if (auto existing = readState(dir); existing && victimAlive(*existing))
        return Error{EEXIST, "scenario " + name + " is already running (pid " + std::to_string(existing->pid) +
                                 "); `loadlens-cli lab stop " + name + "` first"};
    if (auto s = removeScenarioDirectory(dir); !s)
        return s.error();

    auto request = prepareScenario(*scenario, dir.string(), *bin);
    if (!request) {
        (void)removeScenarioDirectory(dir);
        return request.error();
    }
    auto pid = spawnVictim(*request, request->readyTimeoutMs);
    if (!pid) {
        (void)removeScenarioDirectory(dir);
        return Error{pid.error().code, "scenario " + name + " did not start: " + pid.error().message};
    }
    Instance instance;
    instance.scenario = name;
    instance.directory = dir.string();
    instance.pid = *pid;
    instance.startTime = processStartTime(*pid).value_or(0);
    if (m_options.ownedByCaller) {
        instance.ownerPid = static_cast<int>(::getpid());
        instance.ownerStartTime = processStartTime(instance.ownerPid).value_or(0);
    }
    instance.startedAt = std::chrono::duration_cast<std::chrono::seconds>(
                             std::chrono::system_clock::now().time_since_epoch())
                             .count();
    for (const auto &c : scenario->commands)
        instance.commands.push_back(substitute(c, dir.string(), *bin));
    instance.running = true;
    instance.request = *request;
    if (auto s = io::writeFileAtomically((dir / kStateFile).string(), toJson(instance).dump(1) + "\n"); !s) {
        (void)killVictim(instance.pid, instance.startTime);
        (void)removeScenarioDirectory(dir);
        return s.error();
    }
    return instance;
}

Result<std::vector<Instance>> Runner::status()
{
    std::vector<Instance> running;
    std::error_code ec;
    if (!fs::exists(m_labDir, ec))
        return running;
    cleanStale();
    for (const auto &s : catalogue()) {
        auto state = readState(fs::path(m_labDir) / s.name);
        if (!state)
            continue;
        state->running = victimAlive(*state);
        if (state->running)
            running.push_back(std::move(*state));
    }
    return running;
}

Status Runner::stop(const std::string &name)
{
    if (!findScenario(name))
        return Error{EINVAL, "no lab scenario named '" + name + "' (see `loadlens-cli lab list`)"};
    const fs::path dir = fs::path(m_labDir) / name;
    std::error_code ec;
    if (!fs::exists(dir, ec))
        return Error{ENOENT, "scenario " + name + " is not running"};
    if (auto state = readState(dir); state && victimAlive(*state)) {
        if (!runsFromScenario(*state))
            return Error{EPERM, "process " + std::to_string(state->pid) + " named in " + dir.string() +
                                    "/state.json does not run a program of the scenario; not killed, nothing removed"};
        if (auto s = killVictim(state->pid, state->startTime); !s)
            return s;
    }
    return removeScenarioDirectory(dir);
}

Result<Instance> Runner::mitigate(const std::string &name)
{
    const Scenario *scenario = findScenario(name);
    if (!scenario)
        return Error{EINVAL, "no lab scenario named '" + name + "' (see `loadlens-cli lab list`)"};
    if (scenario->mitigationCommands.empty())
        return Error{ENOTSUP, "scenario " + name + " has no mitigation the lab can apply safely: " + scenario->mitigation};
    const fs::path dir = fs::path(m_labDir) / name;
    auto state = readState(dir);
    if (!state || !victimAlive(*state))
        return Error{ENOENT, "scenario " + name + " is not running; `loadlens-cli lab start " + name + "` first"};
    // Everything the request names must be inside the scenario's directory.
    const std::string prefix = dir.string() + "/";
    // The Windows scenario's program is Wine's loader, which runs the scenario's .exe.
    const auto &argv = state->request.argv;
    const bool wineRun = usesWine(*scenario) && argv.size() == 2 && findWine() && argv[0] == findWine()->loader;
    const std::string program = argv.empty() ? std::string() : argv[wineRun ? 1 : 0];
    for (const auto &path : {program, state->request.logPath})
        if (path.rfind(prefix, 0) != 0)
            return Error{EINVAL, "damaged lab state in " + dir.string() + ": " + path + " is outside the scenario"};
    if (!runsFromScenario(*state))
        return Error{EPERM, "process " + std::to_string(state->pid) + " named in " + dir.string() +
                                "/state.json does not run a program of the scenario; not killed"};
    if (auto s = killVictim(state->pid, state->startTime); !s)
        return s.error();
    if (auto s = applyMitigation(*scenario, dir.string()); !s)
        return s.error();
    auto pid = spawnVictim(state->request, state->request.readyTimeoutMs);
    if (!pid)
        return Error{pid.error().code, "scenario " + name + " did not start again: " + pid.error().message};
    state->pid = *pid;
    state->startTime = processStartTime(*pid).value_or(0);
    state->mitigated = true;
    state->running = true;
    if (auto s = io::writeFileAtomically((dir / kStateFile).string(), toJson(*state).dump(1) + "\n"); !s) {
        (void)killVictim(state->pid, state->startTime);
        return s.error();
    }
    return std::move(*state);
}

Status Runner::stopAll()
{
    std::error_code ec;
    if (!fs::exists(m_labDir, ec))
        return Ok{};
    std::string failures;
    for (const auto &s : catalogue()) {
        if (!fs::exists(fs::path(m_labDir) / s.name, ec))
            continue;
        if (auto st = stop(s.name); !st)
            failures += (failures.empty() ? "" : "; ") + st.error().message;
    }
    if (!failures.empty())
        return Error{EIO, failures};
    // The lab directory itself goes too when nothing else is in it.
    fs::remove(m_labDir, ec);
    return Ok{};
}

} // namespace loadlens::lab
