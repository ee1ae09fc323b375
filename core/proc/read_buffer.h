#pragma once
// Whole-file reads of /proc files into one buffer that lives as long as the scan. A scan
// reads a few thousand small files; a fresh zero-filled string per file (what io::readFileAt
// returns) cost as much as the kernel's own formatting of them, and the large maps buffers
// kept being unmapped and faulted in again.
#include "common/result.h"

#include <cstddef>
#include <memory>
#include <string_view>

namespace loadlens::proc {

class ReadBuffer {
public:
    ReadBuffer() = default;
    ReadBuffer(const ReadBuffer &) = delete;
    ReadBuffer &operator=(const ReadBuffer &) = delete;

    struct Content {
        std::string_view data;  // valid until the next read through this buffer
        bool truncated = false; // stopped at maxBytes
    };
    // Reads all of `path` (relative to dirFd) in one read loop, like io::readFileAt.
    Result<Content> readAt(int dirFd, const char *path, std::size_t maxBytes = 64u << 20);

private:
    void grow(std::size_t atLeast, std::size_t keep);

    std::unique_ptr<char[]> m_data;
    std::size_t m_capacity = 0;
};

} // namespace loadlens::proc
