/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_disorder.c - events per second of the disorder engine (disorder.h)
 * next to the mean-field engine (kmc.h) in the same process, one thread, at
 * N = 10^3 and 10^5: SER with V0/T = V1/T = 1, 400 grid points up to the
 * mean-field time of q = 0.99, 99 q-levels.  For each distribution (width/T
 * = 1) the operational-time engine, and for reference the straightforward
 * sum-tree simulation; each line gives the ratio to the mean-field engine.
 * Rates are per CPU second of the process (one thread; the machine may be
 * shared).  The mean-field rate is its whole ensemble (lrk_kmc_run_all: engine
 * plus per-trajectory statistics); the disorder engine is given both alone
 * (lrk_disorder_simulate, one trajectory after another) and through the same
 * ensemble (lrk_kmc_run_all), the like-for-like ratio.
 * Then the phases of the operational-time engine in ns per LRE: the offsets
 * (lrk_disorder_draw), the exp() of the log-rates times a factor (the array
 * routine of disorder_sample.h), all of the operational times (offsets, exp,
 * unit exponentials, into their coarse buckets), the sort, and the rest (the walk to real time, by
 * difference from a whole trajectory).  Last, the normal samplers one
 * variate at a time: ours (disorder_sample.h), the polar method it replaced,
 * and GSL's gsl_ran_gaussian_ziggurat on a gsl_rng that wraps lrk_pcg64 (a
 * function-pointer call per output, 24-bit magnitudes).
 *   usage: bench_disorder [repeats]   (best of `repeats`, default 3)
 */
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <math.h>

#include "lrekmc/disorder.h"
#include "lrekmc/grid.h"
#include "lrekmc/kmc.h"
#include "lrekmc/ode.h"
#include "../src/disorder_internal.h"
#include "../src/disorder_sample.h"
#include "../src/disorder_sort.h"

/* CPU seconds of the process: on a shared machine the wall clock counts
 * other sessions' time; with one thread this is the code's own speed. */
static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static void die(const lrk_error *err)
{
    fprintf(stderr, "bench_disorder: %s\n", err->message);
    exit(1);
}

typedef struct setup {
    lrk_model m;
    double t[400], q[99];
    long levels[99];
} setup;

static void make_setup(setup *s, long N, lrk_disorder_kind kind)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = N,
                   .disorder = {.kind = kind, .width = kind == LRK_DISORDER_NONE ? 0.0 : 1.0}};
    s->m = m;
    lrk_error err;
    lrk_model clean = m;
    clean.disorder.kind = LRK_DISORDER_NONE;
    double t_max;
    if (lrk_ode_time_to_reach(&clean, 0.99, &t_max, &err) != LRK_OK
        || lrk_time_grid_fill(s->t, 400, t_max, LRK_SPACING_LINEAR, &err) != LRK_OK
        || lrk_q_levels_fill(s->q, 99, 0.01, 0.99, &err) != LRK_OK)
        die(&err);
    for (int j = 0; j < 99; j++)
        s->levels[j] = lrk_level_event_count(s->q[j], N);
}

static double bench_ensemble(const setup *s, long trajectories, int repeats, int *ok)
{
    lrk_kmc_params p = {.model = &s->m, .t = s->t, .t_count = 400, .q_levels = s->q, .level_count = 99,
                        .seed = 42, .trajectories = trajectories, .batches = 20, .threads = 1};
    double best = 0;
    lrk_error err;
    *ok = 1;
    for (int rep = 0; rep < repeats; rep++) {
        lrk_kmc_result *r;
        double start = cpu_seconds();
        if (lrk_kmc_run_all(&p, &r, &err) != LRK_OK) {
            *ok = 0;
            return 0;
        }
        double rate = (double)r->events / (cpu_seconds() - start);
        best = rate > best ? rate : best;
        lrk_kmc_result_free(r);
    }
    return best;
}

static double bench_engine(const setup *s, lrk_disorder_method method, long trajectories, int repeats)
{
    lrk_error err;
    lrk_disorder_engine *e;
    lrk_disorder_scratch *w;
    if (lrk_disorder_engine_create(&s->m, s->t, 400, s->levels, 99, &e, &err) != LRK_OK
        || lrk_disorder_scratch_create(e, method, &w, &err) != LRK_OK)
        die(&err);
    static uint32_t n_at[401];
    static double fp[99];
    double best = 0, check = 0;
    for (int rep = 0; rep < repeats; rep++) {
        double start = cpu_seconds();
        for (long i = 0; i < trajectories; i++) {
            lrk_pcg64 g;
            lrk_pcg64_seed(&g, 42, (uint64_t)i);
            lrk_disorder_simulate(e, w, &g, n_at, fp);
            check += fp[98];
        }
        double rate = (double)trajectories * (double)s->m.N / (cpu_seconds() - start);
        best = rate > best ? rate : best;
    }
    if (check < 0)
        puts("impossible");
    lrk_disorder_scratch_free(w);
    lrk_disorder_engine_free(e);
    return best;
}

