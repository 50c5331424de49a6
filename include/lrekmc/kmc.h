/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc.h - the event-level kinetic Monte Carlo ensemble.
 *
 * One trajectory is simulated by an engine (engine.h): the mean-field birth
 * chain of model.h (engine_chain.c) unless the model asks for another.  This
 * file is what every engine shares: batches, threads, MPI slices,
 * statistics, histograms and first-passage sinks (kmc.c, kmc_run.c).
 *
 * Per trajectory the engine records
 *   - q(t_k) = n(t_k) / N at every grid time t_k, where n(t) counts the events
 *     at times <= t (a grid pointer advances as events pass: no search);
 *   - the first-passage time at every level q_j: the time of event
 *     n_j = lrk_level_event_count(q_j, N);
 *   - the engine's extra observables (extra_count of them, engine.h), whose
 *     mean, std and sem are kept like those of q and the level times.
 *
 * Determinism.  Trajectory i (0-based, over the whole run) draws from its own
 * lrk_pcg64, lrk_trajectory_rng(&result->stream_key, i), the key being that of
 * (seed, model, streams) (streams.h: NumPy's SeedSequence child i of the
 * entropy words of seed and model), so its events never depend on the
 * thread, the batch split, the rank that ran it, the number of trajectories
 * or the grid.  The trajectories are cut into `batches` contiguous batches:
 * batch b holds trajectories
 *   [floor(b M / B), floor((b + 1) M / B))      (M trajectories, B batches),
 * so batch sizes differ by at most one.  Within a batch the statistics are
 * accumulated by Welford's update in trajectory order; batches are then merged
 * in index order by Chan's formula; histograms are integer counts.  Hence the
 * output bytes are identical for any thread count, and for any way of
 * splitting the batches over calls or MPI ranks (lrk_kmc_result_merge).
 *
 * Quantiles.  At each grid time the engine counts n(t_k) in a histogram of
 * width w events per bin (bin = floor(n / w)): w = 1 (N + 1 bins, exact) when
 * N + 1 <= LRK_KMC_HIST_MAX_BINS, otherwise the smallest power of two with
 * ceil((N + 1) / w) <= LRK_KMC_HIST_MAX_BINS (N = 10^4: w = 4; 10^5: w = 32;
 * 10^6: w = 256).
 * q_pXX is the type-1 quantile (smallest value whose empirical CDF is >= p,
 * stats.h) of the sample of q(t_k), reported as the lower edge of its bin:
 * with w = 1 it is exact; otherwise the exact sample quantile lies in
 * [q_pXX, q_pXX + (w - 1) / N].
 *
 * Memory.  Shared: the engine's tables (the chain: 8 N bytes).  Result: about
 * 16 (B + 1)(K + L) bytes of curves (K grid times, L levels, B batches) plus
 * the histogram, 8 K bins bytes (bins <= LRK_KMC_HIST_MAX_BINS; N = 10^5,
 * K = 400: 10 MB).  Each thread: a 32-bit histogram (4 K bins bytes) and
 * O(K + L) scratch.  Never O(N x M).  Optional per-trajectory first-passage
 * times: keep_first_passage stores them in the result (8 M L bytes); a
 * first_passage_sink instead receives them batch by batch in trajectory order
 * (8 L x batch size bytes per thread).
 *
 * Threads work on whole batches (OpenMP, dynamic schedule), so at most B
 * threads are busy: use B >= 2 x threads.
 */
#ifndef LREKMC_KMC_H
#define LREKMC_KMC_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>

#include "lrekmc/engine.h"
#include "lrekmc/model.h"
#include "lrekmc/status.h"
#include "lrekmc/streams.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest number of histogram bins per grid time (N <= 4096 is exact). */
#define LRK_KMC_HIST_MAX_BINS 4097
/* Largest number of trajectories in one run. */
#define LRK_KMC_MAX_TRAJECTORIES (1L << 50)

/* Progress: trajectories and events completed so far (nondecreasing between
 * calls).  Called from one thread at a time, at most about every
 * progress_seconds while running and once when all batches are done. */
typedef void (*lrk_kmc_progress_fn)(void *user, long trajectories_done, uint64_t events_done);

/* Receives first-passage times of `count` consecutive trajectories starting at
 * `first_trajectory`, row-major: times[i * level_count + j] for trajectory
 * first_trajectory + i at level j.  Calls come in increasing trajectory order,
 * one per batch, from one thread at a time.  Return LRK_OK to go on; any other
 * status stops the run, which then returns that status. */
typedef lrk_status (*lrk_kmc_first_passage_fn)(void *user, long first_trajectory, long count,
                                               size_t level_count, const double *times);

typedef struct lrk_kmc_params {
    const lrk_model *model;    /* validated with lrk_model_validate */
    const lrk_engine_type *engine; /* NULL: lrk_engine_for_model(model); under MPI
                                      only the model's engine (ranks choose it from the model) */
    const double *t;           /* grid times, finite, >= 0, nondecreasing */
    size_t t_count;            /* may be 0 */
    const double *q_levels;    /* levels in (0, 1], nondecreasing */
    size_t level_count;        /* may be 0 */
    uint64_t seed;
    lrk_streams streams;       /* independent (0, the default) or common */
    long trajectories;         /* in [1, LRK_KMC_MAX_TRAJECTORIES] */
    long batches;              /* >= 1; more than `trajectories` means one each */
    int threads;               /* OpenMP threads, 0 = omp_get_max_threads() */
    int keep_first_passage;    /* nonzero: result->first_passage is filled */
    lrk_kmc_first_passage_fn first_passage_sink; /* optional */
    void *first_passage_user;
    volatile sig_atomic_t *stop; /* optional: nonzero asks the run to stop */
    lrk_kmc_progress_fn progress; /* optional */
    void *progress_user;
    double progress_seconds;   /* minimum interval between progress calls; <= 0 means 1 */
} lrk_kmc_params;

