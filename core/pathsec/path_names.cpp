#include "pathsec/path_names.h"

#include <cctype>
#include <cstring>

namespace loadlens::pathsec {

std::vector<std::string> splitComponents(std::string_view path)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (pos < path.size()) {
        std::size_t next = path.find('/', pos);
        if (next == std::string_view::npos)
            next = path.size();
        if (next > pos)
            out.emplace_back(path.substr(pos, next - pos));
        pos = next + 1;
    }
    return out;
}

std::string normalizePath(std::string_view path)
{
    if (path.empty())
        return {};
    const bool absolute = path.front() == '/';
    std::string out = absolute ? "/" : "";
    for (const auto &part : splitComponents(path)) {
        if (part == ".")
            continue;
        if (!out.empty() && out.back() != '/')
            out += '/';
        out += part;
    }
    if (out.empty())
        return ".";
    return out;
}

std::string parentPath(std::string_view path)
{
    const std::string normal = normalizePath(path);
    const std::size_t slash = normal.rfind('/');
    if (slash == std::string::npos)
        return ".";
    if (slash == 0)
        return "/";
    return normal.substr(0, slash);
}

std::string joinPath(std::string_view dir, std::string_view name)
{
    std::string out(dir);
    if (out.empty() || out.back() != '/')
        out += '/';
    while (!name.empty() && name.front() == '/')
        name.remove_prefix(1);
    out += name;
    return out;
}

bool isSameOrBelow(std::string_view path, std::string_view prefix)
{
    if (prefix == "/")
        return !path.empty() && path.front() == '/';
    if (path.size() < prefix.size() || path.compare(0, prefix.size(), prefix) != 0)
        return false;
    return path.size() == prefix.size() || path[prefix.size()] == '/';
}

std::string errnoText(int err)
{
    std::string text = std::strerror(err);
    // Keep acronyms such as "I/O error" intact: only lower a capital followed by a lower-case letter.
    if (text.size() > 1 && std::isupper(static_cast<unsigned char>(text[0])) &&
        std::islower(static_cast<unsigned char>(text[1])))
        text[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(text[0])));
    return text;
}

} // namespace loadlens::pathsec
