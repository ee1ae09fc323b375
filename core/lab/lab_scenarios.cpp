#include "lab/lab_scenarios.h"

#include "lab/lab_process.h"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace fs = std::filesystem;

namespace loadlens::lab {

namespace {

// Explicit modes: the umask of whoever runs the lab must not change a scenario's verdicts.
Status makeDirectory(const fs::path &dir, mode_t mode)
{
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec)
        return Error{ec.value(), "cannot create " + dir.string() + ": " + ec.message()};
    if (::chmod(dir.c_str(), mode) != 0)
        return Error::fromErrno(errno, "cannot chmod " + dir.string());
    return Ok{};
}

Status copyFile(const fs::path &from, const fs::path &to, mode_t mode = 0755)
{
    std::error_code ec;
    fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
    if (ec)
        return Error{ec.value(), "cannot copy " + from.string() + " to " + to.string() + ": " + ec.message()};
    if (::chmod(to.c_str(), mode) != 0)
        return Error::fromErrno(errno, "cannot chmod " + to.string());
    return Ok{};
}

Status writeText(const fs::path &file, const std::string &text)
{
    std::ofstream out(file, std::ios::trunc);
    out << text;
    out.close();
    if (!out)
        return Error{EIO, "cannot write " + file.string()};
    ::chmod(file.c_str(), 0644);
    return Ok{};
}

// A directory that stands in for /etc inside the namespace: a symbolic link for every entry
// of the real /etc (reached through hostEtc, where the namespace binds the real /etc) and
// the lab's own ld.so.preload.
Status buildEtcOverlay(const fs::path &overlay, const fs::path &hostEtc, const std::string &preloadLine)
{
    if (auto s = makeDirectory(overlay, 0755); !s)
        return s;
    if (auto s = makeDirectory(hostEtc, 0755); !s)
        return s;
    std::error_code ec;
    for (const auto &entry : fs::directory_iterator("/etc", ec)) {
        const auto name = entry.path().filename();
        if (name == "ld.so.preload")
            continue;
        fs::create_symlink(hostEtc / name, overlay / name, ec);
        if (ec)
            return Error{ec.value(), "cannot create " + (overlay / name).string() + ": " + ec.message()};
    }
    if (ec)
        return Error{ec.value(), "cannot list /etc: " + ec.message()};
    return writeText(overlay / "ld.so.preload", preloadLine + "\n");
}

const char *kInstallWine = "apt-get install --no-install-recommends wine64 g++-mingw-w64-x86-64";

// The Wine environment of a scenario: everything Wine writes (the prefix, the server's socket
// directory, which Debian's Wine puts under TMPDIR, anything it keeps under HOME) stays in
// the scenario's directory.
std::vector<std::string> wineEnvironment(const fs::path &dir)
{
    return {"HOME=" + (dir / "home").string(), "TMPDIR=" + (dir / "tmp").string(),
            "WINEPREFIX=" + (dir / "prefix").string(), "WINEDEBUG=-all"};
}

} // namespace

bool usesWine(const Scenario &scenario) { return scenario.name == "wine-dll-hijack"; }

Result<WineTools> findWine()
{
    // Debian's wine64 installs the loader and the server in /usr/lib/wine; the `wine` wrapper
    // that would put them on PATH is only recommended.
    for (const auto &[loader, server] : {std::pair<const char *, const char *>{"/usr/lib/wine/wine64", "/usr/lib/wine/wineserver64"},
                                         std::pair<const char *, const char *>{"/usr/bin/wine64", "/usr/bin/wineserver"}})
        if (::access(loader, X_OK) == 0 && ::access(server, X_OK) == 0)
            return WineTools{loader, server};
    return Error{ENOENT, std::string("the Windows scenario needs Wine (/usr/lib/wine/wine64 and wineserver64, Debian "
                                     "package wine64), which is not installed; install it with `") +
                             kInstallWine + "`"};
}

