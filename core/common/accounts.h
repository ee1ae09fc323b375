#pragma once
// User and group names read from a root's /etc/passwd and /etc/group by LoadLens itself.
//
// No NSS: glibc's getpwuid() loads the modules /etc/nsswitch.conf names, which a static
// loadlens-cli must not do (that is loading code), and a container's names are in its own root.
// Accounts only a directory service knows (LDAP, sssd) therefore show as numbers.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loadlens::accounts {

struct User {
    std::string name;
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::string home;
};

struct Group {
    std::string name;
    std::uint32_t gid = 0;
    std::vector<std::string> members;  // the fourth field, as listed
};

// passwd(5) and group(5) lines; malformed lines, comments and NIS "+"/"-" lines are skipped.
std::vector<User> parsePasswd(std::string_view text);
std::vector<Group> parseGroup(std::string_view text);

class Database {
public:
    Database() = default;
    Database(std::vector<User> users, std::vector<Group> groups);

    // Reads ROOT/etc/passwd and ROOT/etc/group (each up to 64 MiB; a missing or unreadable file
    // gives no entries, noted in problems()).
    static Database read(const std::string &root = "/");
    // The database of "/", read once for the life of the process.
    static const Database &system();

    // The first entry's name for the id, as getpwuid() would give it.
    std::optional<std::string> userName(std::uint32_t uid) const;
    std::optional<std::string> groupName(std::uint32_t gid) const;
    std::optional<std::string> homeOf(std::uint32_t uid) const;
    // Users in group `gid`: the group's listed members and the users whose primary group it is,
    // sorted, each once.
    std::vector<std::string> membersOf(std::uint32_t gid) const;
    const std::vector<std::string> &problems() const { return m_problems; }

private:
    void index();

    std::vector<User> m_users;
    std::unordered_map<std::uint32_t, std::size_t> m_userByUid;    // the first entry of each id
    std::unordered_map<std::uint32_t, std::size_t> m_groupByGid;
    std::vector<Group> m_groups;
    std::vector<std::string> m_problems;
};

// The user name of `uid` from the system database, or the number as text.
std::string userNameOrNumber(std::uint32_t uid);
// The group name of `gid` from the system database, or the number as text.
std::string groupNameOrNumber(std::uint32_t gid);

} // namespace loadlens::accounts
