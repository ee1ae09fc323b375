#include "proc/inventory.h"

#include "common/io.h"

#include <string_view>
#include <sys/utsname.h>

namespace loadlens::proc {

namespace {

std::string_view trimmed(std::string_view text)
{
    while (!text.empty() && (text.back() == '\n' || text.back() == ' ' || text.back() == '\t'))
        text.remove_suffix(1);
    return text;
}

// os-release values are shell-like: VALUE, "VALUE" or 'VALUE', with \" \\ \$ \` escapes.
std::string osReleaseValue(std::string_view raw)
{
    raw = trimmed(raw);
    if (raw.size() >= 2 && (raw.front() == '"' || raw.front() == '\'') && raw.back() == raw.front()) {
        const char quote = raw.front();
        raw = raw.substr(1, raw.size() - 2);
        if (quote == '\'')
            return std::string(raw);
    }
    std::string out;
    out.reserve(raw.size());
    for (std::size_t i = 0; i < raw.size(); ++i) {
        if (raw[i] == '\\' && i + 1 < raw.size())
            ++i;
        out.push_back(raw[i]);
    }
    return out;
}

std::string prettyName(const std::string &rootDir)
{
    std::string base = rootDir;
    while (base.size() > 1 && base.back() == '/')
        base.pop_back();
    if (base == "/")
        base.clear();
    for (const char *candidate : {"/etc/os-release", "/usr/lib/os-release"}) {
        auto content = io::readFile(base + candidate, 1u << 16);
        if (!content.ok())
            continue;
        std::string_view text = content->data;
        std::size_t pos = 0;
        while (pos < text.size()) {
            std::size_t end = text.find('\n', pos);
            if (end == std::string_view::npos)
                end = text.size();
            const std::string_view line = text.substr(pos, end - pos);
            pos = end + 1;
            if (line.starts_with("PRETTY_NAME="))
                return osReleaseValue(line.substr(12));
        }
    }
    return {};
}

} // namespace

HostInfo readHostInfo(const std::string &rootDir)
{
    HostInfo host;
    utsname names {};
    if (::uname(&names) == 0) {
        host.hostname = names.nodename;
        host.kernel = names.release;
        host.machine = names.machine;
    }
    host.osRelease = prettyName(rootDir);
    if (auto bootId = io::readFile("/proc/sys/kernel/random/boot_id", 256); bootId.ok())
        host.bootId = std::string(trimmed(bootId->data));
    return host;
}

} // namespace loadlens::proc
