#include "pathsec/file_facts.h"

#include "common/log.h"
#include "pathsec/path_names.h"
#include "pathsec/principals.h"

#include <cerrno>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::pathsec {

FileFacts statFile(const std::string &path)
{
    FileFacts facts;
    facts.path = path;
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) {
        const int err = errno;
        facts.errors.push_back("cannot stat " + path + ": " + errnoText(err));
        log::get("core.pathsec")->debug("{}", facts.errors.back());
        return facts;
    }
    facts.key = FileKey{static_cast<std::uint64_t>(st.st_dev), static_cast<std::uint64_t>(st.st_ino)};
    facts.size = static_cast<std::uint64_t>(st.st_size);
    facts.mtimeNs = static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    facts.ctimeNs = static_cast<std::int64_t>(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    facts.uid = st.st_uid;
    facts.gid = st.st_gid;
    facts.mode = st.st_mode;
    facts.ownerName = userName(st.st_uid);
    facts.groupName = groupName(st.st_gid);
    if (S_ISLNK(st.st_mode)) {
        // Not an error in the I/O sense, but callers expecting the file itself must know.
        char target[4096];
        const ssize_t n = ::readlink(path.c_str(), target, sizeof target);
        std::string message = path + " is a symbolic link";
        if (n >= 0 && static_cast<std::size_t>(n) < sizeof target)
            message += " to " + std::string(target, static_cast<std::size_t>(n));
        message += "; the facts describe the link, not its target";
        facts.errors.push_back(std::move(message));
    }
    return facts;
}

bool isSymlink(const FileFacts &facts)
{
    return S_ISLNK(facts.mode);
}

} // namespace loadlens::pathsec
