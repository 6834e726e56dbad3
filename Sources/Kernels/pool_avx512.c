// AVX-512 form of the fused conv-block tail (NN's BiasReluPool: + bias, ReLU, 2×2 max-pool with a
// 2-bit argmax, and its backward), 16 outputs per step.
//
// Why C: Swift compiles BiasReluPool's SIMD types for baseline x86-64 (SSE2), so its 8-wide steps
// split into 4-wide halves and its even/odd and doubling shuffles into scalar moves; pooling forward
// and backward were ~6 % of a 64×64 batch-32 training step on Zen 5. Maxima, ReLU and the routing of
// the gradient are exact, and the bias add and the bias gradient's sums are the Swift code's
// operations in its order (pool_tail.h), so the bits are BiasReluPool's. Planes 8 and 16 wide put
// four or two output rows in one vector (their rows are contiguous), where a row-wise step would
// leave most lanes idle.
#include "Kernels.h"
#include "pool_tail.h"
#include <immintrin.h>
#include <string.h>

#define AVX512 __attribute__((target("avx512f,fma")))

static inline __mmask16 live_lanes(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

// MARK: - Forward

// 16 outputs from the 32 top-row inputs (t0, t1) and the 32 bottom-row inputs (u0, u1) of their
// windows, in output order: BiasReluPool.pool8's comparisons, lane by lane. Only `live` lanes are stored.
AVX512 static inline void pool16(__m512 t0, __m512 t1, __m512 u0, __m512 u1, __m512 bias, float *pooled,
                                 unsigned char *argmax, __mmask16 live) {
    const __m512i even = _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30);
    const __m512i odd = _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, 25, 27, 29, 31);
    const __m512 a = _mm512_permutex2var_ps(t0, even, t1), b = _mm512_permutex2var_ps(t0, odd, t1);
    const __m512 c = _mm512_permutex2var_ps(u0, even, u1), e = _mm512_permutex2var_ps(u0, odd, u1);
    const __mmask16 top_right = _mm512_cmp_ps_mask(b, a, _CMP_GT_OQ), bottom_right = _mm512_cmp_ps_mask(e, c, _CMP_GT_OQ);
    const __m512 top = _mm512_mask_blend_ps(top_right, a, b), bottom = _mm512_mask_blend_ps(bottom_right, c, e);
    const __mmask16 lower = _mm512_cmp_ps_mask(bottom, top, _CMP_GT_OQ);
    const __m512 biased = _mm512_add_ps(_mm512_mask_blend_ps(lower, top, bottom), bias);
    // max(x, 0) as in the Swift code: +0 where x ≤ 0 (so also for −0), else x (NaN stays).
    const __mmask16 non_positive = _mm512_cmp_ps_mask(biased, _mm512_setzero_ps(), _CMP_LE_OQ);
    _mm512_mask_storeu_ps(pooled, live, _mm512_mask_blend_ps(non_positive, biased, _mm512_setzero_ps()));
    if (argmax) {
        const __mmask16 right = (lower & bottom_right) | (~lower & top_right);  // bit 0 of the index
        const __m512i j = _mm512_or_si512(_mm512_maskz_set1_epi32(right, 1), _mm512_maskz_set1_epi32(lower, 2));
        _mm512_mask_cvtepi32_storeu_epi8(argmax, live, j);
    }
}

// Two 8-float rows as one vector (lo in lanes 0–7).
AVX512 static inline __m512 join8(const float *lo, const float *hi) {
    const __m512d low = _mm512_castps_pd(_mm512_castps256_ps512(_mm256_loadu_ps(lo)));
    return _mm512_castpd_ps(_mm512_insertf64x4(low, _mm256_castps_pd(_mm256_loadu_ps(hi)), 1));
}

