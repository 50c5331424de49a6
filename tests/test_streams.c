/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_streams.c - the trajectory streams (streams.h): the documented
 * derivation, what the point key depends on, and two statistical tests that
 * the old seeding (pcg64 (seed, stream i)) fails:
 *   - chi2 of the first-passage increments over 1200 seeds, through the point
 *     pipeline: its mean and the uniformity of chi2_p against their exact null
 *     distributions;
 *   - block means and the lag-1 correlation over 2^20 consecutive
 *     trajectories of one run.
 * This program is linked with its own copy of src/streams.c built with
 * LREKMC_TEST_HOOKS (tests/streams.cmake), whose streams_test_legacy brings
 * the old seeding back; the legacy_* tests require the statistics to reject
 * it, so the tests are known to have the power they claim.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"
#include "lrekmc/kmc.h"
#include "lrekmc/point.h"
#include "lrekmc/streams.h"

#include "kmc_same.h"
#include "kolmogorov.h"

extern int streams_test_legacy; /* src/streams.c under LREKMC_TEST_HOOKS */

/* ---- the derivation ------------------------------------------------------ */

static uint64_t bits_of(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b;
}

Test(streams, entropy_words_follow_the_documented_layout)
{
    lrk_model m = {.mode = LRK_MODE_CROSSOVER, .V0 = 1.5, .V1 = 2, .T = 0.25, .A = -3, .T0 = 0.07, .N = 5000000000L};
    uint64_t seed = 0x0123456789abcdefULL;
    uint32_t w[LRK_STREAM_ENTROPY_MAX];
    size_t n = lrk_stream_entropy(seed, &m, LRK_STREAMS_INDEPENDENT, w);
    uint64_t fields[] = {bits_of(1.5), bits_of(2), bits_of(0.25), 5000000000ULL, bits_of(-3), bits_of(0.07)};
    cr_assert_eq(n, 2 + 1 + 2 * 6);
    cr_expect_eq(w[0], 0x89abcdefu);
    cr_expect_eq(w[1], 0x01234567u);
    cr_expect_eq(w[2], 2u, "mode crossover is 2");
    for (size_t k = 0; k < 6; k++) {
        cr_expect_eq(w[3 + 2 * k], (uint32_t)fields[k], "field %zu low word", k);
        cr_expect_eq(w[4 + 2 * k], (uint32_t)(fields[k] >> 32), "field %zu high word", k);
    }
    m.mode = LRK_MODE_SER; /* A and T0 do not enter the chain: not in the key */
    cr_expect_eq(lrk_stream_entropy(seed, &m, LRK_STREAMS_INDEPENDENT, w), 2 + 1 + 2 * 4);
    cr_expect_eq(lrk_stream_entropy(seed, &m, LRK_STREAMS_COMMON, w), 2, "common: the seed alone");
}

static int same_key(const lrk_stream_key *a, const lrk_stream_key *b)
{
    return memcmp(a->pool, b->pool, sizeof a->pool) == 0 && a->hash_const == b->hash_const;
}

static lrk_stream_key key_of(const lrk_model *m, lrk_streams s)
{
    lrk_stream_key k;
    lrk_stream_key_init(&k, 42, m, s);
    return k;
}

/* Independent streams: every parameter of the law moves the key, and only
 * those; common streams: nothing but the seed does. */
