#include "elf/byte_source.h"

#include "common/regular_file.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::elf {

namespace {

Error rangeError(const std::string &name, std::uint64_t offset, std::size_t length, std::uint64_t size)
{
    return Error{EINVAL, "cannot read " + std::to_string(length) + " bytes at offset " +
                             std::to_string(offset) + " of " + name + ": beyond end of file (size " +
                             std::to_string(size) + ")"};
}

} // namespace

MemoryByteSource::MemoryByteSource(std::span<const std::uint8_t> data) : m_data(data) {}

Result<std::vector<std::uint8_t>> MemoryByteSource::read(std::uint64_t offset, std::size_t length) const
{
    if (!contains(offset, length))
        return rangeError(m_name, offset, length, size());
    const auto first = m_data.begin() + static_cast<std::ptrdiff_t>(offset);
    return std::vector<std::uint8_t>(first, first + static_cast<std::ptrdiff_t>(length));
}

FileByteSource::FileByteSource(io::UniqueFd fd, std::string path, std::uint64_t size)
    : m_fd(std::move(fd)), m_path(std::move(path)), m_size(size)
{
}

Result<FileByteSource> FileByteSource::open(const std::string &path)
{
    auto file = io::openRegularFile(path);
    if (!file)
        return file.error();
    return FileByteSource(std::move(file->fd), path, static_cast<std::uint64_t>(file->st.st_size));
}

Result<std::vector<std::uint8_t>> FileByteSource::read(std::uint64_t offset, std::size_t length) const
{
    if (!contains(offset, length))
        return rangeError(m_path, offset, length, m_size);
    std::vector<std::uint8_t> buffer(length);
    std::size_t done = 0;
    while (done < length) {
        const ssize_t n = ::pread(m_fd.get(), buffer.data() + done, length - done,
                                  static_cast<off_t>(offset + done));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot read " + m_path);
        }
        if (n == 0)  // the file shrank since fstat
            return Error{EIO, "cannot read " + m_path + ": file shrank while reading (offset " +
                                  std::to_string(offset + done) + ")"};
        done += static_cast<std::size_t>(n);
    }
    return buffer;
}

} // namespace loadlens::elf
