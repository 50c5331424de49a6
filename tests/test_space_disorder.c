/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_space_disorder.c - quenched disorder in space (docs/space.md,
 * "Disorder in space") and the tiny-box master equation as a run reference,
 * end to end: configuration -> validation -> point (references, KMC,
 * comparison) and the CLI's summary.csv.
 *
 * Every stochastic check is a z-score against an exact law, |z| < 5 at a
 * fixed seed (the comparison's own z: (mean - E) / (sd / sqrt(M)) per grid
 * time and level).  Each kind of check is shown to fail on a deliberately
 * wrong reference (a wrong width, a wrong d_el, a wrong V1): |z| > 5 there.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrekmc/config.h"
#include "lrekmc/disorder.h"
#include "lrekmc/engine.h"
#include "lrekmc/kmc.h"
#include "lrekmc/lattice.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/lattice_master.h"
#include "lrekmc/point.h"
#include "lrekmc/streams.h"
#include "cli_run.h"
#include "kmc_same.h"

/* ---- helpers --------------------------------------------------------------- */

static void load(lrk_config *c, const char *yaml)
{
    lrk_diagnostics d = {0};
    lrk_config_defaults(c);
    lrk_status s = lrk_config_load_string(c, "test.yaml", yaml, strlen(yaml), &d);
    if (s == LRK_OK)
        s = lrk_config_validate(c, &d);
    if (s != LRK_OK)
        lrk_diagnostics_print(&d, stderr);
    cr_assert_eq(s, LRK_OK, "configuration refused:\n%s", yaml);
    lrk_diagnostics_free(&d);
}

/* The message of a refused configuration (malloc'ed), NULL when accepted. */
static char *refusal(const char *yaml)
{
    lrk_config c;
    lrk_diagnostics d = {0};
    lrk_config_defaults(&c);
    lrk_status s = lrk_config_load_string(&c, "test.yaml", yaml, strlen(yaml), &d);
    if (s == LRK_OK)
        s = lrk_config_validate(&c, &d);
    char *text = NULL;
    size_t size = 0;
    if (s != LRK_OK) {
        FILE *f = open_memstream(&text, &size);
        lrk_diagnostics_print(&d, f);
        fclose(f);
    }
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    return text;
}

static void compute(const char *yaml, lrk_point *p)
{
    lrk_config c;
    load(&c, yaml);
    lrk_error err = {{0}};
    cr_assert_eq(lrk_point_compute(&c, NULL, p, &err), LRK_OK, "%s", err.message);
    lrk_config_free(&c);
}

/* max |z| of the KMC means of p against other grid / level references
 * (NULL: that part skipped), as the point's own comparison forms it. */
static double z_against(const lrk_point *p, const double *q_mean, const double *q_std, const double *t_mean,
                        const double *t_var)
{
    lrk_comparison cmp;
    lrk_comparison_init(&cmp);
    lrk_compare_grid(p->kmc->q_mean, q_mean, q_std, p->t_count, p->model.N, p->kmc->trajectories, &cmp);
    lrk_compare_levels(p->kmc->t_mean, t_mean, t_var, p->level_event, p->level_count, p->kmc->trajectories, &cmp);
    lrk_comparison_finish(&cmp);
    return cmp.z_max;
}

#define SPACE_DISORDER(extra)                                                                                 \
    "model:\n  mode: ser\n  V0: 1.0\n  T: 0.5\n" extra                                                       \
    "kmc: {trajectories: 400, seed: 5}\ngrid: {t_max: auto, points: 50}\nfit: {batches: 10, "               \
    "q_levels: {from: 0.02, to: 0.98, count: 25}}\n"

static const char *const kinds[] = {"normal", "uniform", "exponential", "bimodal"};

/* ---- V1 = 0, or no neighbour: Binomial and order statistics ---------------- */

