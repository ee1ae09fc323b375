#include "wintriage/ci_tree.h"

#include "winreg/registry.h"

#include <dirent.h>

#include <algorithm>

namespace loadlens::wintriage {

const std::map<std::string, std::string> &CiTree::listing(const std::string &hostDirectory) const
{
    auto [it, inserted] = m_listings.try_emplace(hostDirectory);
    if (inserted) {
        if (DIR *dir = ::opendir(hostDirectory.c_str())) {
            while (const dirent *e = ::readdir(dir)) {
                const std::string name = e->d_name;
                if (name == "." || name == "..")
                    continue;
                it->second.emplace(winreg::foldCase(name), name);
            }
            ::closedir(dir);
        }
    }
    return it->second;
}

std::optional<std::string> CiTree::entry(const std::string &hostDirectory, const std::string &name) const
{
    const auto &entries = listing(hostDirectory);
    const auto it = entries.find(winreg::foldCase(name));
    if (it == entries.end())
        return std::nullopt;
    return hostDirectory + "/" + it->second;
}

std::string CiTree::windowsPath(const std::string &host) const
{
    std::string rel = host.substr(std::min(host.size(), m_root.size()));
    std::replace(rel.begin(), rel.end(), '/', '\\');
    return "C:" + (rel.empty() ? std::string("\\") : rel);
}

std::optional<std::string> CiTree::resolve(std::string_view relative) const
{
    std::string path = m_root;
    std::size_t at = 0;
    while (at <= relative.size()) {
        std::size_t end = relative.find_first_of("/\\", at);
        if (end == std::string_view::npos)
            end = relative.size();
        const std::string part(relative.substr(at, end - at));
        at = end + 1;
        if (part.empty() || part == ".")
            continue;
        if (part == "..")
            return std::nullopt; // never leave the collected tree
        const auto &entries = listing(path);
        const auto exact = entries.find(winreg::foldCase(part));
        if (exact == entries.end())
            return std::nullopt;
        path += "/" + exact->second;
    }
    return path;
}

} // namespace loadlens::wintriage
