/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_references.c - speed of the deterministic side of one parameter
 * point, the figure of merit of a campaign without KMC.  Modes:
 *
 *   point   lrk_point_compute with the default configuration,
 *           kmc.trajectories = 0 and master_equation off (t_max auto at
 *           q_max 0.99, ODE on a 400-point linear grid, LNA, ODE times at the
 *           99 levels 0.01..0.99, exact first passage at N = 1000, KWW fit by
 *           the qlevels protocol), and the bare ODE + closed form + fit:
 *           t_max, ODE grid, ODE level times, closed-form t(q) at the levels,
 *           fit - the same work bench/point_scipy.py does in SciPy.
 *   sweep   200 points of lrk_point_compute: SER, V0 = V1 = 1, T from 0.3 to 3,
 *           and the same 200 points of the bare work.
 *   parts   every piece alone (also q(t) on the grid, first passage at 10^6).
 *   check   beta, tau of the ODE fit at a few T (17 digits), for point_scipy.py
 *           to verify that both sides compute the same thing.
 *   all     point, sweep, parts (the default).
 *
 * usage: bench_references [mode [ser|cer V0/T V1/T]]
 * Times are the minimum over REPEATS runs of at least MIN_SECONDS each: the
 * machine is shared, and the minimum is the least disturbed estimate.
 */
#define _POSIX_C_SOURCE 200809L /* clock_gettime */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/config.h"
#include "lrekmc/first_passage.h"
#include "lrekmc/fit.h"
#include "lrekmc/ode.h"
#include "lrekmc/point.h"

#define GRID 400
#define LEVELS 99
#define Q_MAX 0.99
#define MIN_SECONDS 0.3
#define REPEATS 5
#define SWEEP_POINTS 200
#define SWEEP_T_FROM 0.3
#define SWEEP_T_TO 3.0

