// Times Authenticode verification of the shared signed PE files (../shared/data/windows/pe,
// data/pe, bench-data/pe, or the directories given), alternating runs of
//   1. `osslsigncode verify -in FILE` for each file (its own process per file, as a user runs it),
//   2. readImageFile + parsePe + verifyImage for each file, in this process,
//   3. `openssl dgst -sha256 FILES` (one process; the list --repeat times) against imageDigest(SHA-256)
//      of the same files as often,
// and prints medians, CPU seconds, per-file milliseconds and the ratios (baseline time / ours:
// above 1.0 means faster than the baseline).
#include "common/bench_util.h"
#include "authenticode/authenticode.h"
#include "pe/pe_reader.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fcntl.h>
#include <spawn.h>
#include <string>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>
#include <vector>

extern char **environ;

using namespace loadlens;
using Clock = std::chrono::steady_clock;

namespace {

using loadlens::bench::median;
using loadlens::bench::runQuiet;

double seconds(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

double cpuOf(const rusage &u)
{
    return double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) + double(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

double ownCpu()
{
    rusage u {};
    ::getrusage(RUSAGE_SELF, &u);
    return cpuOf(u);
}

// Runs argv with stdout and stderr to /dev/null; adds its CPU seconds to `cpu`. False when it
// could not be started.
bool runQuietly(std::vector<std::string> args, double &cpu)
{
    std::vector<char *> argv;
    for (auto &a : args)
        argv.push_back(a.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid = 0;
    const int rc = posix_spawnp(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (rc != 0)
        return false;
    int status = 0;
    rusage usage {};
    ::wait4(pid, &status, 0, &usage);
    cpu += cpuOf(usage);
    return true; // osslsigncode exits 1 offline (no CA); the time is what counts
}

} // namespace

int main(int argc, char **argv)
{
    int runs = 5;
    int repeat = 40; // the hash comparison goes over the files this many times (~230 MB)
    std::vector<std::string> dirs;
    for (int i = 1; i < argc; ++i) {
        if (!std::strcmp(argv[i], "--runs") && i + 1 < argc)
            runs = std::atoi(argv[++i]);
        else if (!std::strcmp(argv[i], "--repeat") && i + 1 < argc)
            repeat = std::max(1, std::atoi(argv[++i]));
        else
            dirs.push_back(argv[i]);
    }
    if (dirs.empty())
        dirs = {LOADLENS_SHARED_DATA "/data/windows/pe", LOADLENS_SHARED_DATA "/data/pe", LOADLENS_SHARED_DATA "/bench-data/pe"};

    std::vector<std::string> files;
    std::uint64_t bytes = 0;
    for (const auto &dir : dirs) {
        std::error_code ec;
        for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec)) {
            if (!it->is_regular_file(ec))
                continue;
            const std::string path = it->path().string();
            auto image = pe::readImageFile(path);
            if (!image || !pe::looksLikePe(*image))
                continue;
            auto info = pe::parsePe(*image, path);
            if (!info || info->certificates.empty())
                continue;
            files.push_back(path);
            bytes += image->size();
        }
    }
    if (files.empty()) {
        std::fprintf(stderr, "no signed PE files found\n");
        return 1;
    }
    std::printf("files: %zu signed PE images, %.1f MB\n", files.size(), double(bytes) / 1e6);

    double check = 0;
    if (!runQuietly({"osslsigncode", "--version"}, check)) {
        std::fprintf(stderr, "osslsigncode is not installed\n");
        return 1;
    }

    std::vector<double> ossl, ours, opensslDgst, ourHash, osslCpu, ourCpu, dgstCpu, hashCpu;
    for (int run = 0; run < runs; ++run) {
        double cpu = 0;
        auto start = Clock::now();
        for (const auto &f : files)
            runQuietly({"osslsigncode", "verify", "-in", f}, cpu);
        ossl.push_back(seconds(start));
        osslCpu.push_back(cpu);

        double cpuBefore = ownCpu();
        start = Clock::now();
        std::size_t verified = 0;
        for (const auto &f : files) {
            auto image = pe::readImageFile(f);
            auto info = image ? pe::parsePe(*image, f) : Result<pe::PeInfo>(Error{0, "unreadable"});
            if (info)
                verified += !authenticode::verifyImage(*image, *info).signatures.empty();
        }
        ours.push_back(seconds(start));
        ourCpu.push_back(ownCpu() - cpuBefore);
        if (verified != files.size())
            std::fprintf(stderr, "warning: %zu of %zu files gave no signature report\n", files.size() - verified, files.size());

        cpu = 0;
        std::vector<std::string> args = {"openssl", "dgst", "-sha256"};
        for (int r = 0; r < repeat; ++r)
            args.insert(args.end(), files.begin(), files.end());
        start = Clock::now();
        runQuietly(args, cpu);
        opensslDgst.push_back(seconds(start));
        dgstCpu.push_back(cpu);

        cpuBefore = ownCpu();
        start = Clock::now();
        for (int r = 0; r < repeat; ++r)
            for (const auto &f : files) {
                auto image = pe::readImageFile(f);
                auto info = image ? pe::parsePe(*image, f) : Result<pe::PeInfo>(Error{0, "unreadable"});
                if (info)
                    (void)authenticode::imageDigest(*image, *info, authenticode::DigestAlgorithm::Sha256);
            }
        ourHash.push_back(seconds(start));
        hashCpu.push_back(ownCpu() - cpuBefore);
    }
    const double n = double(files.size());
    std::printf("runs: %d (medians)\n", runs);
    std::printf("osslsigncode verify:  %8.2f ms/file  wall %.3f s  cpu %.3f s\n", 1e3 * median(ossl) / n, median(ossl), median(osslCpu));
    std::printf("loadlens verifyImage: %8.2f ms/file  wall %.3f s  cpu %.3f s\n", 1e3 * median(ours) / n, median(ours), median(ourCpu));
    std::printf("ratio osslsigncode / loadlens: %.1fx\n", median(ossl) / median(ours));
    const double hashed = double(bytes) * repeat / 1e6;
    std::printf("hashing %.0f MB (the files %d times; ours includes reading and parsing each file):\n", hashed, repeat);
    std::printf("openssl dgst -sha256: %.1f MB/s  wall %.3f s  cpu %.3f s\n", hashed / median(opensslDgst),
                median(opensslDgst), median(dgstCpu));
    std::printf("loadlens image hash:  %.1f MB/s  wall %.3f s  cpu %.3f s\n", hashed / median(ourHash),
                median(ourHash), median(hashCpu));
    std::printf("throughput ratio loadlens / openssl: %.2f\n", median(opensslDgst) / median(ourHash));
    return 0;
}
