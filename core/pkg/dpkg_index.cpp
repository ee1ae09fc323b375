#include "pkg/dpkg_index.h"

#include "pkg/dpkg_index_data.h"

#include <array>

namespace loadlens::pkg {

namespace {

constexpr std::size_t kMaxWarningExamples = 5;
constexpr std::array<std::string_view, 6> kMergedDirs = {"bin", "sbin", "lib", "lib32", "lib64", "libx32"};

// "/usr/lib/x" has top dir "lib" below /usr; returns the part after the dir name or npos.
bool startsWithDir(std::string_view path, std::string_view dir)
{
    return path.size() > dir.size() && path.substr(0, dir.size()) == dir && path[dir.size()] == '/';
}

} // namespace

std::string usrMergeAlias(std::string_view path)
{
    for (std::string_view dir : kMergedDirs) {
        std::string top = "/";
        top += dir;
        std::string usrTop = "/usr" + top;
        if (startsWithDir(path, usrTop))
            return std::string(path.substr(4));
        if (startsWithDir(path, top))
            return "/usr" + std::string(path);
    }
    return {};
}

std::uint32_t DpkgIndex::Data::internPackage(std::string_view name)
{
    auto [it, inserted] = packageIds.try_emplace(std::string(name), static_cast<std::uint32_t>(packageNames.size()));
    if (inserted)
        packageNames.emplace_back(name);
    return it->second;
}

std::uint32_t DpkgIndex::Data::ownerFor(std::string_view path, std::uint32_t package)
{
    auto it = paths.find(path);
    if (it == paths.end()) {
        extraKeys.emplace_back(path);
        it = paths.emplace(std::string_view(extraKeys.back()), kNone).first;
    }
    std::uint32_t *link = &it->second;
    while (*link != kNone) {
        if (owners[*link].package == package)
            return *link;
        link = &owners[*link].next;
    }
    owners.push_back(Owner{package, kNone, false, {}});
    *link = static_cast<std::uint32_t>(owners.size() - 1);
    return *link;
}

void DpkgIndex::Data::warn(std::string_view source, std::size_t line, std::string_view what)
{
    if (warnings.examples.size() >= kMaxWarningExamples)
        return;
    std::string text(source);
    if (line > 0) {
        text += ':';
        text += std::to_string(line);
    }
    text += ": ";
    text += what;
    warnings.examples.push_back(std::move(text));
}

DpkgIndexBuilder::DpkgIndexBuilder(std::string adminDir, bool usrMerged)
    : m_data(std::make_unique<DpkgIndex::Data>())
{
    m_data->adminDir = std::move(adminDir);
    m_data->usrMerged = usrMerged;
    m_data->available = true;
}

DpkgIndexBuilder::~DpkgIndexBuilder() = default;

void DpkgIndexBuilder::reserve(std::size_t paths)
{
    m_data->paths.reserve(paths);
    m_data->owners.reserve(paths);
}

void DpkgIndexBuilder::addList(std::string_view package, std::string content, std::string_view source)
{
    auto &d = *m_data;
    const std::uint32_t id = d.internPackage(package);
    d.buffers.push_back(std::move(content));
    forEachLine(std::string_view(d.buffers.back()), [&](std::string_view line, std::size_t number) {
        std::string_view path;
        const LineStatus status = parseListLine(line, path);
        if (status == LineStatus::Corrupt) {
            ++d.warnings.corruptLines;
            d.warn(source, number, "corrupt list line (not an absolute path)");
            return;
        }
        if (status != LineStatus::Ok)
            return;
        auto [it, inserted] = d.paths.try_emplace(path, DpkgIndex::Data::kNone);
        if (inserted) {
            d.owners.push_back(DpkgIndex::Data::Owner{id, DpkgIndex::Data::kNone, false, {}});
            it->second = static_cast<std::uint32_t>(d.owners.size() - 1);
        } else {
            d.ownerFor(path, id);
        }
    });
}

void DpkgIndexBuilder::addMd5sums(std::string_view package, std::string content, std::string_view source)
{
    auto &d = *m_data;
    const std::uint32_t id = d.internPackage(package);
    std::string absolute;
    forEachLine(std::string_view(content), [&](std::string_view line, std::size_t number) {
        Md5Bytes md5;
        std::string_view relative;
        const LineStatus status = parseMd5sumsLine(line, md5, relative);
        if (status == LineStatus::Corrupt) {
            ++d.warnings.corruptLines;
            d.warn(source, number, "corrupt md5sums line (expected 32 hex digits, two spaces, path)");
            return;
        }
        if (status != LineStatus::Ok)
            return;
        absolute.assign(1, '/');
        absolute.append(relative);
        auto &owner = d.owners[d.ownerFor(absolute, id)];
        if (owner.hasMd5 && owner.md5 != md5) {
            // Two different digests for one file of one package: trust neither.
            ++d.warnings.corruptLines;
            d.warn(source, number, "conflicting md5sums lines for " + absolute);
            owner.hasMd5 = false;
            return;
        }
        owner.hasMd5 = true;
        owner.md5 = md5;
    });
}

void DpkgIndexBuilder::addDiversions(std::string_view content, std::string_view source)
{
    auto &d = *m_data;
    DiversionsParse parsed = parseDiversions(content);
    for (const auto &issue : parsed.issues) {
        ++d.warnings.corruptLines;
        d.warn(source, issue.line, issue.what);
    }
    for (auto &record : parsed.records) {
        const std::size_t index = d.diversions.size();
        d.diversionByOriginal.try_emplace(record.original, index);
        d.diversionByTarget.try_emplace(record.divertedTo, index);
        d.diversions.push_back(std::move(record));
    }
}

void DpkgIndexBuilder::addUnreadable(std::string_view what)
{
    ++m_data->warnings.unreadableFiles;
    m_data->warn(what, 0, "unreadable");
}

DpkgIndex DpkgIndexBuilder::finish()
{
    DpkgIndex index;
    index.m_data = std::shared_ptr<const DpkgIndex::Data>(std::move(m_data));
    m_data = std::make_unique<DpkgIndex::Data>();
    return index;
}

DpkgIndex::DpkgIndex() : m_data(std::make_shared<Data>()) {}

bool DpkgIndex::available() const { return m_data->available; }
const std::string &DpkgIndex::unavailableReason() const { return m_data->unavailableReason; }
const std::string &DpkgIndex::adminDir() const { return m_data->adminDir; }
std::size_t DpkgIndex::packageCount() const { return m_data->packageNames.size(); }
std::size_t DpkgIndex::pathCount() const { return m_data->paths.size(); }
const DpkgIndexWarnings &DpkgIndex::warnings() const { return m_data->warnings; }

} // namespace loadlens::pkg
