#include "elf/search_order.h"

#include "common/log.h"

#include <algorithm>
#include <filesystem>
#include <sys/stat.h>

namespace loadlens::elf {

namespace {

std::string normalDirectory(std::string_view dir)
{
    if (dir.empty())
        return {};
    std::string normal = std::filesystem::path(dir).lexically_normal().string();
    while (normal.size() > 1 && normal.back() == '/')
        normal.pop_back();
    return normal;
}

class StepBuilder {
public:
    explicit StepBuilder(const SearchRequest &request) : m_request(request) {}

    // Adds the entries of one list (one object's DT_RPATH or DT_RUNPATH, or LD_LIBRARY_PATH).
    // ld.so ignores an empty list and keeps each directory once per list.
    void addList(SearchSource source, std::string_view list, std::string_view separators,
                 const std::string &originObject, bool originIsExecutable, const std::string &objectPath)
    {
        if (list.empty())
            return;
        TokenContext context = m_request.tokens;
        context.origin = directoryOf(originObject);
        context.secureExecution = m_request.secureExecution;
        context.objectIsExecutable = originIsExecutable;
        context.trustedDirs = m_request.defaultDirs;
        std::vector<std::string> seen;
        for (const std::string &raw : splitSearchPath(list, separators)) {
            ExpandedEntry expanded = expandEntry(raw, context);
            if (expanded.discarded) {
                log::get("core.elf")->debug("{} entry '{}' of {} dropped: {}", searchSourceName(source),
                                            raw, originObject, expanded.reason);
                continue;
            }
            if (std::find(seen.begin(), seen.end(), expanded.path) != seen.end())
                continue;
            seen.push_back(expanded.path);
            add(source, std::move(expanded.path), raw, objectPath);
        }
    }

    void add(SearchSource source, std::string directory, std::string raw, std::string objectPath)
    {
        SearchStep step;
        step.source = source;
        step.relative = isRelativePath(directory);
        step.directory = std::move(directory);
        step.rawEntry = std::move(raw);
        step.objectPath = std::move(objectPath);
        m_steps.push_back(std::move(step));
    }

    std::vector<SearchStep> take() { return std::move(m_steps); }

private:
    const SearchRequest &m_request;
    std::vector<SearchStep> m_steps;
};

bool isDefaultDir(const std::string &dir, const std::vector<std::string> &defaults)
{
    const std::string normal = normalDirectory(dir);
    return std::any_of(defaults.begin(), defaults.end(),
                       [&](const std::string &d) { return normalDirectory(d) == normal; });
}

} // namespace

std::string_view searchSourceName(SearchSource source)
{
    switch (source) {
    case SearchSource::Rpath: return "DT_RPATH";
    case SearchSource::LdLibraryPath: return "LD_LIBRARY_PATH";
    case SearchSource::Runpath: return "DT_RUNPATH";
    case SearchSource::Cache: return "ld.so.cache";
    case SearchSource::DefaultDir: break;
    }
    return "default directory";
}

std::vector<std::string> defaultLibraryDirs()
{
    return {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib", "/usr/lib"};
}

std::string directoryOf(std::string_view path)
{
    const std::size_t slash = path.rfind('/');
    if (slash == std::string_view::npos)
        return ".";
    if (slash == 0)
        return "/";
    return std::string(path.substr(0, slash));
}

std::vector<SearchStep> searchOrder(const SearchRequest &request)
{
    if (request.neededName.find('/') != std::string::npos)
        return {};
    StepBuilder builder(request);
    const LoadingObject &requester = request.requester;
    const LoadingObject &executable = request.loaders.empty() ? requester : request.loaders.back();

    // An object with DT_RUNPATH has its DT_RPATH ignored entirely (glibc elf_get_dynamic_info),
    // and a requester with DT_RUNPATH skips the whole DT_RPATH chain.
    if (!requester.info.hasRunpath) {
        std::vector<const LoadingObject *> chain{&requester};
        for (const auto &loader : request.loaders)
            chain.push_back(&loader);
        for (const LoadingObject *object : chain) {
            if (object->info.hasRpath && !object->info.hasRunpath)
                builder.addList(SearchSource::Rpath, object->info.rpath, ":", object->path,
                                object == &executable, object->path);
        }
    }
    // ld.so removes LD_LIBRARY_PATH from the environment in secure execution; its tokens expand
    // relative to the executable.
    if (request.ldLibraryPath && !request.secureExecution)
        builder.addList(SearchSource::LdLibraryPath, *request.ldLibraryPath, ":;", executable.path,
                        true, std::string());
    if (requester.info.hasRunpath)
        builder.addList(SearchSource::Runpath, requester.info.runpath, ":", requester.path,
                        &requester == &executable, requester.path);

    const bool noDefaultLib = requester.info.noDefaultLib();
    if (request.cache && !request.neededName.empty()) {
        if (auto cached = request.cache->lookup(request.neededName, request.cacheFlags)) {
            std::string dir = directoryOf(*cached);
            // With DF_1_NODEFLIB ld.so rejects a cache hit inside the default directories.
            if (!(noDefaultLib && isDefaultDir(dir, request.defaultDirs)))
                builder.add(SearchSource::Cache, std::move(dir), *cached, std::string());
        }
    }
    if (!noDefaultLib)
        for (const auto &dir : request.defaultDirs)
            builder.add(SearchSource::DefaultDir, normalDirectory(dir), dir, std::string());
    return builder.take();
}

std::optional<std::size_t> stepIndexForDirectory(const std::vector<SearchStep> &steps,
                                                 std::string_view directory, std::string_view rootDir)
{
    std::string root(rootDir == "/" ? std::string_view() : rootDir);
    while (!root.empty() && root.back() == '/')
        root.pop_back();
    const std::string wanted = normalDirectory(directory);
    struct stat wantedStat {};
    const bool wantedExists = !isRelativePath(wanted) && ::stat((root + wanted).c_str(), &wantedStat) == 0;
    for (std::size_t i = 0; i < steps.size(); ++i) {
        const std::string candidate = normalDirectory(steps[i].directory);
        if (candidate == wanted)
            return i;
        if (!wantedExists || steps[i].relative)
            continue;
        struct stat st {};
        if (::stat((root + candidate).c_str(), &st) == 0 && S_ISDIR(st.st_mode) &&
            st.st_dev == wantedStat.st_dev && st.st_ino == wantedStat.st_ino)
            return i;
    }
    return std::nullopt;
}

} // namespace loadlens::elf
