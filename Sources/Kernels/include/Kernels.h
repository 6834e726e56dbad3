// Hand-written conv GEMM kernels in two instruction sets: AVX-512 (gemm_avx512.c) and AVX2 + FMA
// (gemm_avx2.c), and the conv block's tail (bias + ReLU + max-pool, pool_*.c); see those files for why.
// All matrices are float32; strides are in elements.
// Callers must check bl_avx512_available() / bl_avx2_available() first: the kernels contain those
// instructions and would fault on other CPUs.
//
// Both sets keep one promise, on which the network's determinism rests: every C element is ONE
// fused multiply-add chain over p = 0, 1, …, k−1 that starts from 0, or from the old C when
// accumulating. Its bits therefore depend neither on m, n, the blocking, the caller's tiling nor the
// instruction set: the AVX-512 and the AVX2 kernels give the same bits.
#ifndef BATCHLAB_KERNELS_H
#define BATCHLAB_KERNELS_H
#include <stddef.h>

// MARK: - AVX-512

/// 1 when the CPU and the OS support AVX-512F and FMA (checked once), else 0.
int bl_avx512_available(void);

/// C(m, n) = A·B, or C += A·B when `accumulate` is 1. A(i, p) is a[i·a_row + p·a_col] (so one kernel
/// serves A and Aᵀ); B (k, n) row-major with leading dimension ldb; C (m, n) with ldc.
void bl_avx512_sgemm_nn(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                        const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate);

/// out(K, H·W) = W(K, C·9) ⊛ x(C, H, W): a 3×3 convolution, stride 1, zero padding 1, without an
/// im2col buffer; the same bits as unfolding x and calling bl_avx512_sgemm_nn(K, H·W, C·9, W, …).
void bl_avx512_conv3x3_forward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                               const float *w, const float *x, float *out);

/// dWᵀ(C·9, K) += col·dOutᵀ for a 3×3 convolution (stride 1, padding 1) without an im2col buffer:
/// x (C, H, W), dout_t = dOutᵀ (H·W, K) row-major, dw_t (C·9, K); padded: scratch of C·(H+2)·(W+2)
/// floats (overwritten). The same bits as unfolding x and calling
/// bl_avx512_sgemm_nn(C·9, K, H·W, col, H·W, 1, dout_t, K, dw_t, K, 1).
void bl_avx512_conv3x3_weight_gradient(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                       const float *x, const float *dout_t, float *dw_t, float *padded);

/// dx(C, H, W) = fold of dcol (C·9, H·W), the adjoint of im2col for a 3×3 convolution (stride 1,
/// padding 1), OVERWRITING dx: the bits of Im2col.fold3x3 (each pixel's taps added in order from 0).
/// dcol is only read.
void bl_avx512_fold3x3(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *dcol, float *dx);

/// dst(cols, rows) = srcᵀ for src (rows, cols); leading dimensions lds, ldd. Copies only.
void bl_avx512_transpose(ptrdiff_t rows, ptrdiff_t cols, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);

/// dst(cols, rows) += srcᵀ for src (rows, cols), both packed: one add (dst + src) per element.
void bl_avx512_add_transposed(ptrdiff_t rows, ptrdiff_t cols, const float *src, float *dst);

/// pooled(K, H/2, W/2) = maxpool2x2(relu(conv + bias)) for conv (K, H, W) and bias (K), with argmax
/// (K, H/2, W/2) ∈ 0…3 (first maximum wins) unless argmax is NULL (pool_avx512.c): the bits of
/// BiasReluPool.forward and .forwardNoIndices. pooled and argmax are overwritten.
void bl_avx512_bias_relu_pool(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *conv, const float *bias,
                              float *pooled, unsigned char *argmax);

/// d_conv (K, H, W) from d_pooled (K, H/2, W/2), OVERWRITTEN: the gradient at the argmax position where
/// the pooled value is > 0, +0 elsewhere; d_bias (K) += each channel's sum in BiasReluPool.backward's
/// order: the bits of BiasReluPool.backward.
void bl_avx512_bias_relu_pool_backward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *d_pooled,
                                       const float *pooled, const unsigned char *argmax, float *d_conv, float *d_bias);

// MARK: - AVX2 + FMA

/// 1 when the CPU and the OS support AVX2 and FMA (checked once), else 0.
int bl_avx2_available(void);

/// As bl_avx512_sgemm_nn.
void bl_avx2_sgemm_nn(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                      const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate);

/// As bl_avx2_sgemm_nn with a chosen C tile of tile_rows × 8·tile_vecs (0: the default; clamped to
/// 6 × 16 or 4 × 24): for tests of the bits across blockings and for measuring tile shapes.
void bl_avx2_sgemm_nn_tiled(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                            const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate,
                            int tile_rows, int tile_vecs);

/// As bl_avx512_conv3x3_forward: the bits of unfolding x and calling bl_avx2_sgemm_nn.
void bl_avx2_conv3x3_forward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                             const float *w, const float *x, float *out);

/// bl_avx2_conv3x3_forward with a chosen C tile (as bl_avx2_sgemm_nn_tiled).
void bl_avx2_conv3x3_forward_tiled(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                   const float *w, const float *x, float *out, int tile_rows, int tile_vecs);

/// As bl_avx512_conv3x3_weight_gradient (padded: scratch of C·(H+2)·(W+2) floats, overwritten): the bits
/// of unfolding x and calling bl_avx2_sgemm_nn.
void bl_avx2_conv3x3_weight_gradient(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                                     const float *x, const float *dout_t, float *dw_t, float *padded);

/// As bl_avx512_fold3x3.
void bl_avx2_fold3x3(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *dcol, float *dx);

/// As bl_avx512_transpose.
void bl_avx2_transpose(ptrdiff_t rows, ptrdiff_t cols, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);

/// As bl_avx512_add_transposed.
void bl_avx2_add_transposed(ptrdiff_t rows, ptrdiff_t cols, const float *src, float *dst);

/// As bl_avx512_bias_relu_pool (pool_avx2.c).
void bl_avx2_bias_relu_pool(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *conv, const float *bias,
                            float *pooled, unsigned char *argmax);

/// As bl_avx512_bias_relu_pool_backward.
void bl_avx2_bias_relu_pool_backward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, const float *d_pooled,
                                     const float *pooled, const unsigned char *argmax, float *d_conv, float *d_bias);

// MARK: - The CPU's FMA peak

/// GFLOP/s of one core running independent FMA chains on vectors of `vector_bits` (256: AVX2 + FMA,
/// 512: AVX-512) for about `seconds`; 0 when the CPU lacks that instruction set.
double bl_fma_peak_gflops(int vector_bits, double seconds);

#endif
