#pragma once
// uid -> user name from /etc/passwd (common/accounts.h), kept per uid: a scan sees the same few
// uids hundreds of times.
#include <cstdint>
#include <string>
#include <unordered_map>

namespace loadlens::proc {

class UserNameCache {
public:
    // The user name, or the uid as a decimal number when it has none.
    const std::string &nameOf(std::uint32_t uid);

private:
    std::unordered_map<std::uint32_t, std::string> m_names;
};

} // namespace loadlens::proc
