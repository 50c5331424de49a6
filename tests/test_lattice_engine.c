/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_engine.c - the spatial KMC engine (lattice_engine.h) against
 * its exact references at fixed seeds, |z| < 5 (SER, CER, crossover):
 *   - the dense uniform stencil through the sum tree, and the uniform fast
 *     path: the mean-field master equation and first-passage moments;
 *   - no neighbour within d_el, and V1 = 0: independent LREs, Binomial n(t),
 *     level times the order statistics of i.i.d. exponentials;
 *   - tiny boxes with the r3 kernel: the 2^N-state master equation.
 * z for a mean is (mean - E) / (sd / sqrt(M)); grid times where M Var n < 25
 * are skipped (n is then almost always 0 or N).  Also: determinism, every
 * site relaxes exactly once, bad input, and the output bytes pinned.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../src/lattice_engine_internal.h" /* the lazy mode's counters */
#include "lrekmc/first_passage.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/lattice_master.h"
#include "lrekmc/master.h"

#define Z_MAX 5.0
#define K 40

static lrk_model make(lrk_mode mode, double V0, double V1, double T, long Lx, long Ly, long Lz, double d_el,
                      lrk_kernel kernel)
{
    lrk_model m = {.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 0.5, .T0 = 0.06, .N = Lx * Ly * Lz};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = kernel};
    return m;
}

typedef struct ensemble {
    double n1[K], n2[K];      /* sums of n(t_k), n(t_k)^2 */
    double t1[8], t2[8];      /* sums of level times and squares */
} ensemble;

/* A worker for s (asserted). */
static lrk_lattice_worker *new_worker(const lrk_lattice_shared *s)
{
    lrk_lattice_worker *w = NULL;
    cr_assert_eq(lrk_lattice_worker_create(s, &w, NULL), LRK_OK);
    return w;
}

/* M trajectories, trajectory i on stream i of `seed`.  The path taken is
 * asserted: rates that never increase (SER, V1 = 0, no neighbour) take the
 * lazy upper-bound tree (thinning: nulls and repairs happen), the others
 * the accurate sums (no null). */
static void run(const lrk_lattice_shared *s, const double *t, size_t L, long M, uint64_t seed, ensemble *e)
{
    int falls = !s->uniform;
    for (size_t o = 0; o < s->count; o++)
        falls = falls && s->factor[o] <= 1.0;
    cr_assert_eq(s->lazy, falls, "the lazy mode exactly when no rate can rise");
    /* no disorder here: the float upper bounds are allowed with the lazy
     * mode, chosen (or a test's choice) for speed */
    cr_assert_eq(s->f32_ok, s->lazy, "the float path allowed exactly with the lazy mode (no disorder)");
    lrk_lattice_worker *w = new_worker(s);
    memset(e, 0, sizeof *e);
    uint32_t n_at[K];
    double fp[8];
    for (long i = 0; i < M; i++) {
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, seed, (uint64_t)i);
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
        for (size_t k = 0; k < K; k++) {
            e->n1[k] += n_at[k];
            e->n2[k] += (double)n_at[k] * n_at[k];
        }
        for (size_t j = 0; j < L; j++) {
            e->t1[j] += fp[j];
            e->t2[j] += fp[j] * fp[j];
        }
    }
    (void)t;
    if (s->lazy) {
        /* tiny boxes: every fired rate is above 1/16 of the total, so the
         * eager repair leaves no slack; without it, nulls and batches */
        cr_assert_gt(s->eager ? w->eager : w->nulls, 0, "the lazy path ran (%s)", s->eager ? "eager repairs" : "nulls");
        cr_assert(s->eager || w->batches > 0, "the lazy path ran (batch repairs)");
        cr_log_info("lazy%s: %ld candidates, null fraction %.4f, %ld batch repairs, %ld eager; float margin %.3g: "
                    "%ld r_i computed, %ld rejections (%.4f of the candidates)",
                    s->eager ? "" : " (no eager)", w->candidates, (double)w->nulls / (double)w->candidates, w->batches,
                    w->eager, s->f32_margin, w->exact, w->rejections, (double)w->rejections / (double)w->candidates);
        if (s->f32_margin > 1e-3) /* the factors rounded up by a test margin: the acceptance is seen */
            cr_assert_gt(w->rejections, w->candidates / 1000, "the acceptance rejected (%ld of %ld)", w->rejections,
                         w->candidates);
    } else {
        cr_assert_eq(w->candidates, 0, "the accurate sums draw no candidate");
    }
    lrk_lattice_worker_free(w);
}

/* Where the float path is allowed but not chosen (small stencils in small
 * boxes): choose it, for a second pass of the z-test (1), else 0. */
static int use_floats(lrk_lattice_shared *s)
{
    if (!s->f32_ok || s->f32)
        return 0;
    cr_assert(lattice_test_f32(s, 1, 0x1p-22));
    return 1;
}

/* The float path with its factors rounded up by a large margin (up to 5 %,
 * a product of at most e^0.7 over the whole stencil): many candidates are
 * rejected by the acceptance, and the law must not move.  0 when the
 * stencil has no factor below 1 (nothing to round up). */
static int widen_margin(lrk_lattice_shared *s)
{
    if (s->f32_ok && !s->f32)
        return 0; /* the caller's float pass comes first */
    int any = 0;
    for (size_t o = 0; o < s->count; o++)
        any = any || s->factor[o] < 1.0;
    if (!s->f32 || !any)
        return 0;
    cr_assert(lattice_test_f32(s, 1, fmin(0.05, 0.7 / (double)s->count)));
    return 1;
}

