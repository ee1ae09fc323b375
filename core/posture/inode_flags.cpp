#include "posture/inode_flags.h"

#include "common/io.h"

#include <cerrno>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>

namespace loadlens::posture {

bool flagsUnsupported(int errorCode)
{
    return errorCode == ENOTTY || errorCode == EOPNOTSUPP || errorCode == ENOSYS || errorCode == EINVAL;
}

Result<InodeFlags> readInodeFlags(const std::string &path)
{
    // O_NONBLOCK: a FIFO planted at the path must not block the read-only open.
    io::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK));
    if (!fd.valid())
        return Error::fromErrno(errno, "cannot open " + path);
    // The kernel reads and writes an int here whatever the ioctl number says.
    int flags = 0;
    if (::ioctl(fd.get(), FS_IOC_GETFLAGS, &flags) != 0)
        return Error::fromErrno(errno, "cannot read the inode flags of " + path);
    InodeFlags out;
    out.immutable = (flags & FS_IMMUTABLE_FL) != 0;
    out.appendOnly = (flags & FS_APPEND_FL) != 0;
    return out;
}

} // namespace loadlens::posture
