#pragma once
// What every benchmark program needs to report: the median of its runs, CPU-seconds (its own
// and a child's), and running a baseline tool with its output discarded.
#include <algorithm>
#include <chrono>
#include <fcntl.h>
#include <filesystem>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

namespace loadlens::bench {

// 0 for no runs.
inline double median(std::vector<double> v)
{
    if (v.empty())
        return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

// User plus system time.
inline double cpuSeconds(const rusage &u)
{
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

inline double ownCpuSeconds()
{
    rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return cpuSeconds(u);
}

// Runs argv (found on PATH) with standard output, and standard error unless `keepStderr`, sent to
// /dev/null. Wall seconds, or a negative value when it could not start or did not exit 0;
// `usage` receives its resource use.
inline double runQuiet(std::vector<std::string> args, rusage *usage = nullptr, bool keepStderr = false)
{
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    if (!keepStderr)
        posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = std::chrono::steady_clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return -1;
    int status = 0;
    rusage u {};
    ::wait4(pid, &status, 0, &u);
    if (usage)
        *usage = u;
    const double elapsed = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? elapsed : -1;
}

// Every regular file under `dir` (recursively) whose name ends in `extension`, sorted.
inline std::vector<std::string> filesUnder(const std::string &dir, const std::string &extension)
{
    std::vector<std::string> out;
    std::error_code ec;
    for (const auto &e : std::filesystem::recursive_directory_iterator(dir, ec))
        if (e.is_regular_file() && e.path().extension() == extension)
            out.push_back(e.path().string());
    std::sort(out.begin(), out.end());
    return out;
}

// make_big_evtx.py (in `toolsDir`) writes `records` distinct records copied from `inputs` to `out`.
inline bool makeBigEvtx(const std::string &toolsDir, const std::string &out, std::size_t records,
                        const std::vector<std::string> &inputs, bool keepStderr)
{
    std::vector<std::string> args{"python3", toolsDir + "/make_big_evtx.py", out, std::to_string(records)};
    args.insert(args.end(), inputs.begin(), inputs.end());
    return runQuiet(args, nullptr, keepStderr) >= 0;
}

} // namespace loadlens::bench
