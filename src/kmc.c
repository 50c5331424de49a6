/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc.c - parameters, batch layout and results of the KMC ensemble (kmc.h):
 * everything but the simulation itself, which lives in kmc_run.c.  Summaries
 * are always rebuilt from the per-batch arrays in batch index order, which is
 * what makes the output independent of threads and ranks.
 */
#include "lrekmc/kmc.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/grid.h"
#include "lrekmc/rng.h"
#include "lrekmc/stats.h"
#include "kmc_internal.h"

static lrk_status validate_grid(const lrk_kmc_params *p, lrk_error *err)
{
    if (p->t_count > 0 && p->t == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: grid times are NULL while t_count = %zu", p->t_count);
    return lrk_check_times(p->t, p->t_count, "kmc", err);
}

static lrk_status validate_levels(const lrk_kmc_params *p, lrk_error *err)
{
    if (p->level_count > 0 && p->q_levels == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: q_levels are NULL while level_count = %zu",
                             p->level_count);
    return lrk_check_levels(p->q_levels, p->level_count, 0, "kmc", err);
}

const lrk_engine_type *lrk_kmc_engine(const lrk_kmc_params *p)
{
    return p->engine != NULL ? p->engine : lrk_engine_for_model(p->model);
}

lrk_status lrk_kmc_validate(const lrk_kmc_params *p, lrk_error *err)
{
    if (p == NULL || p->model == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: parameters and model must not be NULL");
    lrk_status st = lrk_model_validate(p->model, err);
    if (st != LRK_OK)
        return st;
    const lrk_engine_type *engine = lrk_kmc_engine(p);
    if (engine == NULL || engine->max_lanes < 1 || engine->simulate == NULL || engine->shared_alloc == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: engine \"%s\" is incomplete",
                             engine && engine->name ? engine->name : "?");
    if (engine->validate != NULL && (st = engine->validate(p->model, err)) != LRK_OK)
        return st;
    if (p->trajectories < 1 || p->trajectories > LRK_KMC_MAX_TRAJECTORIES)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc.trajectories = %ld: expected an integer in [1, %ld]",
                             p->trajectories, LRK_KMC_MAX_TRAJECTORIES);
    if (p->batches < 1)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit.batches = %ld: expected an integer >= 1", p->batches);
    if (p->threads < 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc.threads = %d: expected 0 (all cores) or a count >= 1",
                             p->threads);
    if (lrk_streams_name(p->streams) == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc.streams = %d: expected independent (%d) or common (%d)",
                             (int)p->streams, LRK_STREAMS_INDEPENDENT, LRK_STREAMS_COMMON);
    if (!(p->progress_seconds == p->progress_seconds))
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: progress_seconds is NaN: expected a number");
    st = validate_grid(p, err);
    if (st != LRK_OK)
        return st;
    return validate_levels(p, err);
}

long lrk_kmc_batch_count(const lrk_kmc_params *p)
{
    return p->batches < p->trajectories ? p->batches : p->trajectories;
}

/* floor(b M / B), M trajectories, in 128 bits: b M overflows 64 bits for huge runs. */
static long batch_start(long trajectories, long batch_count, long b)
{
    lrk_uint128 product = (lrk_uint128)(uint64_t)b * (uint64_t)trajectories;
    return (long)(product / (uint64_t)batch_count);
}

void kmc_grid_free(kmc_grid *g)
{
    free(g->t);
    free(g->level_events);
    memset(g, 0, sizeof *g);
}

lrk_status kmc_grid_build(const lrk_kmc_params *p, kmc_grid *g, lrk_error *err)
{
    memset(g, 0, sizeof *g);
    g->t = malloc((p->t_count + 1) * sizeof(double));
    g->level_events = malloc((p->level_count + 1) * sizeof(long));
    if (g->t == NULL || g->level_events == NULL) {
        kmc_grid_free(g);
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory for the grid (%zu times, %zu levels)",
                             p->t_count, p->level_count);
    }
    if (p->t_count > 0)
        memcpy(g->t, p->t, p->t_count * sizeof(double));
    g->t[p->t_count] = INFINITY;
    for (size_t j = 0; j < p->level_count; j++)
        g->level_events[j] = lrk_level_event_count(p->q_levels[j], p->model->N);
    g->view = (lrk_engine_grid){.N = p->model->N, .t = g->t, .t_count = p->t_count,
                                .level_events = g->level_events, .level_count = p->level_count};
    return LRK_OK;
}

