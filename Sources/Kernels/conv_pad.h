// The scalar pieces of the 3×3 convolution shared by gemm_avx512.c and gemm_avx2.c: the tap tables,
// the zero-padded copy of an image the weight gradient reads col's elements from, and the integer
// addressing into it (pixel runs, col rows' offsets). Plain loads, stores and integer arithmetic, so
// either engine's bits do not depend on which file holds them.
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
/// The pixels first … first + count − 1 of a (·, width) plane as runs within image rows: run s has
/// len[s] pixels and starts at offset start[s] of the padded image (rows wp = width + 2 apart).
/// Returns the number of runs (≤ count).
static inline ptrdiff_t pixel_runs(ptrdiff_t first, ptrdiff_t count, ptrdiff_t width, ptrdiff_t wp,
                                   ptrdiff_t *start, ptrdiff_t *len) {
    ptrdiff_t runs = 0;
    for (ptrdiff_t p = first; p < first + count; runs++) {
        const ptrdiff_t y = p / width, xx = p % width;
        const ptrdiff_t n = width - xx < first + count - p ? width - xx : first + count - p;
        start[runs] = y * wp + xx;
        len[runs] = n;
        p += n;
    }
    return runs;
}

/// For rows first … first + count − 1 of col (row c·9 + t is tap t of channel c): their offsets in the
/// padded image relative to a pixel's, c·plane + tap[t] (tap from pad_image3x3).
static inline void col_row_offsets(ptrdiff_t first, ptrdiff_t count, ptrdiff_t plane, const ptrdiff_t tap[9],
                                   ptrdiff_t *row_off) {
    ptrdiff_t c = first / 9, t = first % 9;
    for (ptrdiff_t r = 0; r < count; r++) {
        row_off[r] = c * plane + tap[t];
        if (++t == 9) { t = 0; c++; }
    }
}
#endif
