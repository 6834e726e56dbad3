// AVX2 + FMA micro-kernels for the three GEMMs of a 3×3 convolution (forward, dCol, dWᵀ): the
// AVX-512 engine's design (gemm_avx512.c) for the CPUs most researchers have (Haswell+, Zen 2+).
//
// 16 ymm registers instead of 32 zmm: a C tile is R rows × 8·V columns with R·V ≤ 12 accumulators
// (6×16 or 4×24), V row vectors of B and one broadcast of A. B is always copied into a zero-padded
// panel of at most KC × 24 floats, so the kernel loads whole vectors; only C tiles at the right edge
// go through a small buffer, because masked stores (vmaskmovps) are microcoded and slow on Zen.
// Compiled for AVX2 + FMA with a function attribute and chosen at run time (bl_avx2_available).
//
// Determinism: every C element is one FMA chain over p = 0…k−1 (Kernels.h), whichever tile, panel
// or thread computes it: the same bits as the AVX-512 kernel and a scalar fmaf chain.
#include "Kernels.h"
#include "conv_pad.h"
#include <immintrin.h>

#define AVX2 __attribute__((target("avx2,fma")))

int bl_avx2_available(void) {
    static int cached = -1;  // a benign race: every thread computes the same value
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    }
    return cached;
}

// MARK: - C tile = A·panel (outer products: one panel row against R broadcast elements of A)

// R rows × 8·V columns of C from a panel with 8·V floats per row. The FMA chain starts from C when
// from_c (accumulating, or a later block of k), else from 0.
#define TILE(R, V)                                                                                       \
    AVX2 static void tile_##R##x##V(ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,        \
                                    const float *panel, float *c, ptrdiff_t ldc, int from_c) {           \
        __m256 acc[R][V];                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                acc[r][v] = from_c ? _mm256_loadu_ps(c + r * ldc + 8 * v) : _mm256_setzero_ps();          \
        for (ptrdiff_t p = 0; p < k; p++) {                                                              \
            __m256 row[V];                                                                               \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                row[v] = _mm256_load_ps(panel + p * 8 * V + 8 * v);                                      \
            const float *ap = a + p * a_col;                                                             \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                              \
                const __m256 x = _mm256_broadcast_ss(ap + r * a_row);                                    \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                            \
                    acc[r][v] = _mm256_fmadd_ps(x, row[v], acc[r][v]);                                   \
            }                                                                                            \
        }                                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);                                        \
    }
TILE(1, 1) TILE(2, 1) TILE(3, 1) TILE(4, 1) TILE(5, 1) TILE(6, 1)
TILE(1, 2) TILE(2, 2) TILE(3, 2) TILE(4, 2) TILE(5, 2) TILE(6, 2)
TILE(1, 3) TILE(2, 3) TILE(3, 3) TILE(4, 3)

typedef void (*tile_fn)(ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, const float *, float *, ptrdiff_t, int);
// By rows (index R − 1) and vectors (index V − 1); 5×24 and 6×24 would need 15 and 18 accumulators.
static const tile_fn tiles[6][3] = {
    {tile_1x1, tile_1x2, tile_1x3}, {tile_2x1, tile_2x2, tile_2x3}, {tile_3x1, tile_3x2, tile_3x3},
    {tile_4x1, tile_4x2, tile_4x3}, {tile_5x1, tile_5x2, 0},        {tile_6x1, tile_6x2, 0},
};

// Rows of B per panel at most: a panel (KC × 24 floats, 12 KB) and R rows of A stay in L1.
#define KC 128
#define MAX_V 3

// k cut into equal blocks of at most KC (as in gemm_avx512.c; the cut does not change any bits).
static inline ptrdiff_t balanced_step(ptrdiff_t k) {
    const ptrdiff_t blocks = (k + KC - 1) / KC;
    return blocks <= 1 ? (k > 0 ? k : 1) : (k + blocks - 1) / blocks;
}