static void check_independent(const char *kind, const char *space, double V1)
{
    char yaml[1024];
    snprintf(yaml, sizeof yaml,
             SPACE_DISORDER("  V1: %g\n  space: {%s}\n  disorder: {distribution: %s, width: 0.6}\n"), V1, space,
             kind);
    lrk_point p;
    compute(yaml, &p);
    cr_assert_str_eq(p.engine->name, "lattice", "%s: r3 + disorder runs on the lattice engine", kind);
    cr_assert(p.q_exact_mean != NULL && p.q_exact_std != NULL, "%s: the binomial column", kind);
    cr_assert(p.t_exact_mean != NULL && p.t_exact_var != NULL, "%s: the order statistics", kind);
    cr_assert_gt(p.comparison.grid_compared, 10);
    cr_assert_gt(p.comparison.levels_compared, 10);
    cr_assert_lt(p.comparison.z_max, 5, "%s (%s, V1 = %g): z_max = %g", kind, space, V1, p.comparison.z_max);
    cr_assert(isnan(p.comparison.chi2), "no chi2 with disorder (correlated increments)");
    /* the same KMC against the references of a 25 % wider distribution */
    lrk_model wrong = p.model;
    wrong.V1 = 0;
    wrong.space.lattice = LRK_LATTICE_NONE;
    wrong.disorder.width *= 1.25;
    double *qm = calloc(p.t_count, sizeof *qm), *qs = calloc(p.t_count, sizeof *qs);
    double *tm = calloc(p.level_count, sizeof *tm), *tv = calloc(p.level_count, sizeof *tv);
    lrk_error err = {{0}};
    cr_assert_eq(lrk_disorder_binomial(&wrong, p.t, p.t_count, qm, qs, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_disorder_order_statistics(&wrong, p.level_event, p.level_count, tm, tv, &err), LRK_OK, "%s",
                 err.message);
    double z = z_against(&p, qm, qs, tm, tv);
    cr_log_info("%s (%s, V1 = %g): z_max = %.2f; against width x 1.25: %.1f", kind, space, V1, p.comparison.z_max, z);
    cr_assert_gt(z, 5, "%s: a 25 %% wider reference must be rejected (z = %g)", kind, z);
    free(qm);
    free(qs);
    free(tm);
    free(tv);
    lrk_point_free(&p);
}

Test(space_disorder, v1_zero_is_binomial_for_every_distribution)
{
    for (int k = 0; k < 4; k++)
        check_independent(kinds[k], "lattice: cubic, L: 6, d_el: 2, kernel: r3", 0.0);
}

Test(space_disorder, no_neighbour_in_range_is_binomial_whatever_v1)
{
    /* d_el < 1: nothing interacts, V1 = 2 changes no rate */
    check_independent("normal", "lattice: cubic, L: 6, d_el: 0.7, kernel: r3", 2.0);
    check_independent("bimodal", "lattice: cubic, L: 5, Ly: 4, Lz: 3, d_el: 0.9, kernel: r3", 2.0);
}

/* ---- kernel uniform: the mean-field disorder model ------------------------ */

Test(space_disorder, uniform_kernel_runs_on_the_disorder_engine_with_its_references)
{
    lrk_point p;
    compute(SPACE_DISORDER("  V1: 1.5\n  space: {lattice: cubic, L: 5, kernel: uniform}\n"
                           "  disorder: {distribution: bimodal, width: 0.6}\n"),
            &p);
    cr_assert_str_eq(p.engine->name, "disorder");
    cr_assert(p.t_exact_mean != NULL, "bimodal: exact level times at any coupling");
    cr_assert(p.q_ode != NULL, "the multi-class mean field");
    cr_assert(p.q_exact_mean != NULL, "bimodal with coupling: the two-class master equation's q(t)");
    cr_assert_gt(p.comparison.grid_compared, 10);
    cr_assert_lt(p.comparison.z_max_levels, 5, "z = %g", p.comparison.z_max_levels);
    cr_assert_lt(p.comparison.z_max_grid, 5, "z = %g", p.comparison.z_max_grid);
    cr_assert_eq(p.kmc->extra_count, 0, "no spatial extras: the relaxed set is exchangeable");
    lrk_point_free(&p);
}

/* The dense uniform stencil through the lattice engine's sum tree, with the
 * offsets drawn by the lattice engine: the same law as the disorder engine
 * (J_ij = V1/N for all j != i), so the bimodal exact level times apply at
 * V1 != 0.  This checks the lattice engine's disorder with coupling. */
Test(space_disorder, lattice_tree_with_the_dense_stencil_matches_the_bimodal_levels)
{
    const long L = 4, N = 64, M = 3000;
    lrk_model m = {.mode = LRK_MODE_CER, .V0 = 1, .V1 = 2, .T = 1, .N = N};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = L, .Ly = L, .Lz = L, .d_el = 3,
                          .kernel = LRK_KERNEL_UNIFORM};
    m.disorder = (lrk_disorder){LRK_DISORDER_BIMODAL, 0.8};
    lrk_error err = {{0}};
    lrk_stencil st;
    cr_assert_eq(lrk_stencil_build(&m.space, &st, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(st.count, (size_t)(N - 1));
    double t[1] = {1.0};
    long levels[6] = {4, 13, 26, 38, 51, 60};
    lrk_lattice_grid g = {t, 1, levels, 6};
    lrk_lattice_shared *s = NULL;
    cr_assert_eq(lrk_lattice_shared_create_stencil(&m, &st, &g, &s, &err), LRK_OK, "%s", err.message);
    lrk_lattice_worker *w = NULL;
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    lrk_stream_key key;
    lrk_stream_key_init(&key, 77, &m, LRK_STREAMS_INDEPENDENT);
    double sum[6] = {0}, sum2[6] = {0};
    for (long i = 0; i < M; i++) {
        lrk_pcg64 rng;
        lrk_trajectory_rng(&key, i, &rng);
        uint32_t n_at[2];
        double fp[6];
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
        for (int j = 0; j < 6; j++) {
            sum[j] += fp[j];
            sum2[j] += fp[j] * fp[j];
        }
    }
    double mean[6], var[6], broken_mean[6], broken_var[6];
    cr_assert_eq(lrk_disorder_bimodal_levels(&m, levels, 6, mean, var, &err), LRK_OK, "%s", err.message);
    lrk_model broken = m; /* offsets 25 % narrower than the engine's */
    broken.disorder.width = 0.6;
    cr_assert_eq(lrk_disorder_bimodal_levels(&broken, levels, 6, broken_mean, broken_var, &err), LRK_OK, "%s",
                 err.message);
    double zmax = 0, zbroken = 0;
    for (int j = 0; j < 6; j++) {
        double kmc = sum[j] / M;
        double z = (kmc - mean[j]) / sqrt(var[j] / M), zb = (kmc - broken_mean[j]) / sqrt(broken_var[j] / M);
        zmax = fmax(zmax, fabs(z));
        zbroken = fmax(zbroken, fabs(zb));
        /* the sample variance against the exact one: its relative sd is
         * about sqrt((kurtosis - 1)/M) < 0.1 here */
        double sample_var = (sum2[j] - M * kmc * kmc) / (M - 1);
        cr_assert_lt(fabs(sample_var / var[j] - 1), 0.15, "level %ld: var %g vs %g", levels[j], sample_var, var[j]);
    }
    cr_log_info("dense stencil + bimodal: z_max = %.2f; against width 0.6: %.1f", zmax, zbroken);
    cr_assert_lt(zmax, 5);
    cr_assert_gt(zbroken, 5);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    lrk_stencil_free(&st);
}

/* The contract with the lattice engine: the offsets are the first draws of
 * the trajectory, delta_i for row-major site i.  With bimodal offsets of
 * w/T = 40 the fast sites (delta = -w) are faster by e^80: the first events
 * are exactly the fast sites of a replayed draw (a wrong site order or a
 * draw after the first event would mix the classes). */
Test(space_disorder, offsets_are_the_first_draws_in_row_major_order)
{
    const long Lx = 5, Ly = 4, Lz = 3, N = Lx * Ly * Lz;
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 0.5, .N = N};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = 1.5,
                          .kernel = LRK_KERNEL_R3};
    m.disorder = (lrk_disorder){LRK_DISORDER_BIMODAL, 20};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_OK, "%s", err.message);
    double t[1] = {1.0};
    long levels[1] = {N};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_lattice_shared *s = NULL;
    lrk_lattice_worker *w = NULL;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    long sites[60];
    double times[60], delta[60];
    lrk_lattice_worker_record(w, sites, times);
    for (long traj = 0; traj < 20; traj++) {
        lrk_pcg64 rng, replay;
        lrk_pcg64_seed(&rng, 99, (uint64_t)traj);
        replay = rng;
        lrk_disorder_draw(&m.disorder, &replay, N, delta);
        long fast = 0;
        for (long i = 0; i < N; i++)
            fast += delta[i] < 0;
        uint32_t n_at[2];
        double fp[1];
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
        for (long n = 0; n < N; n++)
            cr_assert_eq(delta[sites[n]] < 0, n < fast, "trajectory %ld, event %ld at site %ld", traj, n, sites[n]);
    }
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

