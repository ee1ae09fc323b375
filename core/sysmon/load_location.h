#pragma once
// Where on a Windows machine a file was loaded from, as far as the path alone can tell: the
// folders a standard user can write to by default, network shares and other drives. The
// ACLs of the recorded machine are unknown, so this is the default Windows layout.
#include <string>
#include <string_view>

namespace loadlens::sysmon {

enum class LoadLocation {
    System,           // nothing writable is known about it (C:\Windows\System32, Program Files, ...)
    NetworkShare,     // \\server\share\...
    Temp,             // a Temp folder (user or C:\Windows\Temp)
    UserProfile,      // C:\Users\... (AppData, Downloads, Desktop, Public)
    ProgramData,      // C:\ProgramData: creatable subfolders for every user
    WritableWindows,  // folders inside C:\Windows that standard users can write (Tasks, tracing, ...)
    DriveRootFolder,  // a folder at the root of C:, which any authenticated user may create
    OtherDrive,       // another drive letter: removable or secondary, unknown ACLs
};

// `normalizedPath` as from winpath::normalize().
LoadLocation classifyLoadLocation(std::string_view normalizedPath);
std::string_view loadLocationName(LoadLocation location);         // "network share", "temp folder", ... (reads after "a")
bool isUserWritable(LoadLocation location);                      // everything but System

} // namespace loadlens::sysmon
