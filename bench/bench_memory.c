/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_memory.c - what the machine's memory does with the spatial
 * engine's access pattern (docs/space.md, Speed, round 5), so that a
 * prefetching or layout idea can be judged against the machine before it
 * is tried on the engine.  Three probes, one thread:
 *   - latency: a dependent chain of loads through a random cyclic
 *     permutation of the lines of a working set (1 .. 64 MB, 2 MB pages
 *     asked for): where the caches end, as this process sees them;
 *   - pages: one line per 4 KB page, 8192 pages (32 MB of address space,
 *     512 KB of lines), with 2 MB pages asked for and without: the cost
 *     of the TLB alone;
 *   - batches: 33 read-modify-write lines (an event's stencil at
 *     d_el = 3) at random in a working set of 2 or 16 MB, spread over 1 ..
 *     33 pages, the batches either independent (throughput: the misses of
 *     many batches overlap) or each waiting for the previous one (latency
 *     of one batch).
 * Reported in ns per load, per line and per batch (wall clock; run it on
 * an otherwise quiet machine, repeat it: another job's memory traffic
 * moves the large working sets by a factor of two).
 *   usage: bench_memory [repeats]   (best of `repeats`, default 3)
 */
#define _DEFAULT_SOURCE /* madvise */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#define HUGE_PAGE ((size_t)2 << 20)

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static uint64_t xorshift(uint64_t *s)
{
    *s ^= *s << 13;
    *s ^= *s >> 7;
    *s ^= *s << 17;
    return *s;
}

/* bytes rounded up to whole 2 MB pages, asked for as huge pages (`huge`)
 * or explicitly not, touched once. */
static char *region(size_t bytes, int huge)
{
    bytes = (bytes + HUGE_PAGE - 1) / HUGE_PAGE * HUGE_PAGE;
    char *p = aligned_alloc(HUGE_PAGE, bytes);
    if (p == NULL) {
        fprintf(stderr, "bench_memory: out of memory\n");
        exit(1);
    }
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    (void)madvise(p, bytes, huge ? MADV_HUGEPAGE : MADV_NOHUGEPAGE);
#else
    (void)huge;
#endif
    memset(p, 0, bytes);
    return p;
}

/* A dependent chain through `count` slots `stride` bytes apart (offset
 * `skew` lines within the slot, so that one-line-per-page slots do not all
 * fall in one cache set): ns per load. */
static double chase(size_t count, size_t stride, int huge, uint64_t *seed)
{
    char *a = region(count * stride, huge);
    size_t *perm = malloc(count * sizeof *perm);
    for (size_t i = 0; i < count; i++)
        perm[i] = i;
    for (size_t i = count - 1; i > 0; i--) {
        size_t j = xorshift(seed) % (i + 1), t = perm[i];
        perm[i] = perm[j];
        perm[j] = t;
    }
#define SLOT(i) ((size_t *)(a + (i) * stride + ((i) % 64) * 64 % stride))
    for (size_t i = 0; i < count; i++)
        *SLOT(perm[i]) = perm[(i + 1) % count];
    size_t p = perm[0];
    const long loads = 4000000;
    double t0 = now();
    for (long i = 0; i < loads; i++)
        p = *SLOT(p);
#undef SLOT
    double ns = (now() - t0) / (double)loads * 1e9;
    if (p == SIZE_MAX)
        printf("impossible\n");
    free(perm);
    free(a);
    return ns;
}

/* Batches of 33 read-modify-write lines in `mb` MB over `pages` pages
 * (16 KB apart: the block rows of row-major blocks); `dependent`: each
 * batch's addresses wait for the previous batch's sum.  ns per batch. */
static double batches(size_t mb, int pages, int dependent, uint64_t *seed)
{
    const size_t bytes = mb << 20, npages = bytes / 4096;
    double *a = (double *)region(bytes, 1);
    const long count = 300000;
    size_t *off = malloc(33 * (size_t)count * sizeof *off);
    for (long b = 0; b < count; b++) {
        size_t p0 = xorshift(seed) & (npages - 1);
        for (int k = 0; k < 33; k++) {
            size_t page = (p0 + (size_t)(k % pages) * 4) & (npages - 1);
            off[33 * b + k] = (page * 64 + (xorshift(seed) & 63)) * 8;
        }
    }
    double sum = 0;
    size_t carry = 0;
    double t0 = now();
    for (long b = 0; b < count; b++) {
        const size_t *o = off + 33 * b;
        double acc = 0;
        for (int k = 0; k < 33; k++) {
            double *d = a + o[k] + carry, r = *d;
            *d = r * 0.5 + 1.0;
            acc += r;
        }
        sum += acc;
        if (dependent)
            carry = acc < 0; /* always 0, but only known once the batch is in */
    }
    double ns = (now() - t0) / (double)count * 1e9;
    if (sum < 0)
        printf("impossible\n");
    free(off);
    free(a);
    return ns;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    uint64_t seed = 88172645463325252ULL;
    printf("memory probes, one thread, best of %d (wall clock)\n", repeats);
    printf("latency (dependent loads, random lines, 2 MB pages):\n");
    const size_t sets[] = {1, 2, 4, 6, 8, 16, 64};
    for (size_t i = 0; i < sizeof sets / sizeof sets[0]; i++) {
        double best = 1e30;
        for (int r = 0; r < repeats; r++) {
            double v = chase((sets[i] << 20) / 64, 64, 1, &seed);
            best = v < best ? v : best;
        }
        printf("  %3zu MB: %6.1f ns per load\n", sets[i], best);
    }
    printf("pages (one line per 4 KB page, 8192 pages):\n");
    for (int huge = 1; huge >= 0; huge--) {
        double best = 1e30;
        for (int r = 0; r < repeats; r++) {
            double v = chase(8192, 4096, huge, &seed);
            best = v < best ? v : best;
        }
        printf("  %s: %6.1f ns per load\n", huge ? "2 MB pages asked for" : "4 KB pages          ", best);
    }
    printf("batches of 33 read-modify-write lines (ns per batch; independent / each after the previous):\n");
    const int spreads[] = {1, 5, 9, 33};
    for (size_t mb = 2; mb <= 16; mb *= 8)
        for (size_t i = 0; i < sizeof spreads / sizeof spreads[0]; i++) {
            double best[2] = {1e30, 1e30};
            for (int r = 0; r < repeats; r++)
                for (int dep = 0; dep < 2; dep++) {
                    double v = batches(mb, spreads[i], dep, &seed);
                    best[dep] = v < best[dep] ? v : best[dep];
                }
            printf("  %2zu MB, over %2d pages: %6.1f / %6.1f ns\n", mb, spreads[i], best[0], best[1]);
        }
    return 0;
}
