/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_disorder.c - quenched barrier disorder in the spatial engine
 * (lattice_engine.h) against exact references at fixed seeds, |z| < 5:
 *   - V1 = 0: the sites are independent, each relaxed by time t with
 *     probability pbar(t) = E_delta[1 - exp(-k(delta) t)]
 *     (lrk_disorder_relaxed_fraction), so n(t) ~ Binomial(N, pbar(t))
 *     exactly: the mean of q(t) with sd sqrt(pbar (1 - pbar) / N) / sqrt(M),
 *     for normal, bimodal and exponential offsets, through the grouped
 *     (8 x 8 x 4) and the ungrouped (6 x 6 x 6) update;
 *   - the uniform kernel with bimodal offsets and any c V1 is the disorder
 *     model of disorder.h exactly: level-time means against the exact
 *     two-class recursion (lrk_disorder_bimodal_levels);
 *   - the contract: the offsets are the trajectory's first draws, site i in
 *     row-major order gets delta_i, its rate starts at exp(-delta_i / T);
 *   - bad input: disorder whose rates doubles cannot hold is refused with
 *     the parameter named.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "../src/lattice_engine_internal.h"
#include "lrekmc/disorder.h"
#include "lrekmc/grid.h"
#include "lrekmc/lattice_engine.h"

#define K 30
#define Z_MAX 5.0

static lrk_model make(lrk_mode mode, double V1, double T, long Lx, long Ly, long Lz, double d_el, lrk_kernel kernel,
                      lrk_disorder_kind kind, double width)
{
    lrk_model m = {.mode = mode, .V0 = 1, .V1 = V1, .T = T, .A = 0.5, .T0 = 0.06, .N = Lx * Ly * Lz};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = kernel};
    m.disorder = (lrk_disorder){kind, width};
    return m;
}

/* The same model without the lattice: what the disorder references take. */
static lrk_model flat(const lrk_model *m)
{
    lrk_model f = *m;
    f.space.lattice = LRK_LATTICE_NONE;
    return f;
}

static double pbar(const lrk_model *m, double t)
{
    lrk_model f = flat(m);
    double p, q;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_disorder_relaxed_fraction(&f, t, &p, &q, &err), LRK_OK, "%s", err.message);
    return p;
}

/* Grid from pbar = 0.03 to 0.97 (bisection in log t). */
static void grid_for(const lrk_model *m, double *t)
{
    double lo = 1e-8, hi = 1e8, a = lo, b = hi;
    for (int i = 0; i < 200; i++) {
        double mid = sqrt(a * b);
        *(pbar(m, mid) < 0.03 ? &a : &b) = mid;
    }
    lo = a;
    a = lo;
    b = hi;
    for (int i = 0; i < 200; i++) {
        double mid = sqrt(a * b);
        *(pbar(m, mid) < 0.97 ? &a : &b) = mid;
    }
    hi = b;
    for (size_t k = 0; k < K; k++)
        t[k] = lo * pow(hi / lo, (double)k / (K - 1));
}

static void check_binomial(lrk_model m, long M, uint64_t seed, int expect_grouped, int use_floats)
{
    double t[K];
    grid_for(&m, t);
    long levels[1] = {m.N};
    lrk_lattice_grid g = {t, K, levels, 1};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(s->grouped, expect_grouped, "the update path under test");
    cr_assert(s->lazy && s->f32_ok, "V1 = 0: rates never rise, and these offsets allow the float upper bounds");
    cr_assert(lattice_test_f32(s, use_floats, 0x1p-22), "the double upper bounds, then the float ones");
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    double sum[K] = {0};
    uint32_t n_at[K + 1];
    double fp[1];
    for (long i = 0; i < M; i++) {
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, seed, (uint64_t)i);
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
        for (size_t k = 0; k < K; k++)
            sum[k] += n_at[k];
    }
    double worst = 0;
    for (size_t k = 0; k < K; k++) {
        double p = pbar(&m, t[k]), mean = sum[k] / (double)M / (double)m.N;
        double z = (mean - p) / sqrt(p * (1 - p) / (double)m.N / (double)M);
        worst = fabs(z) > fabs(worst) ? z : worst;
        cr_assert_lt(fabs(z), Z_MAX, "%s w=%g %ldx%ldx%ld: t=%g q %.6g exact %.6g z=%.2f",
                     lrk_disorder_name(m.disorder.kind), m.disorder.width, m.space.Lx, m.space.Ly, m.space.Lz,
                     t[k], mean, p, z);
    }
    cr_log_info("binomial %s w=%g %ldx%ldx%ld%s: worst z %.2f", lrk_disorder_name(m.disorder.kind), m.disorder.width,
                m.space.Lx, m.space.Ly, m.space.Lz, s->f32 ? ", float upper bounds" : "", worst);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_disorder, independent_sites_are_binomial_with_pbar)
{
    for (int f = 0; f < 2; f++) { /* the double upper bounds, then the float ones */
        check_binomial(make(LRK_MODE_SER, 0, 0.7, 8, 8, 4, 2, LRK_KERNEL_R3, LRK_DISORDER_NORMAL, 1.0), 400, 21 + 10 * f, 1, f);
        check_binomial(make(LRK_MODE_CER, 0, 0.7, 8, 8, 4, 2, LRK_KERNEL_R3, LRK_DISORDER_BIMODAL, 1.5), 400, 22 + 10 * f, 1, f);
        check_binomial(make(LRK_MODE_SER, 0, 0.7, 6, 6, 6, 2, LRK_KERNEL_R3, LRK_DISORDER_NORMAL, 1.0), 400, 23 + 10 * f, 0, f);
        check_binomial(make(LRK_MODE_SER, 0, 0.7, 6, 6, 6, 2, LRK_KERNEL_R3, LRK_DISORDER_BIMODAL, 1.5), 400, 24 + 10 * f, 0, f);
        check_binomial(make(LRK_MODE_SER, 0, 0.7, 8, 8, 4, 2, LRK_KERNEL_R3, LRK_DISORDER_EXPONENTIAL, 0.5), 400, 25 + 10 * f, 1, f);
    }
}

