#include "proc/user_names.h"

#include "common/accounts.h"

namespace loadlens::proc {

const std::string &UserNameCache::nameOf(std::uint32_t uid)
{
    if (auto it = m_names.find(uid); it != m_names.end())
        return it->second;
    return m_names.emplace(uid, accounts::userNameOrNumber(uid)).first->second;
}

} // namespace loadlens::proc
