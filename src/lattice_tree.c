/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_tree.c - the spatial engine's sum tree with round-off bounds, and its upper-bound mode
 * (lattice_tree.h): shape, exact recomputation, selection, verification.
 *
 * Error accounting (bounds in units of LT_U = 2u of the computed
 * magnitudes; the tree stores e / LT_U, see lattice_tree.h):
 *   delta update  s' = fl(s + D):         e' = e + E_D + u |s'|;
 *   from children s  = fl(sum of k s_c): e  = sum e_c + (k - 1) u s;
 *   a block       s  = lt_block_sum:     e  = 11 u s  (the rates are what
 *                                          the sums refer to: no error).
 * The first is the rounding of one addition plus the error the delta
 * brought; the second the standard bound for recursive summation of
 * non-negative terms plus the children's own bounds.
 */
#include "lattice_tree.h"

#include <stdlib.h>
#include <string.h>

/* Most entries pick() chooses among: 2^3 children, or 8 rates of a line. */
#define LT_PICK_MAX 8

void lt_shape_init(lt_shape *sh, const unsigned axis_bits[3])
{
    unsigned depth = 0, total_bits = 0;
    for (int d = 0; d < 3; d++) {
        depth = axis_bits[d] > depth ? axis_bits[d] : depth;
        total_bits += axis_bits[d];
    }
    sh->depth = depth;
    sh->size[0] = (size_t)1 << total_bits;
    sh->offset[0] = 0;
    for (unsigned l = 0; l <= depth; l++) {
        unsigned a = 0;
        for (int d = 0; d < 3; d++)
            a += axis_bits[d] > l;
        sh->bits[l] = a;
        sh->tol[l] = (double)(l + 1) * LT_TOL0 / LT_U; /* e is stored in units of LT_U */
        if (l < depth) {
            sh->size[l + 1] = sh->size[l] >> a;
            sh->offset[l + 1] = sh->offset[l] + sh->size[l];
        }
    }
    sh->total = sh->offset[depth] + 1;
}

void lt_recompute(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                  const uint32_t *leaf_block)
{
    size_t i = sh->offset[level] + idx;
    if (level == 0) {
        uint32_t b = leaf_block[idx];
        double s = b == UINT32_MAX ? 0.0 : lt_block_sum(rate + (size_t)b * LT_BLOCK);
        t->sum[i] = s;
        t->err[i] = LT_BLOCK_GAMMA * s;
        return;
    }
    const unsigned a = sh->bits[level - 1];
    const size_t k = (size_t)1 << a, first = sh->offset[level - 1] + (idx << a);
    double s = 0.0, e = 0.0;
    for (size_t c = 0; c < k; c++) {
        s += t->sum[first + c];
        e += t->err[first + c];
    }
    t->sum[i] = s;
    t->err[i] = e + (double)(k - 1) * s;
}

void lt_build(const lt_shape *sh, lt_tree *t, const double *rate, const uint32_t *leaf_block)
{
    for (unsigned l = 0; l <= sh->depth; l++)
        for (size_t idx = 0; idx < sh->size[l]; idx++)
            lt_recompute(sh, t, l, idx, rate, leaf_block);
}

/* The entries among n whose running sum is <= *u (n: *u lies beyond them
 * all); below n, *u becomes the offset inside the next entry, the one
 * whose interval contains it.  Branch-free: the comparisons are random.
 * (The running sums are kept, sums[i + 1] after entry i, so the one before
 * the chosen entry is read back by index instead of being blended in at
 * every step.) */
static inline size_t running_pick(const double *v, size_t n, double *u)
{
    double run = 0.0, sums[LT_PICK_MAX + 1];
    size_t below = 0;
    const double x = *u;
    sums[0] = 0.0;
    for (size_t i = 0; i < n; i++) {
        run += v[i];
        sums[i + 1] = run;
        below += (size_t)(run <= x);
    }
    if (below < n)
        *u = x - sums[below];
    return below;
}

/* Index in [0, n) of the entry whose interval contains *u (positive: the
 * running sums are nondecreasing), *u the offset inside it.  When round-off
 * leaves *u beyond them all, the last positive entry (n if none). */
static inline size_t pick(const double *v, size_t n, double *u)
{
    size_t below = running_pick(v, n, u);
    if (below < n)
        return below;
    size_t last = n;
    for (size_t i = 0; i < n; i++)
        last = v[i] > 0.0 ? i : last;
    if (last < n)
        *u = v[last]; /* beyond: the end of the last positive interval */
    return last;
}

