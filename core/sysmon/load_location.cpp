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

// Which part of a folder a row describes.
enum class Scope {
    Subtree,   // the folder and everything below it
    FilesIn,   // only files directly in the folder
    Below,     // only what lies in a subfolder of it
};

struct AclRow {
    std::string_view folder;   // normalized (lower case)
    std::string_view display;  // as Windows spells it
    Scope scope;
    LoadLocation location;
    std::string_view text;
    bool aclUnknown = false;
};

constexpr std::string_view kAdminOnly =
    "Only TrustedInstaller, SYSTEM and Administrators may write here by default; Users may read and run";
constexpr std::string_view kWritableWindows =
    "Standard users may create files here by default: one of the well-known writable folders inside Windows";

constexpr AclRow kWindowsTemp{
    "c:\\windows\\temp", "C:\\Windows\\Temp", Scope::Subtree, LoadLocation::Temp,
    "Users may create files and folders in Windows\\Temp, and CREATOR OWNER gets full control of what they "
    "create"};

// Windows' default ACLs (icacls on a fresh installation). The most specific row wins; a path no
// row covers is judged by drive and depth in classify() below.
constexpr std::array kDefaultAcls{
    AclRow{"c:\\windows", "C:\\Windows", Scope::Subtree, LoadLocation::System, kAdminOnly},
    kWindowsTemp,
    AclRow{"c:\\windows\\tasks", "C:\\Windows\\Tasks", Scope::Subtree, LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\tracing", "C:\\Windows\\tracing", Scope::Subtree, LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\registration\\crmlog", "C:\\Windows\\Registration\\CRMLog", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\tasks", "C:\\Windows\\System32\\Tasks", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\spool\\drivers\\color", "C:\\Windows\\System32\\spool\\drivers\\color",
           Scope::Subtree, LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\spool\\printers", "C:\\Windows\\System32\\spool\\PRINTERS", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\spool\\servers", "C:\\Windows\\System32\\spool\\SERVERS", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\fxstmp", "C:\\Windows\\System32\\FxsTmp", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\com\\dmp", "C:\\Windows\\System32\\com\\dmp", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\syswow64\\fxstmp", "C:\\Windows\\SysWOW64\\FxsTmp", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\syswow64\\com\\dmp", "C:\\Windows\\SysWOW64\\com\\dmp", Scope::Subtree,
           LoadLocation::WritableWindows, kWritableWindows},
    AclRow{"c:\\windows\\system32\\microsoft\\crypto\\rsa\\machinekeys",
           "C:\\Windows\\System32\\Microsoft\\Crypto\\RSA\\MachineKeys", Scope::Subtree,
           LoadLocation::WritableWindows, "Everyone may create files in the machine key store"},
    AclRow{"c:\\program files", "C:\\Program Files", Scope::Subtree, LoadLocation::System, kAdminOnly},
    AclRow{"c:\\program files (x86)", "C:\\Program Files (x86)", Scope::Subtree, LoadLocation::System, kAdminOnly},
    AclRow{"c:\\programdata", "C:\\ProgramData", Scope::FilesIn, LoadLocation::ProgramData,
           "Users may create files and folders directly in ProgramData, and CREATOR OWNER gets full control of "
           "what they create"},
    AclRow{"c:\\programdata", "C:\\ProgramData", Scope::Below, LoadLocation::ProgramData,
           "Users may create folders in the ProgramData root (CREATOR OWNER then has full control of them), so an "
           "unprivileged user could have created this one, and an installer's folder that keeps the inherited ACL "
           "still lets Users add files",
           true},
    AclRow{"c:\\programdata\\microsoft", "C:\\ProgramData\\Microsoft", Scope::Subtree, LoadLocation::System,
           "Windows creates ProgramData\\Microsoft with its own ACL instead of the root's: only SYSTEM and "
           "Administrators (and the owning services, e.g. Windows Defender) may write; Users may read and run"},
    AclRow{"c:\\programdata\\microsoft\\crypto\\rsa\\machinekeys", "C:\\ProgramData\\Microsoft\\Crypto\\RSA\\MachineKeys",
           Scope::Subtree, LoadLocation::WritableWindows, "Everyone may create files in the machine key store"},
    AclRow{"c:\\programdata\\package cache", "C:\\ProgramData\\Package Cache", Scope::Subtree, LoadLocation::System,
           "WiX Burn installers create their per-machine package cache with its own ACL: only SYSTEM and "
           "Administrators may write"},
    AclRow{"c:\\users", "C:\\Users", Scope::FilesIn, LoadLocation::System,
           "Only SYSTEM and Administrators may add files to C:\\Users itself"},
    AclRow{"c:\\users", "C:\\Users", Scope::Below, LoadLocation::UserProfile,
           "A user's profile is writable by that user, who owns it"},
    AclRow{"c:\\users\\public", "C:\\Users\\Public", Scope::Subtree, LoadLocation::UserProfile,
           "Every interactive user may create files in the Public profile"},
    AclRow{"c:\\users\\default", "C:\\Users\\Default", Scope::Subtree, LoadLocation::System,
           "Only SYSTEM and Administrators may write to the template for new profiles"},
};