/* Where the pipelined loop is allowed but not chosen (boxes below
 * LATTICE_PIPELINE_BYTES): choose it, for another pass (1), else 0. */
static int use_pipeline(lrk_lattice_shared *s)
{
    if (!s->lazy || !s->f32 || !s->grouped || s->pipeline != 0)
        return 0;
    cr_assert(lattice_test_pipeline(s, 1));
    return 1;
}

/* Compare with exact q mean/std at the grid and level-time mean/std. */
static void compare(const char *what, const ensemble *e, long N, long M, const double *q_mean, const double *q_std,
                    const double *t_mean, const double *t_std, size_t L)
{
    int compared = 0;
    for (size_t k = 0; k < K; k++) {
        double var_n = q_std[k] * q_std[k] * (double)N * (double)N;
        if ((double)M * var_n < 25)
            continue;
        double mean = e->n1[k] / (double)M / (double)N;
        double z = (mean - q_mean[k]) / (q_std[k] / sqrt((double)M));
        cr_assert_lt(fabs(z), Z_MAX, "%s: grid %zu: q %.6g exact %.6g z=%.2f", what, k, mean, q_mean[k], z);
        /* the sample variance against the exact one (loose: kurtosis unknown, use 4 sd of a
         * normal-theory estimate times 3) */
        compared++;
    }
    cr_assert_gt(compared, K / 2, "%s: only %d grid times compared", what, compared);
    for (size_t j = 0; j < L; j++) {
        double mean = e->t1[j] / (double)M;
        double z = (mean - t_mean[j]) / (t_std[j] / sqrt((double)M));
        cr_assert_lt(fabs(z), Z_MAX, "%s: level %zu: t %.6g exact %.6g z=%.2f", what, j, mean, t_mean[j], z);
        double var = (e->t2[j] - (double)M * mean * mean) / (double)(M - 1);
        cr_assert(fabs(sqrt(var) / t_std[j] - 1.0) < 0.1, "%s: level %zu: std %.6g exact %.6g", what, j, sqrt(var),
                  t_std[j]);
    }
}

static void grid_to(double t_end, double *t)
{
    for (size_t k = 0; k < K; k++)
        t[k] = t_end * (double)(k + 1) / K;
}

static void levels_of(long N, long *levels, size_t *L)
{
    const double q[] = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0};
    *L = 6;
    for (size_t j = 0; j < 6; j++)
        levels[j] = lrk_level_event_count(q[j], N);
}

/* The shared tables of m on a 50-long grid of K times and the levels of
 * levels_of (*L of them), in the caller's t and levels (the shared tables
 * copy both). */
/* The lazy path shared_on_grid sets: -1 as chosen, 0 the double upper
 * bounds, 1 the float ones (output_bytes_are_pinned). */
static int pin_path = -1;
/* 1: shared_on_grid asks for the pipelined loop (output_bytes_are_pinned) */
static int pin_pipeline = 0;

static lrk_lattice_shared *shared_on_grid(const lrk_model *m, double *t, long *levels, size_t *L)
{
    grid_to(50, t);
    levels_of(m->N, levels, L);
    lrk_lattice_grid g = {t, K, levels, *L};
    lrk_lattice_shared *s = NULL;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(m, &g, &s, &err), LRK_OK, "%s", err.message);
    if (pin_path >= 0)
        cr_assert(lattice_test_f32(s, pin_path, 0x1p-22), "the lazy path %d", pin_path);
    if (pin_pipeline)
        cr_assert(lattice_test_pipeline(s, 1), "the pipelined loop");
    return s;
}

/* Against the mean-field chain (master equation, first-passage moments). */
static void check_mean_field(lrk_model m, int dense, long M, uint64_t seed)
{
    long levels[8];
    size_t L;
    levels_of(m.N, levels, &L);
    double qs[6] = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0}, t_mean[6], t_var[6], t_std[6];
    cr_assert_eq(lrk_first_passage_exact(&m, qs, L, t_mean, t_var, NULL), LRK_OK);
    for (size_t j = 0; j < L; j++)
        t_std[j] = sqrt(t_var[j]);
    double t[K], q_mean[K], q_std[K];
    grid_to(t_mean[4], t);
    cr_assert_eq(lrk_master_solve(&m, t, K, q_mean, q_std, NULL), LRK_OK);
    lrk_lattice_grid g = {t, K, levels, L};
    lrk_lattice_shared *s;
    lrk_error err = {{0}};
    if (dense) {
        lrk_stencil st;
        cr_assert_eq(lrk_stencil_build(&m.space, &st, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_lattice_shared_create_stencil(&m, &st, &g, &s, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_lattice_stencil_count(s), (size_t)m.N - 1);
        lrk_stencil_free(&st);
    } else {
        cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_lattice_stencil_count(s), 0, "uniform kernel: the fast path");
    }
    ensemble e;
    run(s, t, L, M, seed, &e);
    char what[128];
    snprintf(what, sizeof what, "%s %s N=%ld", lrk_mode_name(m.mode), dense ? "dense tree" : "uniform path", m.N);
    compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    if (use_floats(s)) {
        run(s, t, L, M, seed + 300, &e);
        snprintf(what, sizeof what, "%s dense tree N=%ld, float upper bounds", lrk_mode_name(m.mode), m.N);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    }
    if (widen_margin(s)) {
        run(s, t, L, M, seed + 200, &e);
        snprintf(what, sizeof what, "%s dense tree N=%ld, factors %.3g too high", lrk_mode_name(m.mode), m.N,
                 s->f32_margin);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    }
    if (use_pipeline(s)) {
        run(s, t, L, M, seed + 400, &e);
        snprintf(what, sizeof what, "%s dense tree N=%ld, pipelined (factors %.3g too high)", lrk_mode_name(m.mode),
                 m.N, s->f32_margin);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
        cr_assert(lattice_test_f32(s, 1, 0x1p-22));
        run(s, t, L, M, seed + 500, &e);
        snprintf(what, sizeof what, "%s dense tree N=%ld, pipelined", lrk_mode_name(m.mode), m.N);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    }
    lrk_lattice_shared_free(s);
}

