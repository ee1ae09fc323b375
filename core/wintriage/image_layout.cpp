#include "wintriage/image_layout.h"

#include <dirent.h>
#include <sys/stat.h>

#include <cerrno>

namespace loadlens::wintriage {

Result<ImageLayout> openLayout(const std::string &root)
{
    struct stat st {};
    if (::stat(root.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
        return Error{0, root + ": not a directory (give the root of a Windows volume, a triage collection or a Wine prefix)"};
    // A root that cannot be listed would otherwise read as an empty collection, every hive
    // "not in the collection".
    if (DIR *dir = ::opendir(root.c_str()))
        ::closedir(dir);
    else
        return Error::fromErrno(errno, "cannot list " + root);
    ImageLayout layout;
    CiTree top(root);
    const auto wineSystem = top.resolve("system.reg");
    const auto wineDrive = top.resolve("drive_c");
    if (wineSystem && wineDrive) {
        layout.kind = "wine-prefix";
        layout.volume = std::make_unique<CiTree>(*wineDrive);
        if (auto h = winreg::openWineRegistry(*wineSystem, "System"))
            layout.system = std::move(*h);
        else
            layout.missing.push_back(h.error().message);
        if (auto h = winreg::openWineRegistry(*wineSystem, "Software"))
            layout.software = std::move(*h);
        if (const auto user = top.resolve("user.reg")) {
            if (auto h = winreg::openWineRegistry(*user, ""))
                layout.users.push_back(std::move(*h));
            else
                layout.missing.push_back(h.error().message);
        }
        return layout;
    }
    layout.kind = "windows-volume";
    layout.volume = std::make_unique<CiTree>(root);
    const CiTree &volume = *layout.volume;
    auto hive = [&](const char *relative, std::unique_ptr<winreg::Hive> &into) {
        const auto path = volume.resolve(relative);
        if (!path) {
            layout.missing.push_back(std::string(relative) + " is not in the collection");
            return;
        }
        if (auto h = winreg::openRegfHive(*path))
            into = std::move(*h);
        else
            layout.missing.push_back(h.error().message);
    };
    hive("Windows/System32/config/SYSTEM", layout.system);
    hive("Windows/System32/config/SOFTWARE", layout.software);
    if (const auto users = volume.resolve("Users")) {
        for (const auto &[folded, name] : volume.listing(*users)) {
            const auto ntuser = volume.resolve("Users/" + name + "/NTUSER.DAT");
            if (!ntuser)
                continue;
            if (auto h = winreg::openRegfHive(*ntuser))
                layout.users.push_back(std::move(*h));
            else
                layout.missing.push_back(h.error().message);
        }
    }
    return layout;
}

} // namespace loadlens::wintriage
