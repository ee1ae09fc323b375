#include "proc/user_names.h"

#include <cerrno>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace loadlens::proc {

const std::string &UserNameCache::nameOf(std::uint32_t uid)
{
    if (auto it = m_names.find(uid); it != m_names.end())
        return it->second;
    std::string name = std::to_string(uid);
    long size = ::sysconf(_SC_GETPW_R_SIZE_MAX);
    std::vector<char> buffer(static_cast<std::size_t>(size > 0 ? size : 4096));
    for (int attempt = 0; attempt < 6; ++attempt) {
        passwd entry{};
        passwd *found = nullptr;
        const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &found);
        if (rc == ERANGE) {
            buffer.resize(buffer.size() * 4);
            continue;
        }
        if (rc == 0 && found && found->pw_name && found->pw_name[0])
            name = found->pw_name;
        break;
    }
    return m_names.emplace(uid, std::move(name)).first->second;
}

} // namespace loadlens::proc
