#pragma once
// Who besides root is in group 0? A directory group-writable by gid 0 is writable by every such
// member, so the answer decides whether "the root group" may be ignored. Read from the account
// files themselves (no NSS: the files of a scanned root, not this host's directory services):
// the members listed in the gid 0 entries of the group file, and the users whose primary group
// is 0 in the passwd file; users with uid 0 are root and do not count.
#include <string>
#include <vector>

namespace loadlens::pathsec {

struct RootGroupMembers {
    std::vector<std::string> names;  // non-root members, sorted, without repeats
    std::string error;               // a file could not be read (other than absent): the list may be incomplete
};

// Cached per (file, inode, size, mtime): a scan asks for every component of every path.
RootGroupMembers readRootGroupMembers(const std::string &groupFile, const std::string &passwdFile);

} // namespace loadlens::pathsec
