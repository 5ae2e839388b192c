// The CPU's own float32 limit, for reading bench/run.sh's "% of peak" (docs/performance.md, "What the two
// unmet goals ask of the hardware"): 16 independent AVX-512 FMA chains (enough to fill two FMA ports of
// 4-cycle latency) per core, timed in thread CPU time, and a chain of dependent integer adds (one per
// cycle) for the clock. Not built by CMake (AVX-512 only; it would fault elsewhere); run one copy per core
// at once to see the all-core figure:
//   gcc -O2 -mavx512f -o /tmp/fma_peak bench/fma_peak.c && (/tmp/fma_peak & /tmp/fma_peak; wait)
#include <immintrin.h>
#include <stdio.h>
#include <time.h>

static double threadSeconds(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec * 1e-9;
}

int main(void)
{
    enum { chains = 16 };
    const long rounds = 200000000;
    __m512 acc[chains];
    const __m512 scale = _mm512_set1_ps(1.0000001f), shift = _mm512_set1_ps(1e-7f);
    for (int i = 0; i < chains; i++)
        acc[i] = _mm512_set1_ps((float)i);
    double start = threadSeconds();
    for (long k = 0; k < rounds; k++) {
#pragma GCC unroll 16
        for (int i = 0; i < chains; i++)
            acc[i] = _mm512_fmadd_ps(acc[i], scale, shift);
    }
    double seconds = threadSeconds() - start;
    float sum = 0; // keeps the chains alive
    for (int i = 0; i < chains; i++)
        sum += _mm512_reduce_add_ps(acc[i]);
    printf("%.1f GFLOP/s float32 FMA on this core (%.2f s; checksum %g)\n",
        (double)rounds * chains * 16 * 2 / seconds / 1e9, seconds, sum);
    long counter = 1;
    start = threadSeconds();
    for (long k = 0; k < 1000000000; k++)
        __asm__ volatile("add $1, %0" : "+r"(counter));
    seconds = threadSeconds() - start;
    printf("about %.2f GHz (1e9 dependent adds in %.3f s)\n", 1.0 / seconds, seconds);
    return 0;
}
