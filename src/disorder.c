/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder.c - quenched barrier disorder (disorder.h): the offset samplers,
 * validation, and the two exact engines (operational time with a bucket sort;
 * the direct sum-tree simulation kept as an independent check).
 *
 * Sampler bounds (what lrk_disorder_support promises):
 *  - uniform draws U = (k + 1/2) 2^-52 in [2^-53, 1 - 2^-53]: delta in (-w, w);
 *  - normal, the 256-layer ziggurat of disorder_sample.h: the layers give
 *    |z| < r = 3.654, the tail r + x with x^2 < 2 (-ln U) <= 2 * 53 ln 2, so
 *    |z| < 3.6542 + 8.5717 = 12.226 < LRK_DISORDER_NORMAL_ZMAX;
 *  - exponential, the ziggurat: <= r - ln(2^-53) = 7.70 + 36.74 = 44.44;
 *  - bimodal: one bit per LRE, delta = +-w.
 */
#include "lrekmc/disorder.h"

#include "lrekmc/lattice_engine.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "disorder_internal.h"
#include "disorder_sample.h"
#include "disorder_sort.h"

const char *const lrk_disorder_names[] = {"none", "normal", "uniform", "exponential", "bimodal", NULL};
#define KIND_COUNT (sizeof lrk_disorder_names / sizeof lrk_disorder_names[0] - 1)

const char *lrk_disorder_name(lrk_disorder_kind kind)
{
    return (unsigned)kind < KIND_COUNT ? lrk_disorder_names[kind] : NULL;
}

lrk_status lrk_disorder_parse(const char *name, lrk_disorder_kind *kind)
{
    for (size_t i = 0; i < KIND_COUNT; i++)
        if (strcmp(name, lrk_disorder_names[i]) == 0) {
            *kind = (lrk_disorder_kind)i;
            return LRK_OK;
        }
    return LRK_ERR_INVALID;
}

int lrk_disorder_active(const lrk_model *m)
{
    return m->disorder.kind != LRK_DISORDER_NONE && m->disorder.width > 0;
}

void lrk_disorder_support(const lrk_disorder *d, double *lo, double *hi)
{
    double w = d->width;
    switch (d->kind) {
    case LRK_DISORDER_NORMAL: *lo = -LRK_DISORDER_NORMAL_ZMAX * w; *hi = LRK_DISORDER_NORMAL_ZMAX * w; return;
    case LRK_DISORDER_UNIFORM:
    case LRK_DISORDER_BIMODAL: *lo = -w; *hi = w; return;
    case LRK_DISORDER_EXPONENTIAL: *lo = 0; *hi = LRK_DISORDER_EXPONENTIAL_MAX * w; return;
    default: *lo = *hi = 0; return;
    }
}

void lrk_disorder_moments(const lrk_disorder *d, double *mean, double *variance)
{
    double w = d->width;
    *mean = d->kind == LRK_DISORDER_EXPONENTIAL ? w : 0;
    switch (d->kind) {
    case LRK_DISORDER_NORMAL:
    case LRK_DISORDER_EXPONENTIAL:
    case LRK_DISORDER_BIMODAL: *variance = w * w; return;
    case LRK_DISORDER_UNIFORM: *variance = w * w / 3; return;
    default: *variance = 0; return;
    }
}

