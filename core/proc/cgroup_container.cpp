#include "proc/cgroup_container.h"

#include <string>
#include <vector>

namespace loadlens::proc {

namespace {

bool isHex(std::string_view s)
{
    for (char c : s)
        if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
            return false;
    return !s.empty();
}

// Container ids are 64 lowercase hex digits (Docker, containerd, CRI-O, Podman).
bool isContainerId(std::string_view s)
{
    return s.size() == 64 && isHex(s);
}

bool startsWith(std::string_view s, std::string_view prefix)
{
    return s.substr(0, prefix.size()) == prefix;
}

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// systemd escapes "-" in unit names as "\x2d" (machine-my\x2dbox.scope).
std::string unescapeUnit(std::string_view s)
{
    std::string out;
    for (std::size_t i = 0; i < s.size(); ++i) {
        if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] == 'x' && isHex(s.substr(i + 2, 2))) {
            out += static_cast<char>(std::stoi(std::string(s.substr(i + 2, 2)), nullptr, 16));
            i += 3;
        } else {
            out += s[i];
        }
    }
    return out;
}

std::vector<std::string_view> components(std::string_view path)
{
    std::vector<std::string_view> out;
    std::size_t start = 0;
    while (start <= path.size()) {
        auto slash = path.find('/', start);
        if (slash == std::string_view::npos)
            slash = path.size();
        if (slash > start)
            out.push_back(path.substr(start, slash - start));
        start = slash + 1;
    }
    return out;
}

// "PREFIX-ID.scope" with a 64-digit id.
std::optional<std::string> scopeId(std::string_view part, std::string_view prefix)
{
    if (!startsWith(part, prefix) || !endsWith(part, ".scope"))
        return std::nullopt;
    auto id = part.substr(prefix.size(), part.size() - prefix.size() - 6);
    if (!isContainerId(id))
        return std::nullopt;
    return std::string(id);
}

} // namespace

std::optional<ContainerInfo> containerFromCgroupPath(std::string_view path)
{
    const auto parts = components(path);
    // Walk from the leaf up: a container's processes may sit in a sub-cgroup of their own
    // (nspawn's "payload", a container's own init.scope).
    for (std::size_t n = parts.size(); n-- > 0;) {
        const std::string_view part = parts[n];
        const std::string_view parent = n > 0 ? parts[n - 1] : std::string_view();
        if (auto id = scopeId(part, "docker-"))
            return ContainerInfo{"docker", *id};
        if (auto id = scopeId(part, "cri-containerd-"))
            return ContainerInfo{"containerd", *id};
        if (auto id = scopeId(part, "crio-"))
            return ContainerInfo{"cri-o", *id};
        if (auto id = scopeId(part, "libpod-"))
            return ContainerInfo{"podman", *id};
        if (startsWith(part, "libpod-conmon-"))
            return std::nullopt;  // Podman's monitor runs beside the container, not in it
        if (parent == "docker" && isContainerId(part))
            return ContainerInfo{"docker", std::string(part)};
        if (parent == "libpod_parent" && startsWith(part, "libpod-") && isContainerId(part.substr(7)))
            return ContainerInfo{"podman", std::string(part.substr(7))};
        if (isContainerId(part) && n >= 2 && startsWith(parent, "pod") &&
            (parts[0] == "kubepods" || parts[0] == "kubepods.slice"))
            return ContainerInfo{"kubernetes", std::string(part)};  // cgroupfs driver: the runtime is not named
        if (startsWith(part, "lxc.payload.") && part.size() > 12)
            return ContainerInfo{"lxc", std::string(part.substr(12))};
        if (parent == "lxc" && n == 1)
            return ContainerInfo{"lxc", std::string(part)};
        if (startsWith(part, "systemd-nspawn@") && endsWith(part, ".service") && part.size() > 23)
            return ContainerInfo{"systemd-nspawn", unescapeUnit(part.substr(15, part.size() - 23))};
        if (parent == "machine.slice" && startsWith(part, "machine-") && endsWith(part, ".scope") &&
            part.size() > 14)
            return ContainerInfo{"systemd-nspawn", unescapeUnit(part.substr(8, part.size() - 14))};
    }
    return std::nullopt;
}

std::optional<ContainerInfo> containerFromCgroupFile(std::string_view text)
{
    std::vector<std::string_view> unified, legacy;
    while (!text.empty()) {
        auto eol = text.find('\n');
        std::string_view line = text.substr(0, eol);
        text.remove_prefix(eol == std::string_view::npos ? text.size() : eol + 1);
        // hierarchy-ID:controller-list:cgroup-path (the path may itself hold colons)
        const auto first = line.find(':');
        if (first == std::string_view::npos)
            continue;
        const auto second = line.find(':', first + 1);
        if (second == std::string_view::npos)
            continue;
        const auto path = line.substr(second + 1);
        (line.substr(0, first) == "0" && second == first + 1 ? unified : legacy).push_back(path);
    }
    for (const auto *list : {&unified, &legacy})
        for (auto path : *list)
            if (auto c = containerFromCgroupPath(path))
                return c;
    return std::nullopt;
}

std::uint64_t namespaceInode(std::string_view linkTarget)
{
    const auto open = linkTarget.find('[');
    const auto close = linkTarget.rfind(']');
    if (open == std::string_view::npos || close == std::string_view::npos || close <= open + 1)
        return 0;
    std::uint64_t value = 0;
    for (char c : linkTarget.substr(open + 1, close - open - 1)) {
        if (c < '0' || c > '9' || value > (UINT64_MAX - 9) / 10)
            return 0;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

} // namespace loadlens::proc