typedef struct workload {
    lrk_model model;
    lrk_config config; /* default configuration for lrk_point_compute */
    double t[GRID], q[GRID], levels[LEVELS], t_levels[LEVELS], t_closed[LEVELS], var_levels[LEVELS];
    lrk_kww_fit fit;
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

static void do_ode_levels(workload *w)
{
    lrk_error err;
    check(lrk_ode_times_to_reach(&w->model, w->levels, LEVELS, w->t_levels, &err), &err, "ode times to reach");
}

static void do_closed_levels(workload *w)
{
    lrk_error err;
    for (int j = 0; j < LEVELS; j++)
        check(lrk_closed_form_time(&w->model, w->levels[j], &w->t_closed[j], &err), &err, "closed form t(q)");
}

static void do_fit(workload *w)
{
    lrk_error err;
    check(lrk_kww_fit_points(w->t_levels, w->levels, NULL, LEVELS, &w->fit, &err), &err, "KWW fit");
}

/* ODE + closed form + fit: what bench/point_scipy.py times in SciPy. */
static void do_bare_point(workload *w)
{
    do_t_max(w);
    do_ode_grid(w);
    do_ode_levels(w);
    do_closed_levels(w);
    do_fit(w);
}

static void do_point_compute(workload *w)
{
    lrk_error err;
    lrk_point p;
    check(lrk_point_compute(&w->config, NULL, &p, &err), &err, "lrk_point_compute");
    w->fit = p.ode.fit;
    lrk_point_free(&p);
}

static void do_closed_grid(workload *w)
{
    lrk_error err;
    for (int i = 0; i < GRID; i++)
        check(lrk_closed_form_q(&w->model, w->t[i], &w->q[i], &err), &err, "closed form q(t)");
}

static void do_first_passage(workload *w)
{
    lrk_error err;
    check(lrk_first_passage_exact(&w->model, w->levels, LEVELS, w->t_levels, w->var_levels, &err), &err,
          "first passage");
}

static double sweep_T(int i)
{
    return SWEEP_T_FROM + (SWEEP_T_TO - SWEEP_T_FROM) * i / (SWEEP_POINTS - 1.0);
}

/* The sweep as a campaign would run it: a configuration per point. */
static void do_sweep(workload *w)
{
    lrk_config point = w->config;
    point.model = (lrk_model){.mode = LRK_MODE_SER, .V0 = 1.0, .V1 = 1.0, .A = w->config.model.A,
                              .T0 = w->config.model.T0, .N = w->config.model.N};
    for (int i = 0; i < SWEEP_POINTS; i++) {
        lrk_error err;
        lrk_point p;
        point.model.T = sweep_T(i);
        check(lrk_point_compute(&point, NULL, &p, &err), &err, "sweep point");
        lrk_point_free(&p);
    }
}

/* The same sweep with the bare work (all a beta(T) curve needs). */
static void do_sweep_bare(workload *w)
{
    lrk_model keep = w->model;
    w->model = (lrk_model){.mode = LRK_MODE_SER, .V0 = 1.0, .V1 = 1.0, .A = keep.A, .T0 = keep.T0, .N = keep.N};
    for (int i = 0; i < SWEEP_POINTS; i++) {
        w->model.T = sweep_T(i);
        do_bare_point(w);
    }
    w->model = keep;
}

/* Seconds per call: the minimum over REPEATS of the mean over >= MIN_SECONDS. */
static double time_per_call(void (*work)(workload *), workload *w)
{
    work(w); /* warm up */
    double best = 1e300;
    for (int r = 0; r < REPEATS; r++) {
        long calls = 0;
        double start = now(), elapsed;
        do {
            work(w);
            calls++;
            elapsed = now() - start;
        } while (elapsed < MIN_SECONDS);
        if (elapsed / (double)calls < best)
            best = elapsed / (double)calls;
    }
    return best;
}

static void report(const char *key, const char *name, double seconds)
{
    printf("%-14s %.6e s %10.0f /s  %s\n", key, seconds, 1.0 / seconds, name);
}

static void set_model(workload *w, lrk_mode mode, double V0, double V1, double T)
{
    w->model = (lrk_model){.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 1.0, .T0 = 1.0,
                           .N = w->config.model.N};
    w->config.model = w->model;
}

static void bench_point(workload *w)
{
    report("point", "lrk_point_compute (refs + LNA + FP + fit)", time_per_call(do_point_compute, w));
    report("bare", "bare: t_max + ODE grid + ODE levels + CF + fit", time_per_call(do_bare_point, w));
}

static void bench_sweep(workload *w)
{
    double seconds = time_per_call(do_sweep, w);
    printf("%-14s %.6e s %10.0f points/s  %d-point beta(T) sweep of lrk_point_compute\n", "sweep", seconds,
           SWEEP_POINTS / seconds, SWEEP_POINTS);
    seconds = time_per_call(do_sweep_bare, w);
    printf("%-14s %.6e s %10.0f points/s  %d-point beta(T) sweep of the bare work\n", "sweep_bare", seconds,
           SWEEP_POINTS / seconds, SWEEP_POINTS);
}

static void bench_parts(workload *w)
{
    report("t_max", "  t_max: ODE time to reach q_max", time_per_call(do_t_max, w));
    report("ode_grid", "  ODE on the 400-point grid", time_per_call(do_ode_grid, w));
    report("ode_levels", "  ODE times at the 99 levels", time_per_call(do_ode_levels, w));
    report("cf_levels", "  closed-form t(q) at the 99 levels", time_per_call(do_closed_levels, w));
    report("fit", "  KWW fit (qlevels, 99 points)", time_per_call(do_fit, w));
    report("cf_grid", "closed-form q(t) on the grid", time_per_call(do_closed_grid, w));
    long sizes[] = {1000, 1000000};
    for (int s = 0; s < 2; s++) {
        char name[64];
        w->model.N = sizes[s];
        snprintf(name, sizeof name, "exact first passage, N = %ld", sizes[s]);
        report("first_passage", name, time_per_call(do_first_passage, w));
    }
    w->model.N = w->config.model.N;
}

/* beta and tau of lrk_point_compute at a few points, full precision. */
static void print_check(workload *w)
{
    const double Ts[] = {0.3, 1.0 / 2.5, 1.0 / 1.5, 1.0, 1.0 / 0.8, 2.0, 3.0};
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (int m = 0; m < 2; m++) {
        for (size_t i = 0; i < sizeof Ts / sizeof Ts[0]; i++) {
            set_model(w, modes[m], 1.0, 1.0, Ts[i]);
            do_point_compute(w);
            printf("check %s %.17g %.17g %.17g\n", lrk_mode_name(modes[m]), Ts[i], w->fit.beta, w->fit.tau);
        }
    }
}

static void setup(workload *w, lrk_mode mode, double V0T, double V1T)
{
    lrk_config_defaults(&w->config);
    w->config.kmc.trajectories = 0;
    w->config.references.master_equation = LRK_SWITCH_OFF;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    if (lrk_config_validate(&w->config, &d) != LRK_OK) {
        lrk_diagnostics_print(&d, stderr);
        exit(EXIT_FAILURE);
    }
    lrk_diagnostics_free(&d);
    if (w->config.grid.points != GRID || w->config.fit.q_count != LEVELS || w->config.grid.q_max != Q_MAX) {
        fprintf(stderr, "bench_references: the default configuration changed; update GRID, LEVELS, Q_MAX\n");
        exit(EXIT_FAILURE);
    }
    set_model(w, mode, V0T, V1T, 1.0);
    lrk_error err;
    check(lrk_model_validate(&w->model, &err), &err, "model");
    check(lrk_q_levels_fill(w->levels, LEVELS, w->config.fit.q_from, w->config.fit.q_to, &err), &err, "levels");
    do_t_max(w);
}

int main(int argc, char **argv)
{
    static workload w;
    const char *what = argc > 1 ? argv[1] : "all";
    lrk_mode mode = LRK_MODE_SER;
    double V0T = 1.0, V1T = 1.0;
    if (argc == 5) {
        if (lrk_mode_parse(argv[2], &mode) != LRK_OK || mode == LRK_MODE_CROSSOVER) {
            fprintf(stderr, "bench_references: mode must be ser or cer\n");
            return EXIT_FAILURE;
        }
        V0T = atof(argv[3]);
        V1T = atof(argv[4]);
    } else if (argc > 2) {
        fprintf(stderr, "usage: bench_references [point|sweep|parts|check|all [ser|cer V0/T V1/T]]\n");
        return EXIT_FAILURE;
    }
    setup(&w, mode, V0T, V1T);
    int all = strcmp(what, "all") == 0;
    if (strcmp(what, "check") == 0) {
        print_check(&w);
    } else if (all || strcmp(what, "point") == 0 || strcmp(what, "sweep") == 0 || strcmp(what, "parts") == 0) {
        printf("# %s V0/T = %g V1/T = %g (a = %g), grid %d, levels %d, q_max %g, N %ld; best of %d\n",
               lrk_mode_name(mode), V0T, V1T, lrk_model_a(&w.model), GRID, LEVELS, Q_MAX, w.model.N, REPEATS);
        if (all || strcmp(what, "point") == 0)
            bench_point(&w);
        if (all || strcmp(what, "sweep") == 0)
            bench_sweep(&w);
        if (all || strcmp(what, "parts") == 0)
            bench_parts(&w);
    } else {
        fprintf(stderr, "bench_references: unknown mode '%s' (point, sweep, parts, check, all)\n", what);
        return EXIT_FAILURE;
    }
    lrk_config_free(&w.config);
    return EXIT_SUCCESS;
}
