#include "common/atomic_file.h"

#include "common/io.h"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

namespace loadlens::io {

namespace {

struct Target {
    std::string directory;  // where the temporary file goes
    std::string base;       // file name of the target
};

Result<Target> splitTarget(const std::string &path)
{
    if (path.empty())
        return Error{EINVAL, "no output file given"};
    if (path.back() == '/')
        return Error{EISDIR, "cannot write " + path + ": it names a directory"};
    const auto slash = path.rfind('/');
    if (slash == std::string::npos)
        return Target{".", path};
    return Target{slash == 0 ? "/" : path.substr(0, slash), path.substr(slash + 1)};
}

// The process umask without changing it: /proc/self/status says it (Linux 4.7 and later);
// otherwise set and restore it.
mode_t currentUmask()
{
    if (auto status = readFile("/proc/self/status", 1u << 16)) {
        const auto at = status->data.find("\nUmask:");
        if (at != std::string::npos)
            return static_cast<mode_t>(std::strtoul(status->data.c_str() + at + 7, nullptr, 8) & 0777);
    }
    const mode_t mask = ::umask(022);
    ::umask(mask);
    return mask;
}

// What the target is now: absent, a regular file (whose mode is kept), something else that can
// only be written in place, or a directory.
enum class Existing { None, Regular, Special, Directory };

Existing inspect(const std::string &path, mode_t &mode)
{
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0)
        return Existing::None;
    if (S_ISLNK(st.st_mode)) {
        // A link to a terminal or pipe (/dev/stdout) is written through; a link to a file, or a
        // dangling one, is replaced by the new file.
        struct stat to {};
        if (::stat(path.c_str(), &to) != 0 || S_ISREG(to.st_mode))
            return Existing::None;
        return S_ISDIR(to.st_mode) ? Existing::Directory : Existing::Special;
    }
    if (S_ISDIR(st.st_mode))
        return Existing::Directory;
    if (!S_ISREG(st.st_mode))
        return Existing::Special;
    mode = st.st_mode & 0777;
    return Existing::Regular;
}

Status writeAll(int fd, std::string_view content, const std::string &what)
{
    while (!content.empty()) {
        const ssize_t n = ::write(fd, content.data(), content.size());
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot write " + what);
        }
        if (n == 0)
            return Error{EIO, "cannot write " + what + ": no progress"};
        content.remove_prefix(static_cast<std::size_t>(n));
    }
    return Ok{};
}

Status writeInPlace(const std::string &path, std::string_view content)
{
    UniqueFd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC | O_NOCTTY));
    if (!fd.valid())
        return Error::fromErrno(errno, "cannot open " + path);
    return writeAll(fd.get(), content, path);
}

// A temporary file ".NAME.XXXXXX" in the target's directory, removed unless released.
class TempFile {
public:
    Status create(const Target &target)
    {
        m_path = (target.directory == "/" ? "/" : target.directory + "/") + "." + target.base + ".XXXXXX";
        m_fd = UniqueFd(::mkostemp(m_path.data(), O_CLOEXEC));
        if (!m_fd.valid()) {
            const int err = errno;
            m_path.clear();
            return Error::fromErrno(err, "cannot create a temporary file in " + target.directory);
        }
        return Ok{};
    }
    ~TempFile()
    {
        if (!m_path.empty())
            ::unlink(m_path.c_str());
    }
    int fd() const { return m_fd.get(); }
    const std::string &path() const { return m_path; }
    int close()
    {
        const int fd = m_fd.release();
        return ::close(fd);
    }
    void keep() { m_path.clear(); }

private:
    std::string m_path;
    UniqueFd m_fd;
};

} // namespace

Status writeFileAtomically(const std::string &path, std::string_view content)
{
    auto target = splitTarget(path);
    if (!target)
        return target.error();
    mode_t mode = 0666 & ~currentUmask();
    switch (inspect(path, mode)) {
    case Existing::Directory:
        return Error{EISDIR, "cannot write " + path + ": it is a directory"};
    case Existing::Special:
        return writeInPlace(path, content);
    case Existing::None:
    case Existing::Regular:
        break;
    }

    TempFile temp;
    if (auto s = temp.create(*target); !s)
        return Error{s.error().code, "cannot write " + path + ": " + s.error().message};
    if (auto s = writeAll(temp.fd(), content, path); !s)
        return s;
    if (::fchmod(temp.fd(), mode) != 0)
        return Error::fromErrno(errno, "cannot set the mode of " + temp.path());
    if (::fsync(temp.fd()) != 0)
        return Error::fromErrno(errno, "cannot write " + path + " (fsync)");
    if (temp.close() != 0)
        return Error::fromErrno(errno, "cannot write " + path + " (close)");
    if (::rename(temp.path().c_str(), path.c_str()) != 0)
        return Error::fromErrno(errno, "cannot move " + temp.path() + " to " + path);
    temp.keep();
    // The rename itself is durable once the directory is synced; a failure here loses nothing
    // that was asked for (the file is complete and in place), so it is not reported.
    UniqueFd dir(::open(target->directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    if (dir.valid())
        (void)::fsync(dir.get());
    return Ok{};
}

Status checkWritableAtomically(const std::string &path)
{
    auto target = splitTarget(path);
    if (!target)
        return target.error();
    mode_t mode = 0;
    switch (inspect(path, mode)) {
    case Existing::Directory:
        return Error{EISDIR, "cannot write " + path + ": it is a directory"};
    case Existing::Special:
        if (::access(path.c_str(), W_OK) != 0)
            return Error::fromErrno(errno, "cannot write " + path);
        return Ok{};
    case Existing::None:
    case Existing::Regular:
        break;
    }
    TempFile temp;
    if (auto s = temp.create(*target); !s)
        return Error{s.error().code, "cannot write " + path + ": " + s.error().message};
    return Ok{};
}

} // namespace loadlens::io