/* ---- r3 with coupling: the mean field beside, nothing exact --------------- */

Test(space_disorder, r3_with_coupling_shows_the_mean_field_beside)
{
    lrk_point p;
    compute(SPACE_DISORDER("  V1: 1.0\n  space: {lattice: cubic, L: 5, d_el: 2, kernel: r3}\n"
                           "  disorder: {distribution: bimodal, width: 0.5}\n"),
            &p);
    cr_assert_str_eq(p.engine->name, "lattice");
    cr_assert(p.q_ode != NULL && p.t_ode != NULL, "the multi-class mean field beside");
    cr_assert(p.q_exact_mean == NULL && p.t_exact_mean == NULL, "no exact reference in space with coupling");
    cr_assert(isnan(p.comparison.z_max));
    cr_assert_gt(p.kmc->extra_count, 0, "the spatial observables");
    cr_assert(isfinite(p.kmc_fit.fit.beta) && isfinite(p.ode.fit.beta));
    lrk_point_free(&p);
}

/* ---- determinism ------------------------------------------------------------ */

Test(space_disorder, same_bytes_on_any_thread_count_and_batch_split)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1.5, .T = 0.7, .N = 125};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = 5, .Ly = 5, .Lz = 5, .d_el = 2,
                          .kernel = LRK_KERNEL_R3};
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 0.4};
    double t[20], q[9];
    for (int k = 0; k < 20; k++)
        t[k] = 0.5 * (k + 1);
    for (int j = 0; j < 9; j++)
        q[j] = 0.1 * (j + 1);
    lrk_kmc_result *r[3];
    const int threads[3] = {1, 2, 2};
    const long batches[3] = {6, 6, 6};
    for (int i = 0; i < 3; i++) {
        lrk_kmc_params p = {.model = &m, .t = t, .t_count = 20, .q_levels = q, .level_count = 9, .seed = 3,
                            .trajectories = 60, .batches = batches[i], .threads = threads[i]};
        lrk_error err = {{0}};
        cr_assert_eq(lrk_kmc_run_all(&p, &r[i], &err), LRK_OK, "%s", err.message);
    }
    assert_same_results(r[0], r[1]);
    assert_same_results(r[0], r[2]);
    /* the offsets change the trajectories (the draw is not skipped) */
    lrk_model plain = m;
    plain.disorder.width = 0;
    lrk_kmc_params p = {.model = &plain, .t = t, .t_count = 20, .q_levels = q, .level_count = 9, .seed = 3,
                        .trajectories = 60, .batches = 6, .threads = 1};
    lrk_kmc_result *none = NULL;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kmc_run_all(&p, &none, &err), LRK_OK, "%s", err.message);
    cr_assert(memcmp(none->t_mean, r[0]->t_mean, 9 * sizeof(double)) != 0);
    lrk_kmc_result_free(none);
    for (int i = 0; i < 3; i++)
        lrk_kmc_result_free(r[i]);
}

