#include "proc/modules.h"

#include "proc/errno_text.h"

#include <cctype>
#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fcntl.h>
#include <map>
#include <string_view>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <tuple>
#include <unistd.h>

namespace loadlens::proc {

namespace {

constexpr std::string_view kMemfdPrefix = "/memfd:";

bool isKernelCodePage(const std::string &path) { return path == "[vdso]" || path == "[vsyscall]"; }

// No file behind it: empty name or a bracketed kernel name ("[heap]", "[anon:jit]").
bool isAnonymous(const MapsEntry &e)
{
    return e.inode == 0 && e.devMajor == 0 && e.devMinor == 0 && (e.path.empty() || e.path.front() == '[');
}

MappedRange rangeOf(const MapsEntry &e) { return MappedRange{e.start, e.end, e.offset, e.perms}; }

// Settles `deleted`/`memfd` for a file whose maps name ended in " (deleted)".
void confirmDeleted(ModuleRecord &record, const MapsEntry &first, const MapFilesContext &context)
{
    std::string whyNot = context.unavailableReason;
    if (context.pidDirFd >= 0) {
        char name[64];
        std::snprintf(name, sizeof name, "map_files/%" PRIx64 "-%" PRIx64, first.start, first.end);
        struct stat st {};
        if (::fstatat(context.pidDirFd, name, &st, 0) == 0) {
            record.confirmation = "map_files";
            const bool onShmem = context.shmemDev && static_cast<std::uint64_t>(st.st_dev) == *context.shmemDev;
            if (onShmem && record.path.starts_with(kMemfdPrefix)) {
                record.memfd = true;
            } else if (onShmem) {
                // MAP_SHARED|MAP_ANONYMOUS ("/dev/zero") or a SysV segment ("/SYSV0000002a"):
                // memory with no file behind it.
                record.anonymousExec = true;
            } else if (st.st_nlink == 0) {
                record.deleted = true;
            } else {
                // Still linked: the file is really named "... (deleted)".
                record.path += " (deleted)";
            }
            return;
        }
        whyNot = describeErrno(errno);
    }
    if (record.path.starts_with(kMemfdPrefix)) {
        record.memfd = true;
        record.confirmation = "maps-suffix, memfd by its /memfd: name (map_files: " + whyNot + ")";
    } else {
        record.deleted = true;
        record.confirmation = "maps-suffix (map_files: " + whyNot + ")";
    }
}

} // namespace

std::optional<std::uint64_t> detectShmemDevice(std::string *why)
{
    const int fd = ::memfd_create("loadlens-shmem-probe", MFD_CLOEXEC);
    if (fd < 0) {
        if (why)
            *why = "memfd_create: " + describeErrno(errno);
        return std::nullopt;
    }
    struct stat st {};
    const int rc = ::fstat(fd, &st);
    const int err = errno;
    ::close(fd);
    if (rc != 0) {
        if (why)
            *why = "fstat of a memfd: " + describeErrno(err);
        return std::nullopt;
    }
    return static_cast<std::uint64_t>(st.st_dev);
}

bool hasWindowsImageName(std::string_view path)
{
    const auto dot = path.rfind('.');
    if (dot == std::string_view::npos || path.find('/', dot) != std::string_view::npos)
        return false;
    std::string ext(path.substr(dot + 1));
    for (auto &c : ext)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    for (const char *known : {"dll", "exe", "sys", "drv", "ocx", "cpl"})
        if (ext == known)
            return true;
    return false;
}

std::vector<ModuleRecord> buildModules(const std::vector<MapsEntry> &entries, const MapFilesContext &context)
{
    std::vector<ModuleRecord> modules;
    // Ranges of one file share dev, inode and name; an index keeps the address order of first
    // appearance. Files with no executable range (data, locale archives, fonts) are dropped.
    using FileGroupKey = std::tuple<std::uint32_t, std::uint32_t, std::uint64_t, std::string_view, bool>;
    struct FileGroup {
        std::vector<const MapsEntry *> entries;
        bool executable = false;
        bool imageHeader = false;  // a private mapping of the file's first page
        std::size_t order = 0;
    };
    std::map<FileGroupKey, FileGroup> files;
    std::vector<FileGroup *> fileOrder;
    std::vector<std::pair<std::size_t, ModuleRecord>> others;  // (position, record)

    for (std::size_t i = 0; i < entries.size(); ++i) {
        const MapsEntry &e = entries[i];
        if (isKernelCodePage(e.path)) {
            ModuleRecord record;
            record.path = e.path;
            record.pseudo = true;
            record.executable = e.executable();
            record.ranges.push_back(rangeOf(e));
            others.emplace_back(i, std::move(record));
            continue;
        }
        if (isAnonymous(e)) {
            if (!e.executable())
                continue;
            ModuleRecord record;
            record.path = e.path;  // empty, or the kernel's name: "[anon:NAME]", "[stack]", "[heap]"
            record.anonymousExec = true;
            record.executable = true;
            record.ranges.push_back(rangeOf(e));
            others.emplace_back(i, std::move(record));
            continue;
        }
        auto [it, inserted] = files.try_emplace(FileGroupKey{e.devMajor, e.devMinor, e.inode, e.path, e.deletedSuffix});
        FileGroup &group = it->second;
        if (inserted) {
            group.order = i;
            fileOrder.push_back(&group);
        }
        group.entries.push_back(&e);
        group.executable = group.executable || e.executable();
        group.imageHeader = group.imageHeader || (e.offset == 0 && e.perms.size() == 4 && e.perms[3] == 'p');
    }

    modules.reserve(others.size() + fileOrder.size());
    auto nextOther = others.begin();
    for (FileGroup *group : fileOrder) {
        for (; nextOther != others.end() && nextOther->first < group->order; ++nextOther)
            modules.push_back(std::move(nextOther->second));
        if (!group->executable && !(group->imageHeader && hasWindowsImageName(group->entries.front()->path)))
            continue;
        const MapsEntry &first = *group->entries.front();
        ModuleRecord record;
        record.path = first.path;
        record.file = FileKey{static_cast<std::uint64_t>(::makedev(first.devMajor, first.devMinor)), first.inode};
        record.executable = group->executable;
        record.ranges.reserve(group->entries.size());
        for (const MapsEntry *e : group->entries)
            record.ranges.push_back(rangeOf(*e));
        if (first.deletedSuffix)
            confirmDeleted(record, first, context);
        modules.push_back(std::move(record));
    }
    for (; nextOther != others.end(); ++nextOther)
        modules.push_back(std::move(nextOther->second));
    return modules;
}

} // namespace loadlens::proc
