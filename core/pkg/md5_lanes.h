#pragma once
// MD5 block functions. The multi-lane kernels advance 8 or 16 independent MD5 states by the
// same number of 64-byte blocks at once, one file per lane: MD5 is a serial chain per file, so
// running files side by side in SIMD lanes is the only way to make it faster than one stream.
// The SIMD kernels live in their own translation units compiled for their instruction set and
// must only be called after md5LaneWidth() says the CPU has it. These files include no standard
// library headers, so no inline function compiled for AVX can leak into generic code.
#include <cstddef>
#include <cstdint>

namespace loadlens::pkg::md5 {

inline constexpr std::uint32_t kInit[4] = {0x67452301u, 0xefcdab89u, 0x98badcfeu, 0x10325476u};

// state: a, b, c, d. Processes `blocks` consecutive 64-byte blocks at `data`.
void compressScalar(std::uint32_t state[4], const unsigned char *data, std::size_t blocks);

// Pads and finishes: `tail` holds the last totalLength % 64 bytes; writes the 16-byte digest.
void finish(std::uint32_t state[4], const unsigned char *tail, std::uint64_t totalLength, unsigned char digest[16]);

// states: structure of arrays, states[word * lanes + lane]. Lane i reads `blocks` consecutive
// 64-byte blocks starting at rows[i]; every lane advances by the same count.
void compressX16Avx512(std::uint32_t *states, const unsigned char *const rows[16], std::size_t blocks);
// Needs AVX-512F+VL (laneWidth() == 16): for passes with eight busy lanes or fewer.
void compressX8Avx512vl(std::uint32_t *states, const unsigned char *const rows[8], std::size_t blocks);
void compressX8Avx2(std::uint32_t *states, const unsigned char *const rows[8], std::size_t blocks);

// 16 (AVX-512F+VL), 8 (AVX2) or 1 (no SIMD kernel usable on this CPU).
unsigned laneWidth();

} // namespace loadlens::pkg::md5
