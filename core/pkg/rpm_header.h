#pragma once
// An installed package's RPM header as the RPM database stores it (the blob of one row of
// rpmdb.sqlite's Packages table): index count and data size, then the index entries
// (tag, type, offset, count), then the data store, all big-endian. Only the tags that file
// verification needs are decoded. Every offset and count is checked against the blob: a damaged
// header is an Error that says what is wrong, never a read outside it.
#include "common/result.h"

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loadlens::pkg {

namespace rpmtag {
inline constexpr std::uint32_t Name = 1000;
inline constexpr std::uint32_t Version = 1001;
inline constexpr std::uint32_t Release = 1002;
inline constexpr std::uint32_t Epoch = 1003;
inline constexpr std::uint32_t Arch = 1022;
inline constexpr std::uint32_t FileSizes = 1028;
inline constexpr std::uint32_t FileModes = 1030;
inline constexpr std::uint32_t FileDigests = 1035;  // FILEMD5S in old rpm: hex, of FileDigestAlgo
inline constexpr std::uint32_t FileFlags = 1037;
inline constexpr std::uint32_t FileUserName = 1039;
inline constexpr std::uint32_t FileGroupName = 1040;
inline constexpr std::uint32_t OldFileNames = 1027;  // before rpm 4.0 packages listed full paths
inline constexpr std::uint32_t DirIndexes = 1116;
inline constexpr std::uint32_t BaseNames = 1117;
inline constexpr std::uint32_t DirNames = 1118;
inline constexpr std::uint32_t LongFileSizes = 5008;
inline constexpr std::uint32_t FileDigestAlgo = 5011;
} // namespace rpmtag

// RPMFILE_* bits of FILEFLAGS.
inline constexpr std::uint32_t kRpmFileConfig = 1u << 0;
inline constexpr std::uint32_t kRpmFileGhost = 1u << 6;

// PGPHASHALGO_* values of FILEDIGESTALGO.
enum class RpmDigestAlgo : std::uint32_t { Md5 = 1, Sha1 = 2, RipeMd160 = 3, Sha256 = 8, Sha384 = 9, Sha512 = 10, Sha224 = 11 };
std::string rpmDigestAlgoName(std::uint32_t algo);  // "MD5", "SHA-256", ... or "algorithm 7"

struct RpmFileEntry {
    std::string path;
    std::string digest;  // lower-case hex as the header has it; empty for directories, links, ghosts
    std::uint32_t mode = 0;
    std::uint32_t flags = 0;
    std::uint64_t size = 0;
    std::string user;
    std::string group;
};

struct RpmHeader {
    std::string name;
    std::string version;
    std::string release;
    std::string arch;   // empty for gpg-pubkey pseudo packages
    std::uint32_t digestAlgo = 1;  // absent tag: MD5
    std::vector<RpmFileEntry> files;

    std::string nevra() const;  // "bash-5.1.8-6.el9.x86_64" (name-version-release.arch)
};

// Limits as rpm itself enforces them on headers it reads (hdrchkTags, hdrchkData).
inline constexpr std::uint32_t kRpmMaxIndexEntries = 0xffff;
inline constexpr std::uint32_t kRpmMaxDataSize = 0x0fffffff;

// Parses one database header blob. Later index entries of a tag replace earlier ones, as rpm
// applies the "dribble" entries appended after the immutable region at install time (relocated
// file names are stored that way).
Result<RpmHeader> parseRpmHeader(std::span<const unsigned char> blob);

} // namespace loadlens::pkg
