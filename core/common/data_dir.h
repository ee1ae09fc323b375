#pragma once
// Where LoadLens keeps its own files (hash cache, default case).
//
// As root: /var/cache/loadlens, created 0700 and owned by root. The environment is not
// consulted: a root run (the GUI's administrator scan through pkexec, a root shell that kept a
// user's XDG_* or HOME) must never read or write a cache in a directory a user controls.
//
// Otherwise: $XDG_DATA_HOME/loadlens, else ~/.local/share/loadlens (home from $HOME, else the
// password database, else /tmp).
#include <string>
#include <sys/types.h>

namespace loadlens {

inline constexpr const char *kRootDataDirectory = "/var/cache/loadlens";

// For the effective user of this process. As root it also creates the directory (0700) when
// absent; whether that worked shows when a file in it is opened.
std::string dataDirectory();

// The rule for effective user `euid`, without creating anything.
std::string dataDirectoryFor(uid_t euid);

} // namespace loadlens
