#pragma once
// Who other than root can change what a path names? Every component from "/" to the path is
// checked (lstat, mode, owner, POSIX ACL, sticky bit, symlinks and their targets), because whoever
// can replace any directory on the way can swap the file without touching it (M1044: keep library
// paths writable by root only; T1574.001/.006 plant libraries in writable places).
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace loadlens::pathsec {

enum class PrincipalKind { User, Group, Other, AclUser, AclGroup };
std::string_view principalKindName(PrincipalKind kind);  // "user", "group", "other", "acl-user", "acl-group"

// One component met during the walk, as lstat saw it.
struct PathComponent {
    std::string path;            // absolute, through resolved symlinks
    std::uint32_t uid = 0;
    std::uint32_t gid = 0;
    std::uint32_t mode = 0;      // st_mode
    std::string ownerName;
    std::string groupName;
    bool isDirectory = false;
    bool isSymlink = false;
    std::string linkTarget;      // as stored in the link
    bool hasExtendedAcl = false;
};

// A principal other than root that may write one component.
struct Writer {
    std::string component;       // the directory or file whose permissions grant the write
    std::string affects;         // what that write reaches: the next component, or `component` itself
    PrincipalKind kind = PrincipalKind::Other;
    std::uint32_t id = 0;        // uid or gid; 0 for Other
    std::string name;            // user or group name; "everyone" for Other
    std::string via;             // "mode", "acl", or "owner" (a non-root owner may chmod it)
    // Group 0 with no member but root (see root_group.h): not counted as a non-root writer, and
    // said so. Group 0 with other members is an ordinary group writer, `members` naming them.
    bool rootGroup = false;
    std::vector<std::string> members;  // for group 0: its non-root members
    bool sticky = false;         // `component` is a directory with the sticky bit
    bool canCreate = false;      // may add new entries to `component` (a directory)
    bool canReplace = false;     // may replace/rename/remove `affects`, or rewrite the file itself
    std::string note;            // e.g. "can redirect the symlink /x/y", "root group"
};

struct CheckOptions {
    bool followFinalSymlink = true;  // also check what a final symlink points to
    int maxSymlinks = 40;            // like the kernel's ELOOP limit
    bool readAcls = true;
    // Account files that say who is in group 0 (read directly: those of the scanned root).
    std::string groupFile = "/etc/group";
    std::string passwdFile = "/etc/passwd";
    // The path is read as a process under this root sees it (another mount namespace's
    // /proc/PID/root): every component is looked up under it and absolute symlinks restart there.
    // Reported paths stay the ones inside the root.
    std::string rootDir = "/";
};

struct WritabilityReport {
    std::string path;                // as asked, normalised
    std::string resolvedPath;        // after symlinks, as far as the walk got
    bool exists = false;             // the final component was found
    bool isDirectory = false;        // the final component is a directory
    std::vector<PathComponent> components;
    std::vector<Writer> writers;
    // The file (or directory) itself is writable by a non-root principal, or some component lets
    // a non-root principal replace the next one. The root group does not count here.
    bool writableByNonRoot = false;
    // A non-root principal can add a new entry to the final directory (the path when it is a
    // directory, else its parent): what planting a library in a search path needs. For a path
    // that does not exist: a non-root principal can create its first missing component.
    bool creatableByNonRoot = false;
    // What could not be checked. A report with errors is never "clean".
    std::vector<std::string> errors;

    bool complete() const { return errors.empty(); }
    bool hasWriters() const { return !writers.empty(); }
};

WritabilityReport checkWritable(const std::string &path, const CheckOptions &options = {});

// One line for people: "/tmp is writable by everyone (sticky: others may add files but not
// replace ones they do not own)".
std::string describeWritability(const WritabilityReport &report);

} // namespace loadlens::pathsec