// The tile shape for a tile_rows / tile_vecs request (0: the default, 6×16 or 4×24 by n), clamped
// to what the register file holds.
static inline void tile_shape(ptrdiff_t n, int tile_rows, int tile_vecs, int *rows, int *vecs) {
    int v = tile_vecs, r = tile_rows;
    // 4×24 where the width is not a multiple of 16 and is wide (pixels of an odd plane); otherwise
    // 6×16: it wastes no lanes on 32 or 64 output channels and reads fewer B vectors per FMA.
    if (v <= 0) v = (n % 16 != 0 && n > 48) ? 3 : 2;
    if (v > MAX_V) v = MAX_V;
    if (r <= 0) r = v == 3 ? 4 : 6;
    const int max_rows = v == 3 ? 4 : 6;
    *rows = r > max_rows ? max_rows : r;
    *vecs = v;
}

// C(m, cols) [+]= A(m, kc)·panel(kc, cols), panel rows 8·v floats apart, in row blocks of at most
// `rows`. A C tile narrower than the panel goes through a buffer so no store passes column `cols`.
AVX2 static void panel_product(ptrdiff_t m, ptrdiff_t cols, int v, int rows, ptrdiff_t kc, const float *a,
                               ptrdiff_t a_row, ptrdiff_t a_col, const float *panel, float *c, ptrdiff_t ldc,
                               int from_c) {
    // Row blocks of equal height (32 rows → 6, 6, 5, 5, 5, 5, not 6 × 5 + 2): a short tile has too few
    // independent chains to hide the FMA latency.
    if (m <= 0) return;
    const ptrdiff_t blocks = (m + rows - 1) / rows, base = m / blocks, taller = m % blocks;
    for (ptrdiff_t block = 0, i = 0; block < blocks; block++) {
        const ptrdiff_t r = base + (block < taller ? 1 : 0);
        const tile_fn tile = tiles[r - 1][v - 1];
        const float *ai = a + i * a_row;
        float *ci = c + i * ldc;
        i += r;
        if (cols == 8 * v) {
            tile(kc, ai, a_row, a_col, panel, ci, ldc, from_c);
            continue;
        }
        float edge[6 * 8 * MAX_V];
        if (from_c)  // lanes past cols start from 0, not from garbage that might be slow denormals
            for (ptrdiff_t q = 0; q < r; q++)
                for (ptrdiff_t j = 0; j < 8 * v; j++) edge[q * 8 * v + j] = j < cols ? ci[q * ldc + j] : 0;
        tile(kc, ai, a_row, a_col, panel, edge, 8 * v, from_c);
        for (ptrdiff_t q = 0; q < r; q++)
            for (ptrdiff_t j = 0; j < cols; j++) ci[q * ldc + j] = edge[q * 8 * v + j];
    }
}

// MARK: - C = A·B

// Lanes [0, count) of a vector: an integer mask for vmaskmovps loads (lanes outside are not read).
AVX2 static inline __m256i first_lanes(ptrdiff_t count) {
    const __m256i index = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
    const int clamped = count < 0 ? 0 : count > 8 ? 8 : (int)count;
    return _mm256_cmpgt_epi32(_mm256_set1_epi32(clamped), index);
}

AVX2 void bl_avx2_sgemm_nn_tiled(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row,
                                 ptrdiff_t a_col, const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,
                                 int accumulate, int tile_rows, int tile_vecs) {
    int rows, vecs;
    tile_shape(n, tile_rows, tile_vecs, &rows, &vecs);
    const ptrdiff_t kstep = balanced_step(k);
    float panel[KC * 8 * MAX_V] __attribute__((aligned(32)));
    for (ptrdiff_t j = 0; j < n; j += 8 * vecs) {
        const ptrdiff_t cols = n - j < 8 * vecs ? n - j : 8 * vecs;
        const int v = (int)((cols + 7) / 8);  // a narrower last panel needs fewer multiplies
        __m256i lanes[MAX_V];
        for (int q = 0; q < v; q++) lanes[q] = first_lanes(cols - 8 * q);
        for (ptrdiff_t p0 = 0; p0 < k; p0 += kstep) {
            const ptrdiff_t kc = k - p0 < kstep ? k - p0 : kstep;
            const float *bp = b + p0 * ldb + j;
            // Always packed: B's rows may lie a power of two apart (an image plane) and evict each
            // other from L1, and a zero-padded panel spares the kernel its masks.
            for (ptrdiff_t p = 0; p < kc; p++)
                for (int q = 0; q < v; q++)
                    _mm256_store_ps(panel + p * 8 * v + 8 * q, _mm256_maskload_ps(bp + p * ldb + 8 * q, lanes[q]));
            // Blocks of k continue the chain stored in C: the same bits as one pass over k.
            panel_product(m, cols, v, rows, kc, a + p0 * a_col, a_row, a_col, panel, c + j, ldc, accumulate || p0 > 0);
        }
    }
}

