// DpkgIndex lookups: usrmerge aliases and diversions (see dpkg_index.h for the rules).
#include "pkg/dpkg_index.h"

#include "pkg/dpkg_index_data.h"

namespace loadlens::pkg {

namespace {

using Data = DpkgIndex::Data;

// The path itself, then its usrmerge alias when this host merges that directory.
std::vector<std::string> candidatesOf(const Data &d, std::string_view path)
{
    std::vector<std::string> out{std::string(path)};
    if (d.usrMerged) {
        std::string alias = usrMergeAlias(path);
        if (!alias.empty())
            out.push_back(std::move(alias));
    }
    return out;
}

enum class PackageFilter { Any, Only, Except };

// Owners of `path` (or its alias) passing the filter. Prefers an owner whose manifest has a
// digest, so a shared Multi-Arch file is verified rather than reported without an md5.
std::optional<OwnedFile> ownerOf(const Data &d, std::string_view path, PackageFilter filter,
                                 std::uint32_t package)
{
    for (const std::string &candidate : candidatesOf(d, path)) {
        auto it = d.paths.find(std::string_view(candidate));
        if (it == d.paths.end())
            continue;
        const Data::Owner *best = nullptr;
        std::vector<const Data::Owner *> matching;
        for (std::uint32_t i = it->second; i != Data::kNone; i = d.owners[i].next) {
            const Data::Owner &owner = d.owners[i];
            if ((filter == PackageFilter::Only && owner.package != package)
                || (filter == PackageFilter::Except && owner.package == package))
                continue;
            matching.push_back(&owner);
            if (!best || (!best->hasMd5 && owner.hasMd5))
                best = &owner;
        }
        if (!best)
            continue;
        OwnedFile out;
        out.package = d.packageNames[best->package];
        if (best->hasMd5)
            out.md5 = md5ToHex(best->md5);
        out.dpkgPath = candidate;
        for (const Data::Owner *other : matching)
            if (other != best)
                out.alsoListedBy.push_back(d.packageNames[other->package]);
        return out;
    }
    return std::nullopt;
}

const DiversionRecord *diversionAt(const Data &d, std::string_view path, bool &isTarget)
{
    for (const std::string &candidate : candidatesOf(d, path)) {
        if (auto it = d.diversionByTarget.find(candidate); it != d.diversionByTarget.end()) {
            isTarget = true;
            return &d.diversions[it->second];
        }
        if (auto it = d.diversionByOriginal.find(candidate); it != d.diversionByOriginal.end()) {
            isTarget = false;
            return &d.diversions[it->second];
        }
    }
    return nullptr;
}

std::uint32_t packageIdOf(const Data &d, const std::string &name)
{
    auto it = d.packageIds.find(name);
    return it == d.packageIds.end() ? Data::kNone : it->second;
}

} // namespace

const DiversionRecord *DpkgIndex::findDiversion(std::string_view path) const
{
    bool isTarget = false;
    return diversionAt(*m_data, path, isTarget);
}

std::optional<OwnedFile> DpkgIndex::lookup(std::string_view path) const
{
    const Data &d = *m_data;
    if (!d.available || path.empty())
        return std::nullopt;

    bool isTarget = false;
    if (const DiversionRecord *diversion = diversionAt(d, path, isTarget)) {
        const std::string by = diversion->package.empty() ? std::string("local diversion") : diversion->package;
        if (isTarget) {
            // The diverted-to file holds another package's copy of the ORIGINAL path.
            // (A local diversion diverts every package's copy, hence Except with kNone.)
            auto owned = ownerOf(d, diversion->original, PackageFilter::Except,
                                 diversion->package.empty() ? Data::kNone : packageIdOf(d, diversion->package));
            if (owned)
                owned->diversion = "diverted from " + diversion->original + " by " + by;
            return owned;
        }
        // The original name holds the diverting package's copy, or the administrator's own file.
        if (diversion->package.empty())
            return std::nullopt;
        const std::uint32_t id = packageIdOf(d, diversion->package);
        if (id == Data::kNone)
            return std::nullopt;
        auto owned = ownerOf(d, path, PackageFilter::Only, id);
        if (owned)
            owned->diversion = "original name kept by " + by + " (others diverted to " + diversion->divertedTo + ")";
        return owned;
    }
    return ownerOf(d, path, PackageFilter::Any, Data::kNone);
}

} // namespace loadlens::pkg
