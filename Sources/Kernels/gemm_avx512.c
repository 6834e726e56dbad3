// AVX-512 micro-kernels for the three GEMMs of a 3×3 convolution (forward, dCol, dWᵀ): one
// outer-product GEMM kernel (bl_avx512_sgemm_nn, A or Aᵀ) and a transpose that turns dWᵀ += col·dOutᵀ into one.
//
// Why not OpenBLAS here: the study's convolutions are small GEMMs (16–64 output channels, 27–576
// deep, 64–4096 pixels), and OpenBLAS spends as long packing B (the im2col columns) as it spends
// multiplying: 30–100 GFLOP/s on these shapes against ~155 for large ones (`batchlab-bench --gemm`).
// This kernel keeps an 8×32 block of C in registers, reads A where it is (broadcasts), copies B only
// into L1-sized panels (and, for the forward pass, fills them straight from the image: no im2col).
// It is compiled for AVX-512 with a function attribute and chosen at run time (bl_avx512_available),
// so the binary still runs on any x86-64; elsewhere Conv3x3 uses gemm_avx2.c or OpenBLAS.
//
// Determinism: every C element is one FMA chain over p = 0…k−1 (Kernels.h), whichever block, panel
// or thread computes it. (A dot-product kernel along pixels for dWᵀ was tried and dropped: its lane
// reductions cost more than its multiplies at 64–256 pixels.)
#include "Kernels.h"
#include "conv_pad.h"
#include <immintrin.h>

#define AVX512 __attribute__((target("avx512f,fma")))

int bl_avx512_available(void) {
    static int cached = -1;  // a benign race: every thread computes the same value
    if (cached < 0) {
        __builtin_cpu_init();
        cached = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("fma");
    }
    return cached;
}

static inline __mmask16 lane_mask(ptrdiff_t count) {
    return count >= 16 ? (__mmask16)0xFFFF : count <= 0 ? (__mmask16)0 : (__mmask16)((1u << count) - 1);
}

// MARK: - C = A·B (outer products: one row of B against R broadcast elements of A)

// R rows × 16·V columns of C (V = 1 or 2 vectors); columns past n are masked off. The FMA chain
// starts from C when from_c (accumulating, or a later block of k), else from 0.
#define NN_BLOCK(R, V)                                                                                   \
    AVX512 static void nn_block_##R##x##V(ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,  \
                                          const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc,        \
                                          __mmask16 m0, __mmask16 m1, int from_c) {                       \
        __m512 acc[R][V];                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                acc[r][v] = from_c ? _mm512_maskz_loadu_ps(v == 0 ? m0 : m1, c + r * ldc + 16 * v)          \
                                   : _mm512_setzero_ps();                                                \
        for (ptrdiff_t p = 0; p < k; p++) {                                                              \
            __m512 row[V];                                                                               \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                row[v] = _mm512_maskz_loadu_ps(v == 0 ? m0 : m1, b + p * ldb + 16 * v);                  \
            const float *ap = a + p * a_col;                                                             \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                              \
                const __m512 x = _mm512_set1_ps(ap[r * a_row]);                                          \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                            \
                    acc[r][v] = _mm512_fmadd_ps(x, row[v], acc[r][v]);                                   \
            }                                                                                            \
        }                                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                                  \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++) {                              \
                float *cr = c + r * ldc + 16 * v;                                                        \
                _mm512_mask_storeu_ps(cr, v == 0 ? m0 : m1, acc[r][v]);                                  \
            }                                                                                            \
        }                                                                                                \
    }
NN_BLOCK(8, 2) NN_BLOCK(7, 2) NN_BLOCK(6, 2) NN_BLOCK(5, 2) NN_BLOCK(4, 2) NN_BLOCK(3, 2) NN_BLOCK(2, 2) NN_BLOCK(1, 2)
NN_BLOCK(8, 1) NN_BLOCK(7, 1) NN_BLOCK(6, 1) NN_BLOCK(5, 1) NN_BLOCK(4, 1) NN_BLOCK(3, 1) NN_BLOCK(2, 1) NN_BLOCK(1, 1)

