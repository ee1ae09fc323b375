#pragma once
// File names on a collected Windows volume, looked up the way Windows does (without regard to
// case) on a Linux file system that keeps case. Directory listings are read once and cached.
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace loadlens::wintriage {

class CiTree {
public:
    explicit CiTree(std::string root) : m_root(std::move(root)) {}
    const std::string &root() const { return m_root; }

    // The host path of `relative` ('/' or '\' separated) below the root; nothing when a part is
    // missing or the path would leave the root. Two names that differ only in case (possible on
    // Linux, not on Windows): one of them is taken.
    std::optional<std::string> resolve(std::string_view relative) const;
    // The entries of a host directory: folded name -> name on disk.
    const std::map<std::string, std::string> &listing(const std::string &hostDirectory) const;
    // The host path of the entry `name` in `hostDirectory`, matched without regard to case.
    std::optional<std::string> entry(const std::string &hostDirectory, const std::string &name) const;
    // "C:\..." for a host path below the root.
    std::string windowsPath(const std::string &host) const;

private:
    std::string m_root;
    mutable std::map<std::string, std::map<std::string, std::string>> m_listings;
};

} // namespace loadlens::wintriage
