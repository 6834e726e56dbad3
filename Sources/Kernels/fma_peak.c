// The CPU's own single-precision FMA peak on one core: twelve independent FMA chains (enough to keep
// two FMA pipes with 4–5 cycles of latency busy) in registers, timed for a given wall time. What
// `batchlab-bench --peak` and `--gemm` report the conv GEMMs' efficiency against.
#include "Kernels.h"
#include <immintrin.h>
#include <time.h>

static double seconds_now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

// acc = acc·0.99999 + 1e-6 stays finite and normal however long it runs.
#define PEAK(NAME, ATTR, VEC, SET1, FMA, ADD, LANES)                                        \
    ATTR static double NAME(double seconds) {                                               \
        const VEC scale = SET1(0.99999f), shift = SET1(1e-6f);                              \
        VEC acc[12];                                                                        \
        for (int i = 0; i < 12; i++) acc[i] = SET1((float)i);                               \
        long rounds = 0;                                                                    \
        const double start = seconds_now();                                                 \
        double elapsed;                                                                     \
        do {                                                                                \
            for (int step = 0; step < 4096; step++) {                                       \
                _Pragma("clang loop unroll(full)") for (int i = 0; i < 12; i++)             \
                    acc[i] = FMA(acc[i], scale, shift);                                     \
            }                                                                               \
            rounds += 4096;                                                                 \
            elapsed = seconds_now() - start;                                                \
        } while (elapsed < seconds);                                                        \
        VEC sum = acc[0];                                                                   \
        for (int i = 1; i < 12; i++) sum = ADD(sum, acc[i]);                                \
        float lanes[LANES];                                                                 \
        __builtin_memcpy(lanes, &sum, sizeof lanes);                                        \
        /* the sum is used, so the chains cannot be optimised away */                       \
        const double keep = lanes[0] != lanes[0] ? 0.0 : 1.0;                               \
        return keep * 2.0 * LANES * 12.0 * (double)rounds / elapsed / 1e9;                  \
    }
PEAK(peak_avx2, __attribute__((target("avx2,fma"))), __m256, _mm256_set1_ps, _mm256_fmadd_ps, _mm256_add_ps, 8)
PEAK(peak_avx512, __attribute__((target("avx512f,fma"))), __m512, _mm512_set1_ps, _mm512_fmadd_ps, _mm512_add_ps, 16)

double bl_fma_peak_gflops(int vector_bits, double seconds) {
    if (vector_bits == 512 && bl_avx512_available()) return peak_avx512(seconds);
    if (vector_bits == 256 && bl_avx2_available()) return peak_avx2(seconds);
    return 0;
}