Test(lattice_engine, dense_uniform_stencil_is_the_mean_field_chain)
{
    check_mean_field(make(LRK_MODE_SER, 1, 2.5, 1, 4, 4, 4, 1, LRK_KERNEL_UNIFORM), 1, 4000, 1);
    check_mean_field(make(LRK_MODE_CER, 1, 1.5, 1, 4, 4, 4, 1, LRK_KERNEL_UNIFORM), 1, 4000, 2);
    check_mean_field(make(LRK_MODE_CROSSOVER, 0.3, 0.115, 0.05, 3, 4, 5, 1, LRK_KERNEL_UNIFORM), 1, 4000, 3);
    /* 2400 trajectories (600 before results version 7): the last level time (the maximum, a
     * heavy right tail) has a sample std off by ~5 % (1 sd) at 600, so the 10 % check on it
     * failed by chance ~5 % of the time (seed 4 of version 7: -11 %; ten other seeds 0.92-1.09,
     * mean 1.015); at 2400 the 10 % is ~3.6 sd */
    check_mean_field(make(LRK_MODE_SER, 1, 1, 0.5, 8, 8, 8, 1, LRK_KERNEL_UNIFORM), 1, 2400, 4);
}

Test(lattice_engine, uniform_kernel_is_the_mean_field_chain)
{
    check_mean_field(make(LRK_MODE_SER, 1, 2.5, 1, 10, 10, 10, 3, LRK_KERNEL_UNIFORM), 0, 3000, 5);
    check_mean_field(make(LRK_MODE_CER, 1, 1.5, 1, 10, 10, 10, 3, LRK_KERNEL_UNIFORM), 0, 3000, 6);
    check_mean_field(make(LRK_MODE_CROSSOVER, 0.3, 0.115, 0.05, 16, 16, 16, 3, LRK_KERNEL_UNIFORM), 0, 1000, 7);
}

/* Independent LREs: n(t) ~ Binomial(N, 1 - exp(-k t)); level times are the
 * chain with V1 = 0. */
static void check_binomial(lrk_model m, long M, uint64_t seed)
{
    lrk_model free_model = m;
    free_model.V1 = 0.0;
    long levels[8];
    size_t L;
    levels_of(m.N, levels, &L);
    double qs[6] = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0}, t_mean[6], t_var[6], t_std[6];
    cr_assert_eq(lrk_first_passage_exact(&free_model, qs, L, t_mean, t_var, NULL), LRK_OK);
    for (size_t j = 0; j < L; j++)
        t_std[j] = sqrt(t_var[j]);
    double t[K], q_mean[K], q_std[K], k = lrk_model_k(&m);
    grid_to(t_mean[4], t);
    for (size_t i = 0; i < K; i++) {
        double P = -expm1(-k * t[i]);
        q_mean[i] = P;
        q_std[i] = sqrt(P * (1 - P) / (double)m.N);
    }
    lrk_lattice_grid g = {t, K, levels, L};
    lrk_lattice_shared *s;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    ensemble e;
    run(s, t, L, M, seed, &e);
    compare("binomial", &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    if (use_floats(s)) {
        run(s, t, L, M, seed + 300, &e);
        compare("binomial, float upper bounds", &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    }
    lrk_lattice_shared_free(s);
}

Test(lattice_engine, independent_lres_are_binomial)
{
    check_binomial(make(LRK_MODE_SER, 1, 3, 1, 6, 6, 6, 0.9, LRK_KERNEL_R3), 2000, 8);  /* nobody in range */
    check_binomial(make(LRK_MODE_CER, 1, 0, 1, 6, 7, 5, 3, LRK_KERNEL_R3), 2000, 9);    /* V1 = 0 */
}

/* Tiny boxes: the exact master equation over the 2^N relaxed sets. */
static void check_tiny(lrk_model m, long M, uint64_t seed)
{
    long levels[8];
    size_t L;
    levels_of(m.N, levels, &L);
    double t_mean[6], t_std[6], t[K], q_mean[K], q_std[K];
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_master_solve(&m, NULL, 0, NULL, NULL, levels, L, t_mean, t_std, &err), LRK_OK, "%s",
                 err.message);
    grid_to(t_mean[4], t);
    cr_assert_eq(lrk_lattice_master_solve(&m, t, K, q_mean, q_std, NULL, 0, NULL, NULL, &err), LRK_OK, "%s",
                 err.message);
    lrk_lattice_grid g = {t, K, levels, L};
    lrk_lattice_shared *s;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_gt(lrk_lattice_stencil_count(s), 0);
    ensemble e;
    run(s, t, L, M, seed, &e);
    char what[128];
    snprintf(what, sizeof what, "tiny %s %ldx%ldx%ld d_el=%g", lrk_mode_name(m.mode), m.space.Lx, m.space.Ly,
             m.space.Lz, m.space.d_el);
    compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
    if (s->lazy) { /* the thinning itself: nulls, no eager repair (floats next) */
        cr_assert(lattice_test_lazy(s, 2));
        run(s, t, L, M, seed + 100, &e);
        snprintf(what, sizeof what, "tiny %s %ldx%ldx%ld d_el=%g, no eager repair", lrk_mode_name(m.mode), m.space.Lx,
                 m.space.Ly, m.space.Lz, m.space.d_el);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
        cr_assert(use_floats(s), "the float path allowed here");
        run(s, t, L, M, seed + 100, &e);
        snprintf(what, sizeof what, "tiny %s %ldx%ldx%ld d_el=%g, no eager repair, float upper bounds",
                 lrk_mode_name(m.mode), m.space.Lx, m.space.Ly, m.space.Lz, m.space.d_el);
        compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
        if (widen_margin(s)) {
            run(s, t, L, M, seed + 200, &e);
            snprintf(what, sizeof what, "tiny %s %ldx%ldx%ld d_el=%g, no eager repair, factors %.3g too high",
                     lrk_mode_name(m.mode), m.space.Lx, m.space.Ly, m.space.Lz, m.space.d_el, s->f32_margin);
            compare(what, &e, m.N, M, q_mean, q_std, t_mean, t_std, L);
        }
    }
    lrk_lattice_shared_free(s);
}