typedef void (*nn_block_fn)(ptrdiff_t, const float *, ptrdiff_t, ptrdiff_t, const float *, ptrdiff_t, float *, ptrdiff_t,
                            __mmask16, __mmask16, int);
// By rows (index R − 1) and vectors (index V − 1): the last rows of C get a block of their own height.
static const nn_block_fn nn_blocks[8][2] = {
    {nn_block_1x1, nn_block_1x2}, {nn_block_2x1, nn_block_2x2}, {nn_block_3x1, nn_block_3x2}, {nn_block_4x1, nn_block_4x2},
    {nn_block_5x1, nn_block_5x2}, {nn_block_6x1, nn_block_6x2}, {nn_block_7x1, nn_block_7x2}, {nn_block_8x1, nn_block_8x2},
};

// Rows of B per packed panel at most: a panel (KC × 32 floats, 16 KB) and the A block stay in L1.
#define KC 128

// k cut into equal blocks of at most KC (144 → 72 + 72, not 128 + 16: a short block pays a block's
// set-up for little work). The cut does not change any bits: a block continues the chain stored in C.
static inline ptrdiff_t balanced_step(ptrdiff_t k) {
    const ptrdiff_t blocks = (k + KC - 1) / KC;
    return blocks <= 1 ? (k > 0 ? k : 1) : (k + blocks - 1) / blocks;
}

AVX512 void bl_avx512_sgemm_nn(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate) {
    // B rows a power-of-two apart (an image plane) all fall into the same L1 sets, so a panel read
    // in place is evicted before the next row block reuses it: copy it to a contiguous buffer first,
    // unless the rows are close together already.
    const int pack = ldb > 64;
    const ptrdiff_t kstep = balanced_step(k);
    float panel[KC * 32] __attribute__((aligned(64)));
    for (ptrdiff_t j = 0; j < n; j += 32) {
        const __mmask16 m0 = lane_mask(n - j), m1 = lane_mask(n - j - 16);
        const int v = m1 ? 2 : 1;  // a last panel of at most 16 columns needs half the multiplies
        for (ptrdiff_t p0 = 0; p0 < k; p0 += kstep) {
            const ptrdiff_t kc = k - p0 < kstep ? k - p0 : kstep;
            const float *bp = b + p0 * ldb + j;
            ptrdiff_t ld = ldb;
            if (pack) {
                for (ptrdiff_t p = 0; p < kc; p++) {
                    _mm512_store_ps(panel + p * 32, _mm512_maskz_loadu_ps(m0, bp + p * ldb));
                    if (v == 2) _mm512_store_ps(panel + p * 32 + 16, _mm512_maskz_loadu_ps(m1, bp + p * ldb + 16));
                }
                bp = panel;
                ld = 32;
            }
            // Blocks of k continue the chain stored in C: the same bits as one pass over k.
            const int from_c = accumulate || p0 > 0;
            for (ptrdiff_t i = 0; i < m; i += 8) {
                const ptrdiff_t rows = m - i < 8 ? m - i : 8;
                nn_blocks[rows - 1][v - 1](kc, a + i * a_row + p0 * a_col, a_row, a_col, bp, ld, c + i * ldc + j, ldc, m0, m1, from_c);
            }
        }
    }
}

// MARK: - Tap masks for panels packed straight from the image