/* Uniform kernel + bimodal: the exact level times of the two-class chain. */
static void check_bimodal_levels(lrk_model m, long M, uint64_t seed)
{
    const double q[] = {0.1, 0.25, 0.5, 0.75, 0.9, 1.0};
    long levels[6];
    double mean[6], var[6], t[1] = {1e300};
    for (size_t j = 0; j < 6; j++)
        levels[j] = lrk_level_event_count(q[j], m.N);
    lrk_model f = flat(&m);
    lrk_error err = {{0}};
    cr_assert_eq(lrk_disorder_bimodal_levels(&f, levels, 6, mean, var, &err), LRK_OK, "%s", err.message);
    lrk_lattice_grid g = {t, 1, levels, 6};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    double sum[6] = {0};
    uint32_t n_at[2];
    double fp[6];
    for (long i = 0; i < M; i++) {
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, seed, (uint64_t)i);
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
        for (size_t j = 0; j < 6; j++)
            sum[j] += fp[j];
    }
    for (size_t j = 0; j < 6; j++) {
        double z = (sum[j] / (double)M - mean[j]) / sqrt(var[j] / (double)M);
        cr_assert_lt(fabs(z), Z_MAX, "uniform bimodal %s: level %zu t %.6g exact %.6g z=%.2f",
                     lrk_mode_name(m.mode), j, sum[j] / (double)M, mean[j], z);
    }
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_disorder, uniform_kernel_is_the_disorder_chain)
{
    check_bimodal_levels(make(LRK_MODE_SER, 2, 0.7, 6, 6, 6, 1, LRK_KERNEL_UNIFORM, LRK_DISORDER_BIMODAL, 1.0),
                         2000, 31);
    check_bimodal_levels(make(LRK_MODE_CER, 1.5, 0.7, 5, 6, 7, 1, LRK_KERNEL_UNIFORM, LRK_DISORDER_BIMODAL, 1.0),
                         2000, 32);
}

Test(lattice_disorder, offsets_are_the_first_draws_in_row_major_order)
{
    lrk_model m = make(LRK_MODE_CER, 2, 0.8, 5, 3, 4, 2, LRK_KERNEL_R3, LRK_DISORDER_NORMAL, 0.6);
    double t[1] = {1};
    long levels[1] = {m.N};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, NULL), LRK_OK);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, NULL), LRK_OK);
    lrk_pcg64 a, b;
    lrk_pcg64_seed(&a, 77, 5);
    lrk_pcg64_seed(&b, 77, 5);
    lattice_test_begin(s, w, &a);
    double delta[60];
    lrk_disorder_draw(&m.disorder, &b, m.N, delta);
    for (long z = 0; z < 4; z++)
        for (long y = 0; y < 3; y++)
            for (long x = 0; x < 5; x++) {
                long site = x + 5 * (y + 3 * z);
                cr_assert_eq(w->lane[0].rate[s->ax[x] + s->ay[y] + s->az[z]], exp(-delta[site] / m.T), "site %ld", site);
            }
    cr_assert_eq(lrk_pcg64_next(&a), lrk_pcg64_next(&b), "nothing else drawn before the events");
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_disorder, unrepresentable_rates_are_refused)
{
    double t[1] = {1};
    long levels[1] = {64};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_lattice_shared *s;
    lrk_error err = {{0}};
    /* exponential offsets up to 44.5 w, relative rates down to exp(-(44.5 w + V1)/T): with
     * V0 = -100 the absolute log-rates stay inside the disorder engine's 650 */
    lrk_model ok = make(LRK_MODE_SER, 20, 1, 4, 4, 4, 1, LRK_KERNEL_R3, LRK_DISORDER_EXPONENTIAL, 15);
    ok.V0 = -100; /* 44.5 x 15 + 20 = 687.5 < 700 */
    cr_assert_eq(lrk_lattice_shared_create(&ok, &g, &s, &err), LRK_OK, "%s", err.message);
    lrk_lattice_shared_free(s);
    lrk_model bad = ok;
    bad.disorder.width = 15.5; /* 689.75 + 20 >= 700: a rate could underflow */
    cr_assert_eq(lrk_lattice_shared_create(&bad, &g, &s, &err), LRK_ERR_INVALID);
    cr_assert_null(s);
    cr_assert(strstr(err.message, "model.disorder.width") != NULL, "%s", err.message);
}
