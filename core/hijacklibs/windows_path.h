#pragma once
// Lexical Windows path handling for log data: case-insensitive comparison, the HijackLibs
// location variables, and "%VERSION%" wildcards. Nothing here touches a filesystem; the paths
// come from events recorded on another machine.
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::winpath {

// Lower-cases ASCII, turns '/' into '\', drops a "\\?\" or "\??\" prefix, collapses repeated
// backslashes (keeping the leading "\\" of a UNC path) and drops a trailing '\'.
// Non-ASCII bytes are kept as they are: case folding beyond ASCII is not attempted.
std::string normalize(std::string_view path);

// The last component ("c:\a\b.dll" -> "b.dll"); the whole string when there is no backslash.
std::string_view baseName(std::string_view normalizedPath);
// Everything before the last backslash ("c:\a\b.dll" -> "c:\a"); empty when there is none.
std::string_view directoryOf(std::string_view normalizedPath);

bool equalsIgnoreCase(std::string_view a, std::string_view b);
std::string toLowerAscii(std::string_view s);

// A HijackLibs location ("%PROGRAMFILES%\Java\%VERSION%\bin") compiled into the concrete
// patterns it stands for. Each pattern is a list of normalized components in which "*" matches
// exactly one component of any name. Variables for per-user folders (%APPDATA%, ...) match any
// user's profile; %PROGRAMFILES% matches both Program Files folders; the system drive is C:.
class LocationPattern {
public:
    // Unknown %VARIABLES% leave the pattern unusable: valid() is false and error() says which.
    explicit LocationPattern(std::string_view text);

    bool valid() const { return m_error.empty(); }
    const std::string &error() const { return m_error; }
    const std::string &text() const { return m_text; }

    // True when `normalizedPath` (see normalize()) is exactly one of the expansions.
    bool matches(std::string_view normalizedPath) const;

private:
    std::string m_text;
    std::string m_error;
    std::vector<std::vector<std::string>> m_alternatives;
};

// The variables LocationPattern understands, without percent signs, upper case.
const std::vector<std::string_view> &knownLocationVariables();

} // namespace loadlens::winpath