// For 16·groups pixels from `first` on (the first `count` of them live): per tap (ky, kx) and group of
// 16, the lanes whose source pixel (y + ky − 1, x + kx − 1) lies in the image. The lanes' coordinates
// come from one division and a walk, the masks from vector compares (a division per lane and a scalar
// loop per tap cost ~6 % of a conv2 forward).
AVX512 static void tap_masks(ptrdiff_t first, ptrdiff_t count, ptrdiff_t groups, ptrdiff_t height, ptrdiff_t width,
                             __mmask16 inside[9][KC / 16]) {
    int ys[KC], xs[KC];
    int y = (int)(first / width), x = (int)(first % width);
    for (ptrdiff_t lane = 0; lane < groups * 16; lane++) {
        ys[lane] = y;
        xs[lane] = x;
        if (++x == width) { x = 0; y++; }
    }
    for (ptrdiff_t g = 0; g < groups; g++) {
        const __m512i yv = _mm512_loadu_si512(ys + 16 * g), xv = _mm512_loadu_si512(xs + 16 * g);
        const __mmask16 live = lane_mask(count - 16 * g);
        __mmask16 row_ok[3], col_ok[3];
        for (int d = 0; d < 3; d++) {  // shift d − 1: 0 ≤ y + d − 1 < height, likewise x
            row_ok[d] = _mm512_cmpgt_epi32_mask(yv, _mm512_set1_epi32(-d))
                        & _mm512_cmpgt_epi32_mask(_mm512_set1_epi32((int)height + 1 - d), yv);
            col_ok[d] = _mm512_cmpgt_epi32_mask(xv, _mm512_set1_epi32(-d))
                        & _mm512_cmpgt_epi32_mask(_mm512_set1_epi32((int)width + 1 - d), xv);
        }
        for (int t = 0; t < 9; t++) inside[t][g] = live & row_ok[t / 3] & col_ok[t % 3];
    }
}

// MARK: - Convolution forward without im2col

AVX512 void bl_avx512_conv3x3_forward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                               const float *w, const float *x, float *out) {
    // bl_avx512_sgemm_nn(W, col) with col's panels packed straight from the image: row (c, ky, kx) of a
    // panel is the plane of channel c shifted by (ky−1)·W + (kx−1) (one uniform shift for all 32
    // pixels), with the lanes whose source lies in the padding masked to 0. The panels hold the
    // numbers im2col would have written, so the bits are those of unfold3x3 + bl_avx512_sgemm_nn.
    const ptrdiff_t hw = height * width, depth = channels * 9;
    const ptrdiff_t kstep = balanced_step(depth);
    ptrdiff_t shift[9];
    tap_shifts(width, shift);
    float panel[KC * 32] __attribute__((aligned(64)));
    for (ptrdiff_t j = 0; j < hw; j += 32) {
        const __mmask16 m0 = lane_mask(hw - j), m1 = lane_mask(hw - j - 16);
        const int v = m1 ? 2 : 1;
        __mmask16 inside[9][KC / 16];  // per tap and half of the panel
        tap_masks(j, hw - j < 32 ? hw - j : 32, 2, height, width, inside);
        for (ptrdiff_t p0 = 0; p0 < depth; p0 += kstep) {
            const ptrdiff_t kc = depth - p0 < kstep ? depth - p0 : kstep;
            ptrdiff_t c = p0 / 9, t = p0 % 9;  // row p0 + p of col is tap t of channel c
            for (ptrdiff_t p = 0; p < kc; p++) {
                // Masked lanes are never read, so a shift before the plane or past it cannot fault.
                const float *src = x + c * hw + j + shift[t];
                _mm512_store_ps(panel + p * 32, _mm512_maskz_loadu_ps(inside[t][0], src));
                if (v == 2) _mm512_store_ps(panel + p * 32 + 16, _mm512_maskz_loadu_ps(inside[t][1], src + 16));
                if (++t == 9) { t = 0; c++; }
            }
            const int from_c = p0 > 0;
            for (ptrdiff_t i = 0; i < k_out; i += 8) {
                const ptrdiff_t rows = k_out - i < 8 ? k_out - i : 8;
                nn_blocks[rows - 1][v - 1](kc, w + i * depth + p0, depth, 1, panel, 32, out + i * hw + j, hw, m0, m1, from_c);
            }
        }
    }
}

// MARK: - Weight gradient without im2col