size_t lt_walk(const lt_shape *sh, const lt_tree *t, double *u)
{
    size_t idx = 0;
    for (unsigned l = sh->depth; l > 0; l--) {
        const unsigned a = sh->bits[l - 1];
        const size_t k = (size_t)1 << a;
        const double *v = t->sum + sh->offset[l - 1] + (idx << a);
        /* 8 children (every level of a box with 8+ blocks a side): a
         * constant count, so the loop unrolls (the same operations) */
        size_t c = k == 8 ? pick(v, 8, u) : pick(v, k, u);
        if (c == k)
            return SIZE_MAX;
        idx = (idx << a) + c;
    }
    return idx;
}

/* The block line by line (a line of zeros sums to exactly 0), reading
 * only the lines up to the one chosen. */
size_t lt_in_block(const double *rate, uint32_t b, double u)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const double *r = rate + (size_t)b * LT_BLOCK;
    int last = -1;
    for (int j = 0; j < 8; j++) {
        const double *line = r + 8 * j;
        const double acc = ((line[0] + line[1]) + (line[2] + line[3])) + ((line[4] + line[5]) + (line[6] + line[7]));
        if (acc > 0.0) {
            last = j;
            if (u < acc)
                break;
            u -= acc;
        }
    }
    if (last < 0)
        return SIZE_MAX;
    size_t c = pick(r + 8 * last, 8, &u);
    return c == 8 ? SIZE_MAX : (size_t)b * LT_BLOCK + 8 * (size_t)last + c;
}

void lt_prefetch_block(const double *rate, uint32_t b)
{
    if (b == UINT32_MAX)
        return;
    const double *r = rate + (size_t)b * LT_BLOCK;
    for (int j = 0; j < 8; j++)
        __builtin_prefetch(r + 8 * j);
}

size_t lt_select(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block, double u)
{
    size_t idx = lt_walk(sh, t, &u);
    return idx == SIZE_MAX ? SIZE_MAX : lt_in_block(rate, leaf_block[idx], u);
}

static void check_node(double s, double e_units, long double S, double tol, double *worst_error, double *worst_tol)
{
    const double e = LT_U * e_units;
    const double slack = 0x1p-56 * (double)S; /* the long double sums' own error */
    double dev = fabs((double)((long double)s - S));
    if (dev > 0.0) {
        double r = dev / (e + slack);
        *worst_error = r > *worst_error ? r : *worst_error;
    }
    if (e > 0.0) {
        double r = e / (tol * s);
        *worst_tol = r > *worst_tol ? r : *worst_tol;
    }
}

void lt_verify(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block,
               double *worst_error, double *worst_tol)
{
    *worst_error = 0.0;
    *worst_tol = 0.0;
    long double *S = malloc(sh->total * sizeof *S);
    if (S == NULL) {
        *worst_error = *worst_tol = INFINITY;
        return;
    }
    for (size_t idx = 0; idx < sh->size[0]; idx++) {
        long double acc = 0.0L;
        if (leaf_block[idx] != UINT32_MAX)
            for (int j = 0; j < LT_BLOCK; j++)
                acc += rate[(size_t)leaf_block[idx] * LT_BLOCK + (size_t)j];
        S[idx] = acc;
    }
    for (unsigned l = 1; l <= sh->depth; l++) {
        const size_t k = (size_t)1 << sh->bits[l - 1];
        for (size_t idx = 0; idx < sh->size[l]; idx++) {
            long double acc = 0.0L;
            for (size_t c = 0; c < k; c++)
                acc += S[sh->offset[l - 1] + (idx << sh->bits[l - 1]) + c];
            S[sh->offset[l] + idx] = acc;
        }
    }
    for (unsigned l = 0; l <= sh->depth; l++)
        for (size_t idx = 0; idx < sh->size[l]; idx++) {
            size_t i = sh->offset[l] + idx;
            check_node(t->sum[i], t->err[i], S[i], LT_U * sh->tol[l], worst_error, worst_tol);
        }
    free(S);
}

/* ---- Upper-bound mode (lattice_tree.h) ---- */

void lt_upper_value(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                    const uint32_t *leaf_block)
{
    size_t i = sh->offset[level] + idx;
    if (level == 0) {
        uint32_t b = leaf_block[idx];
        t->sum[i] = b == UINT32_MAX ? 0.0 : lt_block_sum(rate + (size_t)b * LT_BLOCK) * LT_UP;
        return;
    }
    /* the children's sum in order from 0: their last running sum */
    const unsigned a = sh->bits[level - 1];
    t->sum[i] = t->cum[sh->offset[level - 1] + (idx << a) + ((size_t)1 << a) - 1] * LT_UP;
}