Test(lattice_engine, tiny_boxes_match_the_exact_master_equation)
{
    check_tiny(make(LRK_MODE_SER, 1, 4, 1, 2, 2, 2, 2, LRK_KERNEL_R3), 40000, 10);
    check_tiny(make(LRK_MODE_CER, 1, 3, 1, 2, 2, 3, 1.5, LRK_KERNEL_R3), 40000, 11);
    check_tiny(make(LRK_MODE_CROSSOVER, 0.3, 0.2, 0.05, 1, 3, 4, 2, LRK_KERNEL_R3), 40000, 12);
    check_tiny(make(LRK_MODE_SER, 0.5, 6, 1, 1, 3, 4, 1, LRK_KERNEL_R3), 40000, 13);
}

/* Two ensembles of M trajectories against each other: the two-sample z of
 * the mean n(t_k) (where both variances are large enough, as compare) and
 * of the mean level times, |z| < 5. */
static void compare_two(const char *what, const ensemble *a, const ensemble *b, long M, size_t L)
{
    int compared = 0;
    for (size_t k = 0; k < K; k++) {
        const double ma = a->n1[k] / (double)M, mb = b->n1[k] / (double)M;
        const double va = (a->n2[k] - (double)M * ma * ma) / (double)(M - 1),
                     vb = (b->n2[k] - (double)M * mb * mb) / (double)(M - 1);
        if ((double)M * fmin(va, vb) < 25)
            continue;
        const double z = (ma - mb) / sqrt((va + vb) / (double)M);
        cr_assert_lt(fabs(z), Z_MAX, "%s: grid %zu: n %.6g against %.6g, z=%.2f", what, k, ma, mb, z);
        compared++;
    }
    cr_assert_gt(compared, K / 2, "%s: only %d grid times compared", what, compared);
    for (size_t j = 0; j < L; j++) {
        const double ma = a->t1[j] / (double)M, mb = b->t1[j] / (double)M;
        const double va = (a->t2[j] - (double)M * ma * ma) / (double)(M - 1),
                     vb = (b->t2[j] - (double)M * mb * mb) / (double)(M - 1);
        const double z = (ma - mb) / sqrt((va + vb) / (double)M);
        cr_assert_lt(fabs(z), Z_MAX, "%s: level %zu: t %.6g against %.6g, z=%.2f", what, j, ma, mb, z);
    }
}

/* The pipelined loop (lattice_pipeline.c) where its picks run ahead of the
 * previous event's update (16^3, d_el = 2: most events; the dense stencil
 * above touches every block, so it never does): no exact reference
 * covers such a box, so the plain loop, checked against them above, is the
 * reference, with strong factors (V1/T = 6) and with the factors rounded up
 * by 3 % (rejections).  The grid ends at the plain loop's mean time to
 * q = 0.9 in a pilot.  Two variants wrong on purpose fail here: the one
 * that picks ahead without waiting for a neighbour's update
 * (lattice_test_pipeline 2: the last level's time, z = 37.3) and the one
 * that scales a walked candidate's gap by the root at its turn instead of
 * the root its walk used (3: n at the first grid time, z = 6.3). */
static void check_pipelined(lrk_model m, double margin, long M, uint64_t seed)
{
    double t[K];
    long levels[8];
    size_t L;
    grid_to(1.0, t);
    levels_of(m.N, levels, &L);
    lrk_lattice_grid g = {t, K, levels, L};
    lrk_lattice_shared *s;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    ensemble plain, piped;
    run(s, t, L, 20, seed + 1000, &plain);
    lrk_lattice_shared_free(s);
    grid_to(plain.t1[4] / 20, t);
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert(lattice_test_f32(s, 1, margin));
    cr_assert(lattice_test_pipeline(s, -1));
    run(s, t, L, M, seed, &plain);
    cr_assert(lattice_test_pipeline(s, 1));
    run(s, t, L, M, seed + 1, &piped);
    char what[128];
    snprintf(what, sizeof what, "pipelined against plain, %ldx%ldx%ld d_el %g, margin %.3g", m.space.Lx,
             m.space.Ly, m.space.Lz, m.space.d_el, margin);
    compare_two(what, &plain, &piped, M, L);
    lrk_lattice_shared_free(s);
}

