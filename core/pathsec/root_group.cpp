#include "pathsec/root_group.h"

#include "common/io.h"

#include <algorithm>
#include <cerrno>
#include <map>
#include <mutex>
#include <set>
#include <string_view>
#include <sys/stat.h>

namespace loadlens::pathsec {

namespace {

constexpr std::size_t kMaxAccountFile = 64u << 20;

std::vector<std::string_view> splitFields(std::string_view line, char sep)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= line.size(); ++i) {
        if (i == line.size() || line[i] == sep) {
            out.push_back(line.substr(start, i - start));
            start = i + 1;
        }
    }
    return out;
}

template<typename Fn>
void forEachLine(std::string_view text, Fn fn)
{
    while (!text.empty()) {
        const auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
            continue;  // comments and NIS compat entries name nobody here
        fn(line);
    }
}

bool isZero(std::string_view field)
{
    return field == "0";
}

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
    std::set<std::string> rootUsers;  // names with uid 0: root under any name
    std::set<std::string> members;
    auto passwd = io::readFile(passwdFile, kMaxAccountFile);
    if (passwd) {
        forEachLine(passwd->data, [&](std::string_view line) {
            const auto f = splitFields(line, ':');
            if (f.size() < 4 || f[0].empty())
                return;
            if (isZero(f[2]))
                rootUsers.emplace(f[0]);
            else if (isZero(f[3]))
                members.emplace(f[0]);
        });
    } else if (passwd.error().code != ENOENT) {
        out.error = passwd.error().message;  // a root without the file names nobody in it
    }
    auto group = io::readFile(groupFile, kMaxAccountFile);
    if (group) {
        forEachLine(group->data, [&](std::string_view line) {
            const auto f = splitFields(line, ':');
            if (f.size() < 4 || !isZero(f[2]))
                return;
            for (auto name : splitFields(f[3], ','))
                if (!name.empty())
                    members.emplace(name);
        });
    } else if (group.error().code != ENOENT) {
        out.error = out.error.empty() ? group.error().message : out.error + "; " + group.error().message;
    }
    for (const auto &name : members)
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