lrk_status lrk_disorder_validate(const lrk_model *m, lrk_error *err)
{
    const lrk_disorder *d = &m->disorder;
    if (lrk_disorder_name(d->kind) == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model.disorder.distribution: expected one of none, normal, uniform, exponential, bimodal");
    if (!isfinite(d->width) || d->width < 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.disorder.width = %g: expected a finite number >= 0",
                             d->width);
    if (!lrk_disorder_active(m))
        return LRK_OK; /* the chain's own range check (model.c) applies */
    double lo, hi;
    lrk_disorder_support(d, &lo, &hi);
    lrk_status st;
    /* r3 runs on the lattice engine: its representability rule, one copy
     * (kernel uniform runs here, on the operational-time engine) */
    if (m->space.lattice != LRK_LATTICE_NONE && m->space.kernel != LRK_KERNEL_UNIFORM
        && (st = lrk_lattice_validate(m, err)) != LRK_OK)
        return st;
    double x_lo = (m->V0 + lo) / m->T, x_hi = (m->V0 + hi) / m->T;
    double a = lrk_model_coupling(m) * m->V1 / m->T;
    /* the largest real time is <= 44.5 e^(x_hi) e^(max(a, 0)) */
    if (!(x_lo >= -LRK_DISORDER_MAX_LOG_RATE && x_hi + (a > 0 ? a : 0) <= LRK_DISORDER_MAX_LOG_RATE))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model.disorder.width = %g (%s): the sampled log-rates -(V0 + delta)/T span "
                             "[%g, %g] (plus c V1/T = %g): expected |(V0 + delta)/T| + max(c V1/T, 0) <= %g so "
                             "that every operational and real time is a normal double",
                             d->width, lrk_disorder_name(d->kind), -x_hi, -x_lo, a, LRK_DISORDER_MAX_LOG_RATE);
    return LRK_OK;
}

/* ---- samplers (disorder_sample.h) ------------------------------------ */

/* The generator's state is kept in a local variable (split from its
 * increment) so that it stays in registers across the loops. */
void lrk_disorder_draw(const lrk_disorder *d, lrk_pcg64 *g, long N, double *delta)
{
    const double w = d->width;
    lrk_uint128 state = g->state;
    const lrk_uint128 inc = g->increment;
    switch (d->kind) {
    case LRK_DISORDER_NORMAL:
        for (long i = 0; i < N; i++)
            delta[i] = w * disorder_normal_split(&state, inc, &disorder_normal_table);
        break;
    case LRK_DISORDER_UNIFORM:
        for (long i = 0; i < N; i++)
            delta[i] = w * (2.0 * (((double)(disorder_pcg64_step(&state, inc) >> 12) + 0.5) * 0x1.0p-52) - 1.0);
        break;
    case LRK_DISORDER_EXPONENTIAL:
        for (long i = 0; i < N; i++)
            delta[i] = w * lrk_exponential_ziggurat_split(&state, inc);
        break;
    case LRK_DISORDER_BIMODAL: {
        const double value[2] = {-w, w};
        for (long i = 0; i < N; i += 64) {
            uint64_t bits = disorder_pcg64_step(&state, inc);
            long end = i + 64 < N ? i + 64 : N;
            for (long j = i; j < end; j++, bits >>= 1)
                delta[j] = value[bits & 1u];
        }
        break;
    }
    default:
        for (long i = 0; i < N; i++)
            delta[i] = 0;
        break;
    }
    g->state = state;
}

/* ---- engine tables ----------------------------------------------------- */

struct lrk_disorder_engine {
    lrk_model model;
    long N;
    double x0, w_over_T;   /* log-rate offset V0/T and width/T */
    int unit_clock;        /* c V1 = 0: h = 1, t = s */
    double *h;             /* h(n) = exp(c V1 n / (N T)), n < N */
    double *grid;          /* t_count times, then +inf */
    size_t t_count;
    long *level_events;
    size_t level_count;
    long *segment_end;     /* distinct level event counts, then N */
    size_t segment_count;
};

struct lrk_disorder_scratch {
    lrk_disorder_method method;
    double *s;             /* the sorted operational times (the sum tree: the offsets) */
    disorder_buckets buckets; /* where they wait to be sorted (disorder_sort.h) */
    uint32_t *count;       /* disorder_sort_count_size(N) slots of the fine counting sort */
    double *tree;          /* sum tree only: 2 P nodes, leaf P + i is LRE i */
    size_t tree_leaves;
};

void lrk_disorder_engine_free(lrk_disorder_engine *e)
{
    if (e == NULL)
        return;
    free(e->h);
    free(e->grid);
    free(e->level_events);
    free(e->segment_end);
    free(e);
}