Test(streams, key_depends_on_the_law_only)
{
    lrk_model base = {.mode = LRK_MODE_CROSSOVER, .V0 = 1, .V1 = 2, .T = 1, .A = 0.5, .T0 = 0.06, .N = 50};
    lrk_stream_key k0 = key_of(&base, LRK_STREAMS_INDEPENDENT), c0 = key_of(&base, LRK_STREAMS_COMMON);
    lrk_model changed[7];
    for (int i = 0; i < 7; i++)
        changed[i] = base;
    changed[0].mode = LRK_MODE_SER;
    changed[1].V0 = nextafter(1, 2);
    changed[2].V1 = 2.5;
    changed[3].T = 0.5;
    changed[4].A = 0.75;
    changed[5].T0 = 0.07;
    changed[6].N = 51;
    for (int i = 0; i < 7; i++) {
        lrk_stream_key k = key_of(&changed[i], LRK_STREAMS_INDEPENDENT), c = key_of(&changed[i], LRK_STREAMS_COMMON);
        cr_expect(!same_key(&k, &k0), "change %d must give other independent streams", i);
        cr_expect(same_key(&c, &c0), "change %d must keep the common streams", i);
    }
    cr_expect(!same_key(&k0, &c0));
    lrk_model ser = base, ser2 = base;
    ser.mode = ser2.mode = LRK_MODE_SER;
    ser2.A = 7; /* ignored by ser */
    ser2.V0 = 1;
    lrk_stream_key a = key_of(&ser, LRK_STREAMS_INDEPENDENT), b = key_of(&ser2, LRK_STREAMS_INDEPENDENT);
    cr_expect(same_key(&a, &b), "A does not enter mode ser");
    ser2.V1 = -0.0;
    ser.V1 = 0.0;
    a = key_of(&ser, LRK_STREAMS_INDEPENDENT);
    b = key_of(&ser2, LRK_STREAMS_INDEPENDENT);
    cr_expect(same_key(&a, &b), "-0 and +0 are the same law");
}

/* lrk_trajectory_rng is step 4 applied to the documented state words. */
Test(streams, generator_is_pcg64_of_the_state_words)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2, .T = 1, .N = 50};
    lrk_stream_key key = key_of(&m, LRK_STREAMS_INDEPENDENT);
    const long indices[] = {0, 1, 7, 4294967295L, 4294967296L, (1L << 50) - 1};
    for (size_t k = 0; k < sizeof indices / sizeof indices[0]; k++) {
        uint64_t w[4];
        lrk_trajectory_state_words(&key, (uint64_t)indices[k], w);
        lrk_pcg64 ours, expected;
        lrk_trajectory_rng(&key, indices[k], &ours);
        lrk_pcg64_seed128(&expected, (lrk_uint128)w[0] << 64 | w[1], (lrk_uint128)w[2] << 64 | w[3]);
        cr_assert(ours.state == expected.state && ours.increment == expected.increment, "index %ld", indices[k]);
        cr_assert(ours.increment & 1u);
    }
}

Test(streams, kolmogorov_distribution_matches_scipy)
{
    /* scipy.stats.kstwo(n).cdf(d), SciPy 1.10 */
    static const struct { int n; double d, cdf; } ref[] = {
        {1200, 0.0255, 0.590660072248837}, {1200, 0.04, 0.9581721946811371},
        {100, 0.1, 0.7473072429936126},    {1000, 0.06, 0.998571401884381},
        {10, 0.3, 0.7294644252000005},
    };
    for (size_t i = 0; i < sizeof ref / sizeof ref[0]; i++) {
        double p = kolmogorov_cdf(ref[i].n, ref[i].d);
        cr_expect_lt(fabs(p - ref[i].cdf), 1e-5 * (1 - ref[i].cdf) + 1e-12, "n %d d %g: %.15g, scipy %.15g",
                     ref[i].n, ref[i].d, p, ref[i].cdf);
    }
}

/* ---- what the streams do not depend on ----------------------------------- */

static lrk_config small_config(void)
{
    lrk_config c;
    lrk_config_defaults(&c);
    c.model.N = 40;
    c.model.V1 = 2;
    c.kmc.trajectories = 300;
    c.kmc.threads = 2;
    c.grid.points = 30;
    c.fit.batches = 6;
    return c;
}

static void compute(const lrk_config *c, lrk_point *p)
{
    lrk_error err;
    cr_assert_eq(lrk_point_compute(c, NULL, p, &err), LRK_OK, "%s", err.message);
}

/* A point's numbers are its own: run alone, or as point 4 of a 2 x 3 sweep
 * (another seed order, other neighbours), they are the same bytes. */
