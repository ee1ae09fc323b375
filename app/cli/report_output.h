#pragma once
// Where a command's report goes: standard output, or the file named by -o FILE, put in place
// atomically (temporary file, fsync, rename) once the report is complete. Whatever else the
// process prints on standard output (a library preloaded into loadlens-cli can print banners)
// then never mixes into the file, and a reader never sees half a report.
#include "arg_parser.h"

#include <optional>
#include <sstream>
#include <string>

namespace loadlens::cli {

class ReportOutput {
public:
    // No `path`: standard output.
    explicit ReportOutput(std::optional<std::string> path = std::nullopt) : m_path(std::move(path)) {}

    bool toFile() const { return m_path.has_value(); }

    // Before the work starts: 0; or, after saying why on stderr, 2 when FILE is empty and 1 when
    // it cannot be written there (missing directory, a directory, no permission).
    int prepare() const;
    // The report is written here.
    std::ostream &stream();
    // Puts the report in place (the file, or flushes standard output). Returns `status`, or 1
    // after saying why on stderr when writing failed; a file that failed is left as it was.
    int finish(int status = 0);

private:
    std::optional<std::string> m_path;
    std::ostringstream m_buffer;
};

// Declares -o FILE and --output FILE on `parser`.
ArgParser &withOutputOption(ArgParser &parser);
// The FILE of --output, else of -o; none for standard output.
std::optional<std::string> outputPathFrom(const ArgParser &parser);

// For usage texts.
inline constexpr const char *kOutputOptionHelp =
    "  -o, --output FILE      write the report to FILE (complete or not at all) instead of\n"
    "                         standard output\n";

} // namespace loadlens::cli
