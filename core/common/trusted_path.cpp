#include "common/trusted_path.h"

#include <cerrno>
#include <deque>
#include <sys/stat.h>
#include <unistd.h>
#include <vector>

namespace loadlens {

namespace {

std::deque<std::string> splitPath(const std::string &path)
{
    std::deque<std::string> parts;
    std::size_t start = 0;
    while (start <= path.size()) {
        const std::size_t slash = path.find('/', start);
        const std::size_t end = slash == std::string::npos ? path.size() : slash;
        if (end > start)
            parts.push_back(path.substr(start, end - start));
        if (slash == std::string::npos)
            break;
        start = slash + 1;
    }
    return parts;
}

std::string joined(const std::vector<std::string> &stack)
{
    if (stack.empty())
        return "/";
    std::string out;
    for (const auto &p : stack)
        out += "/" + p;
    return out;
}

Status judge(const std::string &where, const struct stat &st, const std::string &path)
{
    if (st.st_uid != 0)
        return Error{0, "not trusting " + path + " as root: " + where + " is owned by uid " +
                            std::to_string(st.st_uid) + ", not root"};
    if (!S_ISLNK(st.st_mode) && (st.st_mode & (S_IWGRP | S_IWOTH)))
        return Error{0, "not trusting " + path + " as root: " + where + " is writable by " +
                            ((st.st_mode & S_IWOTH) ? std::string("everyone") : "group " + std::to_string(st.st_gid))};
    return Ok{};
}

} // namespace

Status checkRootTrustedPath(const std::string &path)
{
    if (path.empty() || path.front() != '/')
        return Error{0, "not trusting " + path + " as root: not an absolute path"};
    struct stat st {};
    if (::lstat("/", &st) != 0)
        return Error::fromErrno(errno, "cannot check /");
    if (auto s = judge("/", st, path); !s)
        return s;
    std::vector<std::string> stack;  // the directories reached so far, symlinks resolved
    std::deque<std::string> pending = splitPath(path);
    int links = 0;
    while (!pending.empty()) {
        const std::string name = pending.front();
        pending.pop_front();
        if (name == ".")
            continue;
        if (name == "..") {
            if (!stack.empty())
                stack.pop_back();
            continue;
        }
        stack.push_back(name);
        const std::string here = joined(stack);
        if (::lstat(here.c_str(), &st) != 0) {
            if (errno == ENOENT)
                return Ok{};  // created by root from here on
            return Error::fromErrno(errno, "not trusting " + path + " as root: cannot check " + here);
        }
        if (auto s = judge(here, st, path); !s)
            return s;
        if (S_ISLNK(st.st_mode)) {
            if (++links > 40)
                return Error{ELOOP, "not trusting " + path + " as root: too many symbolic links"};
            std::string target(4096, '\0');
            const ssize_t n = ::readlink(here.c_str(), target.data(), target.size());
            if (n <= 0 || static_cast<std::size_t>(n) >= target.size())
                return Error{0, "not trusting " + path + " as root: cannot read the link " + here};
            target.resize(static_cast<std::size_t>(n));
            stack.pop_back();
            if (target.front() == '/')
                stack.clear();
            auto parts = splitPath(target);
            pending.insert(pending.begin(), parts.begin(), parts.end());
            continue;
        }
        if (!pending.empty() && !S_ISDIR(st.st_mode))
            return Error{ENOTDIR, "not trusting " + path + " as root: " + here + " is not a directory"};
        if (pending.empty() && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode))
            return Error{0, "not trusting " + path + " as root: " + here + " is not a regular file"};
    }
    return Ok{};
}

Status checkCacheTrusted(const std::string &path)
{
    if (::geteuid() != 0)
        return Ok{};
    return checkRootTrustedPath(path);
}

} // namespace loadlens
