#pragma once
// Reading a log file whether or not it is gzip-compressed: rotated logs (audit.log.1.gz,
// syslog.2.gz, a gzipped Sysmon export) are read as their text. Compression is recognised by
// the gzip magic bytes (1f 8b), never by the file name. Concatenated gzip members (what
// `cat a.gz b.gz` or pigz write) are read one after the other.
#include "common/io.h"
#include "common/result.h"

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

namespace loadlens::io {

inline bool hasGzipMagic(std::string_view head)
{
    return head.size() >= 2 && static_cast<unsigned char>(head[0]) == 0x1f && static_cast<unsigned char>(head[1]) == 0x8b;
}

// Incremental gzip decoder over bytes in memory (the file reader below and the fuzz target use
// it). feed() hands decompressed bytes to `out`; an Error names the cause and how much text
// had been decompressed before it.
class GzipDecoder {
public:
    GzipDecoder();
    ~GzipDecoder();
    GzipDecoder(const GzipDecoder &) = delete;
    GzipDecoder &operator=(const GzipDecoder &) = delete;

    // Appends the text decompressed from `compressed` to `out`. Bytes after the last member
    // that are all zero (padding of some tape and block devices) are ignored.
    Status feed(std::string_view compressed, std::string &out);
    // At the end of the input: an Error when it stopped inside a member (a truncated file).
    Status finish() const;

    std::uint64_t decompressedBytes() const { return m_out; }
    std::uint64_t compressedBytes() const { return m_in; }

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
    std::uint64_t m_in = 0;
    std::uint64_t m_out = 0;
    bool m_inMember = false;   // a member has started and not ended
    bool m_trailing = false;   // only padding may follow
    bool m_failed = false;
};

// A file opened for reading its text: plain files pass through, gzip files are decompressed.
// Errors name the file; for damaged gzip data they say how far the text was read.
class TextFileReader {
public:
    static Result<TextFileReader> open(const std::string &path);
    TextFileReader(TextFileReader &&) noexcept;
    TextFileReader &operator=(TextFileReader &&) noexcept;
    ~TextFileReader();

    // Up to `max` bytes of text into `out` (replacing its content); an empty `out` is the end.
    Status read(std::string &out, std::size_t max);

    bool gzip() const { return m_decoder != nullptr; }
    std::uint64_t fileSize() const { return m_fileSize; }
    const std::string &path() const { return m_path; }

private:
    TextFileReader() = default;
    std::string m_path;
    UniqueFd m_fd;
    std::uint64_t m_fileSize = 0;
    std::unique_ptr<GzipDecoder> m_decoder;
    std::string m_pendingHead;  // bytes read to look for the magic, not yet handed on
    bool m_eof = false;
};

} // namespace loadlens::io
