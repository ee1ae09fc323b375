#pragma once
// Caps that keep a hostile file from making the reader allocate or loop without bound. Real
// objects stay far below each of them (libc.so.6: 14 program headers, ~40 dynamic entries, a
// 30 KiB string table).
#include <cstddef>
#include <cstdint>

namespace loadlens::elf::limits {

inline constexpr std::uint32_t kMaxProgramHeaders = 4096;
inline constexpr std::uint64_t kMaxDynamicEntries = 65536;
inline constexpr std::size_t kMaxNeeded = 4096;
inline constexpr std::uint64_t kMaxStringTable = 16u << 20;
inline constexpr std::size_t kMaxStringLength = 65536;
inline constexpr std::size_t kMaxInterpLength = 4096;
inline constexpr std::size_t kMaxWarnings = 64;

} // namespace loadlens::elf::limits
