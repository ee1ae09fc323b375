// 16-lane MD5 with AVX-512: one ternary-logic op per round function and a native rotate.
// Compiled with -mavx512f -mavx512vl; only called when md5::laneWidth() returns 16.
#include "pkg/md5_lanes.h"

// GCC 12's AVX-512 headers start gathers and rotates from _mm512_undefined_epi32(), which
// -Wmaybe-uninitialized reports as a false positive once inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

namespace loadlens::pkg::md5 {

namespace {

// The step constants in step order, broadcast once per call: adding them from memory saves
// materialising each one through a general register in every step.
const std::uint32_t kStepConstants[64] = {
#define MD5_STEP(fn, a, b, c, d, word, constant, shift) constant,
#include "pkg/md5_steps.inc"
#undef MD5_STEP
};

// m[j] = word j of the current block of every lane. Gathers are slow on several cores, so the
// 16 blocks are loaded as rows and transposed (16x16 dwords) with 64 shuffles.
inline void loadTransposed(const unsigned char *const rows[16], __m512i m[16])
{
    __m512i r[16], t[16];
    for (int i = 0; i < 16; ++i)
        r[i] = _mm512_loadu_si512(rows[i]);
    for (int k = 0; k < 8; ++k) {
        t[2 * k] = _mm512_unpacklo_epi32(r[2 * k], r[2 * k + 1]);
        t[2 * k + 1] = _mm512_unpackhi_epi32(r[2 * k], r[2 * k + 1]);
    }
    // r[4k + q], 128-bit lane L: word 4L + q of rows 4k .. 4k + 3.
    for (int k = 0; k < 4; ++k) {
        r[4 * k] = _mm512_unpacklo_epi64(t[4 * k], t[4 * k + 2]);
        r[4 * k + 1] = _mm512_unpackhi_epi64(t[4 * k], t[4 * k + 2]);
        r[4 * k + 2] = _mm512_unpacklo_epi64(t[4 * k + 1], t[4 * k + 3]);
        r[4 * k + 3] = _mm512_unpackhi_epi64(t[4 * k + 1], t[4 * k + 3]);
    }
    // A 4x4 transpose of 128-bit blocks for each q.
    for (int q = 0; q < 4; ++q) {
        const __m512i x0 = _mm512_shuffle_i32x4(r[q], r[4 + q], 0x44);
        const __m512i x1 = _mm512_shuffle_i32x4(r[q], r[4 + q], 0xee);
        const __m512i x2 = _mm512_shuffle_i32x4(r[8 + q], r[12 + q], 0x44);
        const __m512i x3 = _mm512_shuffle_i32x4(r[8 + q], r[12 + q], 0xee);
        m[q] = _mm512_shuffle_i32x4(x0, x2, 0x88);
        m[4 + q] = _mm512_shuffle_i32x4(x0, x2, 0xdd);
        m[8 + q] = _mm512_shuffle_i32x4(x1, x3, 0x88);
        m[12 + q] = _mm512_shuffle_i32x4(x1, x3, 0xdd);
    }
}

// Words `first`..`first + 7` of the current block of 8 lanes, transposed (see md5_avx2.cpp).
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

// 8 lanes in 256-bit registers with AVX-512VL's ternary logic and rotate: half the work of a
// 16-lane pass, for when only a few files are left.
void compressX8Avx512vl(std::uint32_t *states, const unsigned char *const laneRows[8], std::size_t blocks)
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
    __m256i k[64];
    for (int i = 0; i < 64; ++i)
        k[i] = _mm256_set1_epi32(int(kStepConstants[i]));
    for (std::size_t blk = 0; blk < blocks; ++blk) {
        int step = 0;
        __m256i m[16];
        transpose8(rows, 0, m);
        transpose8(rows, 8, m + 8);
        for (int i = 0; i < 8; ++i)
            rows[i] += 64;
        const __m256i aa = a, bb = b, cc = c, dd = d;
#define F(b, c, d) _mm256_ternarylogic_epi32(b, c, d, 0xca)
#define G(b, c, d) _mm256_ternarylogic_epi32(b, c, d, 0xe4)
#define H(b, c, d) _mm256_ternarylogic_epi32(b, c, d, 0x96)
#define I(b, c, d) _mm256_ternarylogic_epi32(b, c, d, 0x39)
#define MD5_STEP(fn, a, b, c, d, word, constant, shift)                                                   \
    a = _mm256_add_epi32(                                                                                 \
        b, _mm256_rol_epi32(_mm256_add_epi32(_mm256_add_epi32(a, fn(b, c, d)),                            \
                                             _mm256_add_epi32(m[word], k[step++])), \
                            shift));
#include "pkg/md5_steps.inc"
#undef MD5_STEP
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

void compressX16Avx512(std::uint32_t *states, const unsigned char *const laneRows[16], std::size_t blocks)
{
    __m512i a = _mm512_loadu_si512(states);
    __m512i b = _mm512_loadu_si512(states + 16);
    __m512i c = _mm512_loadu_si512(states + 32);
    __m512i d = _mm512_loadu_si512(states + 48);
    const unsigned char *rows[16];
    for (int i = 0; i < 16; ++i)
        rows[i] = laneRows[i];
    __m512i k[64];
    for (int i = 0; i < 64; ++i)
        k[i] = _mm512_set1_epi32(int(kStepConstants[i]));
    for (std::size_t blk = 0; blk < blocks; ++blk) {
        int step = 0;
        __m512i m[16];
        loadTransposed(rows, m);
        for (int i = 0; i < 16; ++i)
            rows[i] += 64;
        const __m512i aa = a, bb = b, cc = c, dd = d;
#define F(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xca)
#define G(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xe4)
#define H(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x96)
#define I(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x39)
#define MD5_STEP(fn, a, b, c, d, word, constant, shift)                                                   \
    a = _mm512_add_epi32(                                                                                 \
        b, _mm512_rol_epi32(_mm512_add_epi32(_mm512_add_epi32(a, fn(b, c, d)),                            \
                                             _mm512_add_epi32(m[word], k[step++])), \
                            shift));
#include "pkg/md5_steps.inc"
#undef MD5_STEP
#undef F
#undef G
#undef H
#undef I
        a = _mm512_add_epi32(a, aa);
        b = _mm512_add_epi32(b, bb);
        c = _mm512_add_epi32(c, cc);
        d = _mm512_add_epi32(d, dd);
    }
    _mm512_storeu_si512(states, a);
    _mm512_storeu_si512(states + 16, b);
    _mm512_storeu_si512(states + 32, c);
    _mm512_storeu_si512(states + 48, d);
}

} // namespace loadlens::pkg::md5

#else

// Not x86: md5::laneWidth() is 1 there, so these are never called.
namespace loadlens::pkg::md5 {
void compressX16Avx512(std::uint32_t *, const unsigned char *const[16], std::size_t) {}
void compressX8Avx512vl(std::uint32_t *, const unsigned char *const[8], std::size_t) {}
} // namespace loadlens::pkg::md5

#endif
