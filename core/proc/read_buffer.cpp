#include "proc/read_buffer.h"

#include "common/io.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <string>
#include <unistd.h>

namespace loadlens::proc {

void ReadBuffer::grow(std::size_t atLeast, std::size_t keep)
{
    std::size_t capacity = std::max<std::size_t>(m_capacity, 65536);
    while (capacity < atLeast)
        capacity *= 2;
    auto bigger = std::make_unique_for_overwrite<char[]>(capacity);
    if (keep > 0)
        std::memcpy(bigger.get(), m_data.get(), keep);
    m_data = std::move(bigger);
    m_capacity = capacity;
}

Result<ReadBuffer::Content> ReadBuffer::readAt(int dirFd, const char *path, std::size_t maxBytes)
{
    io::UniqueFd fd(::openat(dirFd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return Error::fromErrno(errno, std::string("cannot open ") + path);
    if (m_capacity == 0)
        grow(1, 0);
    std::size_t size = 0;
    bool truncated = false;
    for (;;) {
        if (size >= maxBytes) {
            truncated = true;
            break;
        }
        if (size == m_capacity)
            grow(m_capacity * 2, size);
        const std::size_t want = std::min(m_capacity - size, maxBytes - size);
        const ssize_t n = ::read(fd.get(), m_data.get() + size, want);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, std::string("cannot read ") + path);
        }
        if (n == 0)
            break;
        size += static_cast<std::size_t>(n);
    }
    return Content{std::string_view(m_data.get(), size), truncated};
}

} // namespace loadlens::proc
