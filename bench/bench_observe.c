/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_observe.c - speed of the snapshots' observables (lattice_observe.h)
 * on random relaxed fields of density q = 0.25, 0.5, 0.75 (the snapshot
 * levels) for L = 16, 32, 64, 128: ns per site of lrk_lattice_clusters
 * (clusters by runs), of a straightforward flood fill written here (a
 * stack, six neighbours by divisions) and the ratio of the two, which also
 * checks that both give the same three numbers, and of
 * lrk_lattice_correlation (C(r) by FFT).  A run computes each three times
 * a trajectory of N events, so ns per site is also their cost per event
 * divided by 3.  Times are the best of `repeats` (CPU time: the machine
 * may be shared).
 *   usage: bench_observe [repeats]   (default 3)
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/lattice.h"
#include "lrekmc/lattice_observe.h"
#include "lrekmc/rng.h"
#include "../tests/lattice_flood.h" /* the straightforward reference, the tests' oracle */

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Seconds per call of one of the three, best of `repeats` rounds of
 * `calls` calls each. */
static double best_time(int which, int repeats, long calls, lrk_lattice_probe *p, long L, const unsigned char *f,
                        long *stack, unsigned char *seen, double *C, double out[3])
{
    double best = 1e300;
    for (int r = 0; r < repeats; r++) {
        const double t0 = cpu_seconds();
        for (long c = 0; c < calls; c++)
            if (which == 0)
                lrk_lattice_clusters(p, f, out);
            else if (which == 1)
                flood_clusters(L, L, L, f, stack, seen, out);
            else
                lrk_lattice_correlation(p, f, C);
        const double t = (cpu_seconds() - t0) / (double)calls;
        best = t < best ? t : best;
    }
    return best;
}

int main(int argc, char **argv)
{
    const int repeats = argc > 1 && atoi(argv[1]) > 0 ? atoi(argv[1]) : 3;
    const long sizes[] = {16, 32, 64, 128};
    const double levels[] = {0.25, 0.5, 0.75};
    printf("snapshot observables on random fields, one thread, best of %d (ns per site)\n", repeats);
    printf("%5s %5s %12s %12s %8s %12s\n", "L", "q", "clusters", "flood fill", "ratio", "C(r) FFT");
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, 2026, 12);
    for (size_t a = 0; a < sizeof sizes / sizeof sizes[0]; a++) {
        const long L = sizes[a], N = L * L * L, calls = (1L << 22) / N > 0 ? (1L << 22) / N : 1;
        lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = N};
        m.space = (lrk_space){LRK_LATTICE_CUBIC, L, L, L, 3, LRK_KERNEL_R3};
        lrk_lattice_probe *p;
        lrk_error err = {{0}};
        if (lrk_lattice_probe_create(&m, &p, &err) != LRK_OK) {
            fprintf(stderr, "bench_observe: %s\n", err.message);
            return 1;
        }
        lrk_lattice_layout layout;
        lrk_lattice_layout_of(&m, &layout);
        unsigned char *f = malloc((size_t)N), *seen = malloc((size_t)N);
        long *stack = malloc((size_t)N * sizeof *stack);
        double *C = malloc((layout.radial_bins + 1) * sizeof *C);
        if (f == NULL || seen == NULL || stack == NULL || C == NULL) {
            fprintf(stderr, "bench_observe: out of memory at L = %ld\n", L);
            return 1;
        }
        for (size_t k = 0; k < sizeof levels / sizeof levels[0]; k++) {
            for (long i = 0; i < N; i++)
                f[i] = (unsigned char)(lrk_pcg64_uniform(&rng) < levels[k]);
            double runs[3] = {0, 0, 0}, flood[3] = {0, 0, 0};
            const double tr = best_time(0, repeats, calls, p, L, f, stack, seen, C, runs);
            const double tf = best_time(1, repeats, calls, p, L, f, stack, seen, C, flood);
            const double tc = best_time(2, repeats, calls, p, L, f, stack, seen, C, runs);
            lrk_lattice_clusters(p, f, runs);
            if (runs[0] != flood[0] || runs[1] != flood[1] || runs[2] != flood[2]) {
                fprintf(stderr, "bench_observe: L = %ld, q = %g: the clusters differ from the flood fill\n", L,
                        levels[k]);
                return 1;
            }
            printf("%5ld %5.2f %12.2f %12.2f %8.2f %12.2f\n", L, levels[k], 1e9 * tr / (double)N,
                   1e9 * tf / (double)N, tf / tr, 1e9 * tc / (double)N);
        }
        free(f);
        free(seen);
        free(stack);
        free(C);
        lrk_lattice_probe_free(p);
    }
    return 0;
}
