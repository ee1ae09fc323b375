#pragma once
// Reads the scan stream (`loadlens-cli scan --json --stream`, format in json_scan_writer.h)
// back into the ScanResult an in-process scan produces. The GUI reads its administrator helper
// with it; the stream comes from another process, so every line is checked and a line that is
// not what the format says is an Error naming the line and the field, never a guess.
#include "common/result.h"
#include "common/types.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <set>
#include <string_view>
#include <utility>

namespace loadlens::report {

class ScanStreamReader {
public:
    enum class Kind { Progress, Process, Finding, Summary, Error };
    struct Line {
        Kind kind = Kind::Progress;
        std::uint64_t done = 0;   // progress
        std::uint64_t total = 0;  // progress
        std::string step;         // progress
        std::string message;      // error: what the helper said
    };

    // One line without its newline. After a summary or an error line nothing more is accepted.
    Result<Line> feed(std::string_view line);

    // A summary was read: the result is whole.
    bool complete() const { return m_state == State::Complete; }
    // A summary or an error was read: nothing more is expected.
    bool ended() const { return m_state != State::Open; }
    std::size_t linesRead() const { return m_lines; }
    std::size_t processCount() const { return m_result.processes.size(); }

    // What was read so far (whole only when complete()).
    const ScanResult &result() const { return m_result; }
    ScanResult take() { return std::move(m_result); }

private:
    enum class State { Open, Complete, Failed };
    State m_state = State::Open;
    std::size_t m_lines = 0;
    ScanResult m_result;
    std::set<std::pair<int, std::uint64_t>> m_seen;  // (pid, start time) of the processes read
};

} // namespace loadlens::report
