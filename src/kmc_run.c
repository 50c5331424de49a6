/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc_run.c - the simulation of the KMC ensemble (kmc.h): the per-batch
 * accumulation and the OpenMP loop over batches, around an engine (engine.h)
 * that it knows only through lrk_engine_type.  A batch is cut into groups of
 * at most max_lanes trajectories, one simulate() call each: the chain engine
 * interleaves the lanes of a group in its hot loop.
 */
#include "lrekmc/kmc.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/engine.h"
#include "lrekmc/rng.h"
#include "lrekmc/stats.h"
#include "kmc_internal.h"

/* What all threads of one run read. */
typedef struct run_tables {
    const lrk_engine_type *engine;
    void *shared;          /* the engine's, read-only */
    long N;
    size_t t_count, level_count, extra_count;
    int lanes;             /* engine->max_lanes */
    unsigned hist_shift;   /* bin of n = n >> hist_shift */
    size_t hist_bins;
} run_tables;

/* One thread's scratch. */
typedef struct worker {
    void *engine_worker;
    lrk_pcg64 *rng;        /* lanes: the generators of a group */
    uint32_t *n_at;        /* lanes x (t_count + 1): n(t_k) per lane, plus a spare slot */
    double *first_passage; /* lanes x level_count */
    double *extra;         /* lanes x extra_count */
    double *q;             /* t_count */
    uint32_t *hist;        /* t_count x hist_bins; 32 bits halve the cache footprint */
    uint32_t hist_added;   /* trajectories in hist since it was last flushed */
    uint32_t *hist_lo;     /* t_count: lowest and highest bin counted in each row, */
    uint32_t *hist_hi;     /*   so a flush touches only those (large N: most of a
                            *   row is never touched, and its pages never faulted in) */
    double *sink_rows;     /* largest batch x level_count, first_passage_sink only */
} worker;

/* Add one trajectory to its batch's moments and the worker's histogram. */
typedef struct batch_moments {
    double *q_mean, *q_m2, *t_mean, *t_m2, *extra_mean, *extra_m2;
} batch_moments;

static void accumulate(const run_tables *s, worker *w, uint64_t count_before, const uint32_t *n_at,
                       const double *first_passage, const double *extra, const batch_moments *m)
{
    const size_t K = s->t_count;
    const double N = (double)s->N;
    /* n / N correctly rounded (so n = N gives exactly 1); a separate loop so
     * that it vectorises */
    for (size_t k = 0; k < K; k++)
        w->q[k] = (double)n_at[k] / N;
    for (size_t k = 0; k < K; k++) {
        uint32_t bin = n_at[k] >> s->hist_shift;
        w->hist[k * s->hist_bins + bin]++;
        w->hist_lo[k] = bin < w->hist_lo[k] ? bin : w->hist_lo[k];
        w->hist_hi[k] = bin > w->hist_hi[k] ? bin : w->hist_hi[k];
    }
    lrk_moments_push_vector(count_before, m->q_mean, m->q_m2, w->q, K);
    lrk_moments_push_vector(count_before, m->t_mean, m->t_m2, first_passage, s->level_count);
    lrk_moments_push_vector(count_before, m->extra_mean, m->extra_m2, extra, s->extra_count);
}

/* Shared state of one lrk_kmc_run. */
typedef struct run_state {
    const lrk_kmc_params *p;
    lrk_kmc_result *r;
    const run_tables *s;
    int abort_status;        /* 0, or the status that stops the run */
    long trajectories_done;
    double last_progress;
    double progress_seconds;
} run_state;

static int should_stop(run_state *rs)
{
    int status;
#pragma omp atomic read
    status = rs->abort_status;
    if (status != 0)
        return 1;
    if (rs->p->stop != NULL && *rs->p->stop) {
#pragma omp atomic write
        rs->abort_status = LRK_ERR_INTERRUPTED;
        return 1;
    }
    return 0;
}

