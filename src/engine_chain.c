/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine_chain.c - the mean-field birth chain of model.h as an engine
 * (engine.h).
 *
 * One trajectory starts from n = 0 and waits Exp(lambda_n) before event
 * n + 1, n = 0 .. N-1: exactly N events and no time step.  The waiting time
 * is E / lambda_n with E a unit exponential (ziggurat, rng_inline.h) and
 * 1/lambda_n read from a table computed once per run and shared read-only by
 * all threads (8 N bytes).  Event times accumulate in double precision
 * (relative rounding <= N 2^-53).
 *
 * Speed: one exponential variate per event is the floor, so the inner loop is
 * the ziggurat, one multiply by the 1/lambda_n table and a grid-pointer step.
 * LANES trajectories advance together in one loop over n (they share N and
 * the table): their dependency chains (the 128-bit LCG step, the time sum)
 * are independent, so the CPU overlaps them.  Which lane runs a trajectory
 * changes nothing in its numbers.
 */
#include "lrekmc/engine.h"

#include <stdlib.h>

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

typedef struct chain_tables {
    long N;
    double *inv_rate;      /* 1 / lambda_n, n < N */
    const double *grid;    /* t_count grid times, then +inf (the run's grid) */
    size_t t_count;
    long *segment_end;     /* distinct level event counts, ascending, then N */
    size_t segment_count;
    const long *level_events;
    size_t level_count;
} chain_tables;

static void chain_free(void *shared)
{
    chain_tables *s = shared;
    if (s == NULL)
        return;
    free(s->inv_rate);
    free(s->segment_end);
    free(s);
}

static lrk_status chain_alloc(const lrk_model *m, const lrk_engine_grid *g, void **shared, lrk_error *err)
{
    *shared = NULL;
    chain_tables *s = calloc(1, sizeof *s);
    if (s != NULL) {
        s->inv_rate = malloc((size_t)m->N * sizeof(double));
        s->segment_end = malloc((g->level_count + 1) * sizeof(long));
    }
    if (s == NULL || s->inv_rate == NULL || s->segment_end == NULL) {
        chain_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "kmc: out of memory for the rate table (N = %ld)", m->N);
    }
    s->N = m->N;
    s->grid = g->t;
    s->t_count = g->t_count;
    s->level_events = g->level_events;
    s->level_count = g->level_count;
    for (long n = 0; n < m->N; n++)
        s->inv_rate[n] = 1.0 / lrk_model_rate(m, n);
    for (size_t j = 0; j < g->level_count; j++) {
        long e = g->level_events[j];
        if (s->segment_count == 0 || s->segment_end[s->segment_count - 1] != e)
            s->segment_end[s->segment_count++] = e;
    }
    if (s->segment_count == 0 || s->segment_end[s->segment_count - 1] != m->N)
        s->segment_end[s->segment_count++] = m->N;
    *shared = s;
    return LRK_OK;
}

static lrk_status chain_worker_alloc(const void *shared, void **worker, lrk_error *err)
{
    (void)shared;
    (void)err;
    *worker = NULL; /* all scratch is on the stack */
    return LRK_OK;
}

static void chain_worker_free(void *worker)
{
    (void)worker;
}

/* Run `lanes` (<= LANES) trajectories through all N events.  Per event and lane:
 * the time advances, n is written at the grid pointer k, and k steps once if
 * the grid point is passed; a second grid point inside the same waiting time
 * (rare) takes the catch-up loop.  Levels only change at segment ends. */
static inline __attribute__((always_inline)) void simulate_lanes(const chain_tables *s, lrk_pcg64 *rng,
                                                                 int lanes, uint32_t *n_at,
                                                                 double *first_passage)
{
    const size_t K = s->t_count, stride = K + 1;
    const double *grid = s->grid, *inv_rate = s->inv_rate;
    double t[LANES];
    size_t k[LANES];
    uint32_t *rows[LANES];
    lrk_uint128 state[LANES], increment[LANES];
    for (int l = 0; l < lanes; l++) {
        t[l] = 0.0;
        k[l] = 0;
        rows[l] = n_at + (size_t)l * stride;
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
                uint32_t *row = rows[l];
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

/* One function per lane count, so that each is fully unrolled and gets its
 * own register allocation. */
#define LANE_FUNCTION(count)                                                                          \
    static __attribute__((noinline)) void simulate_##count(const chain_tables *s, lrk_pcg64 *rng,     \
                                                           uint32_t *n_at, double *first_passage)     \
    {                                                                                                 \
        simulate_lanes(s, rng, count, n_at, first_passage);                                           \
    }
LANE_FUNCTION(1)
LANE_FUNCTION(2)
LANE_FUNCTION(3)
LANE_FUNCTION(4)

static void chain_simulate(const void *shared, void *worker, lrk_pcg64 *rng, int lanes, uint32_t *n_at,
                           double *first_passage, double *extra)
{
    (void)worker;
    (void)extra;
    const chain_tables *s = shared;
    switch (lanes) {
    case 4: simulate_4(s, rng, n_at, first_passage); break;
    case 3: simulate_3(s, rng, n_at, first_passage); break;
    case 2: simulate_2(s, rng, n_at, first_passage); break;
    default: simulate_1(s, rng, n_at, first_passage); break;
    }
}

/* Every reference of lrekmc is a statement about this chain (the ODE and LNA
 * in the limit N -> infinity, the others at finite N). */
static unsigned chain_references(const lrk_model *m)
{
    (void)m;
    return LRK_REF_ALL;
}

const lrk_engine_type lrk_engine_chain = {
    .name = "chain",
    .max_lanes = LANES,
    .extra_count = NULL,
    .shared_alloc = chain_alloc,
    .shared_free = chain_free,
    .worker_alloc = chain_worker_alloc,
    .worker_free = chain_worker_free,
    .simulate = chain_simulate,
    .references = chain_references,
    .results_version = 3, /* 2: grid_covers is a z-test (q_kmc_end + 3 sem >= q_max), point.c; 3: relaxation.csv gained chi4_err (a resumed run must not keep points without it) */
};