AVX512 void bl_avx512_bias_relu_pool(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *conv, const float *bias,
                                     float *pooled, unsigned char *argmax) {
    const ptrdiff_t ho = height / 2, wo = width / 2;
    for (ptrdiff_t k = 0; k < channels; k++) {
        const __m512 bias_v = _mm512_set1_ps(bias[k]);
        const float *src = conv + k * height * width;
        float *dst = pooled + k * ho * wo;
        unsigned char *idx = argmax ? argmax + k * ho * wo : NULL;
        ptrdiff_t oy = 0;
        if (width == 16) {  // two output rows per step: input rows 2oy … 2oy + 3
            for (; oy + 2 <= ho; oy += 2) {
                const float *r = src + 2 * oy * 16;
                pool16(_mm512_loadu_ps(r), _mm512_loadu_ps(r + 32), _mm512_loadu_ps(r + 16), _mm512_loadu_ps(r + 48), bias_v,
                       dst + oy * 8, idx ? idx + oy * 8 : NULL, 0xFFFF);
            }
        } else if (width == 8) {  // four output rows per step: input rows 2oy … 2oy + 7
            for (; oy + 4 <= ho; oy += 4) {
                const float *r = src + 2 * oy * 8;
                pool16(join8(r, r + 16), join8(r + 32, r + 48), join8(r + 8, r + 24), join8(r + 40, r + 56), bias_v,
                       dst + oy * 4, idx ? idx + oy * 4 : NULL, 0xFFFF);
            }
        }
        for (; oy < ho; oy++) {
            const float *r0 = src + 2 * oy * width, *r1 = r0 + width;
            for (ptrdiff_t ox = 0; ox < wo; ox += 16) {
                const ptrdiff_t n = wo - ox;  // the last step's inputs masked: nothing past the row is read
                const __mmask16 m0 = live_lanes(2 * n), m1 = live_lanes(2 * n - 16);
                pool16(_mm512_maskz_loadu_ps(m0, r0 + 2 * ox), _mm512_maskz_loadu_ps(m1, r0 + 2 * ox + 16),
                       _mm512_maskz_loadu_ps(m0, r1 + 2 * ox), _mm512_maskz_loadu_ps(m1, r1 + 2 * ox + 16), bias_v,
                       dst + oy * wo + ox, idx ? idx + oy * wo + ox : NULL, live_lanes(n));
            }
        }
    }
}

// MARK: - Backward

// The gradients g of 16 outputs routed to their windows. Outputs 0–7, each doubled into the two
// columns it covers, go to the top row at t0 and the bottom row at u0, outputs 8–15 to t1 and u1
// (only when `both`). A routed half is 16 floats, stored at p … p + 7 and p + gap … p + gap + 7: gap 8
// for one row, 2·width when its outputs come from two rows of a plane 8 wide. j: the argmax, 32-bit.
AVX512 static inline void unpool16(__m512 g, __m512i j, float *t0, float *u0, float *t1, float *u1, ptrdiff_t gap, int both) {
    const __m512i doubled_lo = _mm512_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7);
    const __m512i doubled_hi = _mm512_setr_epi32(8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13, 14, 14, 15, 15);
    const __m512i column = _mm512_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1);
    const __m512i column_bottom = _mm512_add_epi32(column, _mm512_set1_epi32(2));
    for (int half = 0; half < (both ? 2 : 1); half++) {
        const __m512i index = half ? doubled_hi : doubled_lo;
        const __m512 gh = _mm512_permutexvar_ps(index, g);
        const __m512i jh = _mm512_permutexvar_epi32(index, j);
        const __m512 top = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(jh, column), gh);
        const __m512 bottom = _mm512_maskz_mov_ps(_mm512_cmpeq_epi32_mask(jh, column_bottom), gh);
        float *t = half ? t1 : t0, *u = half ? u1 : u0;
        if (gap == 8) {
            _mm512_storeu_ps(t, top);
            _mm512_storeu_ps(u, bottom);
        } else {
            _mm256_storeu_ps(t, _mm512_castps512_ps256(top));
            _mm256_storeu_ps(t + gap, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(top), 1)));
            _mm256_storeu_ps(u, _mm512_castps512_ps256(bottom));
            _mm256_storeu_ps(u + gap, _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(bottom), 1)));
        }
    }
}

AVX512 static inline __m256 high8(__m512 v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }

// dPooled where the pooled value is > 0, else +0, for the outputs in `lanes` (the others +0).
AVX512 static inline __m512 active(const float *d_pooled, const float *pooled, __mmask16 lanes) {
    const __mmask16 positive = _mm512_cmp_ps_mask(_mm512_maskz_loadu_ps(lanes, pooled), _mm512_setzero_ps(), _CMP_GT_OQ);
    return _mm512_maskz_mov_ps(positive, _mm512_maskz_loadu_ps(lanes, d_pooled));
}