Test(space_disorder, stream_key_tags_the_disorder)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 64};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = 4, .Ly = 4, .Lz = 4, .d_el = 2,
                          .kernel = LRK_KERNEL_R3};
    uint32_t a[LRK_STREAM_ENTROPY_MAX], b[LRK_STREAM_ENTROPY_MAX];
    size_t na = lrk_stream_entropy(1, &m, LRK_STREAMS_INDEPENDENT, a);
    m.disorder = (lrk_disorder){LRK_DISORDER_UNIFORM, 0.5};
    size_t nb = lrk_stream_entropy(1, &m, LRK_STREAMS_INDEPENDENT, b);
    cr_assert_eq(nb, na + 4, "tag, kind and the width's two words");
    const size_t space_words = 8; /* tag, lattice, kernel, Lx, Ly, Lz, d_el (2) */
    size_t base = na - space_words;
    cr_assert_eq(memcmp(a, b, base * sizeof *a), 0, "the mean-field words unchanged");
    cr_assert_eq(b[base], LRK_STREAM_TAG_DISORDER, "disorder, then space");
    cr_assert_eq(b[base + 1], (uint32_t)LRK_DISORDER_UNIFORM);
    cr_assert_eq(b[base + 4], LRK_STREAM_TAG_SPACE);
    cr_assert_eq(memcmp(a + base, b + base + 4, space_words * sizeof *a), 0);
}