static void report_progress(run_state *rs, long trajectories, int force)
{
    long done;
#pragma omp atomic capture
    done = rs->trajectories_done += trajectories;
    if (rs->p->progress == NULL)
        return;
    double now = omp_get_wtime(), last;
#pragma omp atomic read
    last = rs->last_progress;
    if (!force && now - last < rs->progress_seconds)
        return;
#pragma omp critical(lrk_kmc_progress)
    {
        if (force || now - rs->last_progress >= rs->progress_seconds) {
#pragma omp atomic write
            rs->last_progress = now;
#pragma omp atomic read
            done = rs->trajectories_done;
            rs->p->progress(rs->p->progress_user, done, (uint64_t)done * (uint64_t)rs->s->N);
        }
    }
}

static void reset_ranges(worker *w, size_t t_count)
{
    for (size_t k = 0; k < t_count; k++) {
        w->hist_lo[k] = UINT32_MAX;
        w->hist_hi[k] = 0;
    }
    w->hist_added = 0;
}

/* Add the worker's counts to the result's; integer counts, so the order in
 * which threads do this is irrelevant. */
static void flush_histogram(worker *w, lrk_kmc_result *r)
{
#pragma omp critical(lrk_kmc_histogram)
    for (size_t k = 0; k < r->t_count; k++) {
        if (w->hist_lo[k] > w->hist_hi[k])
            continue; /* empty row */
        size_t row = k * r->hist_bins, lo = w->hist_lo[k], hi = w->hist_hi[k];
        for (size_t b = lo; b <= hi; b++)
            r->hist[row + b] += w->hist[row + b];
        memset(w->hist + row + lo, 0, (hi - lo + 1) * sizeof(uint32_t));
    }
    reset_ranges(w, r->t_count);
}

/* Simulate batch b (absolute index) into the result's slot for it.  Returns
 * LRK_ERR_INTERRUPTED when stopped before the batch was complete. */
static lrk_status run_batch(run_state *rs, worker *w, long b)
{
    const run_tables *s = rs->s;
    lrk_kmc_result *r = rs->r;
    const size_t K = s->t_count, L = s->level_count, E = s->extra_count, slot = (size_t)(b - r->first_batch);
    batch_moments m = {r->batch_q_mean + slot * K, r->batch_q_m2 + slot * K, r->batch_t_mean + slot * L,
                       r->batch_t_m2 + slot * L, r->batch_extra_mean + slot * E, r->batch_extra_m2 + slot * E};
    long first, count;
    lrk_kmc_batch_range(r->trajectories, r->batch_count, b, &first, &count);
    /* ceil(count / lanes) groups of as equal size as possible (10 = 4 + 3 + 3,
     * not 4 + 4 + 2): a group of few lanes overlaps less work. */
    const int max_lanes = s->lanes;
    long groups = (count + max_lanes - 1) / max_lanes;
    lrk_pcg64 *rng = w->rng;
    for (long g = 0, i = 0; g < groups; g++) {
        if (should_stop(rs))
            return LRK_ERR_INTERRUPTED;
        int lanes = (int)(count / groups + (g < count % groups));
        for (int l = 0; l < lanes; l++)
            lrk_trajectory_rng(&r->stream_key, first + i + l, &rng[l]);
        s->engine->simulate(s->shared, w->engine_worker, rng, lanes, w->n_at, w->first_passage, w->extra);
        if (w->hist_added > UINT32_MAX - (uint32_t)max_lanes)
            flush_histogram(w, r); /* before a 32-bit count could wrap */
        w->hist_added += (uint32_t)lanes;
        for (int l = 0; l < lanes; l++) {
            const double *fp = w->first_passage + (size_t)l * L;
            accumulate(s, w, (uint64_t)(i + l), w->n_at + (size_t)l * (K + 1), fp, w->extra + (size_t)l * E, &m);
            if (r->first_passage != NULL)
                memcpy(r->first_passage + (size_t)(first + i + l - r->first_trajectory) * L, fp,
                       L * sizeof(double));
            if (w->sink_rows != NULL)
                memcpy(w->sink_rows + (size_t)(i + l) * L, fp, L * sizeof(double));
        }
        report_progress(rs, lanes, 0);
        i += lanes;
    }
    r->batch_trajectories[slot] = count;
    r->batch_done[slot] = 1;
    return LRK_OK;
}

