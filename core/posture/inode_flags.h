#pragma once
// The inode flags chattr sets, read with FS_IOC_GETFLAGS on a read-only descriptor: nothing is
// run and nothing is changed.
#include "common/result.h"

#include <string>

namespace loadlens::posture {

struct InodeFlags {
    bool immutable = false;   // FS_IMMUTABLE_FL (chattr +i)
    bool appendOnly = false;  // FS_APPEND_FL (chattr +a)
};

// Error code ENOTTY/EOPNOTSUPP/ENOSYS/EINVAL means the filesystem keeps no such flags.
Result<InodeFlags> readInodeFlags(const std::string &path);
bool flagsUnsupported(int errorCode);

} // namespace loadlens::posture