/* Lattice points whose trajectories differ have their own streams (without
 * the space words, a sweep over d_el or the kernel would reuse the same
 * random numbers at every point); the uniform kernel's d_el is only the
 * avalanche criterion, so it keeps them. */
Test(space_disorder, stream_key_tags_the_space)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 64};
    uint32_t plain[LRK_STREAM_ENTROPY_MAX], w[LRK_STREAM_ENTROPY_MAX];
    size_t n0 = lrk_stream_entropy(1, &m, LRK_STREAMS_INDEPENDENT, plain);
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = 4, .Ly = 4, .Lz = 4, .d_el = 2,
                          .kernel = LRK_KERNEL_R3};
    size_t n = lrk_stream_entropy(1, &m, LRK_STREAMS_INDEPENDENT, w);
    cr_assert_eq(n, n0 + 8);
    cr_assert_eq(memcmp(plain, w, n0 * sizeof *w), 0, "mean-field points keep their streams");
    lrk_stream_key keys[5];
    lrk_stream_key_init(&keys[0], 1, &m, LRK_STREAMS_INDEPENDENT);
    m.space.d_el = 3;
    lrk_stream_key_init(&keys[1], 1, &m, LRK_STREAMS_INDEPENDENT);
    m.space.Lx = 2, m.space.Lz = 8;
    lrk_stream_key_init(&keys[2], 1, &m, LRK_STREAMS_INDEPENDENT);
    m.space.kernel = LRK_KERNEL_UNIFORM;
    lrk_stream_key_init(&keys[3], 1, &m, LRK_STREAMS_INDEPENDENT);
    m.space.d_el = 1.5;
    lrk_stream_key_init(&keys[4], 1, &m, LRK_STREAMS_INDEPENDENT);
    for (int i = 0; i < 4; i++)
        for (int j = i + 1; j < 4; j++)
            cr_assert_neq(memcmp(keys[i].pool, keys[j].pool, sizeof keys[i].pool), 0, "keys %d and %d", i, j);
    cr_assert_eq(memcmp(keys[3].pool, keys[4].pool, sizeof keys[3].pool), 0, "uniform: d_el does not enter");
    /* common streams stay the seed alone */
    cr_assert_eq(lrk_stream_entropy(1, &m, LRK_STREAMS_COMMON, w), 2);
}

/* ---- configuration ------------------------------------------------------------ */

Test(space_disorder, configuration_round_trips_and_check_accepts_what_run_runs)
{
    const char *yaml = SPACE_DISORDER("  V1: 1.0\n  space: {lattice: cubic, L: 4, d_el: 2.5, kernel: r3}\n"
                                      "  disorder: {distribution: exponential, width: 0.3}\n");
    lrk_config a, b;
    load(&a, yaml);
    char *text = NULL;
    size_t size = 0;
    FILE *f = open_memstream(&text, &size);
    lrk_error err = {{0}};
    cr_assert_eq(lrk_config_emit(&a, f, &err), LRK_OK, "%s", err.message);
    fclose(f);
    cr_assert(strstr(text, "disorder:") != NULL && strstr(text, "space:") != NULL, "%s", text);
    load(&b, text);
    cr_assert(lrk_config_equal(&a, &b), "emitted and re-read:\n%s", text);
    uint64_t ha, hb;
    cr_assert_eq(lrk_config_hash(&a, 0, &ha, &err), LRK_OK);
    cr_assert_eq(lrk_config_hash(&b, 0, &hb, &err), LRK_OK);
    cr_assert_eq(ha, hb);
    /* the disorder is part of the resume hash */
    lrk_config c;
    load(&c, SPACE_DISORDER("  V1: 1.0\n  space: {lattice: cubic, L: 4, d_el: 2.5, kernel: r3}\n"
                            "  disorder: {distribution: exponential, width: 0.4}\n"));
    uint64_t hc;
    cr_assert_eq(lrk_config_hash(&c, 0, &hc, &err), LRK_OK);
    cr_assert_neq(ha, hc);
    /* what validate accepts the KMC accepts (lrk_kmc_validate runs the engine's checks) */
    lrk_kmc_params p = {.model = &a.model, .t = (double[]){1.0}, .t_count = 1, .q_levels = (double[]){0.5},
                        .level_count = 1, .seed = 1, .trajectories = 2, .batches = 1, .threads = 1};
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_OK, "%s", err.message);
    free(text);
    lrk_config_free(&a);
    lrk_config_free(&b);
    lrk_config_free(&c);
}