AVX2 void bl_avx2_sgemm_nn(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                           const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate) {
    bl_avx2_sgemm_nn_tiled(m, n, k, a, a_row, a_col, b, ldb, c, ldc, accumulate, 0, 0);
}

// MARK: - Tap masks for panels packed straight from the image

// For 8·groups pixels from `first` on (the first `count` of them live): per tap (ky, kx) and group of
// 8, the lanes whose source pixel (y + ky − 1, x + kx − 1) lies in the image. The lanes' coordinates
// come from one division and a walk, the masks from vector compares (the scalar version, a division
// per lane, cost a fifth of the conv2 forward).
AVX2 static void tap_masks(ptrdiff_t first, ptrdiff_t count, ptrdiff_t groups, ptrdiff_t height, ptrdiff_t width,
                           __m256i inside[9][KC / 8]) {
    int ys[KC], xs[KC];
    int y = (int)(first / width), x = (int)(first % width);
    for (ptrdiff_t lane = 0; lane < groups * 8; lane++) {
        ys[lane] = y;
        xs[lane] = x;
        if (++x == width) { x = 0; y++; }
    }
    for (ptrdiff_t g = 0; g < groups; g++) {
        const __m256i yv = _mm256_loadu_si256((const __m256i *)(ys + 8 * g));
        const __m256i xv = _mm256_loadu_si256((const __m256i *)(xs + 8 * g));
        const __m256i live = first_lanes(count - 8 * g);
        __m256i row_ok[3], col_ok[3];
        for (int d = 0; d < 3; d++) {  // shift d − 1: 0 ≤ y + d − 1 < height, likewise x
            row_ok[d] = _mm256_and_si256(_mm256_cmpgt_epi32(yv, _mm256_set1_epi32(-d)),
                                         _mm256_cmpgt_epi32(_mm256_set1_epi32((int)height + 1 - d), yv));
            col_ok[d] = _mm256_and_si256(_mm256_cmpgt_epi32(xv, _mm256_set1_epi32(-d)),
                                         _mm256_cmpgt_epi32(_mm256_set1_epi32((int)width + 1 - d), xv));
        }
        for (int t = 0; t < 9; t++) inside[t][g] = _mm256_and_si256(live, _mm256_and_si256(row_ok[t / 3], col_ok[t % 3]));
    }
}

// MARK: - Convolution forward without im2col

