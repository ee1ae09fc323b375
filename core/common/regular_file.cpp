#include "common/regular_file.h"

#include <cerrno>
#include <fcntl.h>

namespace loadlens::io {

std::string_view fileKindName(mode_t mode)
{
    return S_ISREG(mode)    ? "a regular file"
         : S_ISFIFO(mode)   ? "a FIFO"
         : S_ISDIR(mode)    ? "a directory"
         : S_ISCHR(mode)    ? "a character device"
         : S_ISBLK(mode)    ? "a block device"
         : S_ISSOCK(mode)   ? "a socket"
         : S_ISLNK(mode)    ? "a symbolic link"
                            : "not a regular file";
}

Result<RegularFile> openRegularFile(const std::string &path)
{
    RegularFile file;
    file.fd = UniqueFd(::open(path.c_str(), O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK));
    if (!file.fd.valid()) {
        const int err = errno;
        if (err == ELOOP)
            return Error{err, "cannot read " + path + ": it is a symbolic link (not followed)"};
        return Error::fromErrno(err, "cannot open " + path);
    }
    if (::fstat(file.fd.get(), &file.st) != 0)
        return Error::fromErrno(errno, "cannot stat " + path);
    if (!S_ISREG(file.st.st_mode))
        return Error{EINVAL, "cannot read " + path + ": not a regular file (" + std::string(fileKindName(file.st.st_mode)) + ")"};
    return file;
}

Result<FileContent> readRegularFile(const std::string &path, std::size_t maxBytes)
{
    auto file = openRegularFile(path);
    if (!file)
        return file.error();
    return readToEnd(file->fd.get(), path, maxBytes);
}

} // namespace loadlens::io
