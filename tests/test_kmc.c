/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_kmc.c - the KMC ensemble (kmc.h): identical bytes for any thread count
 * and any batch split, trajectories equal to an independent replay with the
 * public generator, exact quantiles, and the statistics against the exact
 * first-passage moments and the N = 1 solution (z-scores, fixed seeds).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/kmc.h"
#include "lrekmc/rng.h"

#include "kmc_same.h"

#define Z_MAX 5.0

static lrk_model make_model(lrk_mode mode, long N)
{
    lrk_model m = {.mode = mode, .V0 = 1.0, .V1 = 1.0, .T = 1.0, .A = 0.5, .T0 = 0.07, .N = N};
    if (mode == LRK_MODE_CROSSOVER) {
        m.V0 = 0.3;
        m.V1 = 0.115;
        m.T = 0.08;
    }
    return m;
}

static double exact_mean_time(const lrk_model *m, long events, int power)
{
    double sum = 0;
    for (long i = 0; i < events; i++)
        sum += pow(1.0 / lrk_model_rate(m, i), power);
    return sum;
}

static void fill_linear(double *x, size_t count, double from, double to)
{
    for (size_t i = 0; i < count; i++)
        x[i] = count == 1 ? from : from + (to - from) * (double)i / (double)(count - 1);
}

static lrk_kmc_result *run_ok(const lrk_kmc_params *p)
{
    lrk_kmc_result *r = NULL;
    lrk_error err = {{0}};
    lrk_status st = lrk_kmc_run_all(p, &r, &err);
    cr_assert_eq(st, LRK_OK, "lrk_kmc_run_all: %s", err.message);
    return r;
}

/* A small ensemble used by several tests: SER, N = 200, 7 uneven batches. */
typedef struct small_case {
    lrk_model model;
    double t[37];
    double q[19];
    lrk_kmc_params p;
} small_case;

static void small_case_init(small_case *c, long N, long trajectories, long batches)
{
    c->model = make_model(LRK_MODE_SER, N);
    fill_linear(c->t, 37, 0.0, exact_mean_time(&c->model, lrk_level_event_count(0.99, N), 1));
    fill_linear(c->q, 19, 0.05, 0.95);
    c->p = (lrk_kmc_params){.model = &c->model, .t = c->t, .t_count = 37, .q_levels = c->q,
                            .level_count = 19, .seed = 20261125, .trajectories = trajectories,
                            .batches = batches, .threads = 1, .keep_first_passage = 1};
}

Test(kmc, identical_bytes_for_1_2_3_4_threads)
{
    small_case c;
    small_case_init(&c, 200, 403, 7);
    lrk_kmc_result *one = run_ok(&c.p);
    for (int threads = 2; threads <= 4; threads++) {
        c.p.threads = threads;
        lrk_kmc_result *r = run_ok(&c.p);
        assert_same_results(one, r);
        lrk_kmc_result_free(r);
    }
    cr_assert_eq(one->events, (uint64_t)403 * 200);
    lrk_kmc_result_free(one);
}

/* Trajectory i replayed with the public generator, as kmc.h defines it. */
static void replay(const lrk_kmc_params *p, long i, long *n_at, double *first_passage)
{
    const lrk_model *m = p->model;
    lrk_stream_key key;
    lrk_stream_key_init(&key, p->seed, m, p->streams);
    lrk_pcg64 g;
    lrk_trajectory_rng(&key, i, &g);
    double time = 0;
    size_t k = 0;
    for (long n = 0; n < m->N; n++) {
        time += lrk_pcg64_exponential_ziggurat(&g) * (1.0 / lrk_model_rate(m, n));
        for (; k < p->t_count && p->t[k] < time; k++)
            n_at[k] = n;
        for (size_t j = 0; j < p->level_count; j++)
            if (lrk_level_event_count(p->q_levels[j], m->N) == n + 1)
                first_passage[j] = time;
    }
    for (; k < p->t_count; k++)
        n_at[k] = m->N;
}