// R rows × 16·V columns of dWᵀ += Σ_p A(r, p)·B(p, ·) over the pixels of one block, given as `segs`
// runs of pixels within an image row: run s has len[s] pixels and starts at padded offset start[s].
// A(r, p) is read in place from the zero-padded image, at row_off[r] + the pixel's padded offset; B
// (the block's rows of dOutᵀ) is read row after row. The chain continues from C, pixel by pixel in order.
#define WG_BLOCK(R, V)                                                                                   \
    AVX512 static void wg_block_##R##x##V(ptrdiff_t segs, const ptrdiff_t *start, const ptrdiff_t *len,   \
                                          const float *padded, const ptrdiff_t *row_off, const float *b,  \
                                          ptrdiff_t ldb, float *c, ptrdiff_t ldc, __mmask16 m0, __mmask16 m1) { \
        __m512 acc[R][V];                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                acc[r][v] = _mm512_maskz_loadu_ps(v == 0 ? m0 : m1, c + r * ldc + 16 * v);                 \
        for (ptrdiff_t s = 0; s < segs; s++) {                                                           \
            const float *ap[R];                                                                          \
            _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) ap[r] = padded + row_off[r] + start[s]; \
            const ptrdiff_t n = len[s];                                                                  \
            for (ptrdiff_t q = 0; q < n; q++) {                                                          \
                __m512 row[V];                                                                           \
                _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                            \
                    row[v] = _mm512_maskz_loadu_ps(v == 0 ? m0 : m1, b + 16 * v);                        \
                b += ldb;                                                                                \
                _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++) {                          \
                    const __m512 x = _mm512_set1_ps(ap[r][q]);                                           \
                    _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                        \
                        acc[r][v] = _mm512_fmadd_ps(x, row[v], acc[r][v]);                               \
                }                                                                                        \
            }                                                                                            \
        }                                                                                                \
        _Pragma("clang loop unroll(full)") for (int r = 0; r < R; r++)                                    \
            _Pragma("clang loop unroll(full)") for (int v = 0; v < V; v++)                                \
                _mm512_mask_storeu_ps(c + r * ldc + 16 * v, v == 0 ? m0 : m1, acc[r][v]);                 \
    }
WG_BLOCK(8, 2) WG_BLOCK(7, 2) WG_BLOCK(6, 2) WG_BLOCK(5, 2) WG_BLOCK(4, 2) WG_BLOCK(3, 2) WG_BLOCK(2, 2) WG_BLOCK(1, 2)
WG_BLOCK(8, 1) WG_BLOCK(7, 1) WG_BLOCK(6, 1) WG_BLOCK(5, 1) WG_BLOCK(4, 1) WG_BLOCK(3, 1) WG_BLOCK(2, 1) WG_BLOCK(1, 1)

typedef void (*wg_block_fn)(ptrdiff_t, const ptrdiff_t *, const ptrdiff_t *, const float *, const ptrdiff_t *, const float *,
                            ptrdiff_t, float *, ptrdiff_t, __mmask16, __mmask16);
static const wg_block_fn wg_blocks[8][2] = {
    {wg_block_1x1, wg_block_1x2}, {wg_block_2x1, wg_block_2x2}, {wg_block_3x1, wg_block_3x2}, {wg_block_4x1, wg_block_4x2},
    {wg_block_5x1, wg_block_5x2}, {wg_block_6x1, wg_block_6x2}, {wg_block_7x1, wg_block_7x2}, {wg_block_8x1, wg_block_8x2},
};