Test(streams, point_in_a_sweep_equals_the_point_alone)
{
    static const char yaml[] = "model: {N: 40, V1: 2}\n"
                               "kmc: {trajectories: 300, threads: 2}\n"
                               "grid: {points: 30}\nfit: {batches: 6}\n"
                               "sweep:\n  model.V0: [0.5, 1]\n  model.T: [0.5, 1, 2]\n";
    lrk_config base, point, alone = small_config();
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&base);
    cr_assert_eq(lrk_config_load_string(&base, "sweep.yaml", yaml, sizeof yaml - 1, &d), LRK_OK);
    cr_assert_eq(lrk_config_validate(&base, &d), LRK_OK);
    cr_assert_eq(lrk_config_sweep_point(&point, &base, 4, &d), LRK_OK); /* V0 = 1, T = 1 */
    cr_assert_eq(point.model.V0, 1.0);
    cr_assert_eq(point.model.T, 1.0);
    cr_assert_eq(lrk_config_validate(&alone, &d), LRK_OK);
    lrk_point a, b;
    compute(&point, &a);
    compute(&alone, &b);
    assert_same_results(a.kmc, b.kmc);
    lrk_point_free(&a);
    lrk_point_free(&b);
    lrk_config_free(&point);
    lrk_config_free(&base);
    lrk_config_free(&alone);
    lrk_diagnostics_free(&d);
}

/* Trajectory i is the same whatever the number of trajectories, the batches,
 * the grid and the levels: only (seed, model, i) choose its generator. */
Test(streams, trajectory_does_not_depend_on_the_run_around_it)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2, .T = 1, .N = 40};
    double q[1] = {1.0}, t_short[2] = {0.5, 1}, t_long[5] = {0.1, 0.2, 0.4, 0.8, 1.6};
    lrk_kmc_params small = {.model = &m, .t = t_short, .t_count = 2, .q_levels = q, .level_count = 1,
                            .seed = 9, .trajectories = 100, .batches = 3, .threads = 1, .keep_first_passage = 1};
    lrk_kmc_params large = small;
    large.t = t_long;
    large.t_count = 5;
    large.trajectories = 1000;
    large.batches = 17;
    large.threads = 2;
    lrk_kmc_result *a, *b;
    lrk_error err;
    cr_assert_eq(lrk_kmc_run_all(&small, &a, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_run_all(&large, &b, &err), LRK_OK, "%s", err.message);
    cr_expect(memcmp(a->first_passage, b->first_passage, 100 * sizeof(double)) == 0);
    lrk_kmc_result_free(a);
    lrk_kmc_result_free(b);
}

/* Merging results of different streams is refused (it would mix ensembles). */
Test(streams, merge_refuses_other_streams)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2, .T = 1, .N = 10};
    double q[1] = {1.0};
    lrk_kmc_params p = {.model = &m, .q_levels = q, .level_count = 1, .seed = 1, .trajectories = 20,
                        .batches = 2, .threads = 1};
    lrk_kmc_params other = p;
    other.streams = LRK_STREAMS_COMMON;
    lrk_kmc_result *whole, *part;
    lrk_error err;
    cr_assert_eq(lrk_kmc_result_create(&p, 0, -1, &whole, &err), LRK_OK);
    cr_assert_eq(lrk_kmc_result_create(&other, 1, 1, &part, &err), LRK_OK);
    cr_assert_eq(lrk_kmc_run(&other, part, &err), LRK_OK);
    cr_expect_eq(lrk_kmc_result_merge(whole, part, &err), LRK_ERR_INVALID);
    cr_expect(strstr(err.message, "random streams") != NULL, "%s", err.message);
    lrk_kmc_result_free(whole);
    lrk_kmc_result_free(part);
    p.streams = (lrk_streams)7;
    cr_expect_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    cr_expect(strstr(err.message, "kmc.streams") != NULL, "%s", err.message);
}

/* ---- chi2 over many seeds, through the point pipeline --------------------- */

/* N = 50, SER V0 = 1, V1 = 2, T = 1 with the default 99 q-levels: levels fall
 * on every event 1..50, so each chi2 term is the standardized mean of M
 * i.i.d. single waiting times (exponential), with the exact mean and
 * variance.  Exactly E[dz^2] = 1 and Var(dz^2) = 2 + 6/M (the exponential's
 * excess kurtosis is 6), and the 50 terms are independent: over S seeds the
 * mean chi2 has mean 50 and standard deviation sqrt(50 (2 + 6/M) / S),
 * whatever M.  chi2_p is uniform up to the non-normality of dz; the
 * skewness term cancels in dz^2 (even in dz), leaving O(1/M): a shift of the
 * p-values' CDF far below the KS resolution (~0.04 at S = 1200).
 * S = 1200 seeds of M = 1000 trajectories is 6e7 events; 10 % excess
 * variance of the trajectory means would move the mean chi2 by 17 sigma. */