bool rowApplies(const AclRow &row, std::string_view p)
{
    if (!startsWithDir(p, row.folder) || p.size() == row.folder.size())
        return false;
    const bool directlyIn = p.find('\\', row.folder.size() + 1) == std::string_view::npos;
    switch (row.scope) {
    case Scope::Subtree: return true;
    case Scope::FilesIn: return directlyIn;
    case Scope::Below: return !directlyIn;
    }
    return false;
}

DefaultAcl fromRow(const AclRow &row)
{
    return DefaultAcl{row.location, row.display, row.text, row.aclUnknown, row.scope == Scope::Below};
}

} // namespace

DefaultAcl defaultAclOf(std::string_view p)
{
    if (p.starts_with("\\\\") || p.starts_with("\\device\\mup\\"))
        return {LoadLocation::NetworkShare, {}, "A share of another machine has that machine's ACLs, outside local control"};
    // A Temp folder anywhere (a user's %TEMP%, an installer's scratch folder) is for writing.
    if (hasComponent(p, "temp") || hasComponent(p, "tmp")) {
        if (startsWithDir(p, "c:\\windows\\temp"))
            return fromRow(kWindowsTemp);
        return {LoadLocation::Temp, {}, "A temp folder is writable by its user, or by every user"};
    }
    const AclRow *best = nullptr;
    for (const auto &row : kDefaultAcls)
        if (rowApplies(row, p) && (!best || row.folder.size() > best->folder.size()))
            best = &row;
    if (best)
        return fromRow(*best);
    if (p.size() >= 3 && p[1] == ':' && p[2] == '\\') {
        if (p[0] != 'c')
            return {LoadLocation::OtherDrive, {}, "The ACLs of another drive (removable or secondary) are unknown (FAT-formatted removable media have none)"};
        static constexpr std::array<std::string_view, 2> systemRoots{"c:\\$recycle.bin", "c:\\system volume information"};
        bool known = false;
        for (auto root : systemRoots)
            known = known || startsWithDir(p, root);
        // A file directly in C:\ is not in a folder someone created.
        if (!known && p.find('\\', 3) != std::string_view::npos)
            return {LoadLocation::DriveRootFolder, {},
                    "Any authenticated user may create a folder at the root of C: and then modify it"};
    }
    return {LoadLocation::System, {}, "Nothing is known that lets ordinary users write here"};
}

LoadLocation classifyLoadLocation(std::string_view normalizedPath)
{
    return defaultAclOf(normalizedPath).location;
}

std::string_view loadLocationName(LoadLocation location)
{
    switch (location) {
    case LoadLocation::System: return "system location";
    case LoadLocation::NetworkShare: return "network share";
    case LoadLocation::Temp: return "temp folder";
    case LoadLocation::UserProfile: return "user profile folder";
    case LoadLocation::ProgramData: return "ProgramData folder";
    case LoadLocation::WritableWindows: return "user-writable system folder";
    case LoadLocation::DriveRootFolder: return "folder at the drive root";
    case LoadLocation::OtherDrive: return "folder on another drive";
    }
    return "unknown";
}

bool isUserWritable(LoadLocation location)
{
    return location != LoadLocation::System;
}

std::string aclFolderOf(std::string_view originalPath, const DefaultAcl &acl)
{
    if (!acl.perSubfolder)
        return std::string(acl.folder);
    int depth = 1;
    for (char c : acl.folder)
        depth += c == '\\' ? 1 : 0;
    return leadingFolder(originalPath, depth + 1);
}

std::string leadingFolder(std::string_view originalPath, int depth)
{
    std::string out;
    std::size_t start = 0;
    int taken = 0;
    while (start < originalPath.size() && taken < depth) {
        std::size_t end = originalPath.find_first_of("\\/", start);
        if (end == std::string_view::npos)
            end = originalPath.size();
        if (end > start) {
            if (taken > 0)
                out += '\\';
            out += originalPath.substr(start, end - start);
            ++taken;
        }
        start = end + 1;
    }
    return out;
}

} // namespace loadlens::sysmon
