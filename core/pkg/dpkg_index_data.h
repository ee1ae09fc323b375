#pragma once
// Internal layout of DpkgIndex, shared by its builder and its lookups.
#include "pkg/dpkg_index.h"

#include <cstdint>
#include <deque>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace loadlens::pkg {

struct DpkgIndex::Data {
    static constexpr std::uint32_t kNone = 0xffffffffu;

    // Several packages may list one path (directories, Multi-Arch: same files, diversions):
    // owners of a path form a singly linked list through `next`.
    struct Owner {
        std::uint32_t package = 0;
        std::uint32_t next = kNone;
        bool hasMd5 = false;
        Md5Bytes md5{};
    };

    std::string adminDir;
    bool available = false;
    std::string unavailableReason;
    bool usrMerged = false;

    // Keys are views into `buffers` (whole .list files kept as read) or `extraKeys`; a deque
    // never moves its elements, so the views stay valid.
    std::deque<std::string> buffers;
    std::deque<std::string> extraKeys;
    std::unordered_map<std::string_view, std::uint32_t> paths;  // path -> first owner
    std::vector<Owner> owners;

    std::vector<std::string> packageNames;  // interned: Owner::package indexes this
    std::unordered_map<std::string, std::uint32_t> packageIds;

    std::vector<DiversionRecord> diversions;
    std::unordered_map<std::string, std::size_t> diversionByOriginal;
    std::unordered_map<std::string, std::size_t> diversionByTarget;

    DpkgIndexWarnings warnings;

    std::uint32_t internPackage(std::string_view name);
    std::uint32_t ownerFor(std::string_view path, std::uint32_t package);  // creates when missing
    void warn(std::string_view source, std::size_t line, std::string_view what);
};

// The usrmerge alias of `path` ("/usr/lib/x" <-> "/lib/x"), or empty when it has none.
std::string usrMergeAlias(std::string_view path);

} // namespace loadlens::pkg
