// scan --json --stream: the scan as JSON lines (format in core/report/json_scan_writer.h),
// each process written and flushed as soon as its verdicts are in. The GUI's administrator
// scan reads it through pkexec. The GUI cannot signal a process that runs as root, so when
// standard input is a pipe, its end (the GUI closed it, or went away) cancels the scan; a
// reader that goes away ends it too (SIGPIPE on the next line).
#include "commands.h"

#include "report/json_scan_writer.h"

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <exception>
#include <mutex>
#include <string>
#include <sys/stat.h>
#include <thread>
#include <unistd.h>

namespace loadlens::cli {

namespace {

class LineWriter {
public:
    void write(const std::string &line)
    {
        const std::lock_guard lock(m_mutex);
        std::fwrite(line.data(), 1, line.size(), stdout);
        std::fflush(stdout);
    }

    // Progress comes from the hashing threads too: at most one line per 100 ms, and every
    // change of step and every end of one.
    void progress(std::size_t done, std::size_t total, const std::string &step)
    {
        const auto now = std::chrono::steady_clock::now();
        std::string line;
        {
            const std::lock_guard lock(m_mutex);
            if (step == m_lastStep && done < total && now - m_lastProgress < std::chrono::milliseconds(100))
                return;
            m_lastStep = step;
            m_lastProgress = now;
        }
        report::writeStreamProgress(line, done, total, step);
        write(line);
    }

private:
    std::mutex m_mutex;
    std::string m_lastStep;
    std::chrono::steady_clock::time_point m_lastProgress;
};

// Cancels when standard input, a pipe, reaches its end. Anything written to it is ignored.
void watchStandardInput(const CancelToken &cancel)
{
    struct stat st {};
    if (::fstat(STDIN_FILENO, &st) != 0 || !S_ISFIFO(st.st_mode))
        return;
    std::thread([cancel] {
        char buffer[256];
        for (;;) {
            const ssize_t n = ::read(STDIN_FILENO, buffer, sizeof buffer);
            if (n > 0 || (n < 0 && errno == EINTR))
                continue;
            cancel.cancel();
            return;
        }
    }).detach();  // blocked in read() until then; the process may end first
}

} // namespace

int runScanStreamCommand(const CliOptions &o)
{
    LineWriter out;
    CancelToken cancel;
    watchStandardInput(cancel);
    std::string line;
    try {
        const ScanResult result = scan::runScan(
            scanOptionsFor(o, false),
            [&out](std::size_t done, std::size_t total, const std::string &step) { out.progress(done, total, step); },
            cancel,
            [&out](const ProcessInfo &process, const scan::FileFactsLookup &facts) {
                std::string processLine;
                processLine.reserve(16384);
                report::writeStreamProcess(processLine, process, facts);
                out.write(processLine);
            });
        if (cancel.cancelled() || result.stats.cancelled) {
            report::writeStreamError(line, "cancelled: standard input was closed");
            out.write(line);
            return 1;
        }
        if (o.pid && result.stats.processesScanned == 0) {  // its placeholder line said why
            report::writeStreamError(line, "no process with pid " + std::to_string(*o.pid));
            out.write(line);
            return 1;
        }
        for (const auto &finding : result.findings)
            report::writeStreamFinding(line, finding);
        report::writeStreamSummary(line, result);
        out.write(line);
        return 0;
    } catch (const std::exception &error) {
        line.clear();
        report::writeStreamError(line, std::string("scan failed: ") + error.what());
        out.write(line);
        return 1;
    }
}

} // namespace loadlens::cli
