// The scalar pieces of the 3×3 convolution shared by gemm_avx512.c and gemm_avx2.c: the tap tables and
// the zero-padded copy of an image the weight gradient reads col's elements from. Plain loads and
// stores, so either engine's bits do not depend on which file holds them.
#ifndef BATCHLAB_CONV_PAD_H
#define BATCHLAB_CONV_PAD_H
#include <stddef.h>

/// The flat offset of tap t = 3·ky + kx's source pixel, (ky − 1)·width + kx − 1: a table, because a
/// division by 9 and by 3 per packed row cost ~1/3 of the forward's packing.
static inline void tap_shifts(ptrdiff_t width, ptrdiff_t shift[9]) {
    for (int t = 0; t < 9; t++) shift[t] = (t / 3 - 1) * width + (t % 3 - 1);
}

/// x (C, H, W) copied into padded (C, H + 2, W + 2) with a border of +0 (the values im2col writes in
/// the padding), and tap[t] = the offset of tap (ky, kx) in that image relative to pixel (y, x):
/// row (c, ky, kx) of col at pixel (y, x) is padded[c·(H + 2)·(W + 2) + y·(W + 2) + x + tap[t]].
static inline void pad_image3x3(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *x,
                                float *padded, ptrdiff_t tap[9]) {
    const ptrdiff_t hw = height * width, wp = width + 2, plane = (height + 2) * wp;
    for (ptrdiff_t c = 0; c < channels; c++) {
        float *dst = padded + c * plane;
        const float *src = x + c * hw;
        for (ptrdiff_t q = 0; q < wp; q++) dst[q] = dst[(height + 1) * wp + q] = 0.0f;
        for (ptrdiff_t y = 0; y < height; y++) {
            float *row = dst + (y + 1) * wp;
            row[0] = row[width + 1] = 0.0f;
            for (ptrdiff_t q = 0; q < width; q++) row[1 + q] = src[y * width + q];
        }
    }
    for (int t = 0; t < 9; t++) tap[t] = (t / 3) * wp + t % 3;
}
#endif
