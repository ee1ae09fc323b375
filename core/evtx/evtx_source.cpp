#include "evtx/evtx_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::evtx {

Result<FileChunkSource> FileChunkSource::open(const std::string &path)
{
    io::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return Error::fromErrno(errno, "cannot open " + path);
    struct stat st {};
    if (::fstat(fd.get(), &st) != 0)
        return Error::fromErrno(errno, "cannot stat " + path);
    if (!S_ISREG(st.st_mode))
        return Error{EINVAL, "cannot read " + path + ": not a regular file"};
    return FileChunkSource(std::move(fd), std::uint64_t(st.st_size), path);
}

Result<std::size_t> FileChunkSource::readAt(std::uint64_t offset, std::uint8_t *buf, std::size_t want) const
{
    std::size_t done = 0;
    while (done < want) {
        const ssize_t n = ::pread(m_fd.get(), buf + done, want - done, off_t(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot read " + m_path + " at offset " + std::to_string(offset + done));
        }
        if (n == 0)
            break;
        done += std::size_t(n);
    }
    return done;
}

Result<std::size_t> MemoryChunkSource::readAt(std::uint64_t offset, std::uint8_t *buf, std::size_t want) const
{
    if (offset >= m_bytes.size())
        return std::size_t(0);
    const std::size_t n = std::min<std::uint64_t>(want, m_bytes.size() - offset);
    std::memcpy(buf, m_bytes.data() + offset, n);
    return n;
}

} // namespace loadlens::evtx
