// Picks the largest shared objects under /usr/lib/x86_64-linux-gnu (the code a scan hashes),
// warms the page cache, then alternates runs of `openssl dgst -sha256 FILES` and hashFiles
// computing SHA-256 and MD5, and prints the medians and their ratio (openssl time / ours:
// above 1.0 means faster than openssl computing SHA-256 alone). Also times DpkgIndex::build().
#include "common/bench_util.h"
#include "pkg/dpkg_index.h"
#include "pkg/hash.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace loadlens;
using Clock = std::chrono::steady_clock;

namespace {

using loadlens::bench::cpuSeconds;
using loadlens::bench::median;
using loadlens::bench::ownCpuSeconds;

struct Candidate {
    std::string path;
    off_t size;
};

std::vector<std::string> largestSharedObjects(const std::string &dirPath, std::size_t count)
{
    std::vector<Candidate> found;
    if (DIR *dir = ::opendir(dirPath.c_str())) {
        while (const dirent *e = ::readdir(dir)) {
            const std::string name = e->d_name;
            if (name.find(".so") == std::string::npos)
                continue;
            const std::string path = dirPath + "/" + name;
            struct stat st {};
            if (::lstat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), R_OK) == 0)
                found.push_back({path, st.st_size});
        }
        ::closedir(dir);
    }
    std::sort(found.begin(), found.end(), [](const Candidate &a, const Candidate &b) { return a.size > b.size; });
    std::vector<std::string> out;
    for (std::size_t i = 0; i < found.size() && i < count; ++i)
        out.push_back(found[i].path);
    return out;
}

double seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

// Runs `openssl dgst -sha256 FILES > /dev/null`; returns wall seconds (negative on failure)
// and its CPU seconds in `cpu`.
double timeOpenssl(const std::vector<std::string> &files, double &cpu)
{
    std::vector<char *> argv;
    std::string openssl = "openssl", dgst = "dgst", sha = "-sha256";
    argv.push_back(openssl.data());
    argv.push_back(dgst.data());
    argv.push_back(sha.data());
    for (const auto &f : files)
        argv.push_back(const_cast<char *>(f.c_str()));
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    const auto start = Clock::now();
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, "openssl", &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return -1;
    int status = 0;
    rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    const double elapsed = seconds(start);
    cpu = cpuSeconds(usage);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? elapsed : -1;
}

} // namespace

int main(int argc, char **argv)
{
    std::size_t fileCount = 200;
    int runs = 5;
    unsigned threads = 0;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (!std::strcmp(argv[i], "--files"))
            fileCount = std::strtoul(argv[i + 1], nullptr, 10);
        else if (!std::strcmp(argv[i], "--runs"))
            runs = std::atoi(argv[i + 1]);
        else if (!std::strcmp(argv[i], "--threads"))
            threads = static_cast<unsigned>(std::atoi(argv[i + 1]));
    }
    const auto files = largestSharedObjects("/usr/lib/x86_64-linux-gnu", fileCount);
    if (files.empty()) {
        std::fprintf(stderr, "no shared objects found under /usr/lib/x86_64-linux-gnu\n");
        return 1;
    }
    std::vector<pkg::HashJob> jobs;
    std::uint64_t bytes = 0;
    for (const auto &f : files) {
        jobs.push_back(pkg::HashJob{f, -1});
        struct stat st {};
        if (::stat(f.c_str(), &st) == 0)
            bytes += static_cast<std::uint64_t>(st.st_size);
    }
    std::printf("files: %zu, %.1f MB; md5 lane kernel: %s\n", files.size(), double(bytes) / 1e6, pkg::md5LaneKernelName());

    // Warm the page cache so both sides measure hashing, not the disk.
    std::size_t failures = 0;
    for (const auto &outcome : pkg::hashFiles(jobs, threads, {}, CancelToken()))
        failures += !outcome.ok();
    if (failures)
        std::printf("warning: %zu files could not be hashed\n", failures);

    std::vector<double> opensslTimes, ourTimes, opensslCpu, ourCpu;
    for (int r = 0; r < runs; ++r) {
        double cpu = 0;
        const double o = timeOpenssl(files, cpu);
        opensslCpu.push_back(cpu);
        if (o < 0) {
            std::fprintf(stderr, "openssl dgst failed to run\n");
            return 1;
        }
        opensslTimes.push_back(o);
        const double cpuBefore = ownCpuSeconds();
        const auto start = Clock::now();
        auto outcomes = pkg::hashFiles(jobs, threads, {}, CancelToken());
        ourTimes.push_back(seconds(start));
        ourCpu.push_back(ownCpuSeconds() - cpuBefore);
    }
    const double o = median(opensslTimes), ours = median(ourTimes);
    std::printf("openssl dgst -sha256 : median %.3f s (%.0f MB/s)\n", o, double(bytes) / 1e6 / o);
    std::printf("hashFiles sha256+md5 : median %.3f s (%.0f MB/s)\n", ours, double(bytes) / 1e6 / ours);
    std::printf("ratio (openssl time / hashFiles time): %.2f\n", o / ours);
    // CPU time is steadier than wall time on a shared machine; it shows the cost of adding MD5.
    std::printf("cpu seconds, median  : openssl %.3f, hashFiles %.3f (all threads)\n", median(opensslCpu),
                median(ourCpu));

    std::vector<double> indexTimes;
    std::size_t paths = 0;
    for (int r = 0; r < runs; ++r) {
        const auto start = Clock::now();
        auto index = pkg::DpkgIndex::build();
        indexTimes.push_back(seconds(start));
        if (!index) {
            std::printf("dpkg index: %s\n", index.error().message.c_str());
            return 0;
        }
        if (!index->available()) {
            std::printf("dpkg index: %s\n", index->unavailableReason().c_str());
            return 0;
        }
        paths = index->pathCount();
    }
    std::printf("dpkg index build     : median %.3f s (%zu paths)\n", median(indexTimes), paths);
    return 0;
}
