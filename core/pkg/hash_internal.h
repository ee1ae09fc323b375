#pragma once
// Pieces shared by the single-file hash and the multi-file lane engine.
#include "common/io.h"
#include "pkg/hash.h"

#include <memory>
#include <openssl/evp.h>
#include <sys/stat.h>

namespace loadlens::pkg::detail {

struct EvpCtxFree {
    void operator()(EVP_MD_CTX *ctx) const { EVP_MD_CTX_free(ctx); }
};
using EvpCtx = std::unique_ptr<EVP_MD_CTX, EvpCtxFree>;

// Fetched once; null when the OpenSSL provider lacks the algorithm (e.g. MD5 under FIPS).
const EVP_MD *sha256Md();
const EVP_MD *md5Md();

// A fresh context initialised for `md`, or an Error naming `label`.
Result<EvpCtx> newDigest(const EVP_MD *md, const char *name, const std::string &label);
Result<std::string> finishDigest(EVP_MD_CTX *ctx, const std::string &label);

std::string toHex(const unsigned char *bytes, std::size_t length);

// Opens with O_RDONLY|O_NONBLOCK|O_NOFOLLOW|O_CLOEXEC; errors say plainly what the path is.
Result<io::UniqueFd> openForHash(const std::string &path);
// fstat, accepting only regular files.
Result<struct stat> statRegular(int fd, const std::string &label);
FileStamp stampOf(const struct stat &st);
// Error when the second fstat shows a different file or content, or fewer bytes were read.
Status checkUnchanged(int fd, const struct stat &before, std::uint64_t bytesRead, const std::string &label);

} // namespace loadlens::pkg::detail