void lrk_kmc_batch_range(long trajectories, long batch_count, long b, long *first, long *count)
{
    long start = batch_start(trajectories, batch_count, b);
    *first = start;
    *count = batch_start(trajectories, batch_count, b + 1) - start;
}

/* The smallest power of two w with ceil((N + 1) / w) <= LRK_KMC_HIST_MAX_BINS:
 * a power of two so that the bin of n is a shift, not a division. */
static long histogram_width(long N)
{
    long width = 1;
    while ((N + 1 + width - 1) / width > LRK_KMC_HIST_MAX_BINS)
        width *= 2;
    return width;
}

/* calloc of count elements of size bytes, NULL only on failure (count 0 is
 * allowed and yields a valid one-byte block). */
static void *zeroed(size_t count, size_t size)
{
    if (count == 0)
        return calloc(1, 1);
    if (count > SIZE_MAX / size)
        return NULL;
    return calloc(count, size);
}

void lrk_kmc_result_free(lrk_kmc_result *r)
{
    if (r == NULL)
        return;
    double *arrays[] = {r->q_mean, r->q_std, r->q_sem, r->q_p05, r->q_p50, r->q_p95, r->t_mean,
                        r->t_std, r->t_sem, r->extra_mean, r->extra_std, r->extra_sem,
                        r->batch_q_mean, r->batch_q_m2, r->batch_t_mean, r->batch_t_m2,
                        r->batch_extra_mean, r->batch_extra_m2, r->first_passage};
    for (size_t i = 0; i < sizeof arrays / sizeof arrays[0]; i++)
        free(arrays[i]);
    free(r->batch_trajectories);
    free(r->batch_done);
    free(r->hist);
    free(r);
}

static lrk_status allocate_arrays(lrk_kmc_result *r, int keep_first_passage)
{
    size_t K = r->t_count, L = r->level_count, E = r->extra_count, B = (size_t)r->batches_held;
    double **curves[] = {&r->q_mean, &r->q_std, &r->q_sem, &r->q_p05, &r->q_p50, &r->q_p95};
    for (size_t i = 0; i < sizeof curves / sizeof curves[0]; i++)
        if ((*curves[i] = zeroed(K, sizeof(double))) == NULL)
            return LRK_ERR_NOMEM;
    double **levels[] = {&r->t_mean, &r->t_std, &r->t_sem};
    for (size_t i = 0; i < sizeof levels / sizeof levels[0]; i++)
        if ((*levels[i] = zeroed(L, sizeof(double))) == NULL)
            return LRK_ERR_NOMEM;
    double **extras[] = {&r->extra_mean, &r->extra_std, &r->extra_sem};
    for (size_t i = 0; i < sizeof extras / sizeof extras[0]; i++)
        if ((*extras[i] = zeroed(E, sizeof(double))) == NULL)
            return LRK_ERR_NOMEM;
    if (B > 0 && (K > SIZE_MAX / B || L > SIZE_MAX / B || E > SIZE_MAX / B))
        return LRK_ERR_NOMEM;
    r->batch_extra_mean = zeroed(B * E, sizeof(double));
    r->batch_extra_m2 = zeroed(B * E, sizeof(double));
    if (!r->batch_extra_mean || !r->batch_extra_m2)
        return LRK_ERR_NOMEM;
    r->batch_trajectories = zeroed(B, sizeof(long));
    r->batch_done = zeroed(B, 1);
    r->batch_q_mean = zeroed(B * K, sizeof(double));
    r->batch_q_m2 = zeroed(B * K, sizeof(double));
    r->batch_t_mean = zeroed(B * L, sizeof(double));
    r->batch_t_m2 = zeroed(B * L, sizeof(double));
    r->hist = K > SIZE_MAX / r->hist_bins ? NULL : zeroed(K * r->hist_bins, sizeof(uint64_t));
    if (!r->batch_trajectories || !r->batch_done || !r->batch_q_mean || !r->batch_q_m2 || !r->batch_t_mean
        || !r->batch_t_m2 || !r->hist)
        return LRK_ERR_NOMEM;
    if (keep_first_passage) {
        if (L > 0 && (size_t)r->trajectories_held > SIZE_MAX / L)
            return LRK_ERR_NOMEM;
        if ((r->first_passage = zeroed((size_t)r->trajectories_held * L, sizeof(double))) == NULL)
            return LRK_ERR_NOMEM;
    }
    return LRK_OK;
}

