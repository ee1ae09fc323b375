#include "posture/library_dirs.h"

#include "elf/search_order.h"
#include "pathsec/ld_config.h"
#include "posture/posture_fs.h"

#include <set>

namespace loadlens::posture {

LibraryDirs loaderLibraryDirs(const PostureOptions &options, bool includeImplicit)
{
    LibraryDirs out;
    std::set<std::string> seen;
    auto add = [&](const std::string &path, const std::string &source) {
        std::string resolved = resolveUnderRoot(options.rootDir, path);
        if (seen.insert(resolved).second)
            out.dirs.push_back({path, std::move(resolved), source});
    };
    auto conf = pathsec::readLdSoConf(options.rootDir);
    if (conf) {
        for (const auto &d : conf->directories)
            add(d.path, d.sourceFile + ":" + std::to_string(d.line));
        out.errors.insert(out.errors.end(), conf->errors.begin(), conf->errors.end());
    } else {
        out.errors.push_back(conf.error().message);
    }
    for (const auto &d : elf::defaultLibraryDirs())
        add(d, "default");
    if (includeImplicit)
        for (const char *d : {"/lib64", "/usr/lib64"})
            add(d, "ldconfig built-in");
    return out;
}

std::vector<std::string> protectedPaths(const PostureOptions &options)
{
    std::vector<std::string> paths{"/etc/ld.so.preload", "/etc/ld.so.conf", "/etc/ld.so.conf.d"};
    std::set<std::string> seen(paths.begin(), paths.end());
    for (const auto &d : loaderLibraryDirs(options).dirs)
        if (isDirectoryUnder(options.rootDir, d.resolved) && seen.insert(d.resolved).second)
            paths.push_back(d.resolved);
    return paths;
}

} // namespace loadlens::posture
