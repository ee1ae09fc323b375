// DpkgIndex::build: reads dpkg's admin dir through one directory fd, without iostreams.
#include "pkg/dpkg_index.h"

#include "common/io.h"
#include "common/log.h"
#include "pkg/dpkg_index_data.h"

#include <array>
#include <cerrno>
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::pkg {

namespace {

bool sameInode(const char *a, const char *b)
{
    struct stat sa {}, sb {};
    return ::stat(a, &sa) == 0 && ::stat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// usrmerge is all-or-nothing in practice; /lib is the directory that matters for loaded code.
bool hostIsUsrMerged()
{
    return sameInode("/lib", "/usr/lib") && sameInode("/bin", "/usr/bin");
}

bool endsWith(std::string_view s, std::string_view suffix)
{
    return s.size() > suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

struct InfoNames {
    std::vector<std::string> lists;     // package names with a .list
    std::vector<std::string> md5sums;   // package names with a .md5sums
};

Result<InfoNames> listInfoDir(int infoFd, const std::string &infoPath)
{
    const int dupFd = ::fcntl(infoFd, F_DUPFD_CLOEXEC, 0);
    if (dupFd < 0)
        return Error::fromErrno(errno, "cannot read directory " + infoPath);
    DIR *dir = ::fdopendir(dupFd);
    if (!dir) {
        const int err = errno;
        ::close(dupFd);
        return Error::fromErrno(err, "cannot read directory " + infoPath);
    }
    InfoNames names;
    errno = 0;
    while (const dirent *entry = ::readdir(dir)) {
        const std::string_view name(entry->d_name);
        if (endsWith(name, ".list"))
            names.lists.emplace_back(name.substr(0, name.size() - 5));
        else if (endsWith(name, ".md5sums"))
            names.md5sums.emplace_back(name.substr(0, name.size() - 8));
        errno = 0;
    }
    const int err = errno;
    ::closedir(dir);
    if (err != 0)
        return Error::fromErrno(err, "cannot read directory " + infoPath);
    return names;
}

} // namespace

Result<DpkgIndex> DpkgIndex::build(const std::string &adminDir)
{
    return build(adminDir, DpkgIndexOptions{});
}

Result<DpkgIndex> DpkgIndex::build(const std::string &adminDir, const DpkgIndexOptions &options)
{
    auto logger = log::get("core.pkg");
    const std::string infoPath = adminDir + "/info";

    io::UniqueFd adminFd(::open(adminDir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!adminFd.valid()) {
        const int err = errno;
        if (err == ENOENT) {
            DpkgIndex index;
            auto data = std::make_shared<Data>();
            data->adminDir = adminDir;
            data->unavailableReason = "no dpkg database at " + adminDir + " (" + std::strerror(err)
                                      + "): package ownership was not consulted";
            logger->info("{}", data->unavailableReason);
            index.m_data = std::move(data);
            return index;
        }
        return Error::fromErrno(err, "cannot open dpkg admin dir " + adminDir);
    }
    io::UniqueFd infoFd(::openat(adminFd.get(), "info", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (!infoFd.valid())
        return Error::fromErrno(errno, "cannot open dpkg info dir " + infoPath);

    auto names = listInfoDir(infoFd.get(), infoPath);
    if (!names)
        return names.error();

    bool merged = options.usrMerge == DpkgIndexOptions::UsrMerge::Merged;
    if (options.usrMerge == DpkgIndexOptions::UsrMerge::Detect)
        merged = hostIsUsrMerged();
    DpkgIndexBuilder builder(adminDir, merged);

    // Read every .list first: their total line count sizes the map once instead of rehashing.
    std::vector<std::pair<std::string, std::string>> lists;
    lists.reserve(names->lists.size());
    std::size_t lineCount = 0;
    for (const std::string &package : names->lists) {
        const std::string file = package + ".list";
        auto content = io::readFileAt(infoFd.get(), file.c_str());
        if (!content) {
            logger->warn("{}", content.error().message + " (in " + infoPath + ")");
            builder.addUnreadable("info/" + file);
            continue;
        }
        for (char c : content->data)
            lineCount += (c == '\n');
        lists.emplace_back(package, std::move(content->data));
    }
    builder.reserve(lineCount + lineCount / 8);
    for (auto &[package, content] : lists)
        builder.addList(package, std::move(content), "info/" + package + ".list");
    lists.clear();

    for (const std::string &package : names->md5sums) {
        const std::string file = package + ".md5sums";
        auto content = io::readFileAt(infoFd.get(), file.c_str());
        if (!content) {
            logger->warn("{}", content.error().message + " (in " + infoPath + ")");
            builder.addUnreadable("info/" + file);
            continue;
        }
        builder.addMd5sums(package, std::move(content->data), "info/" + file);
    }

    auto diversions = io::readFileAt(adminFd.get(), "diversions");
    if (diversions)
        builder.addDiversions(diversions->data, "diversions");
    else if (diversions.error().code != ENOENT)
        builder.addUnreadable("diversions");

    DpkgIndex index = builder.finish();
    const auto &w = index.warnings();
    logger->debug("dpkg index of {}: {} packages, {} paths", adminDir, index.packageCount(), index.pathCount());
    if (w.corruptLines > 0 || w.unreadableFiles > 0)
        logger->warn("dpkg database {}: {} corrupt lines skipped, {} files unreadable; first: {}", adminDir,
                     w.corruptLines, w.unreadableFiles, w.examples.empty() ? std::string() : w.examples.front());
    return index;
}

} // namespace loadlens::pkg
