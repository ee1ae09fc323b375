#pragma once
// Line parsers for the files dpkg keeps in its admin dir (info/*.list, info/*.md5sums,
// diversions). They take views into a buffer read once and allocate nothing per line, so the
// index over ~150k paths builds in a fraction of a second. They are also the fuzzing surface.
#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pkg {

using Md5Bytes = std::array<std::uint8_t, 16>;

enum class LineStatus { Ok, Blank, Corrupt };

// Calls fn(line, lineNumber) for each '\n'-separated line (1-based numbers, without the '\n').
// A final line without '\n' is still visited; a trailing '\n' does not add an empty line.
template<typename Fn>
void forEachLine(std::string_view text, Fn &&fn)
{
    std::size_t lineNumber = 0;
    while (!text.empty()) {
        ++lineNumber;
        const std::size_t nl = text.find('\n');
        if (nl == std::string_view::npos) {
            fn(text, lineNumber);
            return;
        }
        fn(text.substr(0, nl), lineNumber);
        text.remove_prefix(nl + 1);
    }
}

// One info/<pkg>.list line: an absolute path. Anything not starting with '/' is corrupt.
LineStatus parseListLine(std::string_view line, std::string_view &path);

// One info/<pkg>.md5sums line: 32 hex digits, ' ', then ' ' (text mode) or '*' (binary mode),
// then the path without its leading '/' (a leading '/' is tolerated). `relativePath` is the
// path as written, minus any leading '/'. Upper-case hex is accepted.
LineStatus parseMd5sumsLine(std::string_view line, Md5Bytes &md5, std::string_view &relativePath);

// One record of dpkg's diversions file: three lines.
struct DiversionRecord {
    std::string original;    // the path a package ships ("/usr/bin/pg_config")
    std::string divertedTo;  // where other packages' copy of it is put instead
    std::string package;     // the package allowed to own `original`; empty for a local diversion (":")
};

struct ParseIssue {
    std::size_t line = 0;
    std::string what;
};

struct DiversionsParse {
    std::vector<DiversionRecord> records;
    std::vector<ParseIssue> issues;  // malformed or incomplete records (skipped, never guessed)
};
DiversionsParse parseDiversions(std::string_view text);

std::string md5ToHex(const Md5Bytes &md5);
bool hexToMd5(std::string_view hex, Md5Bytes &out);

} // namespace loadlens::pkg
