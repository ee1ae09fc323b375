// 8-lane MD5 with AVX2. Compiled with -mavx2; only called when md5::laneWidth() returns 8.
#include "pkg/md5_lanes.h"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace loadlens::pkg::md5 {

namespace {

// Words `first`..`first + 7` of the current block of 8 lanes, transposed so out[j] holds word
// first + j of every lane (gathers are slow on several cores).
inline void transpose8(const unsigned char *const rows[8], int first, __m256i *out)
{
    __m256i r[8], t[8];
    for (int i = 0; i < 8; ++i)
        r[i] = _mm256_loadu_si256(reinterpret_cast<const __m256i *>(rows[i] + 4 * first));
    for (int k = 0; k < 4; ++k) {
        t[2 * k] = _mm256_unpacklo_epi32(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm256_unpackhi_epi32(r[2 * k], r[2 * k + 1]);
    }
    for (int k = 0; k < 2; ++k) {
        r[4 * k] = _mm256_unpacklo_epi64(t[4 * k], t[4 * k + 2]);
        r[4 * k + 1] = _mm256_unpackhi_epi64(t[4 * k], t[4 * k + 2]);
        r[4 * k + 2] = _mm256_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
        r[4 * k + 3] = _mm256_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
    }
    for (int q = 0; q < 4; ++q) {
        out[q] = _mm256_permute2x128_si256(r[q], r[4 + q], 0x20);
        out[4 + q] = _mm256_permute2x128_si256(r[q], r[4 + q], 0x31);
    }
}

} // namespace

void compressX8Avx2(std::uint32_t *states, const unsigned char *const laneRows[8], std::size_t blocks)
{
    auto load = [](const std::uint32_t *p) { return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p)); };
    auto store = [](std::uint32_t *p, __m256i v) { _mm256_storeu_si256(reinterpret_cast<__m256i *>(p), v); };
    __m256i a = load(states);
    __m256i b = load(states + 8);
    __m256i c = load(states + 16);
    __m256i d = load(states + 24);
    const unsigned char *rows[8];
    for (int i = 0; i < 8; ++i)
        rows[i] = laneRows[i];
    const __m256i ones = _mm256_set1_epi32(-1);
    for (std::size_t blk = 0; blk < blocks; ++blk) {
        __m256i m[16];
        transpose8(rows, 0, m);
        transpose8(rows, 8, m + 8);
        for (int i = 0; i < 8; ++i)
            rows[i] += 64;
        const __m256i aa = a, bb = b, cc = c, dd = d;
#define F(b, c, d) _mm256_xor_si256(d, _mm256_and_si256(b, _mm256_xor_si256(c, d)))
#define G(b, c, d) _mm256_xor_si256(c, _mm256_and_si256(d, _mm256_xor_si256(b, c)))
#define H(b, c, d) _mm256_xor_si256(_mm256_xor_si256(b, c), d)
#define I(b, c, d) _mm256_xor_si256(c, _mm256_or_si256(b, _mm256_xor_si256(d, ones)))
#define ROTL(x, s) _mm256_or_si256(_mm256_slli_epi32(x, s), _mm256_srli_epi32(x, 32 - (s)))
#define MD5_STEP(fn, a, b, c, d, word, constant, shift)                                                   \
    {                                                                                                     \
        const __m256i sum = _mm256_add_epi32(_mm256_add_epi32(a, fn(b, c, d)),                            \
                                             _mm256_add_epi32(m[word], _mm256_set1_epi32(int(constant)))); \
        a = _mm256_add_epi32(b, ROTL(sum, shift));                                                        \
    }
#include "pkg/md5_steps.inc"
#undef MD5_STEP
#undef ROTL
#undef F
#undef G
#undef H
#undef I
        a = _mm256_add_epi32(a, aa);
        b = _mm256_add_epi32(b, bb);
        c = _mm256_add_epi32(c, cc);
        d = _mm256_add_epi32(d, dd);
    }
    store(states, a);
    store(states + 8, b);
    store(states + 16, c);
    store(states + 24, d);
}

} // namespace loadlens::pkg::md5

#else

// Not x86: md5::laneWidth() is 1 there, so these are never called.
namespace loadlens::pkg::md5 {
void compressX8Avx2(std::uint32_t *, const unsigned char *const[8], std::size_t) {}
} // namespace loadlens::pkg::md5

#endif
