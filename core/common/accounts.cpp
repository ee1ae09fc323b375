#include "common/accounts.h"

#include "common/regular_file.h"

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <utility>

namespace loadlens::accounts {
namespace {

constexpr std::size_t kMaxFileBytes = 64u << 20;

std::vector<std::string_view> splitFields(std::string_view line, char separator)
{
    std::vector<std::string_view> fields;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = line.find(separator, start);
        fields.push_back(line.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
        if (end == std::string_view::npos)
            return fields;
        start = end + 1;
    }
}

std::optional<std::uint32_t> parseId(std::string_view text)
{
    std::uint32_t value = 0;
    if (text.empty())
        return std::nullopt;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size())
        return std::nullopt;
    return value;
}

template <typename Each> void forEachLine(std::string_view text, Each each)
{
    while (!text.empty()) {
        const std::size_t end = text.find('\n');
        std::string_view line = text.substr(0, end);
        text = end == std::string_view::npos ? std::string_view{} : text.substr(end + 1);
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.empty() || line.front() == '#' || line.front() == '+' || line.front() == '-')
            continue;
        each(line);
    }
}

// Reads a regular file without following a final symlink; nullopt with `problem` set otherwise.
std::optional<std::string> readSmallFile(const std::string &path, std::string &problem)
{
    auto content = io::readRegularFile(path, kMaxFileBytes);
    if (!content) {
        problem = content.error().message;
        return std::nullopt;
    }
    if (content->truncated)
        problem = path + ": larger than 64 MiB, read no further";
    return std::move(content->data);
}

} // namespace

std::vector<User> parsePasswd(std::string_view text)
{
    std::vector<User> users;
    forEachLine(text, [&](std::string_view line) {
        const auto fields = splitFields(line, ':');
        if (fields.size() < 7 || fields[0].empty())
            return;
        const auto uid = parseId(fields[2]);
        const auto gid = parseId(fields[3]);
        if (!uid || !gid)
            return;
        users.push_back({std::string(fields[0]), *uid, *gid, std::string(fields[5])});
    });
    return users;
}

std::vector<Group> parseGroup(std::string_view text)
{
    std::vector<Group> groups;
    forEachLine(text, [&](std::string_view line) {
        const auto fields = splitFields(line, ':');
        if (fields.size() < 4 || fields[0].empty())
            return;
        const auto gid = parseId(fields[2]);
        if (!gid)
            return;
        Group group{std::string(fields[0]), *gid, {}};
        if (!fields[3].empty())
            for (std::string_view member : splitFields(fields[3], ','))
                if (!member.empty())
                    group.members.emplace_back(member);
        groups.push_back(std::move(group));
    });
    return groups;
}

Database::Database(std::vector<User> users, std::vector<Group> groups)
    : m_users(std::move(users)), m_groups(std::move(groups))
{
    index();
}

void Database::index()
{
    m_userByUid.clear();
    m_groupByGid.clear();
    for (std::size_t i = 0; i < m_users.size(); ++i)
        m_userByUid.emplace(m_users[i].uid, i);
    for (std::size_t i = 0; i < m_groups.size(); ++i)
        m_groupByGid.emplace(m_groups[i].gid, i);
}

Database Database::read(const std::string &root)
{
    std::string base = root;
    while (base.size() > 1 && base.back() == '/')
        base.pop_back();
    if (base == "/")
        base.clear();
    Database db;
    std::string problem;
    if (auto text = readSmallFile(base + "/etc/passwd", problem))
        db.m_users = parsePasswd(*text);
    if (!problem.empty())
        db.m_problems.push_back(std::exchange(problem, {}));
    if (auto text = readSmallFile(base + "/etc/group", problem))
        db.m_groups = parseGroup(*text);
    if (!problem.empty())
        db.m_problems.push_back(std::move(problem));
    db.index();
    return db;
}

const Database &Database::system()
{
    static const Database db = read("/");
    return db;
}

std::optional<std::string> Database::userName(std::uint32_t uid) const
{
    const auto it = m_userByUid.find(uid);
    return it == m_userByUid.end() ? std::nullopt : std::optional(m_users[it->second].name);
}

std::optional<std::string> Database::groupName(std::uint32_t gid) const
{
    const auto it = m_groupByGid.find(gid);
    return it == m_groupByGid.end() ? std::nullopt : std::optional(m_groups[it->second].name);
}

std::optional<std::string> Database::homeOf(std::uint32_t uid) const
{
    const auto it = m_userByUid.find(uid);
    return it == m_userByUid.end() ? std::nullopt : std::optional(m_users[it->second].home);
}

std::vector<std::string> Database::membersOf(std::uint32_t gid) const
{
    std::vector<std::string> members;
    for (const Group &group : m_groups)
        if (group.gid == gid)
            members.insert(members.end(), group.members.begin(), group.members.end());
    for (const User &user : m_users)
        if (user.gid == gid)
            members.push_back(user.name);
    std::sort(members.begin(), members.end());
    members.erase(std::unique(members.begin(), members.end()), members.end());
    return members;
}

std::string userNameOrNumber(std::uint32_t uid)
{
    auto name = Database::system().userName(uid);
    return name ? std::move(*name) : std::to_string(uid);
}

std::string groupNameOrNumber(std::uint32_t gid)
{
    auto name = Database::system().groupName(gid);
    return name ? std::move(*name) : std::to_string(gid);
}

} // namespace loadlens::accounts
