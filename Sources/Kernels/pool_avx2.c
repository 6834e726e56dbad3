// AVX2 form of the fused conv-block tail (NN's BiasReluPool), 8 outputs per step: pool_avx512.c's
// design for the AVX2 engine (same comparisons and sums in the same order, so the same bits). Row
// ends shorter than a step go through pool_tail.h's scalar code (masked stores are slow on Zen).
#include "Kernels.h"
#include "pool_tail.h"
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

// MARK: - Forward

// The even and the odd elements of 16 consecutive floats (v0, v1), in order.
AVX2 static inline __m256 evens(__m256 v0, __m256 v1) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(v0, v1, 0x88)), 0xD8));
}
AVX2 static inline __m256 odds(__m256 v0, __m256 v1) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(_mm256_shuffle_ps(v0, v1, 0xDD)), 0xD8));
}

// 8 outputs from the 16 top-row inputs (t0, t1) and the 16 bottom-row inputs (u0, u1) of their windows.
AVX2 static inline void pool8(__m256 t0, __m256 t1, __m256 u0, __m256 u1, __m256 bias, float *pooled, unsigned char *argmax) {
    const __m256 a = evens(t0, t1), b = odds(t0, t1), c = evens(u0, u1), e = odds(u0, u1);
    const __m256 top_right = _mm256_cmp_ps(b, a, _CMP_GT_OQ), bottom_right = _mm256_cmp_ps(e, c, _CMP_GT_OQ);
    const __m256 top = _mm256_blendv_ps(a, b, top_right), bottom = _mm256_blendv_ps(c, e, bottom_right);
    const __m256 lower = _mm256_cmp_ps(bottom, top, _CMP_GT_OQ);
    const __m256 biased = _mm256_add_ps(_mm256_blendv_ps(top, bottom, lower), bias);
    const __m256 zero = _mm256_setzero_ps();
    _mm256_storeu_ps(pooled, _mm256_blendv_ps(biased, zero, _mm256_cmp_ps(biased, zero, _CMP_LE_OQ)));
    if (argmax) {
        const __m256i right = _mm256_castps_si256(_mm256_blendv_ps(top_right, bottom_right, lower));
        const __m256i j = _mm256_or_si256(_mm256_and_si256(right, _mm256_set1_epi32(1)),
                                          _mm256_and_si256(_mm256_castps_si256(lower), _mm256_set1_epi32(2)));
        // The low byte of each 32-bit lane, gathered per 128-bit half, then the halves side by side.
        const __m256i low_bytes = _mm256_shuffle_epi8(j, _mm256_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1,
                                                                          0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1));
        _mm_storel_epi64((__m128i *)argmax,
                         _mm_unpacklo_epi32(_mm256_castsi256_si128(low_bytes), _mm256_extracti128_si256(low_bytes, 1)));
    }
}

AVX2 void bl_avx2_bias_relu_pool(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *conv, const float *bias,
                                 float *pooled, unsigned char *argmax) {
    const ptrdiff_t ho = height / 2, wo = width / 2;
    for (ptrdiff_t k = 0; k < channels; k++) {
        const __m256 bias_v = _mm256_set1_ps(bias[k]);
        const float *src = conv + k * height * width;
        float *dst = pooled + k * ho * wo;
        unsigned char *idx = argmax ? argmax + k * ho * wo : NULL;
        ptrdiff_t oy = 0;
        if (width == 8) {  // two output rows per step: input rows 2oy … 2oy + 3
            for (; oy + 2 <= ho; oy += 2) {
                const float *r = src + 2 * oy * 8;
                pool8(_mm256_loadu_ps(r), _mm256_loadu_ps(r + 16), _mm256_loadu_ps(r + 8), _mm256_loadu_ps(r + 24), bias_v,
                      dst + oy * 4, idx ? idx + oy * 4 : NULL);
            }
        }
        for (; oy < ho; oy++) {
            const float *r0 = src + 2 * oy * width, *r1 = r0 + width;
            ptrdiff_t ox = 0;
            for (; ox + 8 <= wo; ox += 8)
                pool8(_mm256_loadu_ps(r0 + 2 * ox), _mm256_loadu_ps(r0 + 2 * ox + 8), _mm256_loadu_ps(r1 + 2 * ox),
                      _mm256_loadu_ps(r1 + 2 * ox + 8), bias_v, dst + oy * wo + ox, idx ? idx + oy * wo + ox : NULL);
            for (; ox < wo; ox++)
                pool_one(r0 + 2 * ox, r1 + 2 * ox, bias[k], dst + oy * wo + ox, idx ? idx + oy * wo + ox : NULL);
        }
    }
}