Test(space_disorder, bad_combinations_name_the_parameter)
{
    /* CER, V1/T = 300: the disorder's own rule (log-rates <= 650) holds, but
     * a site whose neighbours all relaxed has relative rate e^((V1 - lo)/T)
     * and the box sums 1000 of them: beyond a double */
    char *m = refusal("model: {mode: cer, V0: 0, V1: 300, T: 1, space: {lattice: cubic, L: 10, d_el: 2},\n"
                      "        disorder: {distribution: uniform, width: 399}}\n");
    cr_assert(m != NULL, "refused");
    cr_assert(strstr(m, "model.disorder.width") && strstr(m, "model.space") && strstr(m, "< 700"), "%s", m);
    free(m);
    /* the same without space is a valid mean-field disorder model */
    m = refusal("model: {mode: cer, V0: 0, V1: 300, T: 1, N: 1000, disorder: {distribution: uniform, width: 39}}\n");
    cr_assert(m == NULL, "%s", m);
    /* the representability rule of the disorder applies in space as well */
    m = refusal("model: {mode: ser, V0: 1, V1: 1, T: 0.01, space: {lattice: cubic, L: 4},\n"
                "        disorder: {distribution: exponential, width: 1}}\n");
    cr_assert(m != NULL && strstr(m, "model.disorder.width"), "%s", m);
    free(m);
}

/* ---- the tiny-box master equation as a run reference ------------------------ */

static double column(const char *csv, const char *name, int row)
{
    const char *line = csv;
    int col = -1, i = 0;
    for (const char *p = line; *p && *p != '\n'; i++) {
        const char *end = strpbrk(p, ",\n");
        size_t len = end ? (size_t)(end - p) : strlen(p);
        if (strlen(name) == len && strncmp(p, name, len) == 0)
            col = i;
        if (!end || *end == '\n')
            break;
        p = end + 1;
    }
    cr_assert(col >= 0, "no column %s", name);
    for (int r = 0; r <= row; r++) {
        line = strchr(line, '\n');
        cr_assert(line != NULL, "no row %d", row);
        line++;
    }
    for (int c = 0; c < col; c++)
        line = strchr(line, ',') + 1;
    return *line == ',' || *line == '\n' ? NAN : strtod(line, NULL);
}

Test(space_disorder, tiny_box_master_equation_is_the_reference_of_a_cli_run)
{
    char dir[] = "/tmp/lrekmc-tinybox-XXXXXX";
    cr_assert(mkdtemp(dir) != NULL);
    char path[256], out[300], yaml[1024];
    snprintf(path, sizeof path, "%s/tiny.yaml", dir);
    snprintf(out, sizeof out, "%s/out", dir);
    snprintf(yaml, sizeof yaml,
             "model: {mode: ser, V0: 1.0, V1: 1.0, T: 0.4, crossover: {A: 2.0, T0: 0.5},\n"
             "        space: {lattice: cubic, L: 2, Ly: 2, Lz: 3, d_el: 2, kernel: r3}}\n"
             "kmc: {trajectories: 3000, seed: 11}\ngrid: {t_max: auto, points: 60}\nfit: {batches: 10}\n"
             "output: {dir: %s}\nsweep:\n  model.mode: [ser, cer, crossover]\n",
             out);
    FILE *f = fopen(path, "w");
    fputs(yaml, f);
    fclose(f);
    char *argv[] = {"lrekmc", "run", "--quiet", path, NULL};
    run_result r = run_cli(argv);
    cr_assert_eq(r.status, 0, "%s", r.err);
    free_result(&r);
    char summary[320];
    snprintf(summary, sizeof summary, "%s/summary.csv", out);
    f = fopen(summary, "r");
    cr_assert(f != NULL);
    static char csv[1 << 16];
    size_t n = fread(csv, 1, sizeof csv - 1, f);
    csv[n] = 0;
    fclose(f);
    for (int row = 0; row < 3; row++) {
        double zg = column(csv, "z_max_grid", row), zl = column(csv, "z_max_levels", row);
        cr_log_info("tiny box 2x2x3, mode %d: z_max_grid %.2f, z_max_levels %.2f", row, zg, zl);
        cr_assert(isfinite(zg) && isfinite(zl), "both parts compared (row %d)", row);
        cr_assert_lt(fmax(zg, zl), 5, "row %d", row);
        cr_assert(isnan(column(csv, "chi2", row)), "no chi2: the increments are correlated in space");
    }
    char command[700];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    cr_assert_eq(system(command), 0);
}