AVX512 void bl_avx512_bias_relu_pool_backward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *d_pooled,
                                              const float *pooled, const unsigned char *argmax, float *d_conv, float *d_bias) {
    const ptrdiff_t ho = height / 2, wo = width / 2;
    for (ptrdiff_t k = 0; k < channels; k++) {
        // BiasReluPool.backward's partial sums of the bias gradient, in its order: the 8-wide steps
        // (lanes8), the 4-wide steps (lanes4), the rest (tail).
        __m256 lanes8 = _mm256_setzero_ps();
        __m128 lanes4v = _mm_setzero_ps();
        float *dst = d_conv + k * height * width;
        const ptrdiff_t off = k * ho * wo;
        ptrdiff_t oy = 0;
        if (width == 16) {  // two output rows (one 8-wide step each) per vector
            for (; oy + 2 <= ho; oy += 2) {
                const ptrdiff_t p = off + oy * 8;
                const __m512 g = active(d_pooled + p, pooled + p, 0xFFFF);
                lanes8 = _mm256_add_ps(_mm256_add_ps(lanes8, _mm512_castps512_ps256(g)), high8(g));
                const __m512i j = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(argmax + p)));
                float *r = dst + 2 * oy * 16;  // input rows 2oy … 2oy + 3
                unpool16(g, j, r, r + 16, r + 32, r + 48, 8, 1);
            }
        } else if (width == 8) {  // four output rows (one 4-wide step each) per vector
            for (; oy + 4 <= ho; oy += 4) {
                const ptrdiff_t p = off + oy * 4;
                const __m512 g = active(d_pooled + p, pooled + p, 0xFFFF);
                const __m256 lo = _mm512_castps512_ps256(g), hi = high8(g);
                lanes4v = _mm_add_ps(lanes4v, _mm256_castps256_ps128(lo));
                lanes4v = _mm_add_ps(lanes4v, _mm256_extractf128_ps(lo, 1));
                lanes4v = _mm_add_ps(lanes4v, _mm256_castps256_ps128(hi));
                lanes4v = _mm_add_ps(lanes4v, _mm256_extractf128_ps(hi, 1));
                const __m512i j = _mm512_cvtepu8_epi32(_mm_loadu_si128((const __m128i *)(argmax + p)));
                float *r = dst + 2 * oy * 8;  // input rows 2oy … 2oy + 7; outputs 0–7 are rows oy and oy + 1
                unpool16(g, j, r, r + 8, r + 32, r + 40, 16, 1);
            }
        }
        float lanes4[4], tail = 0;
        _mm_storeu_ps(lanes4, lanes4v);  // the rows below continue these sums
        for (; oy < ho; oy++) {
            float *r0 = dst + 2 * oy * width, *r1 = r0 + width;
            const ptrdiff_t row = off + oy * wo;
            ptrdiff_t ox = 0;
            for (; ox + 8 <= wo; ox += 16) {
                const ptrdiff_t p = row + ox;
                const int both = ox + 16 <= wo;  // else one 8-wide step, in the low half
                const __m512 g = active(d_pooled + p, pooled + p, both ? 0xFFFF : 0x00FF);
                lanes8 = _mm256_add_ps(lanes8, _mm512_castps512_ps256(g));
                if (both) lanes8 = _mm256_add_ps(lanes8, high8(g));
                const __m128i bytes = both ? _mm_loadu_si128((const __m128i *)(argmax + p)) : _mm_loadl_epi64((const __m128i *)(argmax + p));
                unpool16(g, _mm512_cvtepu8_epi32(bytes), r0 + 2 * ox, r1 + 2 * ox, r0 + 2 * ox + 16, r1 + 2 * ox + 16, 8, both);
                if (!both) ox -= 8;
            }
            unpool_rest(d_pooled + row + ox, pooled + row + ox, argmax + row + ox, wo - ox, r0 + 2 * ox, r1 + 2 * ox, lanes4, &tail);
        }
        float lanes8s[8];
        _mm256_storeu_ps(lanes8s, lanes8);
        bias_sum(lanes8s, lanes4, tail, d_bias + k);
    }
}
