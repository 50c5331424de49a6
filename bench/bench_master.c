/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_master.c - seconds per master-equation solve (master.h) for
 * N = 1000 and 5000, SER and CER at V0/T = V1/T = 1, on a 400-point linear
 * grid up to the mean-field time of q = 0.99 (closed form via GSL's
 * exponential integrals, so the benchmark needs no other module).
 * Usage: bench_master [repeats]   (default 20)
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime under -std=c11 */

#include <gsl/gsl_errno.h>
#include <gsl/gsl_sf_expint.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/grid.h"
#include "lrekmc/master.h"

enum { POINTS = 400 };

static double seconds_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Mean-field time at which q is reached (docs/design.md 2.2). */
static int time_to_reach(const lrk_model *m, double q, double *t)
{
    double k = lrk_model_k(m), a = lrk_model_a(m);
    gsl_sf_result r1, r2;
    if (a == 0.0) {
        *t = -log1p(-q) / k;
        return GSL_SUCCESS;
    }
    int st1, st2;
    if (a > 0) {
        st1 = gsl_sf_expint_E1_e(a * (1 - q), &r1);
        st2 = gsl_sf_expint_E1_e(a, &r2);
        *t = exp(a) / k * (r1.val - r2.val);
    } else {
        st1 = gsl_sf_expint_Ei_e(-a, &r1);
        st2 = gsl_sf_expint_Ei_e(-a * (1 - q), &r2);
        *t = exp(a) / k * (r1.val - r2.val);
    }
    return st1 != GSL_SUCCESS ? st1 : st2;
}

static int bench_one(lrk_mode mode, long N, int repeats)
{
    lrk_model m = {.mode = mode, .V0 = 1.0, .V1 = 1.0, .T = 1.0, .A = 0.0, .T0 = 1.0, .N = N};
    double t[POINTS], mean[POINTS], std[POINTS], t_max;
    lrk_error err = {{0}};
    int gst = time_to_reach(&m, 0.99, &t_max);
    if (gst != GSL_SUCCESS) {
        fprintf(stderr, "bench_master: exponential integral failed: %s\n", gsl_strerror(gst));
        return 1;
    }
    if (lrk_time_grid_fill(t, POINTS, t_max, LRK_SPACING_LINEAR, &err) != LRK_OK) {
        fprintf(stderr, "bench_master: %s\n", err.message);
        return 1;
    }
    double start = seconds_now();
    for (int r = 0; r < repeats; r++) {
        if (lrk_master_solve(&m, t, POINTS, mean, std, &err) != LRK_OK) {
            fprintf(stderr, "bench_master: %s\n", err.message);
            return 1;
        }
    }
    double per_solve = (seconds_now() - start) / repeats;
    printf("%-4s N = %5ld  t_max = %7.3f  %d points  %.6f s per solve  (q_mean(t_max) = %.6f)\n",
           lrk_mode_name(mode), N, t_max, POINTS, per_solve, mean[POINTS - 1]);
    return 0;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 20;
    if (repeats < 1) {
        fprintf(stderr, "usage: bench_master [repeats >= 1]\n");
        return 2;
    }
    lrk_gsl_quiet();
    long sizes[] = {1000, 5000};
    lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (size_t i = 0; i < 2; i++)
        for (size_t j = 0; j < 2; j++)
            if (bench_one(modes[j], sizes[i], repeats) != 0)
                return 1;
    return 0;
}