Test(lattice_engine, pipelined_loop_has_the_plain_loops_law)
{
    check_pipelined(make(LRK_MODE_SER, 1, 3, 0.5, 16, 16, 16, 2, LRK_KERNEL_R3), 0x1p-22, 400, 31);
    check_pipelined(make(LRK_MODE_SER, 1, 3, 0.5, 16, 16, 16, 2, LRK_KERNEL_R3), 0.03, 400, 33);
}

/* Events of one trajectory picked ahead of the previous update (0: the
 * plain loop ran). */
static long early_picks(long L)
{
    lrk_model m = make(LRK_MODE_SER, 1, 1, 1, L, L, L, 2, LRK_KERNEL_R3);
    double t[K];
    long levels[8];
    size_t nl;
    lrk_lattice_shared *s = shared_on_grid(&m, t, levels, &nl);
    lrk_lattice_worker *w = new_worker(s);
    uint32_t n_at[K];
    double fp[8];
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 3, 1);
    lrk_lattice_simulate(s, w, &g, n_at, fp, NULL);
    const long early = (long)w->early;
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return early;
}

/* The size rule (LATTICE_PIPELINE_BYTES, 1 MB of float rates): 64^3 is
 * 1 MB, the plain loop; 68^3 is 1.2 MB, the pipelined loop. */
Test(lattice_engine, pipelined_loop_runs_beyond_one_megabyte)
{
    cr_assert_eq(early_picks(64), 0);
    cr_assert_gt(early_picks(68), 68L * 68 * 68 / 2);
}

Test(lattice_engine, every_site_once_and_deterministic)
{
    lrk_model m = make(LRK_MODE_CER, 1, 2, 1, 7, 9, 5, 2.5, LRK_KERNEL_R3);
    double t[K];
    long levels[8];
    size_t L;
    lrk_lattice_shared *s = shared_on_grid(&m, t, levels, &L);
    lrk_lattice_worker *w1, *w2;
    cr_assert_eq(lrk_lattice_worker_create(s, &w1, NULL), LRK_OK);
    cr_assert_eq(lrk_lattice_worker_create(s, &w2, NULL), LRK_OK);
    long *sites1 = malloc((size_t)m.N * sizeof(long)), *sites2 = malloc((size_t)m.N * sizeof(long));
    double *times1 = malloc((size_t)m.N * sizeof(double)), *times2 = malloc((size_t)m.N * sizeof(double));
    lrk_lattice_worker_record(w1, sites1, times1);
    lrk_lattice_worker_record(w2, sites2, times2);
    uint32_t n1[K], n2[K];
    double f1[8], f2[8];
    lrk_pcg64 a, b;
    lrk_pcg64_seed(&a, 5, 3);
    lrk_lattice_simulate(s, w1, &a, n1, f1, NULL); /* w1 used twice: state must reset */
    lrk_pcg64_seed(&a, 5, 3);
    lrk_lattice_simulate(s, w1, &a, n1, f1, NULL);
    lrk_pcg64_seed(&b, 5, 3);
    lrk_lattice_simulate(s, w2, &b, n2, f2, NULL);
    cr_assert(memcmp(sites1, sites2, (size_t)m.N * sizeof(long)) == 0);
    cr_assert(memcmp(times1, times2, (size_t)m.N * sizeof(double)) == 0);
    cr_assert(memcmp(n1, n2, sizeof n1) == 0 && memcmp(f1, f2, L * sizeof(double)) == 0);
    unsigned char *seen = calloc((size_t)m.N, 1);
    for (long n = 0; n < m.N; n++) {
        cr_assert(sites1[n] >= 0 && sites1[n] < m.N);
        cr_assert_eq(seen[sites1[n]], 0, "site %ld relaxed twice", sites1[n]);
        seen[sites1[n]] = 1;
        cr_assert(n == 0 || times1[n] >= times1[n - 1]);
    }
    for (size_t k = 0; k < K; k++) { /* n(t_k) counts the events at times <= t_k */
        long count = 0;
        while (count < m.N && times1[count] <= t[k])
            count++;
        cr_assert_eq(n1[k], (uint32_t)count);
    }
    for (size_t j = 0; j < L; j++)
        cr_assert_eq(f1[j], times1[levels[j] - 1]);
    free(seen);
    free(sites1);
    free(sites2);
    free(times1);
    free(times2);
    lrk_lattice_worker_free(w1);
    lrk_lattice_worker_free(w2);
    lrk_lattice_shared_free(s);
}

Test(lattice_engine, bad_input)
{
    lrk_model m = make(LRK_MODE_SER, 1, 1, 1, 4, 4, 4, 2, LRK_KERNEL_R3);
    double t[1] = {1};
    long levels[1] = {64};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_lattice_shared *s;
    lrk_error err = {{0}};
    lrk_model none = m;
    none.space.lattice = LRK_LATTICE_NONE;
    cr_assert_eq(lrk_lattice_shared_create(&none, &g, &s, &err), LRK_ERR_INVALID);
    cr_assert_null(s);
    levels[0] = 65;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "level") != NULL, "%s", err.message);
    levels[0] = 64;
    m.V1 = 697; /* V1/T + ln N >= 700 */
    m.V0 = 0;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "V1/T") != NULL, "%s", err.message);
}

/* FNV-1a, 64 bits, over n bytes (continuing from h). */
static uint64_t fnv1a(uint64_t h, const void *p, size_t n)
{
    const unsigned char *c = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ c[i]) * 0x100000001b3ULL;
    return h;
}