static int compare_long(const void *a, const void *b)
{
    long x = *(const long *)a, y = *(const long *)b;
    return (x > y) - (x < y);
}

/* Check every trajectory, the means and the quantiles against the replay;
 * quantiles as the type-1 order statistic n_(ceil(p T)) of the sorted sample. */
static void check_against_replay(const lrk_kmc_params *p, const lrk_kmc_result *r)
{
    size_t K = p->t_count, L = p->level_count;
    long T = p->trajectories, N = p->model->N;
    long *n_at = malloc((size_t)T * K * sizeof(long)), *column = malloc((size_t)T * sizeof(long));
    double *fp = malloc(L * sizeof(double));
    cr_assert(n_at && column && fp);
    for (long i = 0; i < T; i++) {
        replay(p, i, n_at + (size_t)i * K, fp);
        cr_assert(memcmp(fp, r->first_passage + (size_t)i * L, L * sizeof(double)) == 0,
                  "first-passage times of trajectory %ld differ from the replay", i);
    }
    static const double probabilities[3] = {0.05, 0.5, 0.95};
    const double *reported[3] = {r->q_p05, r->q_p50, r->q_p95};
    double width = (double)r->hist_width / (double)N;
    for (size_t k = 0; k < K; k++) {
        double sum = 0;
        for (long i = 0; i < T; i++) {
            column[i] = n_at[(size_t)i * K + k];
            sum += (double)column[i] / (double)N;
        }
        cr_assert_float_eq(r->q_mean[k], sum / (double)T, 1e-12, "q_mean[%zu]", k);
        qsort(column, (size_t)T, sizeof(long), compare_long);
        for (int s = 0; s < 3; s++) {
            long rank = (long)ceil(probabilities[s] * (double)T);
            double exact = (double)column[rank - 1] / (double)N;
            if (r->hist_width == 1) {
                cr_assert_eq(reported[s][k], exact, "p%g at t[%zu]: %g, sorted sample %g", probabilities[s], k,
                             reported[s][k], exact);
            } else {
                cr_assert(reported[s][k] <= exact && exact <= reported[s][k] + width * (1 - 1e-9) + 1e-15,
                          "p%g at t[%zu]: %g not within one bin below %g", probabilities[s], k, reported[s][k],
                          exact);
            }
        }
    }
    free(n_at);
    free(column);
    free(fp);
}

Test(kmc, trajectories_and_exact_quantiles_match_replay)
{
    small_case c;
    small_case_init(&c, 2, 150, 4); /* N = 2: three values of n, many ties */
    lrk_kmc_result *r = run_ok(&c.p);
    cr_assert_eq(r->hist_width, 1);
    check_against_replay(&c.p, r);
    lrk_kmc_result_free(r);
    small_case_init(&c, 200, 60, 3);
    r = run_ok(&c.p);
    check_against_replay(&c.p, r);
    lrk_kmc_result_free(r);
}

Test(kmc, binned_quantiles_within_one_bin_for_large_N)
{
    small_case c;
    small_case_init(&c, 10000, 41, 2);
    c.p.threads = 2;
    lrk_kmc_result *r = run_ok(&c.p);
    cr_assert_eq(r->hist_width, 4); /* power of two >= ceil(10001 / 4097) */
    cr_assert_eq(r->hist_bins, 2501u);
    check_against_replay(&c.p, r);
    lrk_kmc_result_free(r);
}

