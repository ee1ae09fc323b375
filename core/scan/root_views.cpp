#include "scan/root_views.h"

#include "common/io.h"
#include "pathsec/ld_config.h"
#include "proc/cgroup_container.h"
#include "scan/file_survey.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <map>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::scan {

namespace {

std::uint64_t mountNamespaceOf(const std::string &procRoot, int pid)
{
    const std::string link = procRoot + "/" + std::to_string(pid) + "/ns/mnt";
    char target[128];
    const ssize_t n = ::readlink(link.c_str(), target, sizeof target - 1);
    if (n <= 0)
        return 0;
    return proc::namespaceInode(std::string_view(target, static_cast<std::size_t>(n)));
}

// The first process of the view whose root can be looked into and that is still in that
// namespace (a pid reused meanwhile would show another one); "" and why when none.
std::string readableRoot(const std::vector<ProcessInfo> &processes, const RootView &view, const std::string &procRoot,
                         std::string &why)
{
    for (std::size_t index : view.processes) {
        const auto &p = processes[index];
        const std::string root = procRoot + "/" + std::to_string(p.pid) + "/root";
        // Looked into, not only at: a root directory its owner closed (mode 0) says so here.
        if (::faccessat(AT_FDCWD, (root + "/").c_str(), R_OK | X_OK, AT_EACCESS) != 0) {
            if (why.empty())
                why = "its root (" + root + ") cannot be read: " + std::strerror(errno);
            continue;
        }
        if (mountNamespaceOf(procRoot, p.pid) != view.mountNamespace) {
            if (why.empty())
                why = "its root cannot be read: process " + std::to_string(p.pid) + " has left the namespace";
            continue;
        }
        return root;
    }
    if (why.empty())
        why = "no process of it could be read";
    return {};
}

} // namespace

std::string RootView::unreadText() const
{
    std::string out;
    for (const auto &u : unread)
        out += (out.empty() ? "" : "; ") + u;
    return out;
}

std::string RootView::name() const
{
    if (own())
        return "LoadLens's own mount namespace";
    std::string out = "mount namespace " + std::to_string(mountNamespace);
    if (!container.empty())
        out += " (" + container.runtime + " " + container.id.substr(0, 12) + ")";
    return out;
}

std::vector<RootView> groupByRoot(const std::vector<ProcessInfo> &processes, const std::string &procRoot,
                                  bool judgeOwnRoots)
{
    std::vector<RootView> views(1);
    std::map<std::uint64_t, std::size_t> byNamespace;
    for (std::size_t i = 0; i < processes.size(); ++i) {
        const auto &p = processes[i];
        // namespaceHint is set only when the namespace differs from LoadLens's own.
        if (!judgeOwnRoots || p.namespaceHint.empty() || p.mountNamespace == 0) {
            views[0].processes.push_back(i);
            continue;
        }
        auto [it, inserted] = byNamespace.try_emplace(p.mountNamespace, views.size());
        if (inserted) {
            views.emplace_back();
            views.back().mountNamespace = p.mountNamespace;
        }
        auto &view = views[it->second];
        view.processes.push_back(i);
        if (view.container.empty() && !p.container.empty())
            view.container = p.container;
    }
    for (std::size_t v = 1; v < views.size(); ++v) {
        std::string why;
        views[v].rootDir = readableRoot(processes, views[v], procRoot, why);
        if (views[v].rootDir.empty()) {
            views[v].rootUnreadable = true;
            views[v].unread.push_back(why);
            // Paths are still looked up under a root, never LoadLens's own: this one fails.
            views[v].rootDir = procRoot + "/" + std::to_string(processes[views[v].processes.front()].pid) + "/root";
        }
    }
    return views;
}

void readForeignRoot(RootView &view, RootView &own, const std::string &ownAdminDir)
{
    if (view.rootUnreadable)
        return;
    view.preloadFile = view.rootDir + "/etc/ld.so.preload";
    if (auto preload = pathsec::readLdSoPreload(view.rootDir))
        view.preloadEntries = std::move(*preload);
    else
        view.unread.push_back("/etc/ld.so.preload: " + preload.error().message);
    const std::string cachePath = underRoot(view.rootDir, "/etc/ld.so.cache");
    if (auto cache = elf::readLdCache(cachePath))
        view.ldCache = std::move(*cache);
    else if (::access(cachePath.c_str(), F_OK) == 0 || errno != ENOENT)
        view.unread.push_back("/etc/ld.so.cache: " + cache.error().message);
    // The same directory as LoadLens's own database: the same answers, and no second index.
    struct stat theirs {}, ours {};
    if (own.lookup && ::stat(underRoot(view.rootDir, "/var/lib/dpkg").c_str(), &theirs) == 0 &&
        ::stat(ownAdminDir.c_str(), &ours) == 0 && theirs.st_dev == ours.st_dev && theirs.st_ino == ours.st_ino) {
        view.lookup = own.lookup;
        return;
    }
    // No answer cache: it is keyed by LoadLens's own database.
    view.packages.emplace(PackageLookup::forRoot(view.rootDir, std::string()));
    view.lookup = &*view.packages;
    const std::string status = underRoot(view.rootDir, "/var/lib/dpkg/status");
    if (::access(status.c_str(), R_OK) != 0 && errno != ENOENT)
        view.unread.push_back("/var/lib/dpkg/status: " + std::string(std::strerror(errno)));
}

} // namespace loadlens::scan