#define CHI2_SEEDS 1200
#define CHI2_TRAJECTORIES 1000
#define CHI2_DOF 50

typedef struct chi2_outcome {
    double z_mean;   /* (mean chi2 - 50) / its standard deviation */
    double ks_d, ks_p;
} chi2_outcome;

static int compare_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static chi2_outcome chi2_over_seeds(void)
{
    lrk_config c;
    lrk_config_defaults(&c);
    c.model.V1 = 2;
    c.model.N = 50;
    c.kmc.trajectories = CHI2_TRAJECTORIES;
    c.kmc.threads = 1;
    c.grid.points = 20;
    c.fit.batches = 2;
    c.references.master_equation = LRK_SWITCH_OFF; /* chi2 needs only the first-passage moments */
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK);
    static double p_values[CHI2_SEEDS];
    double sum = 0;
    for (int s = 0; s < CHI2_SEEDS; s++) {
        c.kmc.seed = 1000 + (uint64_t)s;
        lrk_point p;
        compute(&c, &p);
        cr_assert_eq(p.comparison.chi2_dof, CHI2_DOF);
        sum += p.comparison.chi2;
        p_values[s] = p.comparison.chi2_p;
        lrk_point_free(&p);
    }
    lrk_config_free(&c);
    lrk_diagnostics_free(&d);
    chi2_outcome out;
    double sd = sqrt(CHI2_DOF * (2 + 6.0 / CHI2_TRAJECTORIES) / CHI2_SEEDS);
    out.z_mean = (sum / CHI2_SEEDS - CHI2_DOF) / sd;
    qsort(p_values, CHI2_SEEDS, sizeof p_values[0], compare_double);
    out.ks_d = ks_statistic_uniform(p_values, CHI2_SEEDS);
    out.ks_p = 1 - kolmogorov_cdf(CHI2_SEEDS, out.ks_d);
    return out;
}

/* Both checks at the 1e-4 level: |z| < 3.89, KS p > 1e-4. */
#define Z_BOUND 3.89
#define P_BOUND 1e-4

Test(streams, chi2_over_1200_seeds_has_its_exact_distribution)
{
    chi2_outcome o = chi2_over_seeds();
    cr_log_info("chi2 over %d seeds: z of the mean %.2f, KS D %.4f p %.3g", CHI2_SEEDS, o.z_mean, o.ks_d, o.ks_p);
    cr_expect_lt(fabs(o.z_mean), Z_BOUND, "mean chi2 is %.2f sigma from 50", o.z_mean);
    cr_expect_gt(o.ks_p, P_BOUND, "chi2_p is not uniform: KS D = %.4f, p = %.3g", o.ks_d, o.ks_p);
}

Test(streams, legacy_seeding_fails_the_chi2_test)
{
    streams_test_legacy = 1;
    chi2_outcome o = chi2_over_seeds();
    streams_test_legacy = 0;
    cr_log_info("legacy seeding, chi2 over %d seeds: z of the mean %.2f, KS D %.4f p %.3g", CHI2_SEEDS, o.z_mean,
                o.ks_d, o.ks_p);
    cr_expect_gt(fabs(o.z_mean), Z_BOUND, "the test no longer sees the old fault (z %.2f)", o.z_mean);
    cr_expect_lt(o.ks_p, P_BOUND, "the KS test no longer sees the old fault (p %.3g)", o.ks_p);
}

/* ---- correlations between consecutive trajectories ------------------------ */

/* One run of 2^20 trajectories (same model, 50 levels).  Each trajectory
 * gives 50 independent standardized waiting times x = lambda_n tau_n - 1
 * (mean 0, variance 1, E x^4 = 9).  For blocks of b consecutive trajectories
 * V_b = mean over blocks and levels of b (block mean)^2 has, for independent
 * trajectories, mean 1 and variance (2 + 6/b) / (blocks x 50): at b = 1000
 * (1048 blocks) sd = 0.0062, so the 10 % inflation of the issue is 16 sigma.
 * The lag-1 correlation r1 = mean of x_i x_{i+1} (same level) has sd
 * 1/sqrt(50 (2^20 - 1)) = 1.4e-4. */
#define BLOCK_TRAJECTORIES (1L << 20)
#define BLOCK_SIZES 3
#define LEVELS 50

