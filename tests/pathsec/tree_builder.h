#pragma once
// Builds small directory trees with exact modes, owners and ACLs inside a test's QTemporaryDir.
#include <QString>
#include <string>
#include <sys/types.h>

namespace loadlens::testing {

class TreeBuilder {
public:
    explicit TreeBuilder(const QString &base);

    std::string path(const char *relative) const;
    // Each returns an empty string on success, else what failed (for QVERIFY2).
    std::string dir(const char *relative, mode_t mode);
    std::string file(const char *relative, mode_t mode);
    std::string symlink(const char *relative, const std::string &target);
    std::string chown(const char *relative, uid_t uid, gid_t gid);
    // "u::rwx,u:65534:rwx,..."; returns "unsupported" where the filesystem has no ACLs.
    std::string acl(const char *relative, const char *text);

private:
    std::string m_base;
};

bool runningAsRoot();

} // namespace loadlens::testing
