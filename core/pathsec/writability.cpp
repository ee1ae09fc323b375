#include "pathsec/writability.h"

#include "common/log.h"
#include "pathsec/acl_reader.h"
#include "pathsec/path_names.h"
#include "pathsec/principals.h"
#include "pathsec/root_group.h"

#include <cerrno>
#include <deque>
#include <set>
#include <sys/stat.h>
#include <tuple>
#include <unistd.h>

namespace loadlens::pathsec {

std::string_view principalKindName(PrincipalKind kind)
{
    switch (kind) {
    case PrincipalKind::User: return "user";
    case PrincipalKind::Group: return "group";
    case PrincipalKind::Other: return "other";
    case PrincipalKind::AclUser: return "acl-user";
    case PrincipalKind::AclGroup: return "acl-group";
    }
    return "other";
}

namespace {

// A principal's raw rights on one component, before they are related to the next component.
struct Right {
    PrincipalKind kind = PrincipalKind::Other;
    std::uint32_t id = 0;
    std::string name;
    std::string via;
    bool search = false;
    bool rootGroup = false;
    std::vector<std::string> members;
};

struct Frame {
    PathComponent component;
    std::vector<Right> rights;
};

// Group 0 is root's own only while nobody else is in it: with members it is an ordinary group.
void judgeGroupZero(Right &right, const RootGroupMembers &members)
{
    right.members = members.names;
    right.rootGroup = members.names.empty();
}

std::vector<Right> rightsOf(const PathComponent &c, const AccessAcl &acl)
{
    std::vector<Right> out;
    if (c.isSymlink)
        return out;  // a symlink's own mode is never consulted; its parent decides
    const std::uint32_t mode = c.mode;
    if (c.uid != 0) {
        // A non-root owner can chmod the file at will, so write bits or not, the owner can write.
        out.push_back({PrincipalKind::User, c.uid, c.ownerName, (mode & S_IWUSR) ? "mode" : "owner", true, false, {}});
    }
    const bool groupWrite = acl.extended ? acl.groupObjWrite : (mode & S_IWGRP) != 0;
    const bool groupSearch = acl.extended ? acl.groupObjSearch : (mode & S_IXGRP) != 0;
    if (groupWrite)
        out.push_back({PrincipalKind::Group, c.gid, c.groupName, acl.extended ? "acl" : "mode", groupSearch, c.gid == 0, {}});
    if (mode & S_IWOTH)
        out.push_back({PrincipalKind::Other, 0, "everyone", "mode", (mode & S_IXOTH) != 0, false, {}});
    for (const auto &entry : acl.named) {
        if (!entry.write)
            continue;
        if (entry.isGroup)
            out.push_back({PrincipalKind::AclGroup, entry.id, groupName(entry.id), "acl", entry.search, entry.id == 0, {}});
        else if (entry.id != 0)
            out.push_back({PrincipalKind::AclUser, entry.id, userName(entry.id), "acl", entry.search, false, {}});
    }
    return out;
}

bool isUserPrincipal(const Right &r)
{
    return r.kind == PrincipalKind::User || r.kind == PrincipalKind::AclUser;
}

class Walker {
public:
    Walker(const CheckOptions &options, WritabilityReport &report) : m_options(options), m_report(report) {}

    void run(const std::string &path);

private:
    int visit(const std::string &logicalPath, Frame &frame);
    std::string physical(const std::string &path) const;
    void fail(const std::string &path, int err);
    void addWriter(const Frame &owner, const Right &right, Writer writer);
    void relateToChild(const Frame &dir, const PathComponent *child, const std::string &childPath);
    void finishDirectory(const Frame &dir);
    void finishFile(const Frame &file);
    void summarise();