lrk_status lrk_kmc_result_create(const lrk_kmc_params *p, long first_batch, long batches_held,
                                 lrk_kmc_result **out, lrk_error *err)
{
    *out = NULL;
    lrk_status st = lrk_kmc_validate(p, err);
    if (st != LRK_OK)
        return st;
    long B = lrk_kmc_batch_count(p);
    if (first_batch < 0 || first_batch >= B)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: first_batch = %ld: expected an integer in [0, %ld]",
                             first_batch, B - 1);
    if (batches_held < 0)
        batches_held = B - first_batch;
    if (batches_held < 1 || batches_held > B - first_batch)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc: batches_held = %ld: expected an integer in [1, %ld]",
                             batches_held, B - first_batch);
    lrk_kmc_result *r = calloc(1, sizeof *r);
    if (r == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory allocating the result");
    kmc_grid grid;
    if ((st = kmc_grid_build(p, &grid, err)) != LRK_OK) {
        free(r);
        return st;
    }
    r->engine = lrk_kmc_engine(p);
    r->extra_count = lrk_engine_extra_count(r->engine, p->model, &grid.view);
    kmc_grid_free(&grid);
    r->N = p->model->N;
    r->t_count = p->t_count;
    r->level_count = p->level_count;
    r->trajectories = p->trajectories;
    r->batch_count = B;
    r->first_batch = first_batch;
    r->batches_held = batches_held;
    long last_first, last_count;
    lrk_kmc_batch_range(p->trajectories, B, first_batch, &r->first_trajectory, &last_count);
    lrk_kmc_batch_range(p->trajectories, B, first_batch + batches_held - 1, &last_first, &last_count);
    r->trajectories_held = last_first + last_count - r->first_trajectory;
    lrk_stream_key_init(&r->stream_key, p->seed, p->model, p->streams);
    r->hist_width = histogram_width(r->N);
    r->hist_bins = (size_t)((r->N + 1 + r->hist_width - 1) / r->hist_width);
    if (allocate_arrays(r, p->keep_first_passage) != LRK_OK) {
        size_t extras = r->extra_count;
        lrk_kmc_result_free(r);
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory allocating the result (%zu grid times, "
                             "%zu levels, %zu extras, %ld batches)", p->t_count, p->level_count, extras,
                             batches_held);
    }
    *out = r;
    return LRK_OK;
}

static lrk_status check_same_shape(const lrk_kmc_result *a, const lrk_kmc_result *b, lrk_error *err)
{
    if (a->N != b->N || a->t_count != b->t_count || a->level_count != b->level_count
        || a->trajectories != b->trajectories || a->batch_count != b->batch_count
        || a->hist_bins != b->hist_bins || a->engine != b->engine || a->extra_count != b->extra_count)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc merge: the results come from different parameters");
    const lrk_stream_key *ka = &a->stream_key, *kb = &b->stream_key;
    if (memcmp(ka->pool, kb->pool, sizeof ka->pool) != 0 || ka->hash_const != kb->hash_const)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "kmc merge: the results come from different random streams (seed, model or kmc.streams)");
    if (b->first_batch < a->first_batch || b->first_batch + b->batches_held > a->first_batch + a->batches_held)
        return lrk_error_set(err, LRK_ERR_INVALID, "kmc merge: batches [%ld, %ld) lie outside [%ld, %ld)",
                             b->first_batch, b->first_batch + b->batches_held, a->first_batch,
                             a->first_batch + a->batches_held);
    if ((a->first_passage == NULL) != (b->first_passage == NULL))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "kmc merge: keep_first_passage differs between the results");
    return LRK_OK;
}

