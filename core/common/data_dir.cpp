#include "common/data_dir.h"

#include "common/accounts.h"

#include <cstdlib>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens {

std::string dataDirectoryFor(uid_t euid)
{
    if (euid == 0)
        return kRootDataDirectory;
    std::string base;
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && xdg[0] == '/') {
        base = xdg;  // the XDG spec says relative values are to be ignored
    } else {
        if (const char *home = std::getenv("HOME"); home && home[0] == '/')
            base = home;
        else if (auto home = accounts::Database::system().homeOf(euid); home && !home->empty())
            base = *home;
        else
            base = "/tmp";
        base += "/.local/share";
    }
    return base + "/loadlens";
}

std::string dataDirectory()
{
    const uid_t euid = ::geteuid();
    std::string dir = dataDirectoryFor(euid);
    if (euid == 0)
        ::mkdir(dir.c_str(), 0700);  // EEXIST is fine: /var/cache is root's, so is what is in it
    return dir;
}

} // namespace loadlens