Test(kmc, batch_ranges_and_merge_give_the_same_bytes)
{
    small_case c;
    small_case_init(&c, 50, 101, 7);
    c.p.threads = 2;
    lrk_kmc_result *full = run_ok(&c.p);
    lrk_kmc_result *merged = NULL;
    lrk_error err;
    cr_assert_eq(lrk_kmc_result_create(&c.p, 0, -1, &merged, &err), LRK_OK);
    static const long cuts[] = {0, 1, 4, 7}; /* parts [0,1) [1,4) [4,7), merged out of order */
    for (int part = 2; part >= 0; part--) {
        lrk_kmc_result *r = NULL;
        cr_assert_eq(lrk_kmc_result_create(&c.p, cuts[part], cuts[part + 1] - cuts[part], &r, &err), LRK_OK,
                     "%s", err.message);
        cr_assert_eq(lrk_kmc_run(&c.p, r, &err), LRK_OK, "%s", err.message);
        /* stream independence: a part's batches equal the same batches of the full run */
        size_t K = r->t_count, offset = (size_t)cuts[part];
        cr_assert(memcmp(r->batch_q_mean, full->batch_q_mean + offset * K,
                         (size_t)r->batches_held * K * sizeof(double)) == 0);
        cr_assert(memcmp(r->first_passage, full->first_passage + (size_t)r->first_trajectory * r->level_count,
                         (size_t)r->trajectories_held * r->level_count * sizeof(double)) == 0);
        cr_assert_eq(lrk_kmc_result_finalize(merged, &err), LRK_ERR_INVALID, "finalize needs every batch");
        cr_assert_eq(lrk_kmc_result_merge(merged, r, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_kmc_result_merge(merged, r, &err), LRK_ERR_INVALID, "a batch merges once");
        lrk_kmc_result_free(r);
    }
    cr_assert_eq(lrk_kmc_result_finalize(merged, &err), LRK_OK, "%s", err.message);
    assert_same_results(full, merged);
    lrk_kmc_result_free(full);
    lrk_kmc_result_free(merged);
}

Test(kmc, single_trajectory_run_alone_equals_its_row_in_the_ensemble)
{
    small_case c;
    small_case_init(&c, 30, 9, 9); /* one trajectory per batch */
    lrk_kmc_result *full = run_ok(&c.p);
    lrk_kmc_result *alone = NULL;
    lrk_error err;
    cr_assert_eq(lrk_kmc_result_create(&c.p, 5, 1, &alone, &err), LRK_OK);
    cr_assert_eq(lrk_kmc_run(&c.p, alone, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(alone->first_trajectory, 5);
    cr_assert_eq(alone->trajectories_held, 1);
    cr_assert(memcmp(alone->first_passage, full->first_passage + 5 * 19, 19 * sizeof(double)) == 0);
    cr_assert(memcmp(alone->q_mean, full->batch_q_mean + 5 * 37, 37 * sizeof(double)) == 0);
    for (size_t k = 0; k < 37; k++)
        cr_assert_eq(alone->q_std[k], 0.0);
    lrk_kmc_result_free(full);
    lrk_kmc_result_free(alone);
}

/* Mean and variance of the first-passage times at every level against the
 * exact sums (first_passage.h): z = (mean - E) / sqrt(Var / T) and
 * z = (s^2 - k2) / sqrt(k4 / T + 2 k2^2 / (T - 1)), the exact variance of a
 * sample variance, with cumulants k2 = sum 1/lambda^2, k4 = 6 sum 1/lambda^4. */
static void check_first_passage_moments(lrk_mode mode, long N, long trajectories)
{
    lrk_model m = make_model(mode, N);
    double q[9];
    fill_linear(q, 9, 0.1, 0.9);
    lrk_kmc_params p = {.model = &m, .q_levels = q, .level_count = 9, .seed = 7 + (uint64_t)N,
                        .trajectories = trajectories, .batches = 10, .threads = 2};
    lrk_kmc_result *r = run_ok(&p);
    double T = (double)trajectories;
    for (size_t j = 0; j < 9; j++) {
        long n = lrk_level_event_count(q[j], N);
        double mean = exact_mean_time(&m, n, 1), k2 = exact_mean_time(&m, n, 2);
        double k4 = 6.0 * exact_mean_time(&m, n, 4);
        double z_mean = (r->t_mean[j] - mean) / sqrt(k2 / T);
        double s2 = r->t_std[j] * r->t_std[j];
        double z_var = (s2 - k2) / sqrt(k4 / T + 2.0 * k2 * k2 / (T - 1.0));
        cr_assert_lt(fabs(z_mean), Z_MAX, "%s N=%ld q=%g: mean %g exact %g z=%g", lrk_mode_name(mode), N, q[j],
                     r->t_mean[j], mean, z_mean);
        cr_assert_lt(fabs(z_var), Z_MAX, "%s N=%ld q=%g: variance %g exact %g z=%g", lrk_mode_name(mode), N,
                     q[j], s2, k2, z_var);
        /* the reported standard error is the sample std / sqrt(T) */
        cr_assert_float_eq(r->t_sem[j], r->t_std[j] / sqrt(T), 1e-12 * r->t_sem[j]);
    }
    lrk_kmc_result_free(r);
}

Test(kmc, first_passage_moments_match_exact_sums)
{
    static const lrk_mode modes[3] = {LRK_MODE_SER, LRK_MODE_CER, LRK_MODE_CROSSOVER};
    for (int i = 0; i < 3; i++) {
        check_first_passage_moments(modes[i], 10, 4000);
        check_first_passage_moments(modes[i], 200, 1500);
        check_first_passage_moments(modes[i], 5000, 300);
    }
}

Test(kmc, single_event_relaxes_exponentially)
{
    /* N = 1: q(t) is 1 with probability 1 - exp(-lambda_0 t), else 0. */
    lrk_model m = make_model(LRK_MODE_SER, 1);
    double t[25];
    fill_linear(t, 25, 0.0, 8.0);
    const long T = 20000;
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 25, .seed = 99, .trajectories = T, .batches = 20,
                        .threads = 2};
    lrk_kmc_result *r = run_ok(&p);
    double lambda = lrk_model_rate(&m, 0);
    for (size_t k = 0; k < 25; k++) {
        double P = 1.0 - exp(-lambda * t[k]);
        if (k == 0) {
            cr_assert_eq(r->q_mean[0], 0.0);
            continue;
        }
        double z = (r->q_mean[k] - P) / sqrt(P * (1.0 - P) / (double)T);
        cr_assert_lt(fabs(z), Z_MAX, "t=%g: q_mean %g expected %g z=%g", t[k], r->q_mean[k], P, z);
        /* the sample is 0/1: its median is 1 exactly when more than half relaxed */
        double ones = r->q_mean[k] * (double)T;
        cr_assert_eq(r->q_p50[k], ones > 0.5 * (double)T ? 1.0 : 0.0);
        cr_assert_eq(r->q_p95[k], ones > 0.05 * (double)T ? 1.0 : 0.0);
        cr_assert_eq(r->q_p05[k], ones > 0.95 * (double)T ? 1.0 : 0.0);
    }
    lrk_kmc_result_free(r);
}

Test(kmc, batch_means_have_the_batch_spread)
{
    /* The spread of the batch means of the first-passage time agrees with the
     * exact variance: sum_b n_b (mean_b - mean)^2 / (B - 1) estimates Var. */
    lrk_model m = make_model(LRK_MODE_CER, 100);
    double q[1] = {0.5};
    const long B = 400;
    lrk_kmc_params p = {.model = &m, .q_levels = q, .level_count = 1, .seed = 5, .trajectories = 8000,
                        .batches = B, .threads = 2};
    lrk_kmc_result *r = run_ok(&p);
    double k2 = exact_mean_time(&m, 50, 2), spread = 0;
    for (long b = 0; b < B; b++) {
        double d = r->batch_t_mean[b] - r->t_mean[0];
        spread += (double)r->batch_trajectories[b] * d * d;
        cr_assert_eq(r->batch_trajectories[b], 20);
    }
    spread /= (double)(B - 1);
    /* batch means are nearly normal: Var(spread) ~ 2 k2^2 / (B - 1) */
    double z = (spread - k2) / (k2 * sqrt(2.0 / (double)(B - 1)));
    cr_assert_lt(fabs(z), Z_MAX, "batch spread %g, exact variance %g, z=%g", spread, k2, z);
    lrk_kmc_result_free(r);
}

typedef struct sink_log {
    long next_trajectory;
    long calls;
    double *rows; /* trajectories x levels, in arrival order */
    size_t level_count;
} sink_log;

static lrk_status record_rows(void *user, long first_trajectory, long count, size_t level_count,
                              const double *times)
{
    sink_log *log = user;
    cr_assert_eq(first_trajectory, log->next_trajectory, "rows arrive in trajectory order");
    cr_assert_eq(level_count, log->level_count);
    memcpy(log->rows + (size_t)first_trajectory * level_count, times, (size_t)count * level_count * sizeof(double));
    log->next_trajectory += count;
    log->calls++;
    return LRK_OK;
}

Test(kmc, first_passage_sink_streams_in_trajectory_order)
{
    small_case c;
    small_case_init(&c, 40, 97, 6);
    lrk_kmc_result *kept = run_ok(&c.p);
    for (int threads = 1; threads <= 3; threads++) {
        sink_log log = {.rows = calloc(97 * 19, sizeof(double)), .level_count = 19};
        lrk_kmc_params p = c.p;
        p.keep_first_passage = 0;
        p.threads = threads;
        p.first_passage_sink = record_rows;
        p.first_passage_user = &log;
        lrk_kmc_result *r = run_ok(&p);
        cr_assert_null(r->first_passage);
        cr_assert_eq(log.calls, 6);
        cr_assert_eq(log.next_trajectory, 97);
        cr_assert(memcmp(log.rows, kept->first_passage, 97 * 19 * sizeof(double)) == 0);
        cr_assert(memcmp(r->q_mean, kept->q_mean, 37 * sizeof(double)) == 0);
        free(log.rows);
        lrk_kmc_result_free(r);
    }
    lrk_kmc_result_free(kept);
}

static lrk_status failing_sink(void *user, long first, long count, size_t levels, const double *times)
{
    (void)user, (void)first, (void)count, (void)levels, (void)times;
    return LRK_ERR_IO;
}

Test(kmc, failing_sink_stops_the_run)
{
    small_case c;
    small_case_init(&c, 20, 30, 3);
    c.p.first_passage_sink = failing_sink;
    lrk_kmc_result *r = NULL;
    lrk_error err;
    cr_assert_eq(lrk_kmc_run_all(&c.p, &r, &err), LRK_ERR_IO);
    cr_assert_null(r);
}

typedef struct progress_log {
    long calls;
    long last_done;
    volatile sig_atomic_t *stop;
} progress_log;

static void count_progress(void *user, long done, uint64_t events)
{
    progress_log *log = user;
    cr_assert_geq(done, log->last_done, "progress never goes back");
    cr_assert_eq(events, (uint64_t)done * 20u);
    log->last_done = done;
    log->calls++;
    if (log->stop != NULL)
        *log->stop = 1;
}

Test(kmc, progress_reports_and_stop_flag_interrupts)
{
    small_case c;
    small_case_init(&c, 20, 500, 10);
    progress_log log = {0};
    c.p.progress = count_progress;
    c.p.progress_user = &log;
    c.p.progress_seconds = 1e-9;
    c.p.threads = 2;
    lrk_kmc_result *r = run_ok(&c.p);
    cr_assert_geq(log.calls, 2);
    cr_assert_eq(log.last_done, 500, "the final call reports everything");
    lrk_kmc_result_free(r);

    /* a flag raised before the run, and one raised from inside it */
    volatile sig_atomic_t stop = 1;
    c.p.stop = &stop;
    c.p.progress = NULL;
    lrk_error err;
    cr_assert_eq(lrk_kmc_run_all(&c.p, &r, &err), LRK_ERR_INTERRUPTED);
    stop = 0;
    log = (progress_log){.stop = &stop};
    c.p.progress = count_progress;
    cr_assert_eq(lrk_kmc_run_all(&c.p, &r, &err), LRK_ERR_INTERRUPTED, "%s", err.message);
    cr_assert_lt(log.last_done, 500);
}

Test(kmc, more_batches_than_trajectories_gives_one_each)
{
    small_case c;
    small_case_init(&c, 10, 3, 10);
    cr_assert_eq(lrk_kmc_batch_count(&c.p), 3);
    lrk_kmc_result *r = run_ok(&c.p);
    cr_assert_eq(r->batch_count, 3);
    for (int b = 0; b < 3; b++)
        cr_assert_eq(r->batch_trajectories[b], 1);
    lrk_kmc_result_free(r);
}

Test(kmc, batch_ranges_partition_the_trajectories)
{
    long next = 0;
    for (long b = 0; b < 7; b++) {
        long first, count;
        lrk_kmc_batch_range(100, 7, b, &first, &count);
        cr_assert_eq(first, next);
        cr_assert(count == 14 || count == 15);
        next = first + count;
    }
    cr_assert_eq(next, 100);
    long first, count; /* no overflow for the largest run */
    lrk_kmc_batch_range(LRK_KMC_MAX_TRAJECTORIES, 1000, 999, &first, &count);
    cr_assert_eq(first + count, LRK_KMC_MAX_TRAJECTORIES);
}

Test(kmc, invalid_parameters_are_rejected_with_a_message)
{
    small_case c;
    small_case_init(&c, 10, 5, 2);
    lrk_error err;
    lrk_kmc_params p = c.p;
    p.trajectories = 0;
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "trajectories") != NULL);
    p = c.p;
    p.batches = 0;
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    double bad_t[3] = {0.0, 2.0, 1.0};
    p = c.p;
    p.t = bad_t;
    p.t_count = 3;
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "t[2]") != NULL, "%s", err.message);
    double bad_q[2] = {0.5, 1.5};
    p = c.p;
    p.q_levels = bad_q;
    p.level_count = 2;
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    p = c.p;
    p.threads = -1;
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    lrk_kmc_result *r = NULL;
    cr_assert_eq(lrk_kmc_result_create(&c.p, 2, 1, &r, &err), LRK_ERR_INVALID, "batch 2 of 2 does not exist");
    cr_assert_null(r);
    /* running a result twice is refused */
    cr_assert_eq(lrk_kmc_result_create(&c.p, 0, -1, &r, &err), LRK_OK);
    cr_assert_eq(lrk_kmc_run(&c.p, r, &err), LRK_OK);
    cr_assert_eq(lrk_kmc_run(&c.p, r, &err), LRK_ERR_INVALID);
    lrk_kmc_result_free(r);
}

Test(kmc, grid_ends_are_exactly_zero_and_one)
{
    lrk_model m = make_model(LRK_MODE_SER, 49); /* 49 * (1 / 49.0) != 1 in doubles */
    double t[3] = {0.0, 1.0, 1e9};
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 3, .seed = 3, .trajectories = 50, .batches = 3,
                        .threads = 2};
    lrk_kmc_result *r = run_ok(&p);
    cr_assert(r->q_mean[0] == 0.0 && r->q_std[0] == 0.0 && r->q_p95[0] == 0.0);
    cr_assert(r->q_mean[2] == 1.0 && r->q_std[2] == 0.0 && r->q_p05[2] == 1.0, "q_mean at the end %.17g",
              r->q_mean[2]);
    cr_assert(r->q_mean[1] > 0.0 && r->q_mean[1] < 1.0);
    lrk_kmc_result_free(r);
}