lrk_status lrk_disorder_engine_create(const lrk_model *m, const double *t, size_t t_count,
                                      const long *level_events, size_t level_count,
                                      lrk_disorder_engine **out, lrk_error *err)
{
    *out = NULL;
    lrk_status st = lrk_model_validate(m, err);
    if (st == LRK_OK)
        st = lrk_disorder_validate(m, err);
    if (st != LRK_OK)
        return st;
    if (m->N > UINT32_MAX - 1)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.N = %ld: expected <= %u for the disorder engine",
                             m->N, UINT32_MAX - 1);
    lrk_disorder_engine *e = calloc(1, sizeof *e);
    if (e == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder: out of memory");
    e->model = *m;
    e->N = m->N;
    e->x0 = m->V0 / m->T;
    e->w_over_T = m->disorder.width / m->T;
    double a = lrk_model_coupling(m) * m->V1 / m->T;
    e->unit_clock = (a == 0);
    e->t_count = t_count;
    e->level_count = level_count;
    e->h = malloc((size_t)m->N * sizeof(double));
    e->grid = malloc((t_count + 1) * sizeof(double));
    e->level_events = malloc((level_count + 1) * sizeof(long));
    e->segment_end = malloc((level_count + 1) * sizeof(long));
    if (!e->h || !e->grid || !e->level_events || !e->segment_end) {
        lrk_disorder_engine_free(e);
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder: out of memory for the tables (N = %ld)", m->N);
    }
    /* the engine's own exp (disorder_sample.h) where it applies: libm's
     * exp() may round differently on another machine (glibc picks an FMA
     * build by CPU), and every h(n) enters the real times */
    for (long n = 0; n < m->N; n++) {
        double x = a * (double)n / (double)m->N;
        e->h[n] = fabs(x) <= 700 ? disorder_exp(x) : exp(x);
    }
    if (t_count > 0)
        memcpy(e->grid, t, t_count * sizeof(double));
    e->grid[t_count] = INFINITY;
    for (size_t j = 0; j < level_count; j++) {
        long n = level_events[j];
        if (n < 1 || n > m->N || (j > 0 && n < level_events[j - 1])) {
            lrk_disorder_engine_free(e);
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "disorder: level event count %ld (level %zu): expected nondecreasing in [1, %ld]",
                                 n, j, m->N);
        }
        e->level_events[j] = n;
        if (e->segment_count == 0 || e->segment_end[e->segment_count - 1] != n)
            e->segment_end[e->segment_count++] = n;
    }
    if (e->segment_count == 0 || e->segment_end[e->segment_count - 1] != m->N)
        e->segment_end[e->segment_count++] = m->N;
    *out = e;
    return LRK_OK;
}

size_t lrk_disorder_engine_t_count(const lrk_disorder_engine *e)
{
    return e->t_count;
}

size_t lrk_disorder_engine_level_count(const lrk_disorder_engine *e)
{
    return e->level_count;
}

void lrk_disorder_scratch_free(lrk_disorder_scratch *w)
{
    if (w == NULL)
        return;
    free(w->s);
    disorder_buckets_free(&w->buckets);
    free(w->count);
    free(w->tree);
    free(w);
}

