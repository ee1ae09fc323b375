#pragma once
// The loader's own configuration: /etc/ld.so.preload (libraries forced into every dynamically
// linked process, T1574.006) and /etc/ld.so.conf with its includes (the directories ldconfig puts
// in the cache, i.e. where libraries are found by name). Files are read below `rootDir` so an
// image or a test tree can be inspected; the rules follow glibc's rtld.c and ldconfig.c.
#include "common/result.h"

#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pathsec {

// --- text level (no filesystem; what the fuzz target drives) ---

// Names in ld.so.preload text, as the loader splits it: separators are ' ', '\t', '\n' and ':',
// '#' starts a comment running to the end of the line. A NUL byte ends the text, as it ends the
// loader's string handling. Empty names are dropped; order and duplicates are kept.
std::vector<std::string> parseLdSoPreload(std::string_view text);

struct LdSoConfLine {
    enum class Kind { Directory, Include, Hwcap };
    Kind kind = Kind::Directory;
    std::string value;  // directory (trailing blanks, '/' and "=libtype" removed), or one include pattern
    int line = 0;       // 1-based
};

// The directives of one ld.so.conf-format text, in order. As in ldconfig: '#' ends a line, leading
// whitespace is skipped, "include" followed by a blank takes one or more glob patterns separated by
// blanks, "hwcap" (any case) followed by a blank is ignored by ldconfig (returned as Hwcap), anything
// else is one directory (spaces inside are kept).
std::vector<LdSoConfLine> parseLdSoConfText(std::string_view text);

// --- files below rootDir ---

// rootDir/etc/ld.so.preload. An absent file is an empty list; an unreadable one an Error.
Result<std::vector<std::string>> readLdSoPreload(const std::string &rootDir = "/");

struct LdSoConfDirectory {
    std::string path;        // as written, after ldconfig's trimming
    std::string sourceFile;  // the config file naming it (path as seen from rootDir, e.g. /etc/ld.so.conf.d/x.conf)
    int line = 0;
};

struct LdSoConf {
    bool present = false;                       // rootDir/etc/ld.so.conf exists
    std::vector<LdSoConfDirectory> directories;  // in the order ldconfig reads them, repeats kept
    std::vector<std::string> filesRead;         // config files read, in order
    std::vector<std::string> notes;             // ignored hwcap lines, includes matching nothing, ...
    std::vector<std::string> errors;            // included files that could not be read, depth limit
};

// rootDir/etc/ld.so.conf and what it includes. Relative include patterns are taken relative to the
// including file's directory (ldconfig does the same); glob results are read in byte order.
// Includes nest at most `maxIncludeDepth` deep and a file including itself is reported, not followed.
// An absent ld.so.conf is an empty, non-present result; an unreadable one an Error.
Result<LdSoConf> readLdSoConf(const std::string &rootDir = "/", int maxIncludeDepth = 8);

} // namespace loadlens::pathsec
