/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_fit_model.c - speed of the model fit (fit_model.h): a 10-curve joint
 * SER fit (100 points a curve, sigma given) and the per-curve LRE fits of the
 * same data, each with the analytic Jacobian and, as the reference in the
 * same process, GSL's finite-difference Jacobian.  Prints wall time per fit,
 * residual and Jacobian evaluations, and the ratio.
 *
 *   build/bench/bench_fit_model [repeats]
 */
#define _POSIX_C_SOURCE 200809L
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/fit_model.h"
#include "lrekmc/rng.h"

#define CURVES 10
#define POINTS 100

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void make_data(lrk_fit_data *d)
{
    static double t[CURVES * POINTS], y[CURVES * POINTS], s[CURVES * POINTS], T[CURVES * POINTS];
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 42, 0);
    const double V0 = 1.5, V1 = 1.2, tau0 = 1e-3;
    size_t i = 0;
    for (int j = 0; j < CURVES; j++) {
        double temp = 0.5 + 0.15 * j;
        lrk_model m = {.mode = LRK_MODE_SER, .V0 = V0, .V1 = V1, .T = temp, .A = 0, .T0 = 1, .N = 1};
        double te;
        lrk_closed_form_time(&m, 1 - exp(-1.0), &te, NULL);
        for (int k = 0; k < POINTS; k++, i++) {
            double q;
            t[i] = tau0 * te * 0.03 * pow(300.0, k / (POINTS - 1.0));
            lrk_closed_form_q(&m, t[i] / tau0, &q, NULL);
            double u = lrk_pcg64_uniform(&g), v = lrk_pcg64_uniform(&g);
            y[i] = 1 - q + 0.01 * sqrt(-2 * log(u)) * cos(6.283185307179586 * v);
            s[i] = 0.01;
            T[i] = temp;
        }
    }
    lrk_error err;
    if (lrk_fit_data_from_arrays(i, t, y, 0, s, T, NULL, "bench", d, &err) != LRK_OK) {
        fprintf(stderr, "%s\n", err.message);
        exit(1);
    }
}

static double run(const lrk_fit_data *d, lrk_fit_kind kind, int numeric, int repeats, lrk_fit_result *last)
{
    lrk_fit_options o = lrk_fit_options_default();
    o.kind = kind;
    o.numeric_jacobian = numeric;
    double start = now();
    for (int r = 0; r < repeats; r++) {
        lrk_error err;
        if (r > 0)
            lrk_fit_result_free(last);
        if (lrk_fit_model(d, &o, last, &err) != LRK_OK) {
            fprintf(stderr, "%s\n", err.message);
            exit(1);
        }
    }
    return (now() - start) / repeats;
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 20;
    if (repeats < 1)
        repeats = 1;
    lrk_fit_data d;
    make_data(&d);
    printf("%d curves x %d points, %d repeats\n", CURVES, POINTS, repeats);
    printf("%-5s %-9s %10s %6s %6s %6s  %s\n", "model", "jacobian", "ms/fit", "iter", "f-eval", "J-eval", "chi2");
    lrk_fit_kind kinds[2] = {LRK_FIT_SER, LRK_FIT_LRE};
    for (int k = 0; k < 2; k++) {
        double times[2];
        for (int numeric = 0; numeric < 2; numeric++) {
            lrk_fit_result r;
            times[numeric] = run(&d, kinds[k], numeric, repeats, &r);
            printf("%-5s %-9s %10.3f %6zu %6zu %6zu  %.10g\n", lrk_fit_kind_name(kinds[k]),
                   numeric ? "numeric" : "analytic", 1e3 * times[numeric], r.iterations, r.function_evaluations,
                   r.jacobian_evaluations, r.chi2);
            lrk_fit_result_free(&r);
        }
        printf("%-5s analytic is %.2fx faster than numeric\n", lrk_fit_kind_name(kinds[k]), times[1] / times[0]);
    }
    lrk_fit_data_free(&d);
    return 0;
}
