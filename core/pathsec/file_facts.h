#pragma once
// What one lstat says about a file, in the shared FileFacts value type.
#include "common/types.h"

#include <string>

namespace loadlens::pathsec {

// Fills key, path, size, mtimeNs, ctimeNs, uid, gid, mode, ownerName and groupName with lstat
// semantics: a symlink is described as the link itself (S_IFLNK in `mode`; see isSymlink) and
// an entry in `errors` names its target. Failures leave the fields at zero and say why in `errors`.
// Hashes and package are left for other readers.
FileFacts statFile(const std::string &path);

// True when `facts` describe a symbolic link rather than what it points to.
bool isSymlink(const FileFacts &facts);

} // namespace loadlens::pathsec