void lt_upper_group(const lt_shape *sh, lt_tree *t, unsigned level, size_t first)
{
    const size_t k = (size_t)1 << sh->bits[level], at = sh->offset[level] + first;
    double run = 0.0;
    for (size_t c = 0; c < k; c++) {
        run += t->sum[at + c];
        t->cum[at + c] = run;
    }
}

void lt_upper_node(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                   const uint32_t *leaf_block)
{
    lt_upper_value(sh, t, level, idx, rate, leaf_block);
    if (level < sh->depth)
        lt_upper_group(sh, t, level, idx & ~(((size_t)1 << sh->bits[level]) - 1));
}

void lt_upper_repair(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                     const uint32_t *leaf_block)
{
    lt_upper_node(sh, t, level, idx, rate, leaf_block);
    for (unsigned l = level; l < sh->depth; l++) {
        idx >>= sh->bits[l];
        lt_upper_node(sh, t, l + 1, idx, rate, leaf_block);
    }
}

void lt_build_upper(const lt_shape *sh, lt_tree *t, const double *rate, const uint32_t *leaf_block)
{
    for (unsigned l = 0; l <= sh->depth; l++) {
        for (size_t idx = 0; idx < sh->size[l]; idx++)
            lt_upper_value(sh, t, l, idx, rate, leaf_block);
        if (l < sh->depth)
            for (size_t first = 0; first < sh->size[l]; first += (size_t)1 << sh->bits[l])
                lt_upper_group(sh, t, l, first);
    }
}

/* The entries among the group's k whose running sum is <= x: independent
 * comparisons, no chain (k = 8 a constant: unrolled, vectorised). */
static inline size_t count_below(const double *cum, size_t k, double x)
{
    size_t below = 0;
    for (size_t c = 0; c < k; c++)
        below += (size_t)(cum[c] <= x);
    return below;
}

/* The running sum before child c (0 for the first, and x - 0 = x): the
 * offset inside child c is x minus it; the 0 by a mask, not a branch that
 * the random c mispredicts one walk level in eight. */
static inline double sum_before(const double *cum, size_t c)
{
    uint64_t before;
    memcpy(&before, cum + c - (c > 0), sizeof before);
    before &= -(uint64_t)(c > 0);
    double minus;
    memcpy(&minus, &before, sizeof minus);
    return minus;
}

/* Above this many level-0 entries the walk asks for its last level ahead. */
#define LT_WALK_PREFETCH_ABOVE 4096

size_t lt_walk_upper(const lt_shape *sh, const lt_tree *t, double *u, unsigned *null_level, size_t *null_idx,
                     const uint32_t *leaf_block)
{
    size_t idx = 0;
    double x = *u;
    /* beyond L2 (L > 64): measured -1..2 % at L <= 64, where all is cached */
    const int prefetch = sh->size[0] > LT_WALK_PREFETCH_ABOVE && sh->bits[0] + sh->bits[1] <= 6;
    for (unsigned l = sh->depth; l > 0; l--) {
        const unsigned a = sh->bits[l - 1];
        const size_t k = (size_t)1 << a;
        const double *cum = t->cum + sh->offset[l - 1] + (idx << a);
        if (l == 2 && prefetch) {
            /* the grandchildren's running sums and block numbers, asked
             * for one level ahead: the level-0 line and the block number
             * then arrive together instead of one after the other */
            const size_t first = idx << (a + sh->bits[0]), n = (size_t)1 << (a + sh->bits[0]);
            const double *c0 = t->cum + sh->offset[0] + first;
            for (size_t j = 0; j < n; j += 8)
                __builtin_prefetch(c0 + j);
            for (size_t j = 0; j < n; j += 16)
                __builtin_prefetch(leaf_block + first + j);
        }
        const size_t c = k == 8 ? count_below(cum, 8, x) : count_below(cum, k, x);
        if (c == k) { /* beyond every running sum: the node's slack, a null */
            *null_level = l;
            *null_idx = idx;
            *u = x;
            return SIZE_MAX;
        }
        x -= sum_before(cum, c);
        idx = (idx << a) + c;
    }
    *u = x;
    return idx;
}