static void flush_sink(run_state *rs, worker *w, long b)
{
    long first, count;
    lrk_kmc_batch_range(rs->r->trajectories, rs->r->batch_count, b, &first, &count);
    lrk_status st = rs->p->first_passage_sink(rs->p->first_passage_user, first, count, rs->s->level_count,
                                              w->sink_rows);
    if (st != LRK_OK) {
#pragma omp atomic write
        rs->abort_status = (int)st;
    }
}

static void free_worker(const run_tables *s, worker *w)
{
    if (w->engine_worker != NULL && s->engine->worker_free != NULL)
        s->engine->worker_free(w->engine_worker);
    free(w->rng);
    free(w->extra);
    free(w->n_at);
    free(w->first_passage);
    free(w->q);
    free(w->hist);
    free(w->hist_lo);
    free(w->hist_hi);
    free(w->sink_rows);
}

static lrk_status init_worker(worker *w, const run_tables *s, long largest_batch, int with_sink)
{
    memset(w, 0, sizeof *w);
    size_t K = s->t_count, L = s->level_count, E = s->extra_count, lanes = (size_t)s->lanes;
    if (s->engine->worker_alloc != NULL && s->engine->worker_alloc(s->shared, &w->engine_worker, NULL) != LRK_OK)
        return LRK_ERR_NOMEM;
    w->rng = malloc(lanes * sizeof(lrk_pcg64));
    w->n_at = malloc(lanes * (K + 1) * sizeof(uint32_t));
    w->first_passage = malloc((lanes * L + 1) * sizeof(double));
    w->extra = malloc((lanes * E + 1) * sizeof(double));
    w->q = malloc((K + 1) * sizeof(double));
    w->hist = calloc(K * s->hist_bins + 1, sizeof(uint32_t));
    w->hist_lo = malloc((K + 1) * sizeof(uint32_t));
    w->hist_hi = malloc((K + 1) * sizeof(uint32_t));
    if (with_sink && (size_t)largest_batch < SIZE_MAX / sizeof(double) / (L + 1))
        w->sink_rows = malloc(((size_t)largest_batch * L + 1) * sizeof(double));
    if (!w->rng || !w->n_at || !w->first_passage || !w->extra || !w->q || !w->hist || !w->hist_lo || !w->hist_hi
        || (with_sink && !w->sink_rows))
        return LRK_ERR_NOMEM;
    reset_ranges(w, K);
    return LRK_OK;
}

/* The batch loop of one thread.  With a sink the loop is `ordered` so that
 * rows leave in trajectory order; without one, plain dynamic scheduling. */
static void thread_body(run_state *rs, long largest_batch)
{
    const lrk_kmc_params *p = rs->p;
    lrk_kmc_result *r = rs->r;
    worker w;
    int ok = init_worker(&w, rs->s, largest_batch, p->first_passage_sink != NULL) == LRK_OK;
    if (!ok) {
#pragma omp atomic write
        rs->abort_status = LRK_ERR_NOMEM;
    }
    long begin = r->first_batch, end = r->first_batch + r->batches_held;
    if (p->first_passage_sink != NULL) {
#pragma omp for schedule(dynamic, 1) ordered
        for (long b = begin; b < end; b++) {
            if (ok && !should_stop(rs) && run_batch(rs, &w, b) == LRK_OK) {
#pragma omp ordered
                if (!should_stop(rs))
                    flush_sink(rs, &w, b);
            }
        }
    } else {
#pragma omp for schedule(dynamic, 1)
        for (long b = begin; b < end; b++)
            if (ok && !should_stop(rs))
                (void)run_batch(rs, &w, b); /* an interruption is in rs->abort_status */
    }
    if (ok)
        flush_histogram(&w, r);
    free_worker(rs->s, &w);
}

