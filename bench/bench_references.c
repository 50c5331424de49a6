/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_references.c - speed of the deterministic references for one
 * parameter point: t_max = time of q_max (ODE inverse quadrature), the ODE on
 * a 400-point linear grid up to t_max, and the closed-form t(q) at 99
 * q-levels; the sum is what a campaign pays per parameter point.  Parts are
 * also timed alone, plus q(t) on the grid and exact first-passage moments.
 *
 * usage: bench_references [mode V0/T V1/T]   (default: ser 1 1, paper Fig. 1a)
 * Compare with bench/references_scipy.py (same work in SciPy).
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/first_passage.h"
#include "lrekmc/ode.h"

#define GRID 400
#define LEVELS 99
#define Q_MAX 0.99
#define MIN_SECONDS 0.5

typedef struct workload {
    lrk_model model;
    double t[GRID], q[GRID], levels[LEVELS], t_levels[LEVELS], var_levels[LEVELS];
} workload;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void check(lrk_status status, const lrk_error *err, const char *what)
{
    if (status != LRK_OK) {
        fprintf(stderr, "bench_references: %s: %s\n", what, err->message);
        exit(EXIT_FAILURE);
    }
}

static void fill_grid(workload *w, double t_max)
{
    for (int i = 0; i < GRID; i++)
        w->t[i] = t_max * i / (GRID - 1.0);
}

static void do_t_max(workload *w)
{
    lrk_error err;
    double t_max;
    check(lrk_ode_time_to_reach(&w->model, Q_MAX, &t_max, &err), &err, "t_max");
    fill_grid(w, t_max);
}

static void do_ode_grid(workload *w)
{
    lrk_error err;
    check(lrk_ode_solve(&w->model, w->t, GRID, w->q, &err), &err, "ode");
}

static void do_closed_levels(workload *w)
{
    lrk_error err;
    for (int j = 0; j < LEVELS; j++)
        check(lrk_closed_form_time(&w->model, w->levels[j], &w->t_levels[j], &err), &err, "closed form t(q)");
}

static void do_reference_point(workload *w)
{
    do_t_max(w);
    do_ode_grid(w);
    do_closed_levels(w);
}

static void do_closed_grid(workload *w)
{
    lrk_error err;
    for (int i = 0; i < GRID; i++)
        check(lrk_closed_form_q(&w->model, w->t[i], &w->q[i], &err), &err, "closed form q(t)");
}

static void do_ode_levels(workload *w)
{
    lrk_error err;
    check(lrk_ode_times_to_reach(&w->model, w->levels, LEVELS, w->t_levels, &err), &err, "ode times to reach");
}

static void do_first_passage(workload *w)
{
    lrk_error err;
    check(lrk_first_passage_exact(&w->model, w->levels, LEVELS, w->t_levels, w->var_levels, &err), &err,
          "first passage");
}

/* Seconds per call, repeating until MIN_SECONDS have passed. */
static double time_per_call(void (*work)(workload *), workload *w)
{
    work(w); /* warm up */
    long calls = 0;
    double start = now(), elapsed;
    do {
        work(w);
        calls++;
        elapsed = now() - start;
    } while (elapsed < MIN_SECONDS);
    return elapsed / (double)calls;
}

static void report(const char *name, double seconds)
{
    printf("  %-44s %10.2f us   %10.0f /s\n", name, 1e6 * seconds, 1.0 / seconds);
}

int main(int argc, char **argv)
{
    static workload w;
    w.model = (lrk_model){.mode = LRK_MODE_SER, .V0 = 1.0, .V1 = 1.0, .T = 1.0, .A = 1.0, .T0 = 1.0, .N = 10000};
    if (argc == 4) {
        if (lrk_mode_parse(argv[1], &w.model.mode) != LRK_OK) {
            fprintf(stderr, "bench_references: mode must be ser, cer or crossover\n");
            return EXIT_FAILURE;
        }
        w.model.V0 = atof(argv[2]);
        w.model.V1 = atof(argv[3]);
    } else if (argc != 1) {
        fprintf(stderr, "usage: bench_references [mode V0/T V1/T]\n");
        return EXIT_FAILURE;
    }
    lrk_error err;
    check(lrk_model_validate(&w.model, &err), &err, "model");
    for (int j = 0; j < LEVELS; j++)
        w.levels[j] = 0.01 + (0.99 - 0.01) * j / (LEVELS - 1.0);
    do_t_max(&w);

    printf("references for %s V0/T = %g V1/T = %g (a = %g), grid %d, levels %d, q_max %g\n",
           lrk_mode_name(w.model.mode), w.model.V0 / w.model.T, w.model.V1 / w.model.T, lrk_model_a(&w.model), GRID,
           LEVELS, Q_MAX);
    double point = time_per_call(do_reference_point, &w);
    report("parameter point (t_max + ODE grid + CF levels)", point);
    report("  t_max: ODE time to reach q_max", time_per_call(do_t_max, &w));
    report("  ODE on the grid", time_per_call(do_ode_grid, &w));
    report("  closed-form t(q) at the levels", time_per_call(do_closed_levels, &w));
    report("closed-form q(t) on the grid", time_per_call(do_closed_grid, &w));
    report("ODE times to reach the levels", time_per_call(do_ode_levels, &w));
    long sizes[] = {10000, 1000000};
    for (int s = 0; s < 2; s++) {
        char name[64];
        w.model.N = sizes[s];
        snprintf(name, sizeof name, "exact first passage, N = %ld", sizes[s]);
        report(name, time_per_call(do_first_passage, &w));
    }
    printf("points/s: %.0f\n", 1.0 / point);
    return EXIT_SUCCESS;
}
