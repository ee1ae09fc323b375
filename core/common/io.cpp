#include "common/io.h"
#include "common/regular_file.h"

#include <algorithm>
#include <cerrno>
#include <fcntl.h>
#include <unistd.h>

namespace loadlens::io {

UniqueFd &UniqueFd::operator=(UniqueFd &&other) noexcept
{
    if (this != &other) {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = other.release();
    }
    return *this;
}

UniqueFd::~UniqueFd()
{
    if (m_fd >= 0)
        ::close(m_fd);
}

Result<FileContent> readToEnd(int fd, const std::string &label, std::size_t maxBytes)
{
    FileContent out;
    std::size_t chunk = 16384;
    for (;;) {
        if (out.data.size() >= maxBytes) {
            out.truncated = true;
            break;
        }
        std::size_t old = out.data.size();
        std::size_t want = std::min(chunk, maxBytes - old);
        out.data.resize(old + want);
        ssize_t n = ::read(fd, out.data.data() + old, want);
        if (n < 0) {
            if (errno == EINTR) {
                out.data.resize(old);
                continue;
            }
            int err = errno;
            out.data.resize(old);
            return Error::fromErrno(err, "cannot read " + label);
        }
        out.data.resize(old + static_cast<std::size_t>(n));
        if (n == 0)
            break;
        if (chunk < (1u << 20))
            chunk *= 2;
    }
    return out;
}

Result<FileContent> readFileAt(int dirfd, const char *path, std::size_t maxBytes)
{
    UniqueFd fd(::openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return Error::fromErrno(errno, std::string("cannot open ") + path);
    return readToEnd(fd.get(), path, maxBytes);
}

Result<FileContent> readFile(const std::string &path, std::size_t maxBytes)
{
    return readFileAt(AT_FDCWD, path.c_str(), maxBytes);
}

} // namespace loadlens::io
