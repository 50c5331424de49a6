/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc_run.c - the simulation of the KMC ensemble (kmc.h): the event loop of a
 * few interleaved trajectories, the per-batch accumulation and the OpenMP
 * loop over batches.
 *
 * Speed: one exponential variate per event is the floor, so the inner loop is
 * the ziggurat (rng_inline.h), one multiply by the shared 1/lambda_n table and
 * a grid-pointer step.  LANES trajectories advance together in one loop over
 * n (they share N and the table): their dependency chains (the 128-bit LCG
 * step, the time sum) are independent, so the CPU overlaps them.  Which lane
 * runs a trajectory changes nothing in its numbers.
 */
#include "lrekmc/kmc.h"

#include <math.h>
#include <omp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/rng.h"
#include "lrekmc/stats.h"
#include "rng_inline.h"

#define LANES 4

/* Unrolling the lane loop lets the compiler keep each lane's time, grid
 * pointer and generator state in registers. */
#if defined(__GNUC__) && !defined(__clang__)
#define UNROLL_LANES _Pragma("GCC unroll 4")
#elif defined(__clang__)
#define UNROLL_LANES _Pragma("unroll")
#else
#define UNROLL_LANES
#endif

/* Read-only tables shared by all threads. */
typedef struct shared_tables {
    long N;
    double *inv_rate;      /* 1 / lambda_n, n < N */
    double *grid;          /* t_count grid times, then +inf as a sentinel */
    size_t t_count;
    long *segment_end;     /* distinct level event counts, ascending, then N */
    size_t segment_count;
    long *level_events;    /* n_j of each level */
    size_t level_count;
    unsigned hist_shift;   /* bin of n = n >> hist_shift */
    size_t hist_bins;
} shared_tables;

/* One thread's scratch. */
typedef struct worker {
    uint32_t *n_at;        /* LANES x (t_count + 1): n(t_k) per lane, plus a spare slot */
    double *first_passage; /* LANES x level_count */
    double *q;             /* t_count */
    uint32_t *hist;        /* t_count x hist_bins; 32 bits halve the cache footprint */
    uint32_t hist_added;   /* trajectories in hist since it was last flushed */
    uint32_t *hist_lo;     /* t_count: lowest and highest bin counted in each row, */
    uint32_t *hist_hi;     /*   so a flush touches only those (large N: most of a
                            *   row is never touched, and its pages never faulted in) */
    double *sink_rows;     /* largest batch x level_count, first_passage_sink only */
} worker;

/* Run `lanes` (<= LANES) trajectories through all N events.  Per event and lane:
 * the time advances, n is written at the grid pointer k, and k steps once if
 * the grid point is passed; a second grid point inside the same waiting time
 * (rare) takes the catch-up loop.  Levels only change at segment ends. */
static inline __attribute__((always_inline)) void simulate_lanes(const shared_tables *s, lrk_pcg64 *rng,
                                                                 int lanes, uint32_t *n_at,
                                                                 double *first_passage)
{
    const size_t K = s->t_count, stride = K + 1;
    const double *grid = s->grid, *inv_rate = s->inv_rate;
    double t[LANES];
    size_t k[LANES];
    lrk_uint128 state[LANES], increment[LANES];
    for (int l = 0; l < lanes; l++) {
        t[l] = 0.0;
        k[l] = 0;
        state[l] = rng[l].state;
        increment[l] = rng[l].increment;
    }
    long n = 0;
    size_t j = 0;
    for (size_t seg = 0; seg < s->segment_count; seg++) {
        long end = s->segment_end[seg];
        for (; n < end; n++) {
            double inv = inv_rate[n];
            UNROLL_LANES
            for (int l = 0; l < lanes; l++) {
                t[l] += lrk_exponential_ziggurat_split(&state[l], increment[l]) * inv;
                uint32_t *row = n_at + (size_t)l * stride;
                row[k[l]] = (uint32_t)n;
                k[l] += grid[k[l]] < t[l];
                if (__builtin_expect(grid[k[l]] < t[l], 0)) {
                    while (grid[k[l]] < t[l])
                        row[k[l]++] = (uint32_t)n;
                }
            }
        }
        for (; j < s->level_count && s->level_events[j] == end; j++)
            for (int l = 0; l < lanes; l++)
                first_passage[(size_t)l * s->level_count + j] = t[l];
    }
    for (int l = 0; l < lanes; l++) {
        rng[l].state = state[l];
        uint32_t *row = n_at + (size_t)l * stride;
        for (size_t kk = k[l]; kk < K; kk++)
            row[kk] = (uint32_t)s->N;
    }
}

