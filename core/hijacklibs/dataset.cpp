#include "common/io.h"
#include "common/log.h"
#include "hijacklibs/hijacklibs.h"

#include <algorithm>
#include <filesystem>

namespace loadlens::hijacklibs {

namespace fs = std::filesystem;

namespace {

constexpr std::size_t kMaxEntryBytes = 1u << 20;  // the largest entry in the dataset is ~30 KiB
constexpr std::size_t kMaxFiles = 100000;


bool isYamlFile(const fs::path &path)
{
    const std::string ext = winpath::toLowerAscii(path.extension().string());
    return ext == ".yml" || ext == ".yaml";
}

} // namespace

bool Entry::isExpectedDirectory(std::string_view normalizedDirectory) const
{
    return std::any_of(expectedLocations.begin(), expectedLocations.end(),
                       [&](const auto &p) { return p.matches(normalizedDirectory); });
}

const VulnerableExecutable *Entry::vulnerableExecutableFor(std::string_view normalizedImage) const
{
    for (const auto &exe : vulnerableExecutables) {
        const bool bareName = exe.path.find_first_of("\\/") == std::string::npos;
        if (bareName ? winpath::equalsIgnoreCase(exe.path, winpath::baseName(normalizedImage))
                     : exe.pattern.matches(normalizedImage))
            return &exe;
    }
    return nullptr;
}

std::string Entry::hijackTypes() const
{
    std::vector<std::string> seen;
    for (const auto &exe : vulnerableExecutables)
        if (std::find(seen.begin(), seen.end(), exe.type) == seen.end())
            seen.push_back(exe.type);
    std::string out;
    for (const auto &type : seen)
        out += (out.empty() ? "" : ", ") + type;
    return out;
}

void Dataset::indexExecutables(std::size_t entryIndex)
{
    for (const auto &exe : m_entries[entryIndex].vulnerableExecutables) {
        const std::string name(winpath::baseName(winpath::normalize(exe.path)));
        auto range = m_byExecutable.equal_range(name);
        bool present = false;
        for (auto it = range.first; it != range.second && !present; ++it)
            present = it->second == entryIndex;
        if (!present)
            m_byExecutable.emplace(name, entryIndex);
    }
}

void Dataset::add(Entry entry)
{
    m_byName[winpath::toLowerAscii(entry.name)].push_back(m_entries.size());
    m_entries.push_back(std::move(entry));
    indexExecutables(m_entries.size() - 1);
}

std::vector<const Entry *> Dataset::entriesForExecutable(std::string_view exeName) const
{
    std::vector<std::size_t> indices;
    auto range = m_byExecutable.equal_range(winpath::toLowerAscii(exeName));
    for (auto it = range.first; it != range.second; ++it)
        indices.push_back(it->second);
    std::sort(indices.begin(), indices.end());
    std::vector<const Entry *> out;
    for (std::size_t i : indices)
        out.push_back(&m_entries[i]);
    return out;
}

const Entry *Dataset::find(std::string_view dllName) const
{
    const auto it = m_byName.find(winpath::toLowerAscii(dllName));
    return it == m_byName.end() ? nullptr : &m_entries[it->second.front()];
}

std::vector<const Entry *> Dataset::findAll(std::string_view dllName) const
{
    std::vector<const Entry *> out;
    if (const auto it = m_byName.find(winpath::toLowerAscii(dllName)); it != m_byName.end())
        for (std::size_t i : it->second)
            out.push_back(&m_entries[i]);
    return out;
}

Result<Dataset> Dataset::loadDirectory(const std::string &directory, LoadReport &report,
                                       const CancelToken &cancel)
{
    std::error_code ec;
    fs::path root(directory);
    if (!fs::is_directory(root, ec))
        return Error{ec ? ec.value() : ENOTDIR,
                     "cannot read the HijackLibs folder " + directory + ": " +
                         (ec ? ec.message() : std::string("not a directory"))};
    if (fs::is_directory(root / "yml", ec))
        root /= "yml";

    std::vector<fs::path> files;
    fs::recursive_directory_iterator it(root, fs::directory_options::skip_permission_denied, ec);
    if (ec)
        return Error{ec.value(), "cannot read the HijackLibs folder " + root.string() + ": " + ec.message()};
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) {
            report.problems.push_back({root.string(), "listing stopped: " + ec.message()});
            break;
        }
        if (it->is_regular_file(ec) && isYamlFile(it->path()))
            files.push_back(it->path());
        if (files.size() > kMaxFiles) {
            report.problems.push_back({root.string(), "more than 100000 YAML files; the rest were not read"});
            break;
        }
    }
    std::sort(files.begin(), files.end());  // stable results whatever the directory order

    Dataset dataset;
    for (const auto &file : files) {
        if (cancel.cancelled()) {
            report.problems.push_back({root.string(), "cancelled; not every entry was read"});
            break;
        }
        auto content = io::readFile(file.string(), kMaxEntryBytes);
        ++report.filesRead;
        if (!content) {
            report.problems.push_back({file.string(), content.error().message});
            continue;
        }
        if (content->truncated) {
            report.problems.push_back({file.string(), "larger than 1 MiB; not a HijackLibs entry"});
            continue;
        }
        auto entry = parseEntry(content->data, file.string());
        if (!entry) {
            report.problems.push_back({file.string(), entry.error().message});
            continue;
        }
        for (const auto &warning : entry->warnings)
            report.problems.push_back({file.string(), warning});
        dataset.add(std::move(entry).value());
    }
    report.entries = dataset.size();
    log::get("core.hijacklibs")->debug("HijackLibs: {} entries from {} files in {}, {} problems",
                                       report.entries, report.filesRead, root.string(), report.problems.size());
    if (dataset.size() == 0)
        return Error{0, "no HijackLibs entry could be read from " + root.string()};
    return dataset;
}

} // namespace loadlens::hijacklibs