    const CheckOptions &m_options;
    WritabilityReport &m_report;
    std::string m_finalDir;
    std::set<std::tuple<std::string, std::string, int, std::uint32_t, std::string>> m_seen;
};

std::string Walker::physical(const std::string &path) const
{
    if (m_options.rootDir.empty() || m_options.rootDir == "/")
        return path;
    std::string root = m_options.rootDir;
    while (root.size() > 1 && root.back() == '/')
        root.pop_back();
    return path == "/" ? root + "/" : root + path;  // the trailing slash resolves /proc/PID/root itself
}

int Walker::visit(const std::string &logicalPath, Frame &frame)
{
    const std::string path = physical(logicalPath);
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return errno;
    PathComponent &c = frame.component;
    c.path = logicalPath;
    c.uid = st.st_uid;
    c.gid = st.st_gid;
    c.mode = st.st_mode;
    c.ownerName = userName(st.st_uid);
    c.groupName = groupName(st.st_gid);
    c.isDirectory = S_ISDIR(st.st_mode);
    c.isSymlink = S_ISLNK(st.st_mode);
    if (c.isSymlink) {
        std::string target(256, '\0');
        for (;;) {
            const ssize_t n = ::readlink(path.c_str(), target.data(), target.size());
            if (n < 0)
                return errno;
            if (static_cast<std::size_t>(n) < target.size()) {
                target.resize(static_cast<std::size_t>(n));
                break;
            }
            if (target.size() >= (1u << 16))
                return ENAMETOOLONG;
            target.resize(target.size() * 2);
        }
        c.linkTarget = target;
        return 0;
    }
    AccessAcl acl;
    if (m_options.readAcls) {
        auto read = readAccessAcl(path);
        if (read.ok()) {
            acl = std::move(read.value());
        } else {
            // The mode bits are still checked; the report says the ACL part is missing.
            m_report.errors.push_back(read.error().message);
            log::get("core.pathsec")->debug("{}", read.error().message);
        }
    }
    c.hasExtendedAcl = acl.extended;
    frame.rights = rightsOf(c, acl);
    for (auto &right : frame.rights) {
        if (!right.rootGroup)
            continue;
        const auto members = readRootGroupMembers(m_options.groupFile, m_options.passwdFile);
        if (!members.error.empty())
            m_report.errors.push_back("cannot tell who is in the root group: " + members.error);
        judgeGroupZero(right, members);
    }
    return 0;
}

void Walker::fail(const std::string &path, int err)
{
    std::string message = "cannot check " + path + ": " + errnoText(err);
    log::get("core.pathsec")->debug("{}", message);
    m_report.errors.push_back(std::move(message));
}

void Walker::addWriter(const Frame &owner, const Right &right, Writer writer)
{
    writer.component = owner.component.path;
    writer.kind = right.kind;
    writer.id = right.id;
    writer.name = right.name;
    writer.via = right.via;
    writer.rootGroup = right.rootGroup;
    writer.members = right.members;
    writer.sticky = owner.component.isDirectory && (owner.component.mode & S_ISVTX);
    if (right.rootGroup) {
        const std::string what = "root group, which has no members besides root";
        writer.note = writer.note.empty() ? what : what + "; " + writer.note;
    } else if (!right.members.empty()) {
        std::string what = "root group with members";
        for (std::size_t i = 0; i < right.members.size(); ++i)
            what += (i ? ", " : " ") + right.members[i];
        writer.note = writer.note.empty() ? what : what + "; " + writer.note;
    }
    if (right.via == "owner")
        writer.note = writer.note.empty() ? "owner may chmod it" : writer.note + "; owner may chmod it";
    auto key = std::make_tuple(writer.component, writer.affects, int(writer.kind), writer.id, writer.via);
    if (m_seen.insert(key).second)
        m_report.writers.push_back(std::move(writer));
}

// Writers of directory `dir` judged against the entry the path continues with (`child`, or none
// when that entry does not exist): a sticky directory lets others add entries but replace only
// what they own.
void Walker::relateToChild(const Frame &dir, const PathComponent *child, const std::string &childPath)
{
    const bool sticky = dir.component.mode & S_ISVTX;
    for (const auto &right : dir.rights) {
        Writer w;
        w.affects = childPath;
        const bool effective = right.search;
        const bool ownsDir = isUserPrincipal(right) && right.id == dir.component.uid;
        const bool ownsChild = child && isUserPrincipal(right) && right.id == child->uid;
        w.canCreate = effective;
        w.canReplace = effective && child && (!sticky || ownsDir || ownsChild);
        if (!effective)
            w.note = "write permission without search permission: cannot add or remove entries";
        else if (!child)
            w.note = "can create the missing " + childPath;
        else if (w.canReplace && child->isSymlink)
            w.note = "can redirect the symlink " + childPath;
        else if (!w.canReplace)
            w.note = "sticky: may add entries but not replace " + childPath;
        addWriter(dir, right, std::move(w));
    }
}

void Walker::finishDirectory(const Frame &dir)
{
    m_report.exists = true;
    m_report.isDirectory = true;
    m_report.resolvedPath = dir.component.path;
    m_finalDir = dir.component.path;
    const bool sticky = dir.component.mode & S_ISVTX;
    for (const auto &right : dir.rights) {
        Writer w;
        w.affects = dir.component.path;
        const bool ownsDir = isUserPrincipal(right) && right.id == dir.component.uid;
        w.canCreate = right.search;
        w.canReplace = right.search && (!sticky || ownsDir);
        if (!right.search)
            w.note = "write permission without search permission: cannot add or remove entries";
        else if (!w.canReplace)
            w.note = "sticky: may add entries but not replace ones owned by others";
        addWriter(dir, right, std::move(w));
    }
}

void Walker::finishFile(const Frame &file)
{
    m_report.exists = true;
    m_report.resolvedPath = file.component.path;
    for (const auto &right : file.rights) {
        Writer w;
        w.affects = file.component.path;
        w.canReplace = true;  // may rewrite the contents
        addWriter(file, right, std::move(w));
    }
}

void Walker::run(const std::string &path)
{
    std::vector<Frame> stack(1);
    if (const int err = visit("/", stack.back()); err != 0) {
        fail("/", err);
        return;
    }
    m_report.components.push_back(stack.back().component);

    std::deque<std::string> pending;
    for (auto &part : splitComponents(path))
        pending.push_back(std::move(part));
    int symlinks = 0;
    bool finished = false;

    while (!pending.empty()) {
        const std::string name = pending.front();
        pending.pop_front();
        if (name == ".")
            continue;
        if (name == "..") {
            if (stack.size() > 1)
                stack.pop_back();  // safe: every frame was reached through resolved symlinks
            continue;
        }
        const Frame &parent = stack.back();
        const std::string childPath = joinPath(parent.component.path, name);
        const bool last = pending.empty();
        Frame child;
        if (const int err = visit(childPath, child); err != 0) {
            fail(childPath, err);
            if (err == ENOENT) {
                // Still worth knowing: who could create what is missing (the file, or a
                // directory on its way) and so make the path resolve to their own file?
                relateToChild(parent, nullptr, childPath);
                m_finalDir = parent.component.path;
                m_report.resolvedPath = childPath;
            }
            summarise();
            return;
        }
        m_report.components.push_back(child.component);
        relateToChild(parent, &child.component, childPath);

        if (child.component.isSymlink && (!last || m_options.followFinalSymlink)) {
            if (++symlinks > m_options.maxSymlinks) {
                fail(childPath, ELOOP);
                summarise();
                return;
            }
            const std::string &target = child.component.linkTarget;
            if (target.empty()) {
                fail(childPath, ENOENT);
                summarise();
                return;
            }
            if (target.front() == '/')
                stack.resize(1);
            const auto parts = splitComponents(target);
            pending.insert(pending.begin(), parts.begin(), parts.end());
            continue;
        }
        if (last) {
            if (child.component.isDirectory) {
                finishDirectory(child);
            } else if (child.component.isSymlink) {
                m_report.exists = true;
                m_report.resolvedPath = childPath;
                m_finalDir = parent.component.path;
            } else {
                finishFile(child);
                m_finalDir = parent.component.path;
            }
            finished = true;
            break;
        }
        if (!child.component.isDirectory) {
            std::string rest = childPath;
            for (const auto &p : pending)
                rest = joinPath(rest, p);
            fail(rest, ENOTDIR);
            summarise();
            return;
        }
        stack.push_back(std::move(child));
    }
    if (!finished)
        finishDirectory(stack.back());  // "/", or a path ending in "." or ".."
    summarise();
}

void Walker::summarise()
{
    for (const auto &w : m_report.writers) {
        if (w.rootGroup)
            continue;
        if (w.canReplace)
            m_report.writableByNonRoot = true;
        if (m_report.isDirectory && w.component == m_report.resolvedPath && w.canCreate)
            m_report.writableByNonRoot = true;
        if (!m_finalDir.empty() && w.component == m_finalDir && w.canCreate)
            m_report.creatableByNonRoot = true;
    }
}

} // namespace

WritabilityReport checkWritable(const std::string &path, const CheckOptions &options)
{
    WritabilityReport report;
    report.path = normalizePath(path);
    if (report.path.empty() || report.path.front() != '/') {
        report.errors.push_back("cannot check " + (path.empty() ? std::string("an empty path") : path) +
                                ": not an absolute path");
        return report;
    }
    Walker walker(options, report);
    walker.run(report.path);
    if (report.resolvedPath.empty())
        report.resolvedPath = report.path;
    return report;
}

} // namespace loadlens::pathsec
