#include "pathsec/principals.h"

#include "common/accounts.h"

namespace loadlens::pathsec {

std::string userName(std::uint32_t uid)
{
    return accounts::userNameOrNumber(uid);
}

std::string groupName(std::uint32_t gid)
{
    return accounts::groupNameOrNumber(gid);
}

} // namespace loadlens::pathsec