typedef struct block_state {
    double rate[LEVELS];
    double sums[BLOCK_SIZES][LEVELS], squares[BLOCK_SIZES];
    long blocks[BLOCK_SIZES];
    double previous[LEVELS], lag1;
    long seen;
} block_state;

static const long block_size[BLOCK_SIZES] = {10, 100, 1000};

static lrk_status add_rows(void *user, long first, long count, size_t level_count, const double *times)
{
    block_state *s = user;
    cr_assert_eq(first, s->seen, "rows arrive in trajectory order");
    cr_assert_eq(level_count, LEVELS);
    for (long i = 0; i < count; i++, s->seen++) {
        const double *row = times + (size_t)i * LEVELS;
        for (int j = 0; j < LEVELS; j++) {
            double x = (row[j] - (j > 0 ? row[j - 1] : 0)) * s->rate[j] - 1;
            if (s->seen > 0)
                s->lag1 += x * s->previous[j];
            s->previous[j] = x;
            for (int k = 0; k < BLOCK_SIZES; k++)
                s->sums[k][j] += x;
        }
        for (int k = 0; k < BLOCK_SIZES; k++)
            if ((s->seen + 1) % block_size[k] == 0) {
                for (int j = 0; j < LEVELS; j++) {
                    s->squares[k] += s->sums[k][j] * s->sums[k][j] / (double)block_size[k];
                    s->sums[k][j] = 0;
                }
                s->blocks[k]++;
            }
    }
    return LRK_OK;
}

/* z[k] of V_b for each block size, then z of r1 in z[BLOCK_SIZES]. */
static void block_statistics(double z[BLOCK_SIZES + 1])
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2, .T = 1, .N = LEVELS};
    double q[LEVELS];
    static block_state s;
    memset(&s, 0, sizeof s);
    for (int j = 0; j < LEVELS; j++) {
        q[j] = (j + 1.0) / LEVELS;
        s.rate[j] = lrk_model_rate(&m, j);
        cr_assert_eq(lrk_level_event_count(q[j], LEVELS), j + 1);
    }
    lrk_kmc_params p = {.model = &m, .q_levels = q, .level_count = LEVELS, .seed = 42,
                        .trajectories = BLOCK_TRAJECTORIES, .batches = 64, .threads = 2,
                        .first_passage_sink = add_rows, .first_passage_user = &s};
    lrk_kmc_result *r;
    lrk_error err;
    cr_assert_eq(lrk_kmc_run_all(&p, &r, &err), LRK_OK, "%s", err.message);
    lrk_kmc_result_free(r);
    for (int k = 0; k < BLOCK_SIZES; k++) {
        double terms = (double)s.blocks[k] * LEVELS;
        z[k] = (s.squares[k] / terms - 1) / sqrt((2 + 6.0 / (double)block_size[k]) / terms);
    }
    double pairs = (double)(s.seen - 1) * LEVELS;
    z[BLOCK_SIZES] = s.lag1 / pairs * sqrt(pairs);
}

Test(streams, consecutive_trajectories_are_uncorrelated)
{
    double z[BLOCK_SIZES + 1];
    block_statistics(z);
    cr_log_info("block means z: b=10 %.2f, b=100 %.2f, b=1000 %.2f; lag-1 z %.2f", z[0], z[1], z[2], z[3]);
    for (int k = 0; k < BLOCK_SIZES; k++)
        cr_expect_lt(fabs(z[k]), Z_BOUND, "blocks of %ld: variance of the block means %.2f sigma off", block_size[k],
                     z[k]);
    cr_expect_lt(fabs(z[BLOCK_SIZES]), Z_BOUND, "lag-1 correlation %.2f sigma off 0", z[BLOCK_SIZES]);
}

Test(streams, legacy_seeding_fails_the_correlation_test)
{
    streams_test_legacy = 1;
    double z[BLOCK_SIZES + 1];
    block_statistics(z);
    streams_test_legacy = 0;
    cr_log_info("legacy seeding, block means z: b=10 %.2f, b=100 %.2f, b=1000 %.2f; lag-1 z %.2f", z[0], z[1], z[2],
                z[3]);
    for (int k = 0; k < BLOCK_SIZES + 1; k++)
        cr_expect_gt(fabs(z[k]), Z_BOUND, "statistic %d no longer sees the old fault (z %.2f)", k, z[k]);
}