// MARK: - Backward

// The gradients g of 8 outputs routed to their windows: outputs 0–3, each doubled into the two columns
// it covers, to the top row at t0 and the bottom row at u0; outputs 4–7 to t1 and u1. j: the argmax.
AVX2 static inline void unpool8(__m256 g, __m256i j, float *t0, float *u0, float *t1, float *u1) {
    const __m256i column = _mm256_setr_epi32(0, 1, 0, 1, 0, 1, 0, 1);
    const __m256i column_bottom = _mm256_add_epi32(column, _mm256_set1_epi32(2));
    for (int half = 0; half < 2; half++) {
        const __m256i index = half ? _mm256_setr_epi32(4, 4, 5, 5, 6, 6, 7, 7) : _mm256_setr_epi32(0, 0, 1, 1, 2, 2, 3, 3);
        const __m256 gh = _mm256_permutevar8x32_ps(g, index);
        const __m256i jh = _mm256_permutevar8x32_epi32(j, index);
        _mm256_storeu_ps(half ? t1 : t0, _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(jh, column)), gh));
        _mm256_storeu_ps(half ? u1 : u0, _mm256_and_ps(_mm256_castsi256_ps(_mm256_cmpeq_epi32(jh, column_bottom)), gh));
    }
}

// dPooled where the pooled value is > 0, else +0, for 8 outputs.
AVX2 static inline __m256 active(const float *d_pooled, const float *pooled) {
    const __m256 positive = _mm256_cmp_ps(_mm256_loadu_ps(pooled), _mm256_setzero_ps(), _CMP_GT_OQ);
    return _mm256_and_ps(positive, _mm256_loadu_ps(d_pooled));
}

AVX2 void bl_avx2_bias_relu_pool_backward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *d_pooled,
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
        if (width == 8) {  // two output rows (one 4-wide step each) per vector
            for (; oy + 2 <= ho; oy += 2) {
                const ptrdiff_t p = off + oy * 4;
                const __m256 g = active(d_pooled + p, pooled + p);
                lanes4v = _mm_add_ps(_mm_add_ps(lanes4v, _mm256_castps256_ps128(g)), _mm256_extractf128_ps(g, 1));
                const __m256i j = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(argmax + p)));
                float *r = dst + 2 * oy * 8;  // input rows 2oy … 2oy + 3
                unpool8(g, j, r, r + 8, r + 16, r + 24);
            }
        }
        float lanes4[4], tail = 0;
        _mm_storeu_ps(lanes4, lanes4v);  // the rows below continue these sums
        for (; oy < ho; oy++) {
            float *r0 = dst + 2 * oy * width, *r1 = r0 + width;
            const ptrdiff_t row = off + oy * wo;
            ptrdiff_t ox = 0;
            for (; ox + 8 <= wo; ox += 8) {
                const ptrdiff_t p = row + ox;
                const __m256 g = active(d_pooled + p, pooled + p);
                lanes8 = _mm256_add_ps(lanes8, g);
                const __m256i j = _mm256_cvtepu8_epi32(_mm_loadl_epi64((const __m128i *)(argmax + p)));
                unpool8(g, j, r0 + 2 * ox, r1 + 2 * ox, r0 + 2 * ox + 8, r1 + 2 * ox + 8);
            }
            unpool_rest(d_pooled + row + ox, pooled + row + ox, argmax + row + ox, wo - ox, r0 + 2 * ox, r1 + 2 * ox, lanes4, &tail);
        }
        float lanes8s[8];
        _mm256_storeu_ps(lanes8s, lanes8);
        bias_sum(lanes8s, lanes4, tail, d_bias + k);
    }
}