/* Best (smallest) CPU seconds of `reps` runs of `body` over `count` trajectories. */
#define BEST_OF(reps, count, seconds, body)                                                        \
    do {                                                                                           \
        seconds = 1e300;                                                                           \
        for (int rep_ = 0; rep_ < (reps); rep_++) {                                                \
            double start_ = cpu_seconds();                                                         \
            for (long traj = 0; traj < (count); traj++) {                                          \
                body;                                                                              \
            }                                                                                      \
            double took_ = cpu_seconds() - start_;                                                 \
            seconds = took_ < seconds ? took_ : seconds;                                           \
        }                                                                                          \
    } while (0)

/* ns per LRE of each phase of the operational-time engine. */
static void bench_phases(const setup *s, long trajectories, int repeats)
{
    lrk_error err;
    lrk_disorder_engine *e;
    lrk_disorder_scratch *w;
    if (lrk_disorder_engine_create(&s->m, s->t, 400, s->levels, 99, &e, &err) != LRK_OK
        || lrk_disorder_scratch_create(e, LRK_DISORDER_OPERATIONAL, &w, &err) != LRK_OK)
        die(&err);
    const long N = s->m.N;
    double *x = malloc((size_t)N * sizeof(double)), *sorted = malloc((size_t)N * sizeof(double));
    uint32_t *count = malloc(disorder_sort_count_size((size_t)N) * sizeof(uint32_t));
    disorder_buckets buckets;
    if (!x || !sorted || !count || !disorder_buckets_init(&buckets, (size_t)N)) {
        fputs("bench_disorder: out of memory\n", stderr);
        exit(1);
    }
    static uint32_t n_at[401];
    static double fp[99];
    lrk_pcg64 g;
    double t_offsets, t_exp, t_times, t_sort, t_all, check = 0;
    BEST_OF(repeats, trajectories, t_offsets, (lrk_pcg64_seed(&g, 42, (uint64_t)traj),
                                               lrk_disorder_draw(&s->m.disorder, &g, N, x), check += x[0]));
    /* exp() of fresh log-rates x0 + delta/T each time (restored by a copy) */
    for (long i = 0; i < N; i++)
        x[i] = s->m.V0 / s->m.T + x[i] / s->m.T;
    BEST_OF(repeats, trajectories, t_exp, (memcpy(sorted, x, (size_t)N * sizeof(double)),
                                           disorder_exp_times(sorted, x, sorted, (size_t)N), check += sorted[N - 1]));
    /* the operational times into their coarse buckets, then sorted (by
     * difference: sorting the same array again and again would let the
     * branch predictor learn it); the buckets are emptied by a sort, so the
     * first timing sorts too, untimed */
    t_times = 1e300;
    for (int rep = 0; rep < repeats; rep++) {
        double took = 0;
        for (long traj = 0; traj < trajectories; traj++) {
            lrk_pcg64_seed(&g, 42, (uint64_t)traj);
            double start = cpu_seconds();
            disorder_operational_times(e, &g, &buckets);
            took += cpu_seconds() - start;
            disorder_buckets_sort(&buckets, x, count);
            check += x[0];
        }
        t_times = took < t_times ? took : t_times;
    }
    BEST_OF(repeats, trajectories, t_sort, (lrk_pcg64_seed(&g, 42, (uint64_t)traj),
                                            disorder_operational_times(e, &g, &buckets),
                                            disorder_buckets_sort(&buckets, x, count), check += x[0]));
    t_sort -= t_times;
    BEST_OF(repeats, trajectories, t_all, (lrk_pcg64_seed(&g, 42, (uint64_t)traj),
                                           lrk_disorder_simulate(e, w, &g, n_at, fp),
                                           check += fp[98]));
    double per = 1e9 / ((double)trajectories * (double)N);
    printf("  %-11s offsets %5.2f  exp %5.2f  | times %5.2f  sort %5.2f  walk %5.2f  = %5.2f ns/LRE\n",
           lrk_disorder_name(s->m.disorder.kind), t_offsets * per,
           s->m.disorder.kind == LRK_DISORDER_BIMODAL ? 0.0 : t_exp * per, t_times * per, t_sort * per,
           (t_all - t_times - t_sort) * per, t_all * per);
    if (check < -1)
        puts("impossible");
    free(x);
    free(sorted);
    free(count);
    disorder_buckets_free(&buckets);
    lrk_disorder_scratch_free(w);
    lrk_disorder_engine_free(e);
}

/* lrk_pcg64 as a gsl_rng: full 64-bit outputs (GSL's ziggurat then takes
 * one output per variate). */
static void pcg_gsl_set(void *state, unsigned long seed)
{
    lrk_pcg64_seed(state, seed, 0);
}

static unsigned long pcg_gsl_get(void *state)
{
    return (unsigned long)lrk_pcg64_next(state);
}

static double pcg_gsl_get_double(void *state)
{
    return lrk_pcg64_uniform(state);
}