AVX512 void bl_avx512_conv3x3_weight_gradient(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                              const float *x, const float *dout_t, float *dw_t, float *padded) {
    // dWᵀ(C·9, K) += col(C·9, H·W)·dOutᵀ(H·W, K) without col: x is copied once into a zero-padded
    // image (C, H + 2, W + 2), where row (c, ky, kx) of col at pixel (y, x) is the element at (c, y + ky,
    // x + kx), and the kernel reads col's elements there. Building col's rows per block of pixels
    // instead (masked loads from x into an L1 buffer) cost 8–9 % of a 64×64 batch-32 training step,
    // most of it waiting on x, which the forward pass left in L3; the copy streams it once. Each
    // element's chain still runs over the pixels in order, with the same values (+0 in the padding)
    // and continues from C across blocks: the bits of unfold3x3 +
    // bl_avx512_sgemm_nn(C·9, K, H·W, col, H·W, 1, dOutᵀ, K, dWᵀ, K, 1).
    const ptrdiff_t hw = height * width, depth = channels * 9, wp = width + 2, plane = (height + 2) * wp;
    ptrdiff_t tap[9];  // padded offset of tap (ky, kx) relative to the pixel's (y, x)
    pad_image3x3(channels, height, width, x, padded, tap);
    const ptrdiff_t kstep = balanced_step(hw);
    ptrdiff_t start[KC], len[KC];
    for (ptrdiff_t p0 = 0; p0 < hw; p0 += kstep) {
        const ptrdiff_t kc = hw - p0 < kstep ? hw - p0 : kstep;
        // The block's pixels as runs within image rows.
        const ptrdiff_t segs = pixel_runs(p0, kc, width, wp, start, len);
        for (ptrdiff_t i = 0; i < depth; i += 8) {
            const ptrdiff_t count = depth - i < 8 ? depth - i : 8;
            ptrdiff_t row_off[8];
            col_row_offsets(i, count, plane, tap, row_off);
            for (ptrdiff_t j = 0; j < k_out; j += 32) {
                const __mmask16 m0 = lane_mask(k_out - j), m1 = lane_mask(k_out - j - 16);
                wg_blocks[count - 1][m1 ? 1 : 0](segs, start, len, padded, row_off, dout_t + p0 * k_out + j, k_out,
                                                 dw_t + i * k_out + j, k_out, m0, m1);
            }
        }
    }
}

// MARK: - col2im (fold) for the input gradient

AVX512 void bl_avx512_fold3x3(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *dcol, float *dx) {
    // dx[c, q] = 0 + Σ_t dCol[c·9 + t, q − shift_t] over the taps t = 0…8 in order, skipping the taps whose
    // column position lies outside the image: the sums Im2col.fold3x3 forms (it zeroes dx, then adds
    // row after row), with one vector chain per 16 pixels instead of nine passes over dx. A skipped
    // tap adds +0 here, which changes nothing: a sum that starts at +0 is never −0. The lanes that
    // read column position q − shift_t use tap 8 − t's mask (the mirrored shift), computed once per
    // block of KC pixels for all channels. Swift compiled that loop for SSE2: ~5 % of a 64×64 step.
    const ptrdiff_t hw = height * width;
    for (ptrdiff_t p0 = 0; p0 < hw; p0 += KC) {
        const ptrdiff_t count = hw - p0 < KC ? hw - p0 : KC, groups = (count + 15) / 16;
        __mmask16 inside[9][KC / 16];
        tap_masks(p0, count, groups, height, width, inside);
        for (ptrdiff_t c = 0; c < channels; c++) {
            const float *rows = dcol + c * 9 * hw + p0;
            float *out = dx + c * hw + p0;
            for (ptrdiff_t g = 0; g < groups; g++) {
                __m512 acc = _mm512_setzero_ps();
                for (int t = 0; t < 9; t++) {
                    const ptrdiff_t shift = (t / 3 - 1) * width + (t % 3 - 1);
                    // Masked lanes are never read, so a position before the row or past it cannot fault.
                    acc = _mm512_add_ps(acc, _mm512_maskz_loadu_ps(inside[8 - t][g], rows + t * hw + 16 * g - shift));
                }
                _mm512_mask_storeu_ps(out + 16 * g, lane_mask(count - 16 * g), acc);
            }
        }
    }
}

// MARK: - Transpose

