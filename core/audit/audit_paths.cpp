#include "audit/audit_paths.h"

#include "audit/audit_values.h"

#include <array>
#include <cstring>

namespace loadlens::audit {

namespace {

bool startsWith(std::string_view text, std::string_view prefix)
{
    return text.substr(0, prefix.size()) == prefix;
}

std::string_view baseName(std::string_view path)
{
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? path : path.substr(slash + 1);
}

std::string_view dirName(std::string_view path)
{
    const std::size_t slash = path.rfind('/');
    return slash == std::string_view::npos ? std::string_view() : path.substr(0, slash);
}

constexpr std::array kSystemLibraryDirs{
    std::string_view("/lib/"),      std::string_view("/lib64/"),     std::string_view("/lib32/"),
    std::string_view("/libx32/"),   std::string_view("/usr/lib/"),   std::string_view("/usr/lib64/"),
    std::string_view("/usr/lib32/"), std::string_view("/usr/libx32/"),
};
constexpr std::array kLocalLibraryDirs{std::string_view("/usr/local/lib/"), std::string_view("/usr/local/lib64/")};
constexpr std::array kUntrustedDirs{std::string_view("/tmp/"), std::string_view("/var/tmp/"),
                                    std::string_view("/dev/shm/"), std::string_view("/home/"),
                                    std::string_view("/run/user/")};

// Executables that write loader files as part of their job, at their usual system paths.
constexpr std::array kPackageTools{
    std::string_view("dpkg"),     std::string_view("dpkg-deb"),      std::string_view("dpkg-divert"),
    std::string_view("dpkg-trigger"), std::string_view("apt"),       std::string_view("apt-get"),
    std::string_view("aptitude"), std::string_view("rpm"),           std::string_view("rpmdb"),
    std::string_view("dnf"),      std::string_view("dnf-3"),         std::string_view("yum"),
    std::string_view("microdnf"), std::string_view("zypper"),        std::string_view("pacman"),
    std::string_view("apk"),      std::string_view("ldconfig"),      std::string_view("ldconfig.real"),
    std::string_view("packagekitd"),
};
constexpr std::array kSystemBinDirs{std::string_view("/bin"),         std::string_view("/sbin"),
                                    std::string_view("/usr/bin"),     std::string_view("/usr/sbin"),
                                    std::string_view("/usr/libexec"), std::string_view("/usr/lib/packagekit")};

// Syscalls that change a named file; `flagsArg` 1 or 2 marks the open family, whose a1/a2
// flags decide; -1 for flags that cannot be seen (openat2 passes a struct).
struct WriteSyscall {
    unsigned number;
    int flagsArg;
};
constexpr WriteSyscall kWritesX8664[] = {
    {2, 1},   {85, 0},  {257, 2}, {304, 2}, {437, -1}, {76, 0},  {82, 0},  {83, 0},  {84, 0},
    {86, 0},  {87, 0},  {88, 0},  {90, 0},  {91, 0},  {92, 0},   {93, 0},  {94, 0},  {132, 0}, {133, 0},
    {188, 0}, {189, 0}, {190, 0}, {197, 0}, {198, 0}, {199, 0},  {235, 0}, {258, 0}, {259, 0}, {260, 0},
    {261, 0}, {263, 0}, {264, 0}, {265, 0}, {266, 0}, {268, 0},  {280, 0}, {316, 0}, {452, 0},
};
constexpr WriteSyscall kWritesI386[] = {
    {5, 1},   {295, 2}, {437, -1}, {8, 0},   {9, 0},   {10, 0},  {14, 0},  {15, 0},  {16, 0},
    {30, 0},  {38, 0},  {39, 0},  {40, 0},   {83, 0},  {92, 0},  {94, 0},  {95, 0},  {182, 0}, {193, 0},
    {198, 0}, {207, 0}, {212, 0}, {226, 0},  {227, 0}, {228, 0}, {235, 0}, {236, 0}, {237, 0}, {271, 0},
    {296, 0}, {297, 0}, {298, 0}, {299, 0},  {301, 0}, {302, 0}, {303, 0}, {304, 0}, {306, 0}, {320, 0},
    {353, 0}, {452, 0},
};
constexpr WriteSyscall kWritesAarch64[] = {
    {56, 2}, {437, -1}, {5, 0},  {6, 0},  {7, 0},  {14, 0}, {15, 0}, {16, 0},  {33, 0},
    {34, 0},  {35, 0},  {36, 0},   {37, 0}, {38, 0}, {45, 0}, {52, 0}, {53, 0}, {54, 0},  {55, 0},
    {88, 0},  {276, 0}, {452, 0},
};

template<typename Table>
Access lookupAccess(const Table &table, std::uint64_t number, std::string_view a1, std::string_view a2)
{
    for (const WriteSyscall &entry : table) {
        if (entry.number != number)
            continue;
        if (entry.flagsArg == 0)
            return Access::Write;
        if (entry.flagsArg < 0)
            return Access::Unknown;
        const auto flags = parseUnsigned(entry.flagsArg == 1 ? a1 : a2, 16);
        if (!flags)
            return Access::Unknown;
        constexpr std::uint64_t kWriteFlags = 01 | 02 | 0100 | 01000;  // O_WRONLY O_RDWR O_CREAT O_TRUNC
        return (*flags & kWriteFlags) ? Access::Write : Access::Read;
    }
    return Access::Read;
}

} // namespace

bool isSharedObjectName(std::string_view path)
{
    const std::string_view base = baseName(path);
    if (base.size() > 3 && base.substr(base.size() - 3) == ".so")
        return true;
    for (std::size_t at = base.find(".so."); at != std::string_view::npos; at = base.find(".so.", at + 1))
        if (at + 4 < base.size() && base[at + 4] >= '0' && base[at + 4] <= '9')
            return true;
    return false;
}

bool isSystemLibraryPath(std::string_view path)
{
    for (std::string_view dir : kSystemLibraryDirs)
        if (startsWith(path, dir))
            return true;
    return false;
}

bool isUntrustedLocation(std::string_view path)
{
    for (std::string_view dir : kUntrustedDirs)
        if (startsWith(path, dir))
            return true;
    return false;
}

PathClass classifyPath(std::string_view path)
{
    if (path == "/etc/ld.so.preload")
        return PathClass::PreloadFile;
    if (path == "/etc/ld.so.conf" || startsWith(path, "/etc/ld.so.conf.d/") || path == "/etc/ld.so.conf.d")
        return PathClass::LdConfig;
    if (path == "/etc/ld.so.cache")
        return PathClass::LdCache;
    if (isSystemLibraryPath(path))
        return PathClass::LibraryDir;
    for (std::string_view dir : kLocalLibraryDirs)
        if (startsWith(path, dir))
            return PathClass::LibraryDir;
    return isSharedObjectName(path) ? PathClass::SharedObject : PathClass::None;
}

bool isPackageManager(std::string_view exe)
{
    const std::string_view dir = dirName(exe);
    bool systemDir = false;
    for (std::string_view d : kSystemBinDirs)
        systemDir = systemDir || dir == d;
    if (!systemDir)
        return false;
    const std::string_view base = baseName(exe);
    for (std::string_view tool : kPackageTools)
        if (base == tool)
            return true;
    return false;
}

std::string joinPath(std::string_view directory, std::string_view name)
{
    std::string joined;
    if (!name.empty() && name.front() == '/')
        joined = name;
    else
        joined = std::string(directory) + "/" + std::string(name);
    // Collapse "//" and "/./" so that prefix checks see the canonical spelling; ".." is left
    // alone because a symlink may stand before it.
    std::string out;
    out.reserve(joined.size());
    for (std::size_t i = 0; i < joined.size(); ++i) {
        if (joined[i] == '/' && !out.empty() && out.back() == '/')
            continue;
        if (joined[i] == '.' && !out.empty() && out.back() == '/' &&
            (i + 1 == joined.size() || joined[i + 1] == '/')) {
            ++i;
            continue;
        }
        out += joined[i];
    }
    if (out.size() > 1 && out.back() == '/')
        out.pop_back();
    return out;
}

Access syscallAccess(std::string_view arch, std::string_view syscall, std::string_view a1, std::string_view a2)
{
    const auto number = parseUnsigned(syscall);
    if (!number)
        return Access::Unknown;
    if (arch == "c000003e")
        return lookupAccess(kWritesX8664, *number, a1, a2);
    if (arch == "40000003")
        return lookupAccess(kWritesI386, *number, a1, a2);
    if (arch == "c00000b7")
        return lookupAccess(kWritesAarch64, *number, a1, a2);
    return Access::Unknown;
}

} // namespace loadlens::audit
