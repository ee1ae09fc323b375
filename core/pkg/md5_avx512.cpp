// 16-lane MD5 with AVX-512: one ternary-logic op per round function and a native rotate.
// Compiled with -mavx512f -mavx512vl; only called when md5::laneWidth() returns 16.
#include "pkg/md5_lanes.h"

// GCC 12's AVX-512 headers start gathers and rotates from _mm512_undefined_epi32(), which
// -Wmaybe-uninitialized reports as a false positive once inlined here.
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"

#include <immintrin.h>

namespace loadlens::pkg::md5 {

void compressX16Avx512(std::uint32_t *states, const unsigned char *base, const std::uint32_t *offsets,
                       std::size_t blocks)
{
    __m512i a = _mm512_loadu_si512(states);
    __m512i b = _mm512_loadu_si512(states + 16);
    __m512i c = _mm512_loadu_si512(states + 32);
    __m512i d = _mm512_loadu_si512(states + 48);
    __m512i offset = _mm512_loadu_si512(offsets);
    const __m512i blockStride = _mm512_set1_epi32(64);
    for (std::size_t blk = 0; blk < blocks; ++blk) {
        __m512i m[16];
        for (int i = 0; i < 16; ++i)
            m[i] = _mm512_i32gather_epi32(_mm512_add_epi32(offset, _mm512_set1_epi32(4 * i)), base, 1);
        const __m512i aa = a, bb = b, cc = c, dd = d;
#define F(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xca)
#define G(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0xe4)
#define H(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x96)
#define I(b, c, d) _mm512_ternarylogic_epi32(b, c, d, 0x39)
#define MD5_STEP(fn, a, b, c, d, word, constant, shift)                                                   \
    a = _mm512_add_epi32(                                                                                 \
        b, _mm512_rol_epi32(_mm512_add_epi32(_mm512_add_epi32(a, fn(b, c, d)),                            \
                                             _mm512_add_epi32(m[word], _mm512_set1_epi32(int(constant)))), \
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
        offset = _mm512_add_epi32(offset, blockStride);
    }
    _mm512_storeu_si512(states, a);
    _mm512_storeu_si512(states + 16, b);
    _mm512_storeu_si512(states + 32, c);
    _mm512_storeu_si512(states + 48, d);
}

} // namespace loadlens::pkg::md5