// r[0..15]: 16 rows of 16 → their transpose, in registers (unpack, 4×4 shuffles, 128-bit lane shuffles).
AVX512 static inline void transpose16(__m512 r[16]) {
    __m512 t[16];
    for (int i = 0; i < 8; i++) {
        t[2 * i] = _mm512_unpacklo_ps(r[2 * i], r[2 * i + 1]);
        t[2 * i + 1] = _mm512_unpackhi_ps(r[2 * i], r[2 * i + 1]);
    }
    for (int i = 0; i < 4; i++) {  // r[4i + q], 128-bit lane L: column 4L + q of rows 4i…4i+3
        r[4 * i] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 1] = _mm512_shuffle_ps(t[4 * i], t[4 * i + 2], _MM_SHUFFLE(3, 2, 3, 2));
        r[4 * i + 2] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(1, 0, 1, 0));
        r[4 * i + 3] = _mm512_shuffle_ps(t[4 * i + 1], t[4 * i + 3], _MM_SHUFFLE(3, 2, 3, 2));
    }
    for (int q = 0; q < 4; q++) {  // column 4L + q gathers lane L of r[q], r[4+q], r[8+q], r[12+q]
        const __m512 u = _mm512_shuffle_f32x4(r[q], r[4 + q], 0x44), v = _mm512_shuffle_f32x4(r[q], r[4 + q], 0xEE);
        const __m512 u2 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0x44), v2 = _mm512_shuffle_f32x4(r[8 + q], r[12 + q], 0xEE);
        t[q] = _mm512_shuffle_f32x4(u, u2, 0x88);
        t[4 + q] = _mm512_shuffle_f32x4(u, u2, 0xDD);
        t[8 + q] = _mm512_shuffle_f32x4(v, v2, 0x88);
        t[12 + q] = _mm512_shuffle_f32x4(v, v2, 0xDD);
    }
    for (int i = 0; i < 16; i++) r[i] = t[i];
}

AVX512 void bl_avx512_transpose(ptrdiff_t rows, ptrdiff_t cols, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd) {
    ptrdiff_t i = 0;
    for (; i + 16 <= rows; i += 16) {
        ptrdiff_t j = 0;
        for (; j + 16 <= cols; j += 16) {
            __m512 r[16];
            for (int q = 0; q < 16; q++) r[q] = _mm512_loadu_ps(src + (i + q) * lds + j);
            transpose16(r);
            for (int q = 0; q < 16; q++) _mm512_storeu_ps(dst + (j + q) * ldd + i, r[q]);
        }
        for (; j < cols; j++)
            for (int q = 0; q < 16; q++) dst[j * ldd + i + q] = src[(i + q) * lds + j];
    }
    for (; i < rows; i++)
        for (ptrdiff_t j = 0; j < cols; j++) dst[j * ldd + i] = src[i * lds + j];
}

// dst(cols, rows) += srcᵀ for src (rows, cols), both packed: one add per element, dst + src, as the
// scalar loop it replaces (Conv3x3.addTransposed, strided reads with overflow checks: ~1.3 % of a step).
AVX512 void bl_avx512_add_transposed(ptrdiff_t rows, ptrdiff_t cols, const float *src, float *dst) {
    ptrdiff_t i = 0;
    for (; i + 16 <= rows; i += 16) {
        ptrdiff_t j = 0;
        for (; j + 16 <= cols; j += 16) {
            __m512 r[16];
            for (int q = 0; q < 16; q++) r[q] = _mm512_loadu_ps(src + (i + q) * cols + j);
            transpose16(r);
            for (int q = 0; q < 16; q++) {
                float *d = dst + (j + q) * rows + i;
                _mm512_storeu_ps(d, _mm512_add_ps(_mm512_loadu_ps(d), r[q]));
            }
        }
        for (; j < cols; j++)
            for (int q = 0; q < 16; q++) dst[j * rows + i + q] += src[(i + q) * cols + j];
    }
    for (; i < rows; i++)
        for (ptrdiff_t j = 0; j < cols; j++) dst[j * rows + i] += src[i * cols + j];
}