AVX2 void bl_avx2_conv3x3_forward_tiled(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                        const float *w, const float *x, float *out, int tile_rows, int tile_vecs) {
    // bl_avx2_sgemm_nn(W, col) with col's panels packed straight from the image: row (c, ky, kx) of
    // a panel is the plane of channel c shifted by (ky−1)·W + (kx−1), with the lanes whose source
    // lies in the padding loaded as 0 (as im2col writes them): the bits of unfold3x3 + the product.
    const ptrdiff_t hw = height * width, depth = channels * 9;
    int rows, vecs;
    tile_shape(hw, tile_rows, tile_vecs, &rows, &vecs);
    const ptrdiff_t kstep = balanced_step(depth);
    ptrdiff_t shift[9];
    tap_shifts(width, shift);
    float panel[KC * 8 * MAX_V] __attribute__((aligned(32)));
    for (ptrdiff_t j = 0; j < hw; j += 8 * vecs) {
        const ptrdiff_t cols = hw - j < 8 * vecs ? hw - j : 8 * vecs;
        const int v = (int)((cols + 7) / 8);
        __m256i inside[9][KC / 8];  // per tap and vector of the panel
        tap_masks(j, cols, v, height, width, inside);
        for (ptrdiff_t p0 = 0; p0 < depth; p0 += kstep) {
            const ptrdiff_t kc = depth - p0 < kstep ? depth - p0 : kstep;
            ptrdiff_t c = p0 / 9, t = p0 % 9;  // row p0 + p of col is tap t of channel c
            for (ptrdiff_t p = 0; p < kc; p++) {
                // Masked lanes are never read, so a shift before the plane or past it cannot fault.
                const float *src = x + c * hw + j + shift[t];
                for (int q = 0; q < v; q++)
                    _mm256_store_ps(panel + p * 8 * v + 8 * q, _mm256_maskload_ps(src + 8 * q, inside[t][q]));
                if (++t == 9) { t = 0; c++; }
            }
            panel_product(k_out, cols, v, rows, kc, w + p0, depth, 1, panel, out + j, hw, p0 > 0);
        }
    }
}

AVX2 void bl_avx2_conv3x3_forward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                  const float *w, const float *x, float *out) {
    bl_avx2_conv3x3_forward_tiled(channels, height, width, k_out, w, x, out, 0, 0);
}

// MARK: - Weight gradient without im2col