static void simulate_group(const shared_tables *s, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                           double *first_passage)
{
    switch (lanes) {
#if LANES >= 4
    case 4: simulate_lanes(s, rng, 4, n_at, first_passage); break;
    case 3: simulate_lanes(s, rng, 3, n_at, first_passage); break;
#endif
#if LANES >= 2
    case 2: simulate_lanes(s, rng, 2, n_at, first_passage); break;
#endif
    default: simulate_lanes(s, rng, 1, n_at, first_passage); break;
    }
}

/* Add one trajectory to its batch's moments and the worker's histogram. */
static void accumulate(const shared_tables *s, worker *w, uint64_t count_before, const uint32_t *n_at,
                       const double *first_passage, double *q_mean, double *q_m2, double *t_mean,
                       double *t_m2)
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
    lrk_moments_push_vector(count_before, q_mean, q_m2, w->q, K);
    lrk_moments_push_vector(count_before, t_mean, t_m2, first_passage, s->level_count);
}

/* Shared state of one lrk_kmc_run. */
typedef struct run_state {
    const lrk_kmc_params *p;
    lrk_kmc_result *r;
    const shared_tables *s;
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

/* Simulate batch b (absolute index) into the result's slot for it.  Returns 0
 * when interrupted before the batch was complete. */
static int run_batch(run_state *rs, worker *w, long b)
{
    const shared_tables *s = rs->s;
    lrk_kmc_result *r = rs->r;
    const size_t K = s->t_count, L = s->level_count, slot = (size_t)(b - r->first_batch);
    double *q_mean = r->batch_q_mean + slot * K, *q_m2 = r->batch_q_m2 + slot * K;
    double *t_mean = r->batch_t_mean + slot * L, *t_m2 = r->batch_t_m2 + slot * L;
    long first, count;
    lrk_kmc_batch_range(r->trajectories, r->batch_count, b, &first, &count);
    /* ceil(count / LANES) groups of as equal size as possible (10 = 4 + 3 + 3,
     * not 4 + 4 + 2): a group of few lanes overlaps less work. */
    long groups = (count + LANES - 1) / LANES;
    for (long g = 0, i = 0; g < groups; g++) {
        if (should_stop(rs))
            return 0;
        int lanes = (int)(count / groups + (g < count % groups));
        lrk_pcg64 rng[LANES];
        for (int l = 0; l < lanes; l++)
            lrk_trajectory_rng(&r->stream_key, first + i + l, &rng[l]);
        simulate_group(s, rng, lanes, w->n_at, w->first_passage);
        if (w->hist_added > UINT32_MAX - LANES)
            flush_histogram(w, r); /* before a 32-bit count could wrap */
        w->hist_added += (uint32_t)lanes;
        for (int l = 0; l < lanes; l++) {
            const double *fp = w->first_passage + (size_t)l * L;
            accumulate(s, w, (uint64_t)(i + l), w->n_at + (size_t)l * (K + 1), fp, q_mean, q_m2, t_mean, t_m2);
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
    return 1;
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

static void free_worker(worker *w)
{
    free(w->n_at);
    free(w->first_passage);
    free(w->q);
    free(w->hist);
    free(w->hist_lo);
    free(w->hist_hi);
    free(w->sink_rows);
}

static int init_worker(worker *w, const shared_tables *s, long largest_batch, int with_sink)
{
    memset(w, 0, sizeof *w);
    size_t K = s->t_count, L = s->level_count;
    w->n_at = malloc(LANES * (K + 1) * sizeof(uint32_t));
    w->first_passage = malloc((LANES * L + 1) * sizeof(double));
    w->q = malloc((K + 1) * sizeof(double));
    w->hist = calloc(K * s->hist_bins + 1, sizeof(uint32_t));
    w->hist_lo = malloc((K + 1) * sizeof(uint32_t));
    w->hist_hi = malloc((K + 1) * sizeof(uint32_t));
    if (with_sink && (size_t)largest_batch < SIZE_MAX / sizeof(double) / (L + 1))
        w->sink_rows = malloc(((size_t)largest_batch * L + 1) * sizeof(double));
    if (!w->n_at || !w->first_passage || !w->q || !w->hist || !w->hist_lo || !w->hist_hi
        || (with_sink && !w->sink_rows))
        return 0;
    reset_ranges(w, K);
    return 1;
}

/* The batch loop of one thread.  With a sink the loop is `ordered` so that
 * rows leave in trajectory order; without one, plain dynamic scheduling. */
static void thread_body(run_state *rs, long largest_batch)
{
    const lrk_kmc_params *p = rs->p;
    lrk_kmc_result *r = rs->r;
    worker w;
    int ok = init_worker(&w, rs->s, largest_batch, p->first_passage_sink != NULL);
    if (!ok) {
#pragma omp atomic write
        rs->abort_status = LRK_ERR_NOMEM;
    }
    long begin = r->first_batch, end = r->first_batch + r->batches_held;
    if (p->first_passage_sink != NULL) {
#pragma omp for schedule(dynamic, 1) ordered
        for (long b = begin; b < end; b++) {
            if (ok && !should_stop(rs) && run_batch(rs, &w, b)) {
#pragma omp ordered
                if (!should_stop(rs))
                    flush_sink(rs, &w, b);
            }
        }
    } else {
#pragma omp for schedule(dynamic, 1)
        for (long b = begin; b < end; b++)
            if (ok && !should_stop(rs))
                run_batch(rs, &w, b);
    }
    if (ok)
        flush_histogram(&w, r);
    free_worker(&w);
}

static void free_tables(shared_tables *s)
{
    free(s->inv_rate);
    free(s->grid);
    free(s->segment_end);
    free(s->level_events);
}

static lrk_status build_tables(shared_tables *s, const lrk_kmc_params *p, const lrk_kmc_result *r,
                               lrk_error *err)
{
    const lrk_model *m = p->model;
    memset(s, 0, sizeof *s);
    s->N = m->N;
    s->t_count = p->t_count;
    s->level_count = p->level_count;
    while ((1L << s->hist_shift) < r->hist_width)
        s->hist_shift++;
    s->hist_bins = r->hist_bins;
    s->inv_rate = malloc((size_t)m->N * sizeof(double));
    s->grid = malloc((p->t_count + 1) * sizeof(double));
    s->level_events = malloc((p->level_count + 1) * sizeof(long));
    s->segment_end = malloc((p->level_count + 1) * sizeof(long));
    if (!s->inv_rate || !s->grid || !s->level_events || !s->segment_end) {
        free_tables(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory for the rate table (N = %ld)", m->N);
    }
    for (long n = 0; n < m->N; n++)
        s->inv_rate[n] = 1.0 / lrk_model_rate(m, n);
    if (p->t_count > 0)
        memcpy(s->grid, p->t, p->t_count * sizeof(double));
    s->grid[p->t_count] = INFINITY;
    for (size_t j = 0; j < p->level_count; j++) {
        long e = lrk_level_event_count(p->q_levels[j], m->N);
        s->level_events[j] = e;
        if (s->segment_count == 0 || s->segment_end[s->segment_count - 1] != e)
            s->segment_end[s->segment_count++] = e;
    }
    if (s->segment_count == 0 || s->segment_end[s->segment_count - 1] != m->N)
        s->segment_end[s->segment_count++] = m->N;
    return LRK_OK;
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
    shared_tables s;
    st = build_tables(&s, p, r, err);
    if (st != LRK_OK)
        return st;
    run_state rs = {.p = p, .r = r, .s = &s, .last_progress = omp_get_wtime(),
                    .progress_seconds = p->progress_seconds > 0 ? p->progress_seconds : 1.0};
    long threads = p->threads > 0 ? p->threads : omp_get_max_threads();
    if (threads > r->batches_held)
        threads = r->batches_held;
    long biggest = largest_batch(r);
#pragma omp parallel num_threads((int)threads)
    thread_body(&rs, biggest);
    free_tables(&s);
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
