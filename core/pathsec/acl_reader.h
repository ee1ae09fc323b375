#pragma once
// The POSIX access ACL of a file, reduced to what decides writability: which named users and
// groups hold write (and, for directories, search) permission once ACL_MASK is applied.
#include "common/result.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loadlens::pathsec {

struct AclNamedEntry {
    bool isGroup = false;    // ACL_GROUP (named group) rather than ACL_USER (named user)
    std::uint32_t id = 0;    // the uid or gid the entry names
    bool write = false;      // after the mask
    bool search = false;     // execute/search, after the mask
};

struct AccessAcl {
    // False for a minimal ACL (just the mode bits) and on filesystems without ACL support.
    bool extended = false;
    // The owning group's permissions after the mask; only meaningful when `extended`, since the
    // group bits of st_mode then show the mask instead.
    bool groupObjWrite = false;
    bool groupObjSearch = false;
    std::vector<AclNamedEntry> named;
};

// Reads the access ACL of `path` (which must not be a symlink: acl_get_file follows it).
// "Not supported" answers an empty, non-extended ACL; other failures are an Error naming the path.
Result<AccessAcl> readAccessAcl(const std::string &path);

} // namespace loadlens::pathsec
