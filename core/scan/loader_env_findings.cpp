#include "scan/loader_env_findings.h"

#include "elf/search_order.h"
#include "elf/token_expansion.h"
#include "pathsec/principals.h"
#include "scan/loader_paths.h"
#include "verdict/reason_catalog.h"

#include <algorithm>
#include <cstdio>
#include <sys/stat.h>

namespace loadlens::scan {

namespace {

std::string withoutTrailingSlashes(std::string dir)
{
    while (dir.size() > 1 && dir.back() == '/')
        dir.pop_back();
    return dir;
}

// The absolute directories a variable makes the loader read from, in order, once each.
std::vector<std::string> directoriesOf(const std::string &variable, const std::string &value)
{
    std::vector<std::string> dirs;
    auto add = [&dirs](std::string dir) {
        if (dir.empty() || dir[0] != '/')
            return;
        dir = withoutTrailingSlashes(std::move(dir));
        if (std::find(dirs.begin(), dirs.end(), dir) == dirs.end())
            dirs.push_back(std::move(dir));
    };
    if (variable == "LD_LIBRARY_PATH") {
        for (const auto &dir : elf::splitSearchPath(value, ":;"))
            add(dir);
    } else {
        // LD_PRELOAD / LD_AUDIT: an entry with a slash names a file in a directory.
        for (const auto &entry : splitPreloadList(value))
            if (entry.find('/') != std::string::npos)
                add(elf::directoryOf(entry));
    }
    return dirs;
}

std::string octalMode(std::uint32_t mode)
{
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04o", static_cast<unsigned>(mode & 07777));
    return buf;
}

} // namespace

std::vector<Finding> loaderEnvFindings(const ProcessInfo &process, const PlantCheck &whoCanPlantIn)
{
    std::vector<Finding> findings;
    for (const char *variable : {"LD_LIBRARY_PATH", "LD_PRELOAD", "LD_AUDIT"}) {
        auto it = process.loaderEnv.find(variable);
        if (it == process.loaderEnv.end())
            continue;
        for (const auto &dir : directoriesOf(variable, it->second)) {
            const std::string who = whoCanPlantIn(dir);
            if (who.empty())
                continue;
            struct stat st {};
            const bool exists = ::stat(dir.c_str(), &st) == 0;
            const bool everyone = who.find("everyone") != std::string::npos;
            Finding f;
            f.code = std::string(verdict::code::LoaderEnvWritableDir);
            f.level = everyone ? Level::High : Level::Medium;
            f.pid = process.pid;
            f.text = std::string(variable) + " of this process names " + dir + (exists ? ", which " : ", which does not exist and ") +
                     who + (exists ? " can write to" : " can create") +
                     ": whoever puts a library there with the name of one this program loads runs code inside it. "
                     "Loader variables should name only directories that root alone can write.";
            f.technique = std::string(verdict::techniqueFor(f.code));
            f.measure = std::string(verdict::measureFor(f.code));
            f.evidence = {{"variable", variable}, {"value", it->second}, {"directory", dir}, {"writer", who}};
            if (exists) {
                f.evidence.emplace_back("mode", octalMode(st.st_mode));
                f.evidence.emplace_back("owner", pathsec::userName(st.st_uid) + " (" + std::to_string(st.st_uid) + ")");
                f.evidence.emplace_back("group", pathsec::groupName(st.st_gid) + " (" + std::to_string(st.st_gid) + ")");
            }
            findings.push_back(std::move(f));
        }
    }
    return findings;
}

} // namespace loadlens::scan
