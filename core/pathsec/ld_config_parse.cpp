// Text rules of ld.so.preload (glibc elf/rtld.c) and ld.so.conf (glibc elf/ldconfig.c).
#include "pathsec/ld_config.h"

namespace loadlens::pathsec {
namespace {

bool isPreloadSeparator(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == ':';
}

// isspace() of the C locale, which ldconfig's leading-blank and trailing-blank trimming uses.
bool isSpace(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

bool isBlank(char c)
{
    return c == ' ' || c == '\t';
}

bool startsWithKeyword(std::string_view s, std::string_view keyword, bool ignoreCase)
{
    if (s.size() <= keyword.size() || !isBlank(s[keyword.size()]))
        return false;
    for (std::size_t i = 0; i < keyword.size(); ++i) {
        char c = s[i];
        if (ignoreCase && c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
        if (c != keyword[i])
            return false;
    }
    return true;
}

} // namespace

std::vector<std::string> parseLdSoPreload(std::string_view text)
{
    if (const auto nul = text.find('\0'); nul != std::string_view::npos)
        text = text.substr(0, nul);
    std::vector<std::string> names;
    std::string current;
    bool inComment = false;
    for (char c : text) {
        if (inComment) {
            if (c != '\n')
                continue;
            inComment = false;
        }
        if (c == '#') {
            inComment = true;
            c = ' ';
        }
        if (isPreloadSeparator(c)) {
            if (!current.empty())
                names.push_back(std::move(current));
            current.clear();
        } else {
            current += c;
        }
    }
    if (!current.empty())
        names.push_back(std::move(current));
    return names;
}

std::vector<LdSoConfLine> parseLdSoConfText(std::string_view text)
{
    std::vector<LdSoConfLine> out;
    int lineNumber = 0;
    std::size_t pos = 0;
    while (pos < text.size()) {
        std::size_t end = text.find('\n', pos);
        if (end == std::string_view::npos)
            end = text.size();
        std::string_view line = text.substr(pos, end - pos);
        pos = end + 1;
        ++lineNumber;

        // ldconfig works on C strings: a NUL ends the line like a comment does.
        if (const auto cut = line.find_first_of(std::string_view("#\0", 2)); cut != std::string_view::npos)
            line = line.substr(0, cut);
        while (!line.empty() && isSpace(line.front()))
            line.remove_prefix(1);
        if (line.empty())
            continue;

        if (startsWithKeyword(line, "include", false)) {
            std::string_view rest = line.substr(8);
            std::size_t i = 0;
            while (i <= rest.size()) {
                std::size_t j = i;
                while (j < rest.size() && !isBlank(rest[j]))
                    ++j;
                if (j > i)
                    out.push_back({LdSoConfLine::Kind::Include, std::string(rest.substr(i, j - i)), lineNumber});
                i = j + 1;
            }
            continue;
        }
        if (startsWithKeyword(line, "hwcap", true)) {
            out.push_back({LdSoConfLine::Kind::Hwcap, std::string(line), lineNumber});
            continue;
        }
        // "dir=libc6" names a library type; the directory is what precedes '='.
        if (const auto equal = line.find('='); equal != std::string_view::npos)
            line = line.substr(0, equal);
        while (!line.empty() && isSpace(line.back()))
            line.remove_suffix(1);
        while (!line.empty() && line.back() == '/')
            line.remove_suffix(1);
        if (line.empty())
            continue;
        out.push_back({LdSoConfLine::Kind::Directory, std::string(line), lineNumber});
    }
    return out;
}

} // namespace loadlens::pathsec
