#pragma once
// Decoding of the values the kernel and auditd write: quoted strings, hex-encoded untrusted
// strings (used whenever a name, argument or title holds a space, a quote or a control byte),
// NUL-separated proctitles and EXECVE arguments split over records.
#include "common/hex.h"
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::audit {

// A value as the kernel wrote it, decoded: "..." loses its quotes, an unquoted even-length run
// of hex digits is decoded, "(null)"/"(none)"/"?" and anything else stay as they are.
std::string decodeValue(std::string_view raw);

using loadlens::hexDigitValue;

// Hex text to bytes; nullopt when the length is odd or a character is not a hex digit.
std::optional<std::string> decodeHex(std::string_view hex);

// A proctitle (argv joined by NULs) as one line: NULs become spaces, trailing ones dropped.
std::string decodeProctitle(std::string_view raw);

// Unsigned decimal (or hex with base 16); nullopt on anything else.
std::optional<std::uint64_t> parseUnsigned(std::string_view text, int base = 10);

// Reassembles EXECVE arguments from the fields of one event's EXECVE records, in order:
// "argc", "aN" and, for arguments the kernel split, "aN_len" and "aN[i]" chunks.
class ExecveArguments {
public:
    void addField(std::string_view name, std::string_view value);
    // The arguments in index order; missing ones are empty and counted in missing().
    std::vector<std::string> arguments() const;
    std::uint64_t declaredCount() const { return m_argc; }
    std::size_t missing() const;

private:
    struct Chunk {
        std::size_t argument;
        std::size_t index;
        std::string text;
    };
    std::uint64_t m_argc = 0;
    std::vector<std::pair<std::size_t, std::string>> m_whole;
    std::vector<Chunk> m_chunks;
};

// Joins arguments into one command line; arguments with spaces are quoted.
std::string joinCommandLine(const std::vector<std::string> &arguments);

} // namespace loadlens::audit