/* The hash of every event (site and time, in order) and of n(t_k) and the
 * level times of `M` trajectories of m at seed 7, streams 0 .. M - 1, run
 * `lanes` at a time (1: lrk_lattice_simulate; more: lrk_lattice_simulate_lanes,
 * every lane recorded), hashed in trajectory order. */
static uint64_t event_hash_lanes(lrk_model m, long M, int lanes)
{
    double t[K];
    long levels[8];
    size_t L;
    lrk_lattice_shared *s = shared_on_grid(&m, t, levels, &L);
    lrk_lattice_worker *w;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    cr_assert(lanes >= 1 && lanes <= 4);
    if (lanes > lrk_lattice_worker_lanes(w)) /* the worker runs them one by one on lane 0 */
        lanes = lrk_lattice_worker_lanes(w);
    long *sites[4];
    double *times[4];
    for (int l = 0; l < lanes; l++) {
        sites[l] = malloc((size_t)m.N * sizeof(long));
        times[l] = malloc((size_t)m.N * sizeof(double));
        cr_assert(sites[l] && times[l]);
        lrk_lattice_worker_record_lane(w, l, sites[l], times[l]);
    }
    uint64_t h = 0xcbf29ce484222325ULL;
    for (long i = 0; i < M; i += lanes) {
        const int n = M - i < lanes ? (int)(M - i) : lanes;
        lrk_pcg64 rng[4];
        for (int l = 0; l < n; l++)
            lrk_pcg64_seed(&rng[l], 7, (uint64_t)(i + l));
        uint32_t n_at[4 * (K + 1)];
        double fp[4 * 8];
        if (lanes == 1)
            lrk_lattice_simulate(s, w, rng, n_at, fp, NULL);
        else
            lrk_lattice_simulate_lanes(s, w, rng, n, n_at, fp, NULL);
        for (int l = 0; l < n; l++) {
            /* an odd last lane runs alone on lane 0 */
            const int r = n % 2 == 1 && l == n - 1 ? 0 : l;
            h = fnv1a(h, sites[r], (size_t)m.N * sizeof(long));
            h = fnv1a(h, times[r], (size_t)m.N * sizeof(double));
            h = fnv1a(h, n_at + (size_t)l * (K + 1), K * sizeof(uint32_t));
            h = fnv1a(h, fp + (size_t)l * L, L * sizeof(double));
        }
    }
    for (int l = 0; l < lanes; l++) {
        free(sites[l]);
        free(times[l]);
    }
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return h;
}

static uint64_t event_hash(lrk_model m, long M)
{
    return event_hash_lanes(m, M, 1);
}

/* Byte identity of the engine's output.  Version 13 (the pipelined loop's
 * candidates walked 32 at a time, the loop beyond 1 MB of float rates) kept
 * every case of the plain loops (64^3, cases 6 and 12, is exactly 1 MB:
 * not beyond) and gave cases 13 and 14 new values and case 15 a smaller box
 * (72^3, chosen by size; it was 104^3).  Version 12 (the pipelined loop
 * beyond 4 MB of float rates) kept every earlier case (all below that) and
 * added cases 13 and 14 (cases 9 and 10 with the pipelined loop asked for)
 * and 15.  Version 11 (the float path chosen
 * for stencils of >= 18 entries and boxes beyond 512 KB of double rates,
 * since its pick selects without branches) runs cases 0, 4, 5 and 6 on the
 * double upper bounds explicitly (path 0: they kept their version 9
 * values, so the double path is unchanged) and adds them as cases 9-12 on
 * the path now chosen, the floats; cases 7 and 8 kept their values (the
 * new pick gives the same bits).  Version 10 (float upper bounds
 * with exact acceptance on the lazy path, chosen for stencils of >= 200
 * entries and boxes beyond 8 MB of double rates) added cases 7 and 8 (SER
 * at d_el = 4: the stored bounds are floats, the model's rate the
 * stencil-order product, docs/space.md "Float upper bounds"); every other
 * case runs as in version 9 and kept its value.  Version 9 moved the lazy cases
 * again (0, 4-6): the walk to the next candidate now runs before the
 * event's update, so a batch repair it starts recomputes the bounds from
 * the rates before that update, other (still valid) bounds.  Version 7 (the lazy
 * upper-bound tree, thinning) moved every case whose rates never increase
 * (case 0, and the new cases 4-6): the generator's stream now also feeds
 * the null candidates, and the bounds are other numbers than the sums, so
 * the same draws select other sites.  The CER cases (accurate sums) kept
 * their values: case 1 from version 2 (main at 0cdb796), cases 2 and 3 from
 * version 5 (the grouped update by row segments).  A change that alters
 * any event's site or time (a reordered sum, a different tree shape,
 * another draw order, another batch-repair rule) fails here.  Such a change
 * needs a results_version bump, and these values must be updated together
 * with it.  The cases cover the grouped update (16^3, and 64^3 where the
 * target lines are prefetched), disorder on a skewed box, and the
 * ungrouped path (a box whose sides are not multiples of 4) with CER at low
 * T, where blocks are recomputed after most events; in the lazy mode, SER
 * grouped, with disorder, and ungrouped. */
