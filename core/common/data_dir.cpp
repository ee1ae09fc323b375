#include "common/data_dir.h"

#include <cstdlib>
#include <pwd.h>
#include <unistd.h>

namespace loadlens {

std::string dataDirectory()
{
    std::string base;
    if (const char *xdg = std::getenv("XDG_DATA_HOME"); xdg && xdg[0] == '/') {
        base = xdg;  // the XDG spec says relative values are to be ignored
    } else {
        if (const char *home = std::getenv("HOME"); home && home[0] == '/')
            base = home;
        else if (const passwd *pw = ::getpwuid(::getuid()); pw && pw->pw_dir)
            base = pw->pw_dir;
        else
            base = "/tmp";
        base += "/.local/share";
    }
    return base + "/loadlens";
}

} // namespace loadlens
