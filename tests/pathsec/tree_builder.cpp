#include "tree_builder.h"

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/acl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::testing {
namespace {

std::string failure(const std::string &what, const std::string &path)
{
    return what + " " + path + ": " + std::strerror(errno);
}

} // namespace

TreeBuilder::TreeBuilder(const QString &base) : m_base(base.toStdString()) {}

std::string TreeBuilder::path(const char *relative) const
{
    return m_base + "/" + relative;
}

std::string TreeBuilder::dir(const char *relative, mode_t mode)
{
    const std::string p = path(relative);
    if (::mkdir(p.c_str(), 0700) != 0)
        return failure("mkdir", p);
    if (::chmod(p.c_str(), mode) != 0)  // explicit: the umask must not decide the test
        return failure("chmod", p);
    return {};
}

std::string TreeBuilder::file(const char *relative, mode_t mode)
{
    const std::string p = path(relative);
    const int fd = ::open(p.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0)
        return failure("create", p);
    const char content[] = "\x7f" "ELF not really";
    const bool written = ::write(fd, content, sizeof content) == static_cast<ssize_t>(sizeof content);
    ::close(fd);
    if (!written)
        return failure("write", p);
    if (::chmod(p.c_str(), mode) != 0)
        return failure("chmod", p);
    return {};
}

std::string TreeBuilder::symlink(const char *relative, const std::string &target)
{
    const std::string p = path(relative);
    if (::symlink(target.c_str(), p.c_str()) != 0)
        return failure("symlink", p);
    return {};
}

std::string TreeBuilder::chown(const char *relative, uid_t uid, gid_t gid)
{
    const std::string p = path(relative);
    if (::lchown(p.c_str(), uid, gid) != 0)
        return failure("chown", p);
    return {};
}

std::string TreeBuilder::acl(const char *relative, const char *text)
{
    const std::string p = path(relative);
    acl_t acl = acl_from_text(text);
    if (!acl)
        return failure("acl_from_text for", p);
    const int rc = acl_set_file(p.c_str(), ACL_TYPE_ACCESS, acl);
    const int err = errno;
    acl_free(acl);
    if (rc != 0) {
        if (err == ENOTSUP)
            return "unsupported";
        errno = err;
        return failure("acl_set_file", p);
    }
    return {};
}

bool runningAsRoot()
{
    return ::geteuid() == 0;
}

} // namespace loadlens::testing