Status teardownScenario(const std::string &scenarioDir)
{
    const fs::path dir(scenarioDir);
    const fs::path prefix = dir / "prefix";
    std::error_code ec;
    if (!fs::exists(prefix, ec))
        return Ok{};
    if (auto wine = findWine()) {
        auto env = wineEnvironment(dir);
        env.push_back("PATH=/usr/bin:/bin");
        (void)runToCompletion({wine->server, "-k"}, env, (dir / "lab.log").string(), 10000);
    }
    // The server kills its processes; whatever still runs with this prefix is killed here.
    const std::string entry = "WINEPREFIX=" + prefix.string();
    for (int round = 0; round < 50; ++round) {
        const auto left = processesWithEnvironment(entry);
        if (left.empty())
            return Ok{};
        for (int pid : left)
            if (auto start = processStartTime(pid))
                (void)killVictim(pid, *start);
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return Error{EBUSY, "processes of the Wine prefix " + prefix.string() + " are still running"};
}

Result<SpawnRequest> prepareScenario(const Scenario &scenario, const std::string &scenarioDir,
                                     const std::string &binDir)
{
    const fs::path dir(scenarioDir);
    const fs::path bin(binDir);
    const fs::path log = dir / "lab.log";
    if (auto s = makeDirectory(dir, 0755); !s)
        return s.error();
    if (auto s = writeText(log, "# lab log of scenario " + scenario.name + "\n"); !s)
        return s.error();

    SpawnRequest request;
    request.logPath = log.string();
    request.env = {"PATH=/usr/bin:/bin", "LOADLENS_LAB_LOG=" + log.string()};
    auto victim = [&]() -> Result<std::string> {
        if (auto s = makeDirectory(dir / "bin", 0755); !s)
            return s.error();
        if (auto s = copyFile(bin / "ll_lab_victim", dir / "bin/ll_lab_victim"); !s)
            return s.error();
        return (dir / "bin/ll_lab_victim").string();
    };
    auto plantPayload = [&](const fs::path &subdir, mode_t mode) -> Result<std::string> {
        if (auto s = makeDirectory(dir / subdir, mode); !s)
            return s.error();
        const fs::path lib = dir / subdir / "libll_lab_payload.so";
        if (auto s = copyFile(bin / "libll_lab_payload.so", lib); !s)
            return s.error();
        return lib.string();
    };
    auto runpathApp = [&]() -> Result<std::string> {
        if (auto s = makeDirectory(dir / "app/lib", 0755); !s)
            return s.error();
        if (auto s = makeDirectory(dir / "app/plugins", 0777); !s)
            return s.error();
        if (auto s = copyFile(bin / "ll_lab_app", dir / "app/ll_lab_app"); !s)
            return s.error();
        if (auto s = copyFile(bin / "libllplugin.so.1", dir / "app/lib/libllplugin.so.1"); !s)
            return s.error();
        return (dir / "app/ll_lab_app").string();
    };

    if (usesWine(scenario)) {
        // The application directory is writable by everyone (an install directory anyone can
        // write to), and the payload sits in it as version.dll.
        const fs::path win = bin / "win";
        if (!fs::is_regular_file(win / "ll_lab_victim.exe") || !fs::is_regular_file(win / "version.dll"))
            return Error{ENOENT, "the Windows scenario's programs (" + (win / "ll_lab_victim.exe").string() +
                                     ", version.dll) were not built: LoadLens was built without the mingw-w64 cross "
                                     "compiler (Debian g++-mingw-w64-x86-64); install it with `" + kInstallWine +
                                     "` and build again"};
        auto wine = findWine();
        if (!wine)
            return wine.error();
        if (auto s = makeDirectory(dir / "app", 0777); !s)
            return s.error();
        for (const char *sub : {"home", "tmp"})
            if (auto s = makeDirectory(dir / sub, 0700); !s)
                return s.error();
        if (auto s = copyFile(win / "ll_lab_victim.exe", dir / "app/ll_lab_victim.exe"); !s)
            return s.error();
        if (auto s = copyFile(win / "version.dll", dir / "app/version.dll"); !s)
            return s.error();
        request.argv = {wine->loader, (dir / "app/ll_lab_victim.exe").string()};
        for (auto &e : wineEnvironment(dir))
            request.env.push_back(std::move(e));
        // Wine prefers its own builtin version.dll wherever the application's directory is;
        // native-then-builtin makes it search like Windows does.
        request.env.push_back("WINEDLLOVERRIDES=version=n,b;mscoree=;mshtml=");
        // The first start builds the prefix (several seconds, longer on a busy machine).
        request.readyTimeoutMs = 180000;
        return request;
    }
    auto exe = scenario.name == "runpath-writable" || scenario.name == "search-order-plant" ? runpathApp()
                                                                                           : victim();
    if (!exe)
        return exe.error();
    request.argv = {*exe};

    if (scenario.name == "preload-env") {
        auto lib = plantPayload("drop", 0777);
        if (!lib)
            return lib.error();
        request.env.push_back("LD_PRELOAD=" + *lib);
    } else if (scenario.name == "preload-hook") {
        if (auto s = makeDirectory(dir / "drop", 0777); !s)
            return s.error();
        if (auto s = copyFile(bin / "libll_lab_hook.so", dir / "drop/libll_lab_hook.so"); !s)
            return s.error();
        request.env.push_back("LD_PRELOAD=" + (dir / "drop/libll_lab_hook.so").string());
    } else if (scenario.name == "preload-file") {
        auto lib = plantPayload("drop", 0777);
        if (!lib)
            return lib.error();
        if (auto s = buildEtcOverlay(dir / "etc", dir / "hostetc", *lib); !s)
            return s.error();
        request.etcOverlay = (dir / "etc").string();
        request.hostEtcMount = (dir / "hostetc").string();
    } else if (scenario.name == "library-path") {
        if (auto s = makeDirectory(dir / "shared", 0777); !s)
            return s.error();
        if (auto s = copyFile(bin / "shadow/libz.so.1", dir / "shared/libz.so.1"); !s)
            return s.error();
        request.env.push_back("LD_LIBRARY_PATH=" + (dir / "shared").string());
        request.argv.insert(request.argv.end(), {"--dlopen", "libz.so.1"});
    } else if (scenario.name == "search-order-plant") {
        if (auto s = copyFile(bin / "libll_lab_payload.so", dir / "app/plugins/libllplugin.so.1"); !s)
            return s.error();
    } else if (scenario.name == "deleted-library") {
        auto lib = plantPayload("drop", 0755);
        if (!lib)
            return lib.error();
        request.argv.insert(request.argv.end(), {"--dlopen-and-delete", *lib});
    } else if (scenario.name == "memfd-exec") {
        request.argv.insert(request.argv.end(), {"--memfd", "loadlens-lab-payload"});
    }
    return request;
}

Status applyMitigation(const Scenario &scenario, const std::string &scenarioDir)
{
    const fs::path dir(scenarioDir);
    auto tighten = [](const fs::path &p) -> Status {
        if (::chmod(p.c_str(), 0755) != 0)
            return Error::fromErrno(errno, "cannot chmod " + p.string());
        return Ok{};
    };
    if (scenario.name == "preload-env" || scenario.name == "preload-hook")
        return tighten(dir / "drop");
    if (scenario.name == "library-path")
        return tighten(dir / "shared");
    if (scenario.name == "runpath-writable")
        return tighten(dir / "app/plugins");
    if (scenario.name == "search-order-plant") {
        std::error_code ec;
        fs::remove(dir / "app/plugins/libllplugin.so.1", ec);
        if (ec)
            return Error{ec.value(), "cannot remove the planted library: " + ec.message()};
        return tighten(dir / "app/plugins");
    }
    if (scenario.name == "preload-file")
        return writeText(dir / "etc/ld.so.preload", "");
    if (usesWine(scenario)) {
        std::error_code ec;
        fs::remove(dir / "app/version.dll", ec);
        if (ec)
            return Error{ec.value(), "cannot remove the planted DLL: " + ec.message()};
        return tighten(dir / "app");
    }
    return Error{ENOTSUP, "scenario " + scenario.name + " has no mitigation the lab can apply"};
}

} // namespace loadlens::lab