// R rows × 8·V columns of dWᵀ += Σ_p A(r, p)·B(p, ·) over the pixels of one block, given as `segs`
// runs of pixels within an image row: run s has len[s] pixels and starts at padded offset start[s].
// A(r, p) is read in place from the zero-padded image, at row_off[r] + the pixel's padded offset; B
// (the block's rows of dOutᵀ, or a zero-padded panel of them at the right edge) is read row after row,
// whole vectors. The chain continues from C, pixel by pixel in order (as gemm_avx512.c's wg_block).
#define WG_TILE(R, V)                                                                                    \
    AVX2 static void wg_tile_##R##x##V(ptrdiff_t segs, const ptrdiff_t *start, const ptrdiff_t *len,      \
                                       const float *padded, const ptrdiff_t *row_off, const float *b,     \
                                       ptrdiff_t ldb, float *c, ptrdiff_t ldc) {                          \
        __m256 acc[R][V];                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                acc[r][v] = _mm256_loadu_ps(c + r * ldc + 8 * v);                                        \
        for (ptrdiff_t s = 0; s < segs; s++) {                                                           \
            const float *ap[R];                                                                          \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) ap[r] = padded + row_off[r] + start[s]; \
            const ptrdiff_t n = len[s];                                                                  \
            for (ptrdiff_t q = 0; q < n; q++) {                                                          \
                __m256 row[V];                                                                           \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                            \
                    row[v] = _mm256_loadu_ps(b + 8 * v);                                                 \
                b += ldb;                                                                                \
                _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                          \
                    const __m256 x = _mm256_broadcast_ss(ap[r] + q);                                     \
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                        \
                        acc[r][v] = _mm256_fmadd_ps(x, row[v], acc[r][v]);                               \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                _mm256_storeu_ps(c + r * ldc + 8 * v, acc[r][v]);                                        \
    }
WG_TILE(1, 1) WG_TILE(2, 1) WG_TILE(3, 1) WG_TILE(4, 1) WG_TILE(5, 1) WG_TILE(6, 1)
WG_TILE(1, 2) WG_TILE(2, 2) WG_TILE(3, 2) WG_TILE(4, 2) WG_TILE(5, 2) WG_TILE(6, 2)

typedef void (*wg_tile_fn)(ptrdiff_t, const ptrdiff_t *, const ptrdiff_t *, const float *, const ptrdiff_t *, const float *,
                           ptrdiff_t, float *, ptrdiff_t);
static const wg_tile_fn wg_tiles[6][2] = {
    {wg_tile_1x1, wg_tile_1x2}, {wg_tile_2x1, wg_tile_2x2}, {wg_tile_3x1, wg_tile_3x2},
    {wg_tile_4x1, wg_tile_4x2}, {wg_tile_5x1, wg_tile_5x2}, {wg_tile_6x1, wg_tile_6x2},
};

AVX2 void bl_avx2_conv3x3_weight_gradient(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                          const float *x, const float *dout_t, float *dw_t, float *padded) {
    // As bl_avx512_conv3x3_weight_gradient: dWᵀ(C·9, K) += col·dOutᵀ without col, x copied once into a
    // zero-padded image (C, H + 2, W + 2) where row (c, ky, kx) of col at pixel (y, x) is the element at
    // (c, y + ky, x + kx). Tiles of ≤ 6 rows × 16 columns (12 accumulators); each element's chain runs
    // over the pixels in order with the values im2col writes (+0 in the padding) and continues from C
    // across blocks: the bits of unfold3x3 + bl_avx2_sgemm_nn(C·9, K, H·W, col, …, dWᵀ, K, 1).
    const ptrdiff_t hw = height * width, depth = channels * 9, wp = width + 2, plane = (height + 2) * wp;
    ptrdiff_t tap[9];  // padded offset of tap (ky, kx) relative to the pixel's (y, x)
    pad_image3x3(channels, height, width, x, padded, tap);
    const ptrdiff_t kstep = balanced_step(hw);
    // Output channels past the last full 16: their columns of dOutᵀ in a zero-padded panel (so the tile
    // loads whole vectors) and their tile of dWᵀ through a buffer (no masked stores, slow on Zen).
    const ptrdiff_t full = k_out / 16 * 16, rest = k_out - full;
    const int rest_v = (int)((rest + 7) / 8);
    const __m256i lanes0 = first_lanes(rest), lanes1 = first_lanes(rest - 8);
    float edge_panel[KC * 16] __attribute__((aligned(32)));
    ptrdiff_t start[KC], len[KC];
    for (ptrdiff_t p0 = 0; p0 < hw; p0 += kstep) {
        const ptrdiff_t kc = hw - p0 < kstep ? hw - p0 : kstep;
        // The block's pixels as runs within image rows.
        const ptrdiff_t segs = pixel_runs(p0, kc, width, wp, start, len);
        const float *bp = dout_t + p0 * k_out;
        if (rest)
            for (ptrdiff_t p = 0; p < kc; p++) {
                _mm256_store_ps(edge_panel + p * 8 * rest_v, _mm256_maskload_ps(bp + p * k_out + full, lanes0));
                if (rest_v == 2) _mm256_store_ps(edge_panel + p * 16 + 8, _mm256_maskload_ps(bp + p * k_out + full + 8, lanes1));
            }
        // Row blocks of equal height (≤ 6): a short tile has too few chains to hide the FMA latency.
        const ptrdiff_t blocks = (depth + 5) / 6, base = depth / blocks, taller = depth % blocks;
        for (ptrdiff_t block = 0, i = 0; block < blocks; block++) {
            const ptrdiff_t r = base + (block < taller ? 1 : 0);
            ptrdiff_t row_off[6];
            col_row_offsets(i, r, plane, tap, row_off);
            float *ci = dw_t + i * k_out;
            for (ptrdiff_t j = 0; j < full; j += 16)
                wg_tiles[r - 1][1](segs, start, len, padded, row_off, bp + j, k_out, ci + j, k_out);
            if (rest) {
                float edge[6 * 16];  // lanes past `rest` start from 0, not from slow garbage
                for (ptrdiff_t q = 0; q < r; q++)
                    for (ptrdiff_t j = 0; j < 8 * rest_v; j++) edge[q * 8 * rest_v + j] = j < rest ? ci[q * k_out + full + j] : 0;
                wg_tiles[r - 1][rest_v - 1](segs, start, len, padded, row_off, edge_panel, 8 * rest_v, edge, 8 * rest_v);
                for (ptrdiff_t q = 0; q < r; q++)
                    for (ptrdiff_t j = 0; j < rest; j++) ci[q * k_out + full + j] = edge[q * 8 * rest_v + j];
            }
            i += r;
        }
    }
}

// MARK: - col2im (fold) for the input gradient

AVX2 void bl_avx2_fold3x3(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *dcol, float *dx) {
    // As bl_avx512_fold3x3 (the sums of Im2col.fold3x3, tap by tap in order from +0), 8 pixels per chain.
    const ptrdiff_t hw = height * width;
    for (ptrdiff_t p0 = 0; p0 < hw; p0 += KC) {
        const ptrdiff_t count = hw - p0 < KC ? hw - p0 : KC, groups = (count + 7) / 8;
        __m256i inside[9][KC / 8];
        tap_masks(p0, count, groups, height, width, inside);
        for (ptrdiff_t c = 0; c < channels; c++) {
            const float *rows = dcol + c * 9 * hw + p0;
            float *out = dx + c * hw + p0;
            for (ptrdiff_t g = 0; g < groups; g++) {
                __m256 acc = _mm256_setzero_ps();
                for (int t = 0; t < 9; t++) {
                    const ptrdiff_t shift = (t / 3 - 1) * width + (t % 3 - 1);
                    acc = _mm256_add_ps(acc, _mm256_maskload_ps(rows + t * hw + 8 * g - shift, inside[8 - t][g]));
                }
                if (count - 8 * g >= 8) _mm256_storeu_ps(out + 8 * g, acc);
                else _mm256_maskstore_ps(out + 8 * g, first_lanes(count - 8 * g), acc);
            }
        }
    }
}

// MARK: - Transpose

// r[0..7]: 8 rows of 8 → their transpose, in registers (unpack, 4×4 shuffles, 128-bit lane swaps).
AVX2 static inline void transpose8(__m256 r[8]) {
    __m256 t[8], s[8];
    for (int i = 0; i < 4; i++) {
        t[2 * i] = _mm256_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm256_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 2; i++) {  // s[4i + q], 128-bit lane L: column 4L + q of rows 4i…4i+3
        s[4 * i] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * i + 1] = _mm256_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        s[4 * i + 2] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        s[4 * i + 3] = _mm256_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int q = 0; q < 4; q++) {
        r[q] = _mm256_permute2f128_ps(s[q], s[4 + q], 0x20);
        r[4 + q] = _mm256_permute2f128_ps(s[q], s[4 + q], 0x31);
    }
}

