#pragma once
// Small POSIX helpers used by every reader: whole-file reads in one loop, relative to a
// directory fd, with errors as values.
#include "common/result.h"

#include <string>

namespace loadlens::io {

// Reads the whole file at `path` (relative to dirfd, or absolute with AT_FDCWD) in one read loop.
// maxBytes guards against endless pseudo files; the read stops there and `truncated` is set.
struct FileContent {
    std::string data;
    bool truncated = false;
};
Result<FileContent> readFileAt(int dirfd, const char *path, std::size_t maxBytes = 64u << 20);
Result<FileContent> readFile(const std::string &path, std::size_t maxBytes = 64u << 20);

// RAII holder for a file descriptor.
class UniqueFd {
public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : m_fd(fd) {}
    UniqueFd(UniqueFd &&other) noexcept : m_fd(other.release()) {}
    UniqueFd &operator=(UniqueFd &&other) noexcept;
    UniqueFd(const UniqueFd &) = delete;
    UniqueFd &operator=(const UniqueFd &) = delete;
    ~UniqueFd();

    int get() const { return m_fd; }
    bool valid() const { return m_fd >= 0; }
    int release()
    {
        int fd = m_fd;
        m_fd = -1;
        return fd;
    }

private:
    int m_fd = -1;
};

} // namespace loadlens::io
