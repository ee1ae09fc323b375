#include "pathsec/root_group.h"

#include "common/accounts.h"
#include "common/regular_file.h"
#include "common/io.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <sys/stat.h>

namespace loadlens::pathsec {

namespace {

constexpr std::size_t kMaxAccountFile = 64u << 20;

std::string stampOf(const std::string &path)
{
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return "-";
    return std::to_string(st.st_ino) + ":" + std::to_string(st.st_size) + ":" + std::to_string(st.st_mtim.tv_sec) +
           "." + std::to_string(st.st_mtim.tv_nsec);
}

RootGroupMembers readNow(const std::string &groupFile, const std::string &passwdFile)
{
    RootGroupMembers out;
    std::vector<accounts::User> users;
    std::vector<accounts::Group> groups;
    auto passwd = io::readRegularFile(passwdFile, kMaxAccountFile);
    if (passwd)
        users = accounts::parsePasswd(passwd->data);
    else if (passwd.error().code != ENOENT)
        out.error = passwd.error().message;  // a root without the file names nobody in it
    auto group = io::readRegularFile(groupFile, kMaxAccountFile);
    if (group)
        groups = accounts::parseGroup(group->data);
    else if (group.error().code != ENOENT)
        out.error = out.error.empty() ? group.error().message : out.error + "; " + group.error().message;
    std::set<std::string> rootUsers;  // names with uid 0: root under any name
    for (const auto &user : users)
        if (user.uid == 0)
            rootUsers.insert(user.name);
    for (const auto &name : accounts::Database(std::move(users), std::move(groups)).membersOf(0))
        if (!rootUsers.count(name))
            out.names.push_back(name);
    return out;
}

} // namespace

RootGroupMembers readRootGroupMembers(const std::string &groupFile, const std::string &passwdFile)
{
    static std::mutex mutex;
    static std::map<std::string, std::pair<std::string, RootGroupMembers>> cache;
    const std::string key = groupFile + '\0' + passwdFile;
    const std::string stamp = stampOf(groupFile) + "|" + stampOf(passwdFile);
    std::lock_guard lock(mutex);
    if (auto it = cache.find(key); it != cache.end() && it->second.first == stamp)
        return it->second.second;
    RootGroupMembers members = readNow(groupFile, passwdFile);
    cache[key] = {stamp, members};
    return members;
}

} // namespace loadlens::pathsec
