/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_disorder_master.c - cost of the two-class master equation
 * (disorder_master.h): seconds per solve and cell updates per second for
 * bimodal SER and CER (V0/T = 1, V1/T = 1.5, w/T = 0.8) at N = 100, 200, 400
 * on a 100-point linear grid to the mean-field q = 0.98, next to the chain's
 * own master equation (master.h) at the same N and grid in the same process
 * (the ratio is what counts on a shared machine).
 * Usage: bench_disorder_master [repeats]   (default 3)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/disorder.h"
#include "lrekmc/disorder_master.h"
#include "lrekmc/grid.h"
#include "lrekmc/master.h"

enum { POINTS = 100 };

static double cpu_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int bench_one(lrk_mode mode, double V1, long N, int repeats)
{
    lrk_model m = {.mode = mode, .V0 = 1.0, .V1 = V1, .T = 1.0, .N = N,
                   .disorder = {.kind = LRK_DISORDER_BIMODAL, .width = 0.8}};
    lrk_model chain = m;
    chain.disorder.kind = LRK_DISORDER_NONE;
    double t[POINTS], mean[POINTS], std[POINTS], last = 0.98, t_end;
    lrk_error err = {{0}};
    lrk_disorder_master_info info = {0};
    if (lrk_disorder_mean_field(&m, NULL, 0, NULL, &last, 1, &t_end, NULL, &err) != LRK_OK
        || lrk_time_grid_fill(t, POINTS, t_end, LRK_SPACING_LINEAR, &err) != LRK_OK) {
        fprintf(stderr, "bench_disorder_master: %s\n", err.message);
        return 1;
    }
    double start = cpu_now();
    for (int r = 0; r < repeats; r++)
        if (lrk_disorder_bimodal_master_full(&m, t, POINTS, mean, std, NULL, 1e11, &info, &err) != LRK_OK) {
            fprintf(stderr, "bench_disorder_master: %s\n", err.message);
            return 1;
        }
    double two = (cpu_now() - start) / repeats;
    start = cpu_now();
    for (int r = 0; r < repeats * 20; r++)
        if (lrk_master_solve(&chain, t, POINTS, mean, std, &err) != LRK_OK) {
            fprintf(stderr, "bench_disorder_master: %s\n", err.message);
            return 1;
        }
    double one = (cpu_now() - start) / (repeats * 20);
    printf("%-4s V1/T = %.1f N = %4ld: two-class %8.4f s/solve (%.3g cell updates, %.0f M/s, %ld sub-steps, lost "
           "%.1e); chain %8.5f s/solve; ratio %.0f\n",
           lrk_mode_name(mode), V1, N, two, info.work, info.work / two * 1e-6, info.substeps, info.lost, one,
           two / one);
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    if (repeats < 1) {
        fprintf(stderr, "usage: bench_disorder_master [repeats >= 1]\n");
        return 2;
    }
    const long Ns[] = {100, 200, 400};
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 3; i++)
            if (bench_one(k ? LRK_MODE_CER : LRK_MODE_SER, 1.5, Ns[i], repeats) != 0)
                return 1;
    /* the expensive corner: a strong CER avalanche fills the triangle */
    return bench_one(LRK_MODE_CER, 4.0, 200, 1);
}
