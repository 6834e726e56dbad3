// The scalar pieces shared by pool_avx512.c and pool_avx2.c: one output of the fused bias + ReLU +
// 2×2 max-pool and one output of its backward, with the comparisons of BiasReluPool.swift (a lane of
// a SIMD operation is the same IEEE operation as its scalar form, so these give the vectors' bits).
#ifndef BATCHLAB_POOL_TAIL_H
#define BATCHLAB_POOL_TAIL_H
#include <stddef.h>

/// One pooled output from the 2×2 window (a b / c e): the first maximum of each row pair, then the
/// top one unless the bottom one is larger; + bias; 0 when that is ≤ 0 (also for −0). argmax may be NULL.
static inline void pool_one(const float *r0, const float *r1, float bias, float *pooled, unsigned char *argmax) {
    const float a = r0[0], b = r0[1], c = r1[0], e = r1[1];
    const float top = b > a ? b : a, bottom = e > c ? e : c;
    const int lower = bottom > top;
    const float biased = (lower ? bottom : top) + bias;
    *pooled = biased <= 0 ? 0.0f : biased;
    if (argmax) *argmax = (unsigned char)(lower ? (e > c ? 3 : 2) : (b > a ? 1 : 0));
}

/// One output's gradient routed to its argmax position (+0 at the other three), returned for the
/// bias sum: dPooled where the pooled value is > 0, else +0.
static inline float unpool_one(float d_pooled, float pooled, unsigned char j, float *r0, float *r1) {
    const float g = pooled > 0 ? d_pooled : 0.0f;
    r0[0] = j == 0 ? g : 0.0f;
    r0[1] = j == 1 ? g : 0.0f;
    r1[0] = j == 2 ? g : 0.0f;
    r1[1] = j == 3 ? g : 0.0f;
    return g;
}

/// The rest of a row after the 8-wide steps, in BiasReluPool.backward's order: one 4-wide step into
/// lanes4 if at least four outputs are left, then the others one by one into *tail.
static inline void unpool_rest(const float *d_pooled, const float *pooled, const unsigned char *argmax, ptrdiff_t count,
                               float *r0, float *r1, float lanes4[4], float *tail) {
    ptrdiff_t o = 0;
    if (count >= 4) {
        for (int l = 0; l < 4; l++) lanes4[l] += unpool_one(d_pooled[l], pooled[l], argmax[l], r0 + 2 * l, r1 + 2 * l);
        o = 4;
    }
    for (; o < count; o++) *tail += unpool_one(d_pooled[o], pooled[o], argmax[o], r0 + 2 * o, r1 + 2 * o);
}

/// A channel's bias gradient from its partial sums, in BiasReluPool.backward's order:
/// four = (lanes8[0…3] + lanes8[4…7]) + lanes4, then ((four₀ + four₂) + (four₁ + four₃)) + tail.
static inline void bias_sum(const float lanes8[8], const float lanes4[4], float tail, float *d_bias) {
    float four[4];
    for (int l = 0; l < 4; l++) four[l] = (lanes8[l] + lanes8[4 + l]) + lanes4[l];
    *d_bias += ((four[0] + four[2]) + (four[1] + four[3])) + tail;
}

#endif
