#include "proc/errno_text.h"

#include <cctype>
#include <cerrno>
#include <cstring>

namespace loadlens::proc {

static_assert(ENOENT == 2 && ESRCH == 3, "isGoneErrno assumes the Linux values");

std::string errnoCause(int err)
{
    std::string text = std::strerror(err);
    for (char &c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

std::string describeErrno(int err)
{
    std::string text = errnoCause(err);
    if (const char *name = ::strerrorname_np(err))
        text += std::string(" (") + name + ")";
    else
        text += " (errno " + std::to_string(err) + ")";
    return text;
}

} // namespace loadlens::proc
