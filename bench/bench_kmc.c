/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_kmc.c - events per second of the KMC ensemble (kmc.h) on 1 and 2
 * threads, for N = 10^3 (20000 trajectories) and N = 10^5 (200 trajectories),
 * 400 linear grid points up to the mean time of q = 0.99, 99 q-levels, SER
 * with V0/T = V1/T = 1.  Also the raw exponential generators, and the cost of
 * seeding one trajectory (lrk_trajectory_rng, streams.h) against the old
 * lrk_pcg64_seed (seed, stream i) and against the N = 10^3 trajectory it
 * seeds.
 * Rates are events per wall-clock second and, because the machine may be
 * shared, also per CPU second of the process (for one thread the CPU rate is
 * the speed of the code when it gets a core; with two threads only the wall
 * rate measures the speed-up; with OMP_WAIT_POLICY=passive, threads waiting
 * at the end of the batch loop do not spin, and equal per-CPU rates on 1 and 2
 * threads show that the parallel part has no overhead).
 *   usage: bench_kmc [repeats]   (best of `repeats`, default 3)
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/grid.h"
#include "lrekmc/kmc.h"
#include "lrekmc/rng.h"
#include "lrekmc/streams.h"

static double mean_time_to(const lrk_model *m, double q)
{
    long n = lrk_level_event_count(q, m->N);
    double t = 0;
    for (long i = 0; i < n; i++)
        t += 1.0 / lrk_model_rate(m, i);
    return t;
}

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

typedef struct rates {
    double wall, cpu;
} rates;

static rates bench_ensemble(long N, long trajectories, int threads, int repeats)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = N};
    double t[400], q[99];
    lrk_error err;
    if (lrk_time_grid_fill(t, 400, mean_time_to(&m, 0.99), LRK_SPACING_LINEAR, &err) != LRK_OK
        || lrk_q_levels_fill(q, 99, 0.01, 0.99, &err) != LRK_OK) {
        fprintf(stderr, "bench_kmc: %s\n", err.message);
        exit(1);
    }
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 400, .q_levels = q, .level_count = 99,
                        .seed = 42, .trajectories = trajectories, .batches = 20, .threads = threads};
    rates best = {0, 0};
    for (int rep = 0; rep < repeats; rep++) {
        lrk_kmc_result *r;
        double start = omp_get_wtime(), cpu_start = cpu_seconds();
        if (lrk_kmc_run_all(&p, &r, &err) != LRK_OK) {
            fprintf(stderr, "bench_kmc: %s\n", err.message);
            exit(1);
        }
        double wall = (double)r->events / (omp_get_wtime() - start);
        double cpu = (double)r->events / (cpu_seconds() - cpu_start);
        best.wall = wall > best.wall ? wall : best.wall;
        best.cpu = cpu > best.cpu ? cpu : best.cpu;
        lrk_kmc_result_free(r);
    }
    return best;
}

static double bench_generator(int ziggurat)
{
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 1, 2);
    const long n = 50000000;
    double sum = 0, start = omp_get_wtime();
    for (long i = 0; i < n; i++)
        sum += ziggurat ? lrk_pcg64_exponential_ziggurat(&g) : lrk_pcg64_exponential(&g);
    double rate = n / (omp_get_wtime() - start);
    if (sum < 0)
        puts("impossible");
    return rate;
}

/* Nanoseconds per generator set up: the seed sequence of trajectory i, or the
 * plain (seed, stream i) seeding it replaced. */
static double bench_seeding(int sequence)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 1000};
    lrk_stream_key key;
    lrk_stream_key_init(&key, 42, &m, LRK_STREAMS_INDEPENDENT);
    const long n = 10000000;
    uint64_t sum = 0;
    double start = omp_get_wtime();
    for (long i = 0; i < n; i++) {
        lrk_pcg64 g;
        if (sequence)
            lrk_trajectory_rng(&key, i, &g);
        else
            lrk_pcg64_seed(&g, 42, (uint64_t)i);
        sum += (uint64_t)g.state;
    }
    double ns = (omp_get_wtime() - start) / n * 1e9;
    if (sum == 1)
        puts("unlikely");
    return ns;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    printf("generator -log(U):  %.1f M variates/s\n", bench_generator(0) / 1e6);
    printf("generator ziggurat: %.1f M variates/s\n", bench_generator(1) / 1e6);
    double seq = bench_seeding(1), plain = bench_seeding(0);
    printf("seeding one trajectory: seed sequence %.1f ns, pcg64 (seed, stream i) %.1f ns (ratio %.1f)\n", seq,
           plain, seq / plain);
    static const long cases[2][2] = {{1000, 20000}, {100000, 200}};
    for (int c = 0; c < 2; c++) {
        rates one = bench_ensemble(cases[c][0], cases[c][1], 1, repeats);
        rates two = bench_ensemble(cases[c][0], cases[c][1], 2, repeats);
        printf("N = %-6ld trajectories = %-5ld  1 thread: %6.1f M events/s (%6.1f per CPU s)"
               "  2 threads: %6.1f M events/s (%6.1f per CPU s)  speed-up %.2f\n",
               cases[c][0], cases[c][1], one.wall / 1e6, one.cpu / 1e6, two.wall / 1e6, two.cpu / 1e6,
               two.wall / one.wall);
        if (c == 0)
            printf("  seeding costs %.2f %% of an N = %ld trajectory on one thread\n",
                   100 * seq * 1e-9 * one.cpu / (double)cases[c][0], cases[c][0]);
    }
    return 0;
}
