#include "elf/token_expansion.h"

#include <filesystem>

namespace loadlens::elf {

namespace {

bool isIdentifierChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
}

// Length of the token `name` at `input` (just after '$'), counting braces; 0 when it is not
// that token. "$ORIGINAL" is not $ORIGIN: ld.so requires a non-identifier character after it.
std::size_t tokenLength(std::string_view input, std::string_view name)
{
    const bool curly = !input.empty() && input.front() == '{';
    if (curly)
        input.remove_prefix(1);
    if (input.substr(0, name.size()) != name)
        return 0;
    const std::string_view rest = input.substr(name.size());
    if (curly)
        return !rest.empty() && rest.front() == '}' ? name.size() + 2 : 0;
    if (!rest.empty() && isIdentifierChar(rest.front()))
        return 0;
    return name.size();
}

bool isUnderTrustedDir(const std::string &path, const std::vector<std::string> &trusted)
{
    const std::string normal = std::filesystem::path(path).lexically_normal().string();
    for (std::string dir : trusted) {
        while (dir.size() > 1 && dir.back() == '/')
            dir.pop_back();
        if (normal == dir || (normal.size() > dir.size() && normal.compare(0, dir.size(), dir) == 0 &&
                              (normal[dir.size()] == '/' || dir == "/")))
            return true;
    }
    return false;
}

ExpandedEntry discard(std::string reason)
{
    ExpandedEntry out;
    out.discarded = true;
    out.reason = std::move(reason);
    return out;
}

} // namespace

bool isRelativePath(std::string_view path)
{
    return path.empty() || path.front() != '/';
}

std::vector<std::string> splitSearchPath(std::string_view list, std::string_view separators)
{
    std::vector<std::string> parts;
    std::size_t start = 0;
    for (;;) {
        const std::size_t end = list.find_first_of(separators, start);
        parts.emplace_back(list.substr(start, end == std::string_view::npos ? end : end - start));
        if (end == std::string_view::npos)
            break;
        start = end + 1;
    }
    return parts;
}

ExpandedEntry expandEntry(std::string_view entry, const TokenContext &context)
{
    ExpandedEntry out;
    bool checkTrusted = false;
    std::size_t i = 0;
    while (i < entry.size()) {
        if (entry[i] != '$') {
            out.path.push_back(entry[i++]);
            continue;
        }
        const std::string_view after = entry.substr(i + 1);
        std::size_t length = 0;
        const std::string *replacement = nullptr;
        if ((length = tokenLength(after, "ORIGIN")) != 0) {
            const std::string_view next = after.substr(length);
            const bool leading = i == 0 && (next.empty() || next.front() == '/');
            if (context.secureExecution && !leading)
                return discard("$ORIGIN not at the start of the entry is ignored in secure execution");
            if (context.origin.empty())
                return discard("$ORIGIN cannot be expanded: the object's directory is unknown");
            replacement = &context.origin;
            checkTrusted = context.secureExecution && context.objectIsExecutable;
        } else if ((length = tokenLength(after, "PLATFORM")) != 0) {
            if (context.platform.empty())
                return discard("$PLATFORM cannot be expanded: no platform given");
            replacement = &context.platform;
        } else if ((length = tokenLength(after, "LIB")) != 0) {
            if (context.lib.empty())
                return discard("$LIB cannot be expanded: no value given");
            replacement = &context.lib;
        }
        if (replacement) {
            out.path += *replacement;
            i += 1 + length;
        } else {
            out.path.push_back('$');  // not a token ld.so knows: kept literally
            ++i;
        }
    }
    if (checkTrusted && !isUnderTrustedDir(out.path, context.trustedDirs))
        return discard("$ORIGIN expands outside the trusted directories in secure execution");
    if (!entry.empty() && out.path.empty())
        return discard("entry is empty after expansion");
    while (out.path.size() > 1 && out.path.back() == '/')
        out.path.pop_back();
    out.relative = isRelativePath(out.path);
    return out;
}

std::string expandTokens(std::string_view entry, const TokenContext &context)
{
    return expandEntry(entry, context).path;
}

} // namespace loadlens::elf
