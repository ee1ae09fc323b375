#pragma once
// The directories the loader takes libraries from on a root: its built-in defaults and what
// ld.so.conf names, each with where it came from and its path with symlinks resolved inside the root.
#include "posture/posture.h"

#include <string>
#include <vector>

namespace loadlens::posture {

struct LibraryDir {
    std::string path;      // as written in the config or the default list
    std::string resolved;  // symlinks followed inside rootDir
    std::string source;    // "default", or "/etc/ld.so.conf.d/x.conf:3"
};

struct LibraryDirs {
    std::vector<LibraryDir> dirs;     // unique by `resolved`, first source kept
    std::vector<std::string> errors;  // ld.so.conf could not be read, ...
};

// `includeImplicit` adds /lib64 and /usr/lib64, which ldconfig scans without being told.
LibraryDirs loaderLibraryDirs(const PostureOptions &options, bool includeImplicit = false);

} // namespace loadlens::posture