Test(lattice_engine, output_bytes_are_pinned)
{
    const struct {
        lrk_model m;
        long M;
        int disorder;
        uint64_t hash;
        int path; /* pin_path */
        int pipeline; /* 1: the pipelined loop asked for */
    } cases[] = {
        {make(LRK_MODE_SER, 1, 1, 0.4, 16, 16, 16, 3, LRK_KERNEL_R3), 3, 0, 0x00a5353431c80ec0ULL, 0, 0},
        {make(LRK_MODE_CER, 1, 1, 0.05, 9, 7, 5, 2.5, LRK_KERNEL_R3), 20, 0, 0xf17d95c6f2d47f9aULL, -1, 0},
        {make(LRK_MODE_CER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 4, 1, 0xa97b4627024f59a4ULL, -1, 0},
        {make(LRK_MODE_CER, 1, 1, 0.6666666666666666, 64, 64, 64, 3, LRK_KERNEL_R3), 1, 0, 0x894fcd5040b7cf0cULL, -1, 0},
        {make(LRK_MODE_SER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 4, 1, 0xa0ab9f1e15c5d437ULL, 0, 0},
        {make(LRK_MODE_SER, 1, 1, 0.3, 9, 7, 5, 2.5, LRK_KERNEL_R3), 20, 0, 0x93468cad097f53fdULL, 0, 0},
        {make(LRK_MODE_SER, 1, 2, 1, 64, 64, 64, 3, LRK_KERNEL_R3), 1, 0, 0xd530bc75b3386b88ULL, 0, 0},
        /* the float upper bounds (d_el = 4), without and with disorder */
        {make(LRK_MODE_SER, 1, 1, 0.4, 16, 16, 16, 4, LRK_KERNEL_R3), 2, 0, 0x96306a649d651d89ULL, -1, 0},
        {make(LRK_MODE_SER, 1, 1, 0.5, 12, 8, 20, 4, LRK_KERNEL_R3), 3, 1, 0x0fe40cb9e5a60c2dULL, -1, 0},
        /* version 11: cases 0, 4, 5, 6 on the path now chosen, the floats */
        {make(LRK_MODE_SER, 1, 1, 0.4, 16, 16, 16, 3, LRK_KERNEL_R3), 3, 0, 0x126cf8033b0457e7ULL, -1, 0},
        {make(LRK_MODE_SER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 4, 1, 0x21acf925c74986caULL, -1, 0},
        {make(LRK_MODE_SER, 1, 1, 0.3, 9, 7, 5, 2.5, LRK_KERNEL_R3), 20, 0, 0xa85068fd3748bc69ULL, -1, 0},
        {make(LRK_MODE_SER, 1, 2, 1, 64, 64, 64, 3, LRK_KERNEL_R3), 1, 0, 0xe94182758e7c13cfULL, -1, 0},
        /* version 13: the pipelined loop, asked for (cases 9 and 10, as cases 9 and 10 on the plain
         * loop) and chosen by size (72^3, 1.5 MB of float rates) */
        {make(LRK_MODE_SER, 1, 1, 0.4, 16, 16, 16, 3, LRK_KERNEL_R3), 3, 0, 0x61cb23942d7f40ebULL, -1, 1},
        {make(LRK_MODE_SER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 4, 1, 0x3a33fe47e1b2f28dULL, -1, 1},
        {make(LRK_MODE_SER, 1, 2, 1, 72, 72, 72, 2, LRK_KERNEL_R3), 1, 0, 0x5f55a20006ab3626ULL, -1, 0},
    };
    const size_t n = sizeof cases / sizeof cases[0];
    for (size_t c = 0; c < n; c++) {
        lrk_model m = cases[c].m;
        if (cases[c].disorder)
            m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 0.5};
        pin_path = cases[c].path;
        pin_pipeline = cases[c].pipeline;
        uint64_t h = event_hash(m, cases[c].M);
        pin_path = -1;
        pin_pipeline = 0;
        cr_expect_eq(h, cases[c].hash, "case %zu (%ldx%ldx%ld, d_el %g): hash 0x%016llx, pinned 0x%016llx", c,
                     m.space.Lx, m.space.Ly, m.space.Lz, m.space.d_el, (unsigned long long)h,
                     (unsigned long long)cases[c].hash);
    }
}

/* The worker's lane count for m. */
static int lanes_of(lrk_model m)
{
    double t[1] = {1};
    long levels[1] = {1};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, NULL), LRK_OK);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, NULL), LRK_OK);
    const int lanes = lrk_lattice_worker_lanes(w);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return lanes;
}

static void lanes_keep_the_observables(lrk_model m);

/* Lanes (lrk_lattice_simulate_lanes) change no byte: two trajectories
 * stepped together give each the events, n(t_k), level times and
 * observables it has alone, on the grouped path (16^3), the ungrouped one
 * (9 x 7 x 5, CER at low T) and with disorder, in both schedules (boxes of
 * more than 1 MB of rates for both lanes, 48^3 and 64^3, take the one with
 * a whole update between a lane's walk and its pick); an odd last lane
 * runs alone.  Boxes beyond 4 MB have one lane state
 * (lrk_lattice_worker_lanes), so their lanes run one after the other. */