AVX2 void bl_avx2_transpose(ptrdiff_t rows, ptrdiff_t cols, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd) {
    ptrdiff_t i = 0;
    for (; i + 8 <= rows; i += 8) {
        ptrdiff_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            __m256 r[8];
            for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + (i + q) * lds + j);
            transpose8(r);
            for (int q = 0; q < 8; q++) _mm256_storeu_ps(dst + (j + q) * ldd + i, r[q]);
        }
        for (; j < cols; j++)
            for (int q = 0; q < 8; q++) dst[j * ldd + i + q] = src[(i + q) * lds + j];
    }
    for (; i < rows; i++)
        for (ptrdiff_t j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

// As bl_avx512_add_transposed, in blocks of 8 × 8.
AVX2 void bl_avx2_add_transposed(ptrdiff_t rows, ptrdiff_t cols, const float *src, float *dst) {
    ptrdiff_t i = 0;
    for (; i + 8 <= rows; i += 8) {
        ptrdiff_t j = 0;
        for (; j + 8 <= cols; j += 8) {
            __m256 r[8];
            for (int q = 0; q < 8; q++) r[q] = _mm256_loadu_ps(src + (i + q) * cols + j);
            transpose8(r);
            for (int q = 0; q < 8; q++) {
                float *d = dst + (j + q) * rows + i;
                _mm256_storeu_ps(d, _mm256_add_ps(_mm256_loadu_ps(d), r[q]));
            }
        }
        for (; j < cols; j++)
            for (int q = 0; q < 8; q++) dst[j * rows + i + q] += src[(i + q) * cols + j];
    }
    for (; i < rows; i++)
        for (ptrdiff_t j = 0; j < cols; j++) dst[j * rows + i] += src[i * cols + j];
}
