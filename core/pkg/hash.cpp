#include "pkg/hash.h"

#include "pkg/hash_internal.h"

#include "common/regular_file.h"

#include <cerrno>
#include <fcntl.h>
#include <unistd.h>
#include <vector>

namespace loadlens::pkg {

namespace detail {

const EVP_MD *sha256Md()
{
    static const EVP_MD *md = EVP_MD_fetch(nullptr, "SHA256", nullptr);
    return md;
}

const EVP_MD *md5Md()
{
    static const EVP_MD *md = EVP_MD_fetch(nullptr, "MD5", nullptr);
    return md;
}

Result<EvpCtx> newDigest(const EVP_MD *md, const char *name, const std::string &label)
{
    EvpCtx ctx(EVP_MD_CTX_new());
    if (!md || !ctx || EVP_DigestInit_ex2(ctx.get(), md, nullptr) != 1)
        return Error{0, std::string("cannot hash ") + label + ": " + name + " is not available from OpenSSL"};
    return ctx;
}

Result<std::string> finishDigest(EVP_MD_CTX *ctx, const std::string &label)
{
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int length = 0;
    if (EVP_DigestFinal_ex(ctx, digest, &length) != 1)
        return Error{0, "cannot hash " + label + ": OpenSSL digest failed"};
    return toHex(digest, length);
}

std::string toHex(const unsigned char *bytes, std::size_t length)
{
    static constexpr char digits[] = "0123456789abcdef";
    std::string hex(2 * length, '0');
    for (std::size_t i = 0; i < length; ++i) {
        hex[2 * i] = digits[bytes[i] >> 4];
        hex[2 * i + 1] = digits[bytes[i] & 0xf];
    }
    return hex;
}

Result<io::UniqueFd> openForHash(const std::string &path)
{
    io::UniqueFd fd(::open(path.c_str(), O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY));
    if (fd.valid())
        return fd;
    const int err = errno;
    if (err == ELOOP)
        return Error{err, "cannot hash " + path + ": it is a symbolic link (not followed)"};
    return Error::fromErrno(err, "cannot open " + path + " for hashing");
}

Result<struct stat> statRegular(int fd, const std::string &label)
{
    struct stat st {};
    if (::fstat(fd, &st) != 0)
        return Error::fromErrno(errno, "cannot stat " + label);
    if (!S_ISREG(st.st_mode)) {
        return Error{EINVAL, "cannot hash " + label + ": it is " + std::string(io::fileKindName(st.st_mode)) +
                                 ", only regular files are hashed"};
    }
    return st;
}

FileStamp stampOf(const struct stat &st)
{
    FileStamp stamp;
    stamp.dev = static_cast<std::uint64_t>(st.st_dev);
    stamp.inode = static_cast<std::uint64_t>(st.st_ino);
    stamp.size = static_cast<std::uint64_t>(st.st_size);
    stamp.mtimeNs = std::int64_t(st.st_mtim.tv_sec) * 1000000000 + st.st_mtim.tv_nsec;
    stamp.ctimeNs = std::int64_t(st.st_ctim.tv_sec) * 1000000000 + st.st_ctim.tv_nsec;
    return stamp;
}

Status checkUnchanged(int fd, const struct stat &before, std::uint64_t bytesRead, const std::string &label)
{
    struct stat after {};
    if (::fstat(fd, &after) != 0)
        return Error::fromErrno(errno, "cannot stat " + label);
    const FileStamp a = stampOf(before);
    const FileStamp b = stampOf(after);
    if (a.dev != b.dev || a.inode != b.inode || a.size != b.size || a.mtimeNs != b.mtimeNs || bytesRead != a.size)
        return Error{0, "cannot hash " + label + ": file changed while hashing"};
    return Ok{};
}

} // namespace detail

Result<Digests> hashFd(int fd, const std::string &label, const HashOptions &options, FileStamp *stamp)
{
    auto before = detail::statRegular(fd, label);
    if (!before)
        return before.error();
    if (stamp)
        *stamp = detail::stampOf(*before);
    auto sha = detail::newDigest(detail::sha256Md(), "SHA-256", label);
    if (!sha)
        return sha.error();
    Result<detail::EvpCtx> md5 = detail::EvpCtx();
    if (options.md5) {
        md5 = detail::newDigest(detail::md5Md(), "MD5", label);
        if (!md5)
            return md5.error();
    }
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);

    std::vector<unsigned char> buffer(options.chunkSize ? options.chunkSize : (1u << 20));
    std::uint64_t total = 0;
    for (;;) {
        const ssize_t n = ::pread(fd, buffer.data(), buffer.size(), static_cast<off_t>(total));
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return Error::fromErrno(errno, "cannot read " + label);
        }
        if (n == 0)
            break;
        total += static_cast<std::uint64_t>(n);
        if (total > static_cast<std::uint64_t>(before->st_size))
            return Error{0, "cannot hash " + label + ": file changed while hashing (it grew)"};
        EVP_DigestUpdate(sha->get(), buffer.data(), static_cast<std::size_t>(n));
        if (options.md5)
            EVP_DigestUpdate(md5->get(), buffer.data(), static_cast<std::size_t>(n));
    }
    if (auto unchanged = detail::checkUnchanged(fd, *before, total, label); !unchanged)
        return unchanged.error();

    Digests out;
    auto shaHex = detail::finishDigest(sha->get(), label);
    if (!shaHex)
        return shaHex.error();
    out.sha256 = std::move(*shaHex);
    if (options.md5) {
        auto md5Hex = detail::finishDigest(md5->get(), label);
        if (!md5Hex)
            return md5Hex.error();
        out.md5 = std::move(*md5Hex);
    }
    return out;
}

Result<Digests> hashFile(const std::string &path, const HashOptions &options, FileStamp *stamp)
{
    auto fd = detail::openForHash(path);
    if (!fd)
        return fd.error();
    return hashFd(fd->get(), path, options, stamp);
}

} // namespace loadlens::pkg