Test(lattice_engine, lanes_give_the_same_bytes)
{
    const struct {
        lrk_model m;
        long M;
        int disorder;
    } cases[] = {
        {make(LRK_MODE_SER, 1, 1, 0.4, 16, 16, 16, 3, LRK_KERNEL_R3), 3, 0},
        {make(LRK_MODE_CER, 1, 1, 0.05, 9, 7, 5, 2.5, LRK_KERNEL_R3), 6, 0},
        {make(LRK_MODE_CER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 2, 1},
        {make(LRK_MODE_CER, 1, 1, 0.6666666666666666, 64, 64, 64, 3, LRK_KERNEL_R3), 3, 0},
        {make(LRK_MODE_CER, 1, 1, 0.5, 48, 48, 48, 2, LRK_KERNEL_R3), 2, 1},
        /* the lazy mode: one lane state, its trajectories one after the other */
        {make(LRK_MODE_SER, 1, 1, 0.5, 12, 8, 20, 2, LRK_KERNEL_R3), 4, 1},
        {make(LRK_MODE_SER, 1, 1, 0.5, 7, 9, 5, 2.5, LRK_KERNEL_R3), 6, 1},
        {make(LRK_MODE_SER, 1, 2, 1, 64, 64, 64, 3, LRK_KERNEL_R3), 3, 0},
        {make(LRK_MODE_SER, 1, 1, 0.5, 48, 48, 48, 2, LRK_KERNEL_R3), 2, 1},
        /* the float upper bounds with disorder (per-lane base rates) */
        {make(LRK_MODE_SER, 1, 1, 0.5, 16, 16, 16, 4, LRK_KERNEL_R3), 4, 1},
        {make(LRK_MODE_SER, 1, 1, 0.5, 32, 32, 32, 4, LRK_KERNEL_R3), 2, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        lrk_model m = cases[c].m;
        if (cases[c].disorder)
            m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 0.5};
        const uint64_t one = event_hash_lanes(m, cases[c].M, 1), two = event_hash_lanes(m, cases[c].M, 2);
        /* the lazy mode (SER) keeps one lane state: its lanes run one by one */
        const int lazy = m.mode == LRK_MODE_SER;
        cr_assert_eq(lanes_of(m), lazy ? 1 : 2, "case %zu: %d lane states", c, lazy ? 1 : 2);
        cr_expect_eq(one, two, "case %zu: one lane 0x%016llx, two 0x%016llx", c, (unsigned long long)one,
                     (unsigned long long)two);
    }
    /* both lanes' rates (6.5 MB here) beyond the machine's limit: one lane
     * state; within it (an L3 of more than 52 MB), two, and the same bytes */
    const lrk_model big = make(LRK_MODE_CER, 1, 1, 0.4, 80, 80, 64, 3, LRK_KERNEL_R3);
    const int two_fit = 2 * (size_t)(80 * 80 * 64) * sizeof(double) <= lrk_lattice_lanes_machine_bytes();
    cr_assert_eq(lanes_of(big), two_fit ? 2 : 1);
    if (two_fit)
        cr_expect_eq(event_hash_lanes(big, 2, 1), event_hash_lanes(big, 2, 2), "80 x 80 x 64, two lanes");
    /* the observables too, through the engine's layout (accurate and lazy) */
    lanes_keep_the_observables(make(LRK_MODE_CER, 1, 1, 0.5, 16, 16, 16, 2, LRK_KERNEL_R3));
    lanes_keep_the_observables(make(LRK_MODE_SER, 1, 1, 0.5, 16, 16, 16, 2, LRK_KERNEL_R3));
}

/* The two-lane limit: 4 MB unless an eighth of the L3 is more. */
Test(lattice_engine, two_lanes_up_to_an_eighth_of_l3)
{
    const size_t MB = (size_t)1 << 20;
    cr_expect_eq(lrk_lattice_lanes_max_bytes(0), 4 * MB);
    cr_expect_eq(lrk_lattice_lanes_max_bytes(-1), 4 * MB);
    cr_expect_eq(lrk_lattice_lanes_max_bytes(16L << 20), 4 * MB);
    cr_expect_eq(lrk_lattice_lanes_max_bytes(32L << 20), 4 * MB);
    cr_expect_eq(lrk_lattice_lanes_max_bytes(64L << 20), 8 * MB);
    cr_expect_eq(lrk_lattice_lanes_max_bytes(480L << 20), 60 * MB);
    cr_expect_geq(lrk_lattice_lanes_machine_bytes(), 4 * MB);
}

static void lanes_keep_the_observables(lrk_model m)
{
    double t[K];
    long levels[8];
    size_t L;
    lrk_lattice_shared *s = shared_on_grid(&m, t, levels, &L);
    lrk_lattice_worker *w = new_worker(s);
    const size_t E = lrk_lattice_extra_count(s);
    cr_assert_gt(E, 0);
    double *x1 = calloc(3 * E, sizeof(double)), *x2 = calloc(3 * E, sizeof(double));
    uint32_t n1[3 * (K + 1)], n2[3 * (K + 1)];
    double f1[3 * 8], f2[3 * 8];
    lrk_pcg64 rng[3];
    for (int l = 0; l < 3; l++) {
        lrk_pcg64_seed(&rng[l], 11, (uint64_t)l);
        lrk_lattice_simulate(s, w, &rng[l], n1 + l * (K + 1), f1 + l * 8, x1 + l * E);
    }
    for (int l = 0; l < 3; l++)
        lrk_pcg64_seed(&rng[l], 11, (uint64_t)l);
    lrk_lattice_simulate_lanes(s, w, rng, 3, n2, f2, x2);
    for (int l = 0; l < 3; l++) {
        cr_expect(memcmp(n1 + l * (K + 1), n2 + l * (K + 1), K * sizeof(uint32_t)) == 0, "lane %d: n(t_k)", l);
        cr_expect(memcmp(f1 + l * 8, f2 + (size_t)l * L, L * sizeof(double)) == 0, "lane %d: level times", l);
        cr_expect(memcmp(x1 + l * E, x2 + l * E, E * sizeof(double)) == 0, "lane %d: observables", l);
    }
    free(x1);
    free(x2);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}