void lt_walk_upper_many(const lt_shape *sh, const lt_tree *t, unsigned n, double *u, size_t *idx,
                        unsigned *null_level, const uint32_t *leaf_block)
{
    for (unsigned j = 0; j < n; j++) {
        idx[j] = 0;
        null_level[j] = 0;
    }
    for (unsigned l = sh->depth; l > 0; l--) {
        const unsigned a = sh->bits[l - 1];
        const size_t k = (size_t)1 << a;
        const double *const level = t->cum + sh->offset[l - 1];
        for (unsigned j = 0; j < n; j++) {
            if (null_level[j] != 0)
                continue;
            const double *cum = level + (idx[j] << a);
            const double x = u[j];
            const size_t c = k == 8 ? count_below(cum, 8, x) : count_below(cum, k, x);
            if (c == k) { /* the node's slack: a null at (l, idx) */
                null_level[j] = l;
                continue;
            }
            u[j] = x - sum_before(cum, c);
            idx[j] = (idx[j] << a) + c;
            if (l > 1)
                __builtin_prefetch(t->cum + sh->offset[l - 2] + (idx[j] << sh->bits[l - 2]));
            else
                __builtin_prefetch(leaf_block + idx[j]);
        }
    }
}

size_t lt_in_block_upper(const double *rate, uint32_t b, double u)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const double *r = rate + (size_t)b * LT_BLOCK;
    for (int j = 0; j < 8; j++) {
        const double *line = r + 8 * j;
        const double acc = ((line[0] + line[1]) + (line[2] + line[3])) + ((line[4] + line[5]) + (line[6] + line[7]));
        if (u < acc) {
            /* the line's running sums can round below its pairwise sum:
             * then pick's fallback, the last positive rate of the line
             * (a rounding-level choice, not slack) */
            size_t c = pick(line, 8, &u);
            return c == 8 ? SIZE_MAX : (size_t)b * LT_BLOCK + 8 * (size_t)j + c;
        }
        u -= acc;
    }
    return SIZE_MAX; /* beyond the block's rates: its slack */
}

static void verify_upper_sums(const lt_shape *sh, const lt_tree *t, const long double *leaf_S, double *worst_bound,
                              double *worst_tight)
{
    *worst_bound = 0.0;
    *worst_tight = 0.0;
    for (unsigned l = 0; l <= sh->depth; l++)
        for (size_t idx = 0; idx < sh->size[l]; idx++) {
            long double S = 0.0L;
            if (l == 0) {
                S = leaf_S[idx];
            } else { /* and the group's running sums, as lt_upper_group sums them */
                const size_t k = (size_t)1 << sh->bits[l - 1], first = sh->offset[l - 1] + (idx << sh->bits[l - 1]);
                double run = 0.0;
                for (size_t c = 0; c < k; c++) {
                    S += t->sum[first + c];
                    run += t->sum[first + c];
                    if (t->cum[first + c] != run)
                        *worst_bound = INFINITY;
                }
            }
            const double U = t->sum[sh->offset[l] + idx];
            if (S == 0.0L) {
                if (U < 0.0 || U != U)
                    *worst_bound = INFINITY;
                continue;
            }
            const double r = U > 0.0 ? (double)(S / U) : INFINITY;
            *worst_bound = r > *worst_bound ? r : *worst_bound;
            if (l > 0) {
                const double g = (double)(((long double)U - S) / S) * 0x1p48;
                *worst_tight = g > *worst_tight ? g : *worst_tight;
            }
        }
}

void lt_verify_upper_any(const lt_shape *sh, const lt_tree *t, const double *rate, const float *frate,
                         const uint32_t *leaf_block, double *worst_bound, double *worst_tight)
{
    long double *S = malloc(sh->size[0] * sizeof *S);
    if (S == NULL) {
        *worst_bound = *worst_tight = INFINITY;
        return;
    }
    for (size_t idx = 0; idx < sh->size[0]; idx++) {
        S[idx] = 0.0L;
        if (leaf_block[idx] == UINT32_MAX)
            continue;
        const size_t first = (size_t)leaf_block[idx] * LT_BLOCK;
        for (size_t j = 0; j < LT_BLOCK; j++)
            S[idx] += rate != NULL ? (long double)rate[first + j] : (long double)frate[first + j];
    }
    verify_upper_sums(sh, t, S, worst_bound, worst_tight);
    free(S);
}

void lt_verify_upper(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block,
                     double *worst_bound, double *worst_tight)
{
    lt_verify_upper_any(sh, t, rate, NULL, leaf_block, worst_bound, worst_tight);
}
