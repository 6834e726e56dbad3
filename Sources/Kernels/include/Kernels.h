// Hand-written AVX-512 kernels for the convolution GEMMs (see gemm_avx512.c for why).
// All matrices are float32; strides are in elements. Callers must check bl_kernels_available()
// first: the kernels contain AVX-512 instructions and would fault on other CPUs.
#ifndef BATCHLAB_KERNELS_H
#define BATCHLAB_KERNELS_H
#include <stddef.h>

/// 1 when the CPU and the OS support AVX-512F and FMA (checked once), else 0.
int bl_kernels_available(void);

/// C(m, n) = A·B, or C += A·B when `accumulate` is 1. A(i, p) is a[i·a_row + p·a_col] (so one kernel
/// serves A and Aᵀ); B (k, n) row-major with leading dimension ldb; C (m, n) with ldc.
/// Every C element is ONE fused multiply-add chain over p = 0, 1, …, k−1 that starts from 0, or from
/// the old C when accumulating: its bits do not depend on m, n, the blocking or the caller's tiling.
void bl_sgemm_nn(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t a_row, ptrdiff_t a_col,
                 const float *b, ptrdiff_t ldb, float *c, ptrdiff_t ldc, int accumulate);

/// out(K, H·W) = W(K, C·9) ⊛ x(C, H, W): a 3×3 convolution, stride 1, zero padding 1, without an
/// im2col buffer; the same bits as unfolding x and calling bl_sgemm_nn(K, H·W, C·9, W, …).
void bl_conv3x3_forward(ptrdiff_t channels, ptrdiff_t height, ptrdiff_t width, ptrdiff_t k_out,
                        const float *w, const float *x, float *out);

/// dst(cols, rows) = srcᵀ for src (rows, cols); leading dimensions lds, ldd. Copies only.
void bl_transpose(ptrdiff_t rows, ptrdiff_t cols, const float *src, ptrdiff_t lds, float *dst, ptrdiff_t ldd);

#endif
