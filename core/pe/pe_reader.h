#pragma once
// A bounded reader for PE32/PE32+ images. It reads only: nothing is mapped, loaded or run.
// Headers that contradict each other or the file size give an error naming the cause; damage in
// an optional part (imports, exports, resources, CLR header) leaves that part out and adds a
// warning, so one bad directory does not hide the rest of the image.
#include "common/result.h"
#include "pe/pe_info.h"

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace loadlens::pe {

namespace limits {
inline constexpr std::uint16_t kMaxSections = 96;          // the loader's own limit
inline constexpr std::size_t kMaxImportedDlls = 4096;
inline constexpr std::size_t kMaxSymbolsPerDll = 65536;
inline constexpr std::size_t kMaxExports = 65536;
inline constexpr std::size_t kMaxNameLength = 4096;
inline constexpr std::size_t kMaxCertificates = 64;
inline constexpr std::size_t kMaxManifestBytes = 1u << 20;
inline constexpr std::size_t kMaxResourceEntries = 4096;
inline constexpr std::size_t kMaxWarnings = 64;
inline constexpr std::uint64_t kMaxFileSize = 1ull << 30; // 1 GiB: larger files are refused
} // namespace limits

// Parses an image held in memory. `name` is used in error messages.
Result<PeInfo> parsePe(std::span<const std::uint8_t> image, const std::string &name = "<memory>");

// True when the bytes start like a PE image ("MZ" with a valid "PE\0\0" signature offset),
// without parsing the rest: for --executables-only style filters.
bool looksLikePe(std::span<const std::uint8_t> head);

// looksLikePe for a file, reading only the two headers it needs; false for anything that is not
// a readable regular file.
bool fileLooksLikePe(const std::string &path);

// Reads a regular file (no FIFOs or devices; a final symlink is not followed) into memory,
// refusing files over limits::kMaxFileSize.
Result<std::vector<std::uint8_t>> readImageFile(const std::string &path);

// The PE header checksum (the ImageHlp CheckSumMappedFile algorithm) with the stored checksum
// field treated as zero.
std::uint32_t computeChecksum(std::span<const std::uint8_t> image, std::uint64_t checksumFieldOffset);

} // namespace loadlens::pe