lrk_status lrk_disorder_scratch_create(const lrk_disorder_engine *e, lrk_disorder_method method,
                                       lrk_disorder_scratch **out, lrk_error *err)
{
    *out = NULL;
    if (method != LRK_DISORDER_OPERATIONAL && method != LRK_DISORDER_SUM_TREE && method != DISORDER_METHOD_BROKEN)
        return lrk_error_set(err, LRK_ERR_INVALID, "disorder: unknown simulation method %d", (int)method);
    lrk_disorder_scratch *w = calloc(1, sizeof *w);
    if (w == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder: out of memory");
    const size_t N = (size_t)e->N;
    w->method = method;
    w->s = malloc(N * sizeof(double));
    int ok = w->s != NULL;
    if (method == LRK_DISORDER_SUM_TREE) {
        w->tree_leaves = 1;
        while (w->tree_leaves < N)
            w->tree_leaves *= 2;
        w->tree = malloc(2 * w->tree_leaves * sizeof(double));
        ok = ok && w->tree;
    } else {
        ok = disorder_buckets_init(&w->buckets, N) && ok;
        w->count = malloc(disorder_sort_count_size(N) * sizeof(uint32_t));
        ok = ok && w->count;
    }
    if (!ok) {
        lrk_disorder_scratch_free(w);
        return lrk_error_set(err, LRK_ERR_NOMEM, "disorder: out of memory for the scratch (N = %ld)", e->N);
    }
    *out = w;
    return LRK_OK;
}

/* ---- operational-time engine ------------------------------------------- */

/* Draw s_i = E_i e^(x_i) block by block in L1.  Two generators: the offsets
 * come from g (after four words that seed the second one, exactly the
 * numbers lrk_disorder_draw would give), the unit exponentials from `expo`,
 * a PCG64 seeded from those four words (lrk_pcg64_seed128).  The two LCG
 * chains do not depend on each other, so the CPU runs them side by side:
 * one stream would serialise two 128-bit multiplies per LRE. */
#define OP_BLOCK 256

/* One block: x[j] = the log-rate from `offset` (a sampler on state a),
 * e[j] = an exponential from state b. */
#define OP_FILL(offset)                                                                            \
    for (long j = 0; j < m; j++) {                                                                 \
        x[j] = x0 + wt * (offset);                                                                 \
        ex[j] = lrk_exponential_ziggurat_split(&b, inc_b);                                         \
    }

void disorder_operational_times(const lrk_disorder_engine *e, lrk_pcg64 *g, disorder_buckets *out)
{
    const long N = e->N;
    const double x0 = e->x0, wt = e->w_over_T;
    lrk_pcg64 expo;
    {
        uint64_t k[4];
        for (int i = 0; i < 4; i++)
            k[i] = lrk_pcg64_next_inline(g);
        lrk_pcg64_seed128(&expo, ((lrk_uint128)k[0] << 64) | k[1], ((lrk_uint128)k[2] << 64) | k[3]);
    }
    lrk_uint128 a = g->state, b = expo.state;
    const lrk_uint128 inc_a = g->increment, inc_b = expo.increment;
    const lrk_disorder_kind kind = e->model.disorder.kind;
    /* bimodal: a table, not a branch (the bit is a coin flip the CPU cannot
     * predict), and no exp() */
    const double factor[2] = {disorder_exp(x0 - wt), disorder_exp(x0 + wt)};
    double x[OP_BLOCK], ex[OP_BLOCK];
    for (long i = 0; i < N; i += OP_BLOCK) {
        const long m = N - i < OP_BLOCK ? N - i : OP_BLOCK;
        switch (kind) {
        case LRK_DISORDER_BIMODAL:
            /* as lrk_disorder_draw: 64 offsets per output of g (OP_BLOCK is
             * a multiple of 64) */
            for (long j = 0; j < m; j += 64) {
                uint64_t bits = disorder_pcg64_step(&a, inc_a);
                long end = j + 64 < m ? j + 64 : m;
                for (long k = j; k < end; k++, bits >>= 1)
                    x[k] = factor[bits & 1u] * lrk_exponential_ziggurat_split(&b, inc_b);
            }
            break;
        case LRK_DISORDER_NORMAL:
            OP_FILL(disorder_normal_split(&a, inc_a, &disorder_normal_table));
            break;
        case LRK_DISORDER_UNIFORM:
            OP_FILL((2.0 * (((double)(disorder_pcg64_step(&a, inc_a) >> 12) + 0.5) * 0x1.0p-52) - 1.0));
            break;
        case LRK_DISORDER_EXPONENTIAL:
            OP_FILL(lrk_exponential_ziggurat_split(&a, inc_a));
            break;
        default:
            OP_FILL(0.0);
            break;
        }
        if (kind != LRK_DISORDER_BIMODAL)
            disorder_exp_times(x, ex, x, (size_t)m); /* each element by itself: blocks do not matter */
        /* into their coarse buckets while the block is in L1 */
        disorder_buckets_put_block(out, x, (size_t)m);
    }
    g->state = a;
}

/* Walk the sorted event times: the time of event n + 1 is time[n] (computed
 * by next_time), n(t_k) goes to the grid, level times at segment ends. */
#define WALK(next_time)                                                                            \
    do {                                                                                           \
        long n = 0;                                                                                \
        size_t j = 0, k = 0;                                                                       \
        for (size_t seg = 0; seg < e->segment_count; seg++) {                                      \
            long end = e->segment_end[seg];                                                        \
            for (; n < end; n++) {                                                                 \
                next_time;                                                                         \
                n_at[k] = (uint32_t)n;                                                             \
                while (grid[k] < t)                                                                \
                    n_at[k++] = (uint32_t)n;                                                       \
            }                                                                                      \
            for (; j < e->level_count && e->level_events[j] == end; j++)                           \
                first_passage[j] = t;                                                              \
        }                                                                                          \
        for (; k < e->t_count; k++)                                                                \
            n_at[k] = (uint32_t)e->N;                                                              \
    } while (0)

/* off_by_one = 1 is the deliberately broken variant of the tests (the gap
 * after event n scaled by h(n + 1) instead of h(n)); the engine uses 0. */
static void simulate_operational(const lrk_disorder_engine *e, lrk_disorder_scratch *w, lrk_pcg64 *g,
                                 uint32_t *n_at, double *first_passage, long off_by_one)
{
    disorder_operational_times(e, g, &w->buckets);
    disorder_buckets_sort(&w->buckets, w->s, w->count);
    const double *sorted = w->s, *grid = e->grid, *h = e->h;
    double t = 0;
    const long last = e->N - 1;
    if (off_by_one) {
        double prev = 0;
        WALK((t += (sorted[n] - prev) * h[n + 1 <= last ? n + 1 : last], prev = sorted[n]));
    } else if (e->unit_clock) {
        WALK(t = sorted[n]);
    } else {
        double prev = 0;
        WALK((t += (sorted[n] - prev) * h[n], prev = sorted[n]));
    }
}

/* ---- direct simulation with a sum tree --------------------------------- */

static void tree_update(double *tree, size_t node)
{
    for (node /= 2; node >= 1; node /= 2)
        tree[node] = tree[2 * node] + tree[2 * node + 1];
}

/* The leaf whose cumulative weight interval holds u (0 <= u < total);
 * branches of zero weight are never entered. */
static size_t tree_find(const double *tree, size_t leaves, double u)
{
    size_t node = 1;
    while (node < leaves) {
        double left = tree[2 * node], right = tree[2 * node + 1];
        if ((u < left && left > 0) || right <= 0) {
            node = 2 * node;
        } else {
            u -= left;
            node = 2 * node + 1;
        }
    }
    return node;
}

static void simulate_sum_tree(const lrk_disorder_engine *e, lrk_disorder_scratch *w, lrk_pcg64 *g,
                              uint32_t *n_at, double *first_passage)
{
    const size_t P = w->tree_leaves;
    double *tree = w->tree;
    lrk_disorder_draw(&e->model.disorder, g, e->N, w->s);
    memset(tree, 0, 2 * P * sizeof(double));
    for (long i = 0; i < e->N; i++)
        tree[P + (size_t)i] = exp(-(e->x0 + w->s[i] / e->model.T));
    for (size_t node = P - 1; node >= 1; node--)
        tree[node] = tree[2 * node] + tree[2 * node + 1];
    const double *grid = e->grid, *h = e->h;
    double t = 0;
    WALK({
        double total = tree[1];
        t += lrk_pcg64_exponential_ziggurat_inline(g) * h[n] / total;
        size_t leaf = tree_find(tree, P, disorder_uniform52(g) * total);
        tree[leaf] = 0;
        tree_update(tree, leaf);
    });
}

void lrk_disorder_simulate(const lrk_disorder_engine *e, lrk_disorder_scratch *w, lrk_pcg64 *g, uint32_t *n_at,
                           double *first_passage)
{
    if (w->method == LRK_DISORDER_SUM_TREE)
        simulate_sum_tree(e, w, g, n_at, first_passage);
    else
        simulate_operational(e, w, g, n_at, first_passage, w->method == DISORDER_METHOD_BROKEN);
}
