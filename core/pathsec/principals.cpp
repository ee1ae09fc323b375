#include "pathsec/principals.h"

#include <cerrno>
#include <grp.h>
#include <map>
#include <mutex>
#include <pwd.h>
#include <unistd.h>
#include <vector>

namespace loadlens::pathsec {
namespace {

struct PasswdEntry {
    bool found = false;
    std::string name;
};

std::size_t bufferHint(int which)
{
    const long hint = ::sysconf(which);
    return hint > 0 ? static_cast<std::size_t>(hint) : 16384;
}

PasswdEntry lookupPasswd(uid_t uid)
{
    std::vector<char> buffer(bufferHint(_SC_GETPW_R_SIZE_MAX));
    for (;;) {
        passwd entry{};
        passwd *result = nullptr;
        const int rc = ::getpwuid_r(uid, &entry, buffer.data(), buffer.size(), &result);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || !result)
            return {};
        return {true, entry.pw_name};
    }
}

std::string lookupGroupName(gid_t gid)
{
    std::vector<char> buffer(bufferHint(_SC_GETGR_R_SIZE_MAX));
    for (;;) {
        group entry{};
        group *result = nullptr;
        const int rc = ::getgrgid_r(gid, &entry, buffer.data(), buffer.size(), &result);
        if (rc == ERANGE && buffer.size() < (1u << 20)) {
            buffer.resize(buffer.size() * 2);
            continue;
        }
        if (rc != 0 || !result)
            return std::to_string(gid);
        return entry.gr_name;
    }
}

class NameCache {
public:
    PasswdEntry user(std::uint32_t uid)
    {
        std::lock_guard lock(m_mutex);
        auto it = m_users.find(uid);
        if (it == m_users.end())
            it = m_users.emplace(uid, lookupPasswd(uid)).first;
        return it->second;
    }
    std::string group(std::uint32_t gid)
    {
        std::lock_guard lock(m_mutex);
        auto it = m_groups.find(gid);
        if (it == m_groups.end())
            it = m_groups.emplace(gid, lookupGroupName(gid)).first;
        return it->second;
    }

private:
    std::mutex m_mutex;
    std::map<std::uint32_t, PasswdEntry> m_users;
    std::map<std::uint32_t, std::string> m_groups;
};

NameCache &cache()
{
    static NameCache instance;
    return instance;
}

} // namespace

std::string userName(std::uint32_t uid)
{
    const PasswdEntry entry = cache().user(uid);
    return entry.found ? entry.name : std::to_string(uid);
}

std::string groupName(std::uint32_t gid)
{
    return cache().group(gid);
}

} // namespace loadlens::pathsec
