#include "hijacklibs/windows_path.h"

#include <utility>

namespace loadlens::winpath {

namespace {

char lowerAscii(char c)
{
    return (c >= 'A' && c <= 'Z') ? char(c - 'A' + 'a') : c;
}

std::string toUpperAscii(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        if (c >= 'a' && c <= 'z')
            c = char(c - 'a' + 'A');
    return out;
}

std::vector<std::string> splitComponents(std::string_view normalized)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    while (start <= normalized.size()) {
        const std::size_t end = normalized.find('\\', start);
        const std::size_t stop = end == std::string_view::npos ? normalized.size() : end;
        if (stop > start)
            parts.emplace_back(normalized.substr(start, stop - start));
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return parts;
}

// '*' matches any run of characters within one component; everything else literally.
bool globMatch(std::string_view pattern, std::string_view text)
{
    std::size_t p = 0, t = 0, starP = std::string_view::npos, starT = 0;
    while (t < text.size()) {
        if (p < pattern.size() && pattern[p] == '*') {
            starP = p++;
            starT = t;
        } else if (p < pattern.size() && pattern[p] == text[t]) {
            ++p;
            ++t;
        } else if (starP != std::string_view::npos) {
            p = starP + 1;
            t = ++starT;
        } else {
            return false;
        }
    }
    while (p < pattern.size() && pattern[p] == '*')
        ++p;
    return p == pattern.size();
}

using Expansion = std::vector<std::string>;  // normalized paths, one per alternative

// The system drive is taken to be C:, as it is on nearly every Windows installation; per-user
// folders match any profile name because the events come from many users.
bool expandVariable(const std::string &name, Expansion &out)
{
    static const std::vector<std::pair<std::string_view, Expansion>> table{
        {"SYSTEM32", {"c:\\windows\\system32"}},
        {"SYSWOW64", {"c:\\windows\\syswow64"}},
        {"WINDIR", {"c:\\windows"}},
        {"SYSTEMROOT", {"c:\\windows"}},
        {"SYSTEMDRIVE", {"c:"}},
        {"PROGRAMFILES", {"c:\\program files", "c:\\program files (x86)"}},
        {"PROGRAMFILES86", {"c:\\program files (x86)"}},
        {"PROGRAMFILES(X86)", {"c:\\program files (x86)"}},
        {"COMMONPROGRAMFILES", {"c:\\program files\\common files", "c:\\program files (x86)\\common files"}},
        {"PROGRAMDATA", {"c:\\programdata"}},
        {"ALLUSERSPROFILE", {"c:\\programdata"}},
        {"USERPROFILE", {"c:\\users\\*"}},
        {"APPDATA", {"c:\\users\\*\\appdata\\roaming"}},
        {"LOCALAPPDATA", {"c:\\users\\*\\appdata\\local"}},
        {"TEMP", {"c:\\users\\*\\appdata\\local\\temp", "c:\\windows\\temp"}},
        {"TMP", {"c:\\users\\*\\appdata\\local\\temp", "c:\\windows\\temp"}},
        {"PUBLIC", {"c:\\users\\public"}},
        {"VERSION", {"*"}},
    };
    for (const auto &[key, expansion] : table)
        if (key == name) {
            out = expansion;
            return true;
        }
    return false;
}

} // namespace

const std::vector<std::string_view> &knownLocationVariables()
{
    static const std::vector<std::string_view> names{
        "SYSTEM32", "SYSWOW64", "WINDIR", "SYSTEMROOT", "SYSTEMDRIVE", "PROGRAMFILES",
        "PROGRAMFILES86", "PROGRAMFILES(X86)", "COMMONPROGRAMFILES", "PROGRAMDATA",
        "ALLUSERSPROFILE", "USERPROFILE", "APPDATA", "LOCALAPPDATA", "TEMP", "TMP", "PUBLIC",
        "VERSION"};
    return names;
}

std::string normalize(std::string_view path)
{
    if (path.starts_with("\\\\?\\") || path.starts_with("\\??\\"))
        path.remove_prefix(4);
    std::string out;
    out.reserve(path.size());
    for (std::size_t i = 0; i < path.size(); ++i) {
        char c = path[i] == '/' ? '\\' : lowerAscii(path[i]);
        // Keep the two leading backslashes of a UNC path, collapse every other run.
        if (c == '\\' && !out.empty() && out.back() == '\\' && out.size() > 1)
            continue;
        out.push_back(c);
    }
    while (out.size() > 1 && out.back() == '\\' && out != "\\\\")
        out.pop_back();
    return out;
}

std::string_view baseName(std::string_view normalizedPath)
{
    const std::size_t slash = normalizedPath.rfind('\\');
    return slash == std::string_view::npos ? normalizedPath : normalizedPath.substr(slash + 1);
}

std::string_view directoryOf(std::string_view normalizedPath)
{
    const std::size_t slash = normalizedPath.rfind('\\');
    return slash == std::string_view::npos ? std::string_view() : normalizedPath.substr(0, slash);
}

std::string toLowerAscii(std::string_view s)
{
    std::string out(s);
    for (char &c : out)
        c = lowerAscii(c);
    return out;
}

bool equalsIgnoreCase(std::string_view a, std::string_view b)
{
    if (a.size() != b.size())
        return false;
    for (std::size_t i = 0; i < a.size(); ++i)
        if (lowerAscii(a[i]) != lowerAscii(b[i]))
            return false;
    return true;
}

LocationPattern::LocationPattern(std::string_view text) : m_text(text)
{
    // Expand %VARIABLES% textually into every alternative, then split into components.
    std::vector<std::string> alternatives{std::string()};
    std::size_t pos = 0;
    while (pos < text.size()) {
        const std::size_t open = text.find('%', pos);
        if (open == std::string_view::npos) {
            for (auto &alt : alternatives)
                alt.append(text.substr(pos));
            break;
        }
        const std::size_t close = text.find('%', open + 1);
        if (close == std::string_view::npos) {
            m_error = "unbalanced '%' in location \"" + m_text + "\"";
            return;
        }
        for (auto &alt : alternatives)
            alt.append(text.substr(pos, open - pos));
        const std::string name = toUpperAscii(text.substr(open + 1, close - open - 1));
        Expansion expansion;
        if (!expandVariable(name, expansion)) {
            m_error = "unknown variable %" + name + "% in location \"" + m_text + "\"";
            return;
        }
        std::vector<std::string> next;
        for (const auto &alt : alternatives)
            for (const auto &value : expansion)
                next.push_back(alt + value);
        alternatives = std::move(next);
        pos = close + 1;
    }
    for (const auto &alt : alternatives) {
        m_alternatives.push_back(splitComponents(normalize(alt)));
        if (m_alternatives.back().empty()) {
            m_error = "empty location \"" + m_text + "\"";
            m_alternatives.clear();
            return;
        }
    }
}

bool LocationPattern::matches(std::string_view normalizedPath) const
{
    if (!valid())
        return false;
    const std::vector<std::string> parts = splitComponents(normalizedPath);
    for (const auto &alternative : m_alternatives) {
        if (alternative.size() != parts.size())
            continue;
        bool all = true;
        for (std::size_t i = 0; i < parts.size() && all; ++i)
            all = globMatch(alternative[i], parts[i]);
        if (all)
            return true;
    }
    return false;
}

} // namespace loadlens::winpath
