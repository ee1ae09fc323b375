#pragma once
// What a path or an executable means for library loading, and whether a syscall wrote.
#include <cstdint>
#include <string>
#include <string_view>

namespace loadlens::audit {

enum class PathClass {
    None,
    PreloadFile,    // /etc/ld.so.preload
    LdConfig,       // /etc/ld.so.conf and /etc/ld.so.conf.d/*
    LdCache,        // /etc/ld.so.cache
    LibraryDir,     // a file under /lib, /usr/lib, /usr/local/lib, /lib64, ... (multiarch too)
    SharedObject,   // a *.so or *.so.N file anywhere else
};

PathClass classifyPath(std::string_view path);
bool isSharedObjectName(std::string_view path);
bool isSystemLibraryPath(std::string_view path);  // /lib*, /usr/lib* (not /usr/local)
bool isUntrustedLocation(std::string_view path);  // /tmp, /var/tmp, /dev/shm, /home, /run/user

// A package manager or ldconfig at its usual system location (dpkg, apt, rpm, dnf, ...).
bool isPackageManager(std::string_view exe);

// Joins a relative PATH name to its directory and drops "." segments and doubled slashes.
std::string joinPath(std::string_view directory, std::string_view name);

enum class Access { Read, Write, Unknown };

// From the SYSCALL record: arch (hex, as logged), syscall number and a1/a2 (hex) for the
// open flags. Unknown when the architecture is not one LoadLens knows.
Access syscallAccess(std::string_view arch, std::string_view syscall, std::string_view a1, std::string_view a2);

} // namespace loadlens::audit
