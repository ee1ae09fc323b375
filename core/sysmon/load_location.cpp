#include "sysmon/load_location.h"

#include <array>

namespace loadlens::sysmon {

namespace {

bool startsWithDir(std::string_view path, std::string_view dir)
{
    return path.starts_with(dir) && (path.size() == dir.size() || path[dir.size()] == '\\');
}

bool hasComponent(std::string_view path, std::string_view name)
{
    std::size_t start = 0;
    while (start < path.size()) {
        std::size_t end = path.find('\\', start);
        if (end == std::string_view::npos)
            end = path.size();
        // The last component is the file itself, not a folder.
        if (end == path.size())
            break;
        if (path.substr(start, end - start) == name)
            return true;
        start = end + 1;
    }
    return false;
}

} // namespace

LoadLocation classifyLoadLocation(std::string_view p)
{
    if (p.starts_with("\\\\") || p.starts_with("\\device\\mup\\"))
        return LoadLocation::NetworkShare;
    if (hasComponent(p, "temp") || hasComponent(p, "tmp"))
        return LoadLocation::Temp;
    if (startsWithDir(p, "c:\\users"))
        return LoadLocation::UserProfile;
    if (startsWithDir(p, "c:\\programdata"))
        return LoadLocation::ProgramData;
    static constexpr std::array<std::string_view, 6> writableInWindows{
        "c:\\windows\\tasks", "c:\\windows\\tracing", "c:\\windows\\system32\\tasks",
        "c:\\windows\\system32\\spool\\drivers\\color", "c:\\windows\\registration\\crmlog",
        "c:\\windows\\system32\\microsoft\\crypto\\rsa\\machinekeys"};
    for (auto dir : writableInWindows)
        if (startsWithDir(p, dir))
            return LoadLocation::WritableWindows;
    if (p.size() >= 3 && p[1] == ':' && p[2] == '\\') {
        if (p[0] != 'c')
            return LoadLocation::OtherDrive;
        static constexpr std::array<std::string_view, 7> systemRoots{
            "c:\\windows", "c:\\program files", "c:\\program files (x86)", "c:\\programdata",
            "c:\\users", "c:\\$recycle.bin", "c:\\system volume information"};
        bool known = false;
        for (auto root : systemRoots)
            known = known || startsWithDir(p, root);
        // A file directly in C:\ is not in a folder someone created.
        if (!known && p.find('\\', 3) != std::string_view::npos)
            return LoadLocation::DriveRootFolder;
    }
    return LoadLocation::System;
}

std::string_view loadLocationName(LoadLocation location)
{
    switch (location) {
    case LoadLocation::System: return "system location";
    case LoadLocation::NetworkShare: return "network share";
    case LoadLocation::Temp: return "temp folder";
    case LoadLocation::UserProfile: return "user profile folder";
    case LoadLocation::ProgramData: return "ProgramData folder";
    case LoadLocation::WritableWindows: return "user-writable folder inside Windows";
    case LoadLocation::DriveRootFolder: return "folder at the drive root";
    case LoadLocation::OtherDrive: return "folder on another drive";
    }
    return "unknown";
}

bool isUserWritable(LoadLocation location)
{
    return location != LoadLocation::System;
}

} // namespace loadlens::sysmon