typedef struct lrk_kmc_result {
    /* Shape, from the parameters. */
    long N;
    size_t t_count, level_count;
    long trajectories;        /* of the whole run */
    long batch_count;         /* of the whole run: min(batches, trajectories) */
    long first_batch;         /* this result holds batches [first_batch, */
    long batches_held;        /*   first_batch + batches_held) */
    long first_trajectory;    /*   = trajectories [first_trajectory, */
    long trajectories_held;   /*     first_trajectory + trajectories_held) */
    long hist_width;          /* w: events per histogram bin */
    lrk_stream_key stream_key; /* of (seed, model, streams): trajectory generators */
    size_t hist_bins;         /* ceil((N + 1) / w) */

    /* Summary over the held batches (lrk_kmc_result_finalize): q at each grid
     * time, first-passage time at each level.  std is the sample standard
     * deviation over trajectories, sem = std / sqrt(trajectories). */
    double *q_mean, *q_std, *q_sem, *q_p05, *q_p50, *q_p95; /* t_count each */
    double *t_mean, *t_std, *t_sem;                         /* level_count each */
    const lrk_engine_type *engine; /* that simulated the trajectories */
    size_t extra_count;            /* the engine's per-trajectory observables */
    double *extra_mean, *extra_std, *extra_sem;             /* extra_count each */

    /* Per held batch, index b - first_batch, row-major: the batch means (what
     * batch-means error bars need) and Welford M2 sums (for merging). */
    long *batch_trajectories;  /* batches_held */
    double *batch_q_mean;      /* batches_held x t_count */
    double *batch_q_m2;
    double *batch_t_mean;      /* batches_held x level_count */
    double *batch_t_m2;
    double *batch_extra_mean;  /* batches_held x extra_count */
    double *batch_extra_m2;
    unsigned char *batch_done; /* 1 once a batch's results are in */

    /* Counts of n(t_k) / hist_width: hist[k * hist_bins + bin]. */
    uint64_t *hist;
    uint64_t events;           /* events simulated (N per trajectory) */

    /* keep_first_passage only, else NULL: trajectories_held x level_count. */
    double *first_passage;
} lrk_kmc_result;

/* Check the parameters; the message names the field and its allowed range. */
lrk_status lrk_kmc_validate(const lrk_kmc_params *p, lrk_error *err);

/* Effective batch count min(batches, trajectories), and batch b's range. */
long lrk_kmc_batch_count(const lrk_kmc_params *p);
void lrk_kmc_batch_range(long trajectories, long batch_count, long b, long *first, long *count);

/* Allocate a result for batches [first_batch, first_batch + batches_held);
 * batches_held < 0 means all batches from first_batch on.  lrk_kmc_result_create
 * validates the parameters.  Free with lrk_kmc_result_free (NULL is fine). */
lrk_status lrk_kmc_result_create(const lrk_kmc_params *p, long first_batch, long batches_held,
                                 lrk_kmc_result **out, lrk_error *err);
void lrk_kmc_result_free(lrk_kmc_result *r);

/* Simulate the batches the result holds (all of a run, or a slice for one MPI
 * rank), then finalize it.  The result must come from lrk_kmc_result_create
 * with the same parameters and not have been run.  Returns
 * LRK_ERR_INTERRUPTED when *stop became nonzero (checked between groups of a
 * few trajectories); the result is then incomplete and not finalized. */
lrk_status lrk_kmc_run(const lrk_kmc_params *p, lrk_kmc_result *r, lrk_error *err);

/* Copy the batches of `part` (a run of a sub-range) into `into`, whose range
 * must contain them and whose shape must match; add its histogram, events and
 * first-passage rows.  A batch may be merged once.  Then call finalize. */
lrk_status lrk_kmc_result_merge(lrk_kmc_result *into, const lrk_kmc_result *part, lrk_error *err);

/* Recompute the summary from the per-batch arrays (Chan merge in batch index
 * order) and the histogram.  Fails unless every held batch is done. */
lrk_status lrk_kmc_result_finalize(lrk_kmc_result *r, lrk_error *err);

/* Convenience: create a result for the whole run and run it. */
lrk_status lrk_kmc_run_all(const lrk_kmc_params *p, lrk_kmc_result **out, lrk_error *err);

/* Run the KMC ensemble of p over all ranks and return the whole result on
 * rank 0, byte-identical to lrk_kmc_run_all(p).  Called by rank 0 only
 * (the workers are in lrk_parallel_serve, parallel.h; the code is in
 * mpi.c, or parallel.c without MPI).  Without MPI, with one rank or
 * before lrk_parallel_init, it is lrk_kmc_run_all.  p->progress sees rank
 * 0's own count scaled to the whole run (an estimate), then the total.
 * LRK_ERR_INTERRUPTED if any rank was stopped. */
lrk_status lrk_kmc_run_distributed(const lrk_kmc_params *p, lrk_kmc_result **out, lrk_error *err);

/* The engine of the parameters: p->engine, or the model's. */
const lrk_engine_type *lrk_kmc_engine(const lrk_kmc_params *p);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_KMC_H */
