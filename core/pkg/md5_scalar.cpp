#include "pkg/md5_lanes.h"

#include <cstring>

namespace loadlens::pkg::md5 {

namespace {

inline std::uint32_t rotl(std::uint32_t x, int s) { return (x << s) | (x >> (32 - s)); }
inline std::uint32_t loadLe32(const unsigned char *p)
{
    return std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24;
}

} // namespace

void compressScalar(std::uint32_t state[4], const unsigned char *data, std::size_t blocks)
{
    std::uint32_t a = state[0], b = state[1], c = state[2], d = state[3];
    for (std::size_t blk = 0; blk < blocks; ++blk, data += 64) {
        std::uint32_t m[16];
        for (int i = 0; i < 16; ++i)
            m[i] = loadLe32(data + 4 * i);
        const std::uint32_t aa = a, bb = b, cc = c, dd = d;
#define F(b, c, d) ((d) ^ ((b) & ((c) ^ (d))))
#define G(b, c, d) ((c) ^ ((d) & ((b) ^ (c))))
#define H(b, c, d) ((b) ^ (c) ^ (d))
#define I(b, c, d) ((c) ^ ((b) | ~(d)))
#define MD5_STEP(fn, a, b, c, d, word, constant, shift) a = b + rotl(a + fn(b, c, d) + m[word] + constant, shift);
#include "pkg/md5_steps.inc"
#undef MD5_STEP
#undef F
#undef G
#undef H
#undef I
        a += aa;
        b += bb;
        c += cc;
        d += dd;
    }
    state[0] = a;
    state[1] = b;
    state[2] = c;
    state[3] = d;
}

void finish(std::uint32_t state[4], const unsigned char *tail, std::uint64_t totalLength, unsigned char digest[16])
{
    unsigned char block[128] = {};
    const std::size_t tailLength = totalLength % 64;
    if (tailLength > 0)
        std::memcpy(block, tail, tailLength);
    block[tailLength] = 0x80;
    const std::size_t blocks = tailLength < 56 ? 1 : 2;
    const std::uint64_t bits = totalLength * 8;
    for (int i = 0; i < 8; ++i)
        block[blocks * 64 - 8 + i] = static_cast<unsigned char>(bits >> (8 * i));
    compressScalar(state, block, blocks);
    for (int w = 0; w < 4; ++w)
        for (int i = 0; i < 4; ++i)
            digest[4 * w + i] = static_cast<unsigned char>(state[w] >> (8 * i));
}

unsigned laneWidth()
{
#if !defined(__x86_64__) && !defined(__i386__)
    return 1;
#else
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl"))
        return 16;
    if (__builtin_cpu_supports("avx2"))
        return 8;
    return 1;
#endif
}

} // namespace loadlens::pkg::md5