static const gsl_rng_type pcg_gsl_type = {"lrk_pcg64", 0xffffffffffffffffUL, 0, sizeof(lrk_pcg64), pcg_gsl_set,
                                          pcg_gsl_get, pcg_gsl_get_double};

/* Marsaglia's polar method, the normal sampler before the ziggurat. */
static void polar_pair(lrk_pcg64 *g, double *z0, double *z1)
{
    double u, v, q;
    do {
        u = 2.0 * disorder_uniform52(g) - 1.0;
        v = 2.0 * disorder_uniform52(g) - 1.0;
        q = u * u + v * v;
    } while (q >= 1.0);
    double f = sqrt(-2.0 * log(q) / q);
    *z0 = u * f;
    *z1 = v * f;
}

static void fill_polar(lrk_pcg64 *g, double *x, long count)
{
    for (long i = 0; i + 1 < count; i += 2)
        polar_pair(g, &x[i], &x[i + 1]);
}

static void fill_gsl(gsl_rng *r, double *x, long count, double (*sampler)(const gsl_rng *, double))
{
    for (long i = 0; i < count; i++)
        x[i] = sampler(r, 1.0);
}

static void bench_normal_samplers(int repeats)
{
    enum { COUNT = 1000000 };
    double *x = malloc(COUNT * sizeof(double));
    gsl_rng *r = gsl_rng_alloc(&pcg_gsl_type);
    if (x == NULL || r == NULL) {
        fputs("bench_disorder: out of memory\n", stderr);
        exit(1);
    }
    gsl_rng_set(r, 42);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 42, 0);
    double t_zig, t_polar, t_gsl, t_gsl_polar, check = 0;
    lrk_disorder d = {.kind = LRK_DISORDER_NORMAL, .width = 1.0};
    BEST_OF(repeats, 1, t_zig, (lrk_disorder_draw(&d, &g, COUNT, x), check += x[traj]));
    BEST_OF(repeats, 1, t_polar, (fill_polar(&g, x, COUNT), check += x[traj]));
    BEST_OF(repeats, 1, t_gsl, (fill_gsl(r, x, COUNT, gsl_ran_gaussian_ziggurat), check += x[traj]));
    BEST_OF(repeats, 1, t_gsl_polar, (fill_gsl(r, x, COUNT, gsl_ran_gaussian), check += x[traj]));
    printf("normal samplers, ns per variate: ziggurat (lrk_disorder_draw) %.2f, polar %.2f, "
           "GSL ziggurat on a pcg64 gsl_rng %.2f, GSL polar %.2f\n",
           1e9 * t_zig / COUNT, 1e9 * t_polar / COUNT, 1e9 * t_gsl / COUNT, 1e9 * t_gsl_polar / COUNT);
    if (check < -1e300)
        puts("impossible");
    gsl_rng_free(r);
    free(x);
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 3;
    if (repeats < 1)
        repeats = 1;
    static const long cases[2][2] = {{1000, 20000}, {100000, 200}};
    static const lrk_disorder_kind kinds[] = {LRK_DISORDER_BIMODAL, LRK_DISORDER_UNIFORM, LRK_DISORDER_NORMAL,
                                              LRK_DISORDER_EXPONENTIAL};
    for (int c = 0; c < 2; c++) {
        long N = cases[c][0], M = cases[c][1];
        setup s;
        make_setup(&s, N, LRK_DISORDER_NONE);
        int ok;
        double chain = bench_ensemble(&s, M, repeats, &ok);
        printf("N = %-6ld mean-field chain (ensemble): %7.1f M events/s\n", N, chain / 1e6);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            make_setup(&s, N, kinds[k]);
            double op = bench_engine(&s, LRK_DISORDER_OPERATIONAL, M, repeats);
            double tree = bench_engine(&s, LRK_DISORDER_SUM_TREE, M / 10 > 0 ? M / 10 : 1, 1);
            double ens = bench_ensemble(&s, M, repeats, &ok);
            printf("  %-11s operational %6.1f M/s (%5.1f %%)  ensemble ", lrk_disorder_name(kinds[k]),
                   op / 1e6, 100 * op / chain);
            if (ok)
                printf("%6.1f M/s (%5.1f %%)", ens / 1e6, 100 * ens / chain);
            else
                printf("   n/a");
            printf("  sum tree %6.1f M/s (%5.1f %%)\n", tree / 1e6, 100 * tree / chain);
        }
    }
    printf("phases of the operational-time engine (exp() by %s; bimodal has none):\n", disorder_exp_routine());
    for (int c = 0; c < 2; c++) {
        long N = cases[c][0], M = cases[c][1];
        printf("N = %ld\n", N);
        for (size_t k = 0; k < sizeof kinds / sizeof kinds[0]; k++) {
            setup s;
            make_setup(&s, N, kinds[k]);
            bench_phases(&s, M, repeats);
        }
    }
    bench_normal_samplers(repeats);
    return 0;
}