/* The same reference through the library, and the same KMC against the
 * master equation of a wrong box: d_el = 1 (face neighbours only) and V1
 * 10 % too strong must both be rejected. */
Test(space_disorder, tiny_box_rejects_a_wrong_master_equation)
{
    lrk_point p;
    compute("model: {mode: ser, V0: 1.0, V1: 1.0, T: 0.4, space: {lattice: cubic, L: 2, d_el: 2, kernel: r3}}\n"
            "kmc: {trajectories: 4000, seed: 12}\ngrid: {t_max: auto, points: 60}\nfit: {batches: 10}\n",
            &p);
    cr_assert(p.q_exact_mean != NULL && p.t_exact_mean != NULL, "the master equation fills the columns");
    cr_assert_lt(p.comparison.z_max, 5, "z_max = %g", p.comparison.z_max);
    double *qm = calloc(p.t_count, sizeof *qm), *qs = calloc(p.t_count, sizeof *qs);
    double *tm = calloc(p.level_count, sizeof *tm), *ts = calloc(p.level_count, sizeof *ts);
    lrk_error err = {{0}};
    double z[2];
    for (int b = 0; b < 2; b++) {
        lrk_model wrong = p.model;
        if (b == 0)
            wrong.space.d_el = 1;
        else
            wrong.V1 *= 1.1;
        cr_assert_eq(lrk_lattice_master_solve(&wrong, p.t, p.t_count, qm, qs, p.level_event, p.level_count, tm, ts,
                                              &err),
                     LRK_OK, "%s", err.message);
        for (size_t j = 0; j < p.level_count; j++)
            ts[j] *= ts[j];
        z[b] = z_against(&p, qm, qs, tm, ts);
    }
    cr_log_info("tiny box 2x2x2 SER: z_max = %.2f; wrong d_el = 1: %.1f; V1 x 1.1: %.1f", p.comparison.z_max, z[0],
                z[1]);
    cr_assert_gt(z[0], 5, "d_el = 1: z = %g", z[0]);
    cr_assert_gt(z[1], 5, "V1 x 1.1: z = %g", z[1]);
    free(qm);
    free(qs);
    free(tm);
    free(ts);
    lrk_point_free(&p);
}

Test(space_disorder, tiny_box_master_equation_respects_its_switch_and_limit)
{
    lrk_point p;
    compute("model: {mode: cer, V0: 1.0, V1: 1.0, T: 0.5, space: {lattice: cubic, L: 2, d_el: 2, kernel: r3}}\n"
            "kmc: {trajectories: 20, seed: 1}\ngrid: {points: 10}\nfit: {batches: 2}\n"
            "references: {master_equation: off}\n",
            &p);
    cr_assert(p.q_exact_mean == NULL && p.t_exact_mean == NULL, "off: no master equation");
    lrk_point_free(&p);
    /* 2 x 2 x 4 = 16 > the auto limit of 12 */
    compute("model: {mode: cer, V0: 1.0, V1: 1.0, T: 0.5, space: {lattice: cubic, L: 2, Lz: 4, d_el: 2, kernel: r3}}\n"
            "kmc: {trajectories: 20, seed: 1}\ngrid: {points: 10}\nfit: {batches: 2}\n",
            &p);
    cr_assert(p.q_exact_mean == NULL, "auto stops at N = 12");
    lrk_point_free(&p);
    /* CER with V1/T = 30: the uniformization would need ~e^30 sub-steps over
     * the grid: left out (the run does not hang on its reference) */
    compute("model: {mode: cer, V0: 1.0, V1: 6.0, T: 0.2, space: {lattice: cubic, L: 2, d_el: 2, kernel: r3}}\n"
            "kmc: {trajectories: 20, seed: 1}\ngrid: {points: 10}\nfit: {batches: 2}\n",
            &p);
    cr_assert(p.q_exact_mean == NULL && p.t_exact_mean == NULL, "beyond the work bound: left out");
    cr_assert(p.q_ode != NULL);
    lrk_point_free(&p);
}