lrk_status lrk_kmc_result_merge(lrk_kmc_result *into, const lrk_kmc_result *part, lrk_error *err)
{
    lrk_status st = check_same_shape(into, part, err);
    if (st != LRK_OK)
        return st;
    size_t K = into->t_count, L = into->level_count, E = into->extra_count;
    size_t offset = (size_t)(part->first_batch - into->first_batch);
    for (size_t b = 0; b < (size_t)part->batches_held; b++) {
        if (!part->batch_done[b])
            return lrk_error_set(err, LRK_ERR_INVALID, "kmc merge: batch %ld of the part was not run",
                                 part->first_batch + (long)b);
        if (into->batch_done[offset + b])
            return lrk_error_set(err, LRK_ERR_INVALID, "kmc merge: batch %ld is already merged",
                                 part->first_batch + (long)b);
    }
    size_t B = (size_t)part->batches_held;
    memcpy(into->batch_trajectories + offset, part->batch_trajectories, B * sizeof(long));
    memcpy(into->batch_q_mean + offset * K, part->batch_q_mean, B * K * sizeof(double));
    memcpy(into->batch_q_m2 + offset * K, part->batch_q_m2, B * K * sizeof(double));
    memcpy(into->batch_t_mean + offset * L, part->batch_t_mean, B * L * sizeof(double));
    memcpy(into->batch_t_m2 + offset * L, part->batch_t_m2, B * L * sizeof(double));
    memcpy(into->batch_extra_mean + offset * E, part->batch_extra_mean, B * E * sizeof(double));
    memcpy(into->batch_extra_m2 + offset * E, part->batch_extra_m2, B * E * sizeof(double));
    memset(into->batch_done + offset, 1, B);
    for (size_t i = 0; i < K * into->hist_bins; i++)
        into->hist[i] += part->hist[i];
    into->events += part->events;
    if (into->first_passage != NULL) {
        size_t row = (size_t)(part->first_trajectory - into->first_trajectory);
        memcpy(into->first_passage + row * L, part->first_passage,
               (size_t)part->trajectories_held * L * sizeof(double));
    }
    return LRK_OK;
}

static void finalize_quantiles(lrk_kmc_result *r, uint64_t total)
{
    static const double probabilities[3] = {0.05, 0.50, 0.95};
    double *outputs[3] = {r->q_p05, r->q_p50, r->q_p95};
    for (size_t k = 0; k < r->t_count; k++) {
        long bins[3];
        /* every trajectory adds one count to every row: the total is known */
        lrk_histogram_quantiles(r->hist + k * r->hist_bins, r->hist_bins, total, probabilities, 3, bins);
        for (int i = 0; i < 3; i++)
            outputs[i][k] = bins[i] < 0 ? NAN : (double)(bins[i] * r->hist_width) / (double)r->N;
    }
}

/* Chan-merge `count` per-batch rows of `width` moments in batch order into
 * mean/std/sem; false on out of memory. */
static int merge_batches(const lrk_kmc_result *r, const double *batch_mean, const double *batch_m2,
                         size_t width, double *mean, double *std, double *sem)
{
    double *m2 = zeroed(width, sizeof(double));
    if (m2 == NULL)
        return 0;
    memset(mean, 0, width * sizeof(double));
    uint64_t count = 0;
    for (long b = 0; b < r->batches_held; b++) {
        uint64_t nb = (uint64_t)r->batch_trajectories[b];
        lrk_moments_merge_vector(count, mean, m2, nb, batch_mean + (size_t)b * width,
                                 batch_m2 + (size_t)b * width, width);
        count += nb;
    }
    for (size_t i = 0; i < width; i++) {
        std[i] = lrk_moments_std_from_m2(count, m2[i]);
        sem[i] = lrk_moments_sem_from_m2(count, m2[i]);
    }
    free(m2);
    return 1;
}

lrk_status lrk_kmc_result_finalize(lrk_kmc_result *r, lrk_error *err)
{
    for (long b = 0; b < r->batches_held; b++)
        if (!r->batch_done[b])
            return lrk_error_set(err, LRK_ERR_INVALID, "kmc finalize: batch %ld has no results yet",
                                 r->first_batch + b);
    if (!merge_batches(r, r->batch_q_mean, r->batch_q_m2, r->t_count, r->q_mean, r->q_std, r->q_sem)
        || !merge_batches(r, r->batch_t_mean, r->batch_t_m2, r->level_count, r->t_mean, r->t_std, r->t_sem)
        || !merge_batches(r, r->batch_extra_mean, r->batch_extra_m2, r->extra_count, r->extra_mean,
                          r->extra_std, r->extra_sem))
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc finalize: out of memory");
    uint64_t count = 0;
    for (long b = 0; b < r->batches_held; b++)
        count += (uint64_t)r->batch_trajectories[b];
    finalize_quantiles(r, count);
    return LRK_OK;
}

lrk_status lrk_kmc_run_all(const lrk_kmc_params *p, lrk_kmc_result **out, lrk_error *err)
{
    lrk_status st = lrk_kmc_result_create(p, 0, -1, out, err);
    if (st != LRK_OK)
        return st;
    st = lrk_kmc_run(p, *out, err);
    if (st != LRK_OK) {
        lrk_kmc_result_free(*out);
        *out = NULL;
    }
    return st;
}
