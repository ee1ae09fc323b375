#pragma once
// Where on a Windows machine a file was loaded from, as far as the path alone can tell. An
// event carries no ACL, so the path is judged by the ACL Windows gives that folder by default
// (defaultAclOf): a table of known folders, the most specific row winning, so that
// C:\ProgramData\Microsoft (admin-only) is not taken for the ProgramData root (where Users may
// create folders).
#include <string>
#include <string_view>

namespace loadlens::sysmon {

enum class LoadLocation {
    System,           // only administrators (TrustedInstaller, SYSTEM) may write by default
    NetworkShare,     // \\server\share\...
    Temp,             // a Temp folder (user or C:\Windows\Temp)
    UserProfile,      // C:\Users\<name>\... (AppData, Downloads, Desktop) and C:\Users\Public
    ProgramData,      // the ProgramData root, or a folder below it whose ACL the event does not show
    WritableWindows,  // system folders where standard users may create files (Windows\Tasks, tracing, ...)
    DriveRootFolder,  // a folder at the root of C:, which any authenticated user may create
    OtherDrive,       // another drive letter: removable or secondary, unknown ACLs
};

// The default ACL of the folder a path lies in, as Windows sets it up.
struct DefaultAcl {
    LoadLocation location = LoadLocation::System;
    std::string_view folder;  // the table's row, e.g. "C:\ProgramData\Microsoft"; empty when no row applies
    std::string_view text;    // who may write there: a sentence without its final period
    // True when the verdict depends on an ACL the folder may or may not have kept (a folder
    // below the ProgramData root): the event cannot tell, and `text` says what the root allows.
    bool aclUnknown = false;
    // True when the row speaks for every folder directly below `folder` (each profile below
    // C:\Users, each folder below C:\ProgramData): the ACL that decides is that subfolder's.
    bool perSubfolder = false;
};

// `normalizedPath` as from winpath::normalize().
DefaultAcl defaultAclOf(std::string_view normalizedPath);
LoadLocation classifyLoadLocation(std::string_view normalizedPath);  // defaultAclOf().location
std::string_view loadLocationName(LoadLocation location);         // "network share", "temp folder", ... (reads after "a")
bool isUserWritable(LoadLocation location);                      // everything but System

// The folder whose ACL decides for `originalPath` (the event's spelling): `acl.folder`, or the
// subfolder of it the path lies in when the row speaks per subfolder.
std::string aclFolderOf(std::string_view originalPath, const DefaultAcl &acl);

// The folder of `originalPath` that is `depth` components deep ("C:\ProgramData\Intel\x.dll",
// 2 -> "C:\ProgramData\Intel"), spelled as the event spells it; the whole path when shorter.
std::string leadingFolder(std::string_view originalPath, int depth);

} // namespace loadlens::sysmon
