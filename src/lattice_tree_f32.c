/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_tree_f32.c - level 0 of the upper-bound tree (lattice_tree.h)
 * when the lazy mode stores float upper bounds (lattice_engine.c): a
 * block's bound from its 64 floats, the pick inside a block (which also
 * returns the offset that the exact acceptance reads), and the tests'
 * check.  Everything above level 0 is the double upper-bound tree's.
 */
#include <stdlib.h>

#include "lattice_tree.h"

void lt_upper_block_f(const lt_shape *sh, lt_tree *t, size_t idx, const float *rate, const uint32_t *leaf_block)
{
    const uint32_t b = leaf_block[idx];
    t->sum[sh->offset[0] + idx] = b == UINT32_MAX ? 0.0 : lt_block_sum_f(rate + (size_t)b * LT_BLOCK) * LT_UP;
}

void lt_upper_repair_f(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const float *rate,
                       const uint32_t *leaf_block)
{
    if (level == 0) {
        lt_upper_block_f(sh, t, idx, rate, leaf_block);
        if (sh->depth == 0)
            return;
        idx >>= sh->bits[0];
        level = 1;
    }
    /* above level 0 nothing reads the rates */
    lt_upper_repair(sh, t, level, idx, NULL, leaf_block);
}

void lt_build_upper_f(const lt_shape *sh, lt_tree *t, const float *rate, const uint32_t *leaf_block)
{
    for (size_t idx = 0; idx < sh->size[0]; idx++)
        lt_upper_block_f(sh, t, idx, rate, leaf_block);
    for (unsigned l = 1; l <= sh->depth; l++)
        for (size_t idx = 0; idx < sh->size[l]; idx++)
            lt_upper_node(sh, t, l, idx, NULL, leaf_block);
}

static inline double row_sum(const float *r)
{
    return ((double)r[0] + (double)r[1]) + ((double)r[2] + (double)r[3]);
}

size_t lt_in_block_upper_f(const float *rate, uint32_t b, double u, double *off)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const float *r = rate + (size_t)b * LT_BLOCK;
    for (int z = 0; z < 4; z++) {
        const float *plane = r + 16 * z;
        const double s0 = row_sum(plane), s1 = row_sum(plane + 4), s2 = row_sum(plane + 8),
                     s3 = row_sum(plane + 12);
        const double acc = (s0 + s1) + (s2 + s3);
        if (!(u < acc)) {
            u -= acc;
            continue;
        }
        /* the rows by running sums, then the row's rates; when rounding
         * leaves u beyond them, the last positive rate with the offset at
         * its interval's end (a rejection: not slack, a rounding-level
         * choice like the double tree's fallback) */
        const double rs[4] = {s0, s1, s2, s3};
        int y = 0;
        while (y < 3 && (rs[y] <= 0.0 || !(u < rs[y]))) {
            u -= rs[y];
            y++;
        }
        const float *row = plane + 4 * y;
        int last = -1;
        for (int x = 0; x < 4; x++) {
            const double v = (double)row[x];
            if (v > 0.0) {
                last = x;
                if (u < v) {
                    *off = u < 0.0 ? 0.0 : u;
                    return (size_t)b * LT_BLOCK + 16 * (size_t)z + 4 * (size_t)y + (size_t)x;
                }
                u -= v;
            }
        }
        if (last < 0) { /* a row of zeros reached by rounding: the plane's last positive rate */
            for (int k = 15; k >= 0; k--)
                if (plane[k] > 0.0f) {
                    *off = (double)plane[k];
                    return (size_t)b * LT_BLOCK + 16 * (size_t)z + (size_t)k;
                }
            return SIZE_MAX;
        }
        *off = (double)row[last];
        return (size_t)b * LT_BLOCK + 16 * (size_t)z + 4 * (size_t)y + (size_t)last;
    }
    return SIZE_MAX; /* beyond the block's rates: its slack */
}

void lt_prefetch_block_f(const float *rate, uint32_t b)
{
    if (b == UINT32_MAX)
        return;
    const float *r = rate + (size_t)b * LT_BLOCK;
    for (int j = 0; j < 4; j++)
        __builtin_prefetch(r + 16 * j);
}

void lt_verify_upper_f(const lt_shape *sh, const lt_tree *t, const float *rate, const uint32_t *leaf_block,
                       double *worst_bound, double *worst_tight)
{
    *worst_bound = 0.0;
    *worst_tight = 0.0;
    for (unsigned l = 0; l <= sh->depth; l++)
        for (size_t idx = 0; idx < sh->size[l]; idx++) {
            long double S = 0.0L;
            if (l == 0) {
                if (leaf_block[idx] != UINT32_MAX)
                    for (int j = 0; j < LT_BLOCK; j++)
                        S += rate[(size_t)leaf_block[idx] * LT_BLOCK + (size_t)j];
            } else {
                const size_t k = (size_t)1 << sh->bits[l - 1], first = sh->offset[l - 1] + (idx << sh->bits[l - 1]);
                for (size_t c = 0; c < k; c++)
                    S += t->sum[first + c];
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