static lrk_status build_tables(run_tables *s, const lrk_kmc_params *p, const lrk_kmc_result *r,
                               const kmc_grid *grid, lrk_error *err)
{
    memset(s, 0, sizeof *s);
    s->engine = r->engine;
    s->N = p->model->N;
    s->t_count = p->t_count;
    s->level_count = p->level_count;
    s->extra_count = r->extra_count;
    s->lanes = s->engine->max_lanes;
    while ((1L << s->hist_shift) < r->hist_width)
        s->hist_shift++;
    s->hist_bins = r->hist_bins;
    return s->engine->shared_alloc(p->model, &grid->view, &s->shared, err);
}

static long largest_batch(const lrk_kmc_result *r)
{
    long largest = 0;
    for (long b = r->first_batch; b < r->first_batch + r->batches_held; b++) {
        long first, count;
        lrk_kmc_batch_range(r->trajectories, r->batch_count, b, &first, &count);
        if (count > largest)
            largest = count;
    }
    return largest;
}

static lrk_status check_fresh_result(const lrk_kmc_params *p, const lrk_kmc_result *r, lrk_error *err)
{
    if (r == NULL || r->N != p->model->N || r->t_count != p->t_count || r->level_count != p->level_count
        || r->engine != lrk_kmc_engine(p)
        || r->trajectories != p->trajectories || r->batch_count != lrk_kmc_batch_count(p)
        || (r->first_passage != NULL) != (p->keep_first_passage != 0))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "kmc: the result was not created from these parameters (lrk_kmc_result_create)");
    for (long b = 0; b < r->batches_held; b++)
        if (r->batch_done[b])
            return lrk_error_set(err, LRK_ERR_INVALID, "kmc: the result already holds batch %ld",
                                 r->first_batch + b);
    return LRK_OK;
}

lrk_status lrk_kmc_run(const lrk_kmc_params *p, lrk_kmc_result *r, lrk_error *err)
{
    lrk_status st = lrk_kmc_validate(p, err);
    if (st == LRK_OK)
        st = check_fresh_result(p, r, err);
    if (st != LRK_OK)
        return st;
    kmc_grid grid;
    if ((st = kmc_grid_build(p, &grid, err)) != LRK_OK)
        return st;
    run_tables s;
    if ((st = build_tables(&s, p, r, &grid, err)) != LRK_OK) {
        kmc_grid_free(&grid);
        return st;
    }
    run_state rs = {.p = p, .r = r, .s = &s, .last_progress = omp_get_wtime(),
                    .progress_seconds = p->progress_seconds > 0 ? p->progress_seconds : 1.0};
    long threads = p->threads > 0 ? p->threads : omp_get_max_threads();
    if (threads > r->batches_held)
        threads = r->batches_held;
    long biggest = largest_batch(r);
#pragma omp parallel num_threads((int)threads)
    thread_body(&rs, biggest);
    if (s.engine->shared_free != NULL)
        s.engine->shared_free(s.shared);
    kmc_grid_free(&grid);
    if (rs.abort_status == LRK_ERR_NOMEM)
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory for per-thread scratch");
    if (rs.abort_status == LRK_ERR_INTERRUPTED)
        return lrk_error_set(err, LRK_ERR_INTERRUPTED, "kmc: interrupted after %ld of %ld trajectories",
                             rs.trajectories_done, r->trajectories_held);
    if (rs.abort_status != 0)
        return lrk_error_set(err, (lrk_status)rs.abort_status, "kmc: the first-passage sink failed (%s)",
                             lrk_status_name((lrk_status)rs.abort_status));
    r->events = (uint64_t)r->trajectories_held * (uint64_t)s.N;
    report_progress(&rs, 0, 1);
    return lrk_kmc_result_finalize(r, err);
}
