#pragma once
// Where a path lives, in the terms a verdict needs: temp dirs and home dirs are where planted
// libraries usually sit (T1574.006), system library dirs are where the loader looks by default.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pathsec {

enum class LocationFlag : std::uint32_t {
    TempDir = 1u << 0,            // /tmp, /var/tmp, /dev/shm, /run/shm, /run/user/UID and below
    HomeDir = 1u << 1,            // a user's home (from etc/passwd), /home or /root, and below
    WorldWritableTree = 1u << 2,  // a directory on the way is writable by everyone (needs checkFilesystem)
    NonRootWritable = 1u << 3,    // checkWritable says a non-root principal can replace it (needs checkFilesystem)
    SystemLibraryDir = 1u << 4,   // directly in a directory the loader searches by default
    SystemLibraryTree = 1u << 5,  // somewhere below /lib, /usr/lib, ... (plugins, private libs)
    LocalLibraryDir = 1u << 6,    // /usr/local/lib and below: installed locally, not by the distribution
    Relative = 1u << 7,           // not an absolute path: nothing else can be said
};
std::string_view locationFlagName(LocationFlag flag);  // "temp-dir", "home-dir", ...

struct HomeDirectory {
    std::string user;
    std::uint32_t uid = 0;
    std::string path;  // normalised
};

// Home directories of people: uid 0 and uids from UID_MIN (rootDir/etc/login.defs, default 1000)
// up, except nobody (65534); service accounts' "homes" such as /usr/sbin or /var/www are left out.
// An absent passwd gives an empty list; an unreadable one an entry in `errors`.
std::vector<HomeDirectory> readHomeDirectories(const std::string &rootDir, std::vector<std::string> *errors = nullptr);

struct LocationContext {
    std::string rootDir = "/";     // where etc/passwd is read from
    bool checkFilesystem = false;  // run checkWritable for the writable flags
    bool resolveSymlinks = false;  // canonicalise through the filesystem before comparing
    bool homesLoaded = false;      // true: use `homes` as given instead of reading etc/passwd per call
    std::vector<HomeDirectory> homes;

    // A context with the home directories of `rootDir` read once, for classifying many paths.
    static LocationContext forRoot(const std::string &rootDir);
};

struct LocationClass {
    std::uint32_t flags = 0;
    std::string path;            // normalised (and resolved when asked) path that was classified
    std::string tempRoot;        // the temp dir that matched
    std::string homeOwner;       // user whose home holds the path
    std::string libraryDir;      // the system or local library dir that matched
    std::vector<std::string> errors;

    bool has(LocationFlag flag) const { return (flags & static_cast<std::uint32_t>(flag)) != 0; }
    std::vector<std::string> flagNames() const;
};

LocationClass classifyLocation(const std::string &path, const LocationContext &context = {});

// True for a directory the loader searches without configuration: /lib, /usr/lib, /lib64,
// /usr/lib64, /lib32, /usr/lib32, /libx32, /usr/libx32, their multiarch subdirectories
// (/usr/lib/x86_64-linux-gnu) and glibc-hwcaps subdirectories of those. /usr/local/lib is not.
bool isSystemLibraryDir(std::string_view dir);

} // namespace loadlens::pathsec
