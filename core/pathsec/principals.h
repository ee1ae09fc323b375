#pragma once
// User and group names from /etc/passwd and /etc/group (common/accounts.h), read once for the life
// of the process: a scan asks for the same few owners thousands of times.
#include <cstdint>
#include <string>

namespace loadlens::pathsec {

// The user name of `uid`, or the number as text when the database has no entry.
std::string userName(std::uint32_t uid);
// The group name of `gid`, or the number as text when the database has no entry.
std::string groupName(std::uint32_t gid);

} // namespace loadlens::pathsec
