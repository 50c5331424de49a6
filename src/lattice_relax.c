/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_relax.c - one event of the spatial engine: the fired site's rate
 * becomes 0, its stencil's rates are multiplied by their factors, and the
 * sum tree (lattice_tree.h) follows.
 *
 * Why deltas, and why grouped.  Each touched block's sum changes by
 * sum(new) - sum(old) over its changed rates, accumulated in registers while
 * the rates are updated; that delta, with a rigorous bound on its error
 * ((m - 1) u (old + new) for the two sums of m non-negative terms, plus
 * the subtraction's rounding), goes to the block and its ancestors.  The
 * fired site's rate leaves its block as one more "old" term: when it
 * dominates the block (the typical CER event) the delta cancels
 * catastrophically, the bound shows it, and lt_add recomputes the block and
 * as many ancestors as needed exactly.  When every L is a multiple of 4 the
 * stencil seen from a site depends only on its position inside its block,
 * so it is precomputed per position grouped by target block: one pass per
 * target block with a one-byte slot and the factor per entry, no
 * per-entry index arithmetic, and the deltas of the touched blocks merged
 * level by level on the way up (each ancestor updated once).  Other boxes
 * (and stencils too large to copy 64 times) take the ungrouped path: the
 * index from the axis tables, per-block sums in scratch arrays, and a walk
 * to the root per touched block.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_engine_internal.h"

typedef double v2d __attribute__((vector_size(16)));

void lattice_groups_free(lrk_lattice_shared *s)
{
    free(s->groups);
    free(s->gslot);
    free(s->gfac);
    s->groups = NULL;
    s->gslot = NULL;
    s->gfac = NULL;
    s->grouped = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The entries of position p, grouped; 0 if an axis needs more than LG_AXIS
 * block offsets. */
static int group_position(lrk_lattice_shared *s, unsigned p, uint64_t *keys, uint32_t *n_groups, uint32_t *n_entries)
{
    lg_position *P = &s->pos[p];
    const long pc[3] = {(long)(p & 3), (long)((p >> 2) & 3), (long)(p >> 4)};
    P->first_group = *n_groups;
    P->n[0] = P->n[1] = P->n[2] = 0;
    for (size_t o = 0; o < s->count; o++) {
        const long d[3] = {s->dx[o], s->dy[o], s->dz[o]};
        unsigned cell[3], slot = 0;
        for (int a = 0; a < 3; a++) {
            long t = pc[a] + d[a];
            uint16_t g = (uint16_t)((t >> 2) % s->nb[a]);
            unsigned i = 0;
            while (i < P->n[a] && P->off[a][i] != g)
                i++;
            if (i == P->n[a]) {
                if (P->n[a] == LG_AXIS)
                    return 0;
                P->off[a][P->n[a]++] = g;
            }
            cell[a] = i;
            slot |= (unsigned)(t & 3) << (2 * a);
        }
        uint64_t key = ((uint64_t)(cell[0] + LG_AXIS * (cell[1] + LG_AXIS * cell[2])) << 6) | slot;
        keys[o] = key << 32 | (uint64_t)o;
    }
    qsort(keys, s->count, sizeof *keys, cmp_u64);
    for (size_t e = 0; e < s->count; e++) {
        uint32_t o = (uint32_t)keys[e], cell = (uint32_t)(keys[e] >> 38);
        if (e == 0 || cell != (uint32_t)(keys[e - 1] >> 38)) {
            lg_group *G = s->groups + (*n_groups)++;
            G->first = *n_entries + (uint32_t)e;
            G->count = 0;
            G->cell[0] = (uint8_t)(cell % LG_AXIS);
            G->cell[1] = (uint8_t)(cell / LG_AXIS % LG_AXIS);
            G->cell[2] = (uint8_t)(cell / (LG_AXIS * LG_AXIS));
        }
        s->groups[*n_groups - 1].count++;
        s->gslot[*n_entries + e] = (uint8_t)((keys[e] >> 32) & 63);
        s->gfac[*n_entries + e] = s->factor[o];
    }
    *n_entries += (uint32_t)s->count;
    P->groups = *n_groups - P->first_group;
    return 1;
}

lrk_status lattice_groups_build(lrk_lattice_shared *s, lrk_error *err)
{
    s->grouped = 0;
    if (s->count == 0 || s->count > LG_MAX_COUNT || s->Lx % 4 || s->Ly % 4 || s->Lz % 4)
        return LRK_OK;
    s->groups = malloc(LT_BLOCK * LG_CELLS * sizeof *s->groups);
    s->gslot = malloc(LT_BLOCK * s->count);
    s->gfac = malloc(LT_BLOCK * s->count * sizeof *s->gfac);
    uint64_t *keys = malloc(s->count * sizeof *keys);
    if (!s->groups || !s->gslot || !s->gfac || !keys) {
        free(keys);
        lattice_groups_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the grouped stencil");
    }
    uint32_t n_groups = 0, n_entries = 0;
    int ok = 1;
    for (unsigned p = 0; p < LT_BLOCK && ok; p++)
        ok = group_position(s, p, keys, &n_groups, &n_entries);
    free(keys);
    if (!ok) {
        lattice_groups_free(s);
        return LRK_OK;
    }
    s->grouped = 1;
    s->prefetch = s->slots * sizeof(double) > ((size_t)1 << 20);
    return LRK_OK;
}

/* Error bound of d = fl(new - old), old and new sums of m non-negative
 * terms. */
static inline double delta_bound(double old, double new_, double d, uint32_t m)
{
    return LT_U * ((double)(m - 1) * (old + new_) + fabs(d));
}

/* Merge the level-0 deltas (D, E at entries idx) into their parents, level
 * by level to the root, each node updated once. */
static void propagate(const lrk_lattice_shared *s, lattice_lane *ln, double *D, double *E, size_t *idx, size_t n)
{
    const lt_shape *sh = &s->shape;
    for (unsigned l = 0; l < sh->depth && n > 0; l++) {
        const unsigned a = sh->bits[l];
        size_t m = 0;
        for (size_t i = 0; i < n; i++) {
            size_t parent = idx[i] >> a, j = 0;
            while (j < m && idx[j] != parent)
                j++;
            /* j <= i: entries [0, m) are parents already merged, and the
             * slot being written has been read (in place, m <= i) */
            double d = D[i], e = E[i];
            if (j == m) {
                idx[m] = parent;
                D[m] = d;
                E[m] = e;
                m++;
            } else {
                D[j] += d;
                E[j] += e + LT_U * fabs(D[j]);
            }
        }
        n = m;
        for (size_t i = 0; i < n; i++)
            lt_add(sh, &ln->tree, l + 1, idx[i], D[i], E[i], ln->rate, s->leaf_block);
    }
}

/* Row-major (row) and Morton (mor) block terms of the target blocks of a
 * slot's stencil, per axis and block offset. */
static inline void target_terms(const lrk_lattice_shared *s, size_t b0, const lg_position *P,
                                uint32_t row[3][LG_AXIS], uint32_t mor[3][LG_AXIS])
{
    const uint16_t *bc = s->block_xyz + 3 * b0;
    for (int a = 0; a < 3; a++)
        for (unsigned i = 0; i < P->n[a]; i++) {
            unsigned u = (unsigned)bc[a] + P->off[a][i];
            row[a][i] = s->br[a][u];
            if (mor != NULL)
                mor[a][i] = s->bm[a][u];
        }
}

/* Beyond L = 32 the target lines are cache misses: ask for all of them
 * before the first multiplication needs one (below, it costs ~10 %). */
static inline void prefetch_group(const lrk_lattice_shared *s, const double *rate, uint32_t row[3][LG_AXIS],
                                  const lg_group *G)
{
    const double *base = rate + LT_BLOCK * (size_t)(row[0][G->cell[0]] + row[1][G->cell[1]] + row[2][G->cell[2]]);
    const uint8_t *sl = s->gslot + G->first;
    for (uint32_t e = 0; e < G->count; e += 4)
        __builtin_prefetch(base + sl[e], 1);
    __builtin_prefetch(base + sl[G->count - 1], 1);
}

static void relax_grouped(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    double *rate = ln->rate;
    const size_t b0 = slot / LT_BLOCK;
    const lg_position *P = &s->pos[slot % LT_BLOCK];
    uint32_t row[3][LG_AXIS], mor[3][LG_AXIS];
    target_terms(s, b0, P, row, mor);
    /* the fired block is cell 0: its rate leaves as one more "old" term */
    const size_t home = s->block_leaf[b0];
    double D[LG_CELLS + 1], E[LG_CELLS + 1], home_old = rate[slot], home_new = 0.0;
    size_t idx[LG_CELLS + 1], n = 1;
    uint32_t home_count = 1;
    rate[slot] = 0.0;
    const lg_group *G = s->groups + P->first_group;
    /* beyond L = 32 the target lines are cache misses: ask for all of them
     * before the first multiplication needs one (below, it costs ~10 %) */
    for (uint32_t g = 0; s->prefetch && g < P->groups; g++)
        prefetch_group(s, rate, row, &G[g]);
    for (uint32_t g = 0; g < P->groups; g++, G++) {
        double *base = rate + LT_BLOCK * (size_t)(row[0][G->cell[0]] + row[1][G->cell[1]] + row[2][G->cell[2]]);
        const uint8_t *sl = s->gslot + G->first;
        const double *f = s->gfac + G->first;
        /* two chains (even and odd entries) for old and for new: the adds'
         * latency, not the loads, would bound one chain; the four sums
         * live in the lanes of two vectors (the same additions, in the same
         * order, as scalar code) */
        v2d old01 = {0.0, 0.0}, new01 = {0.0, 0.0};
        uint32_t e = 0;
        for (; e + 1 < G->count; e += 2) {
            /* the slot bytes in registers: a store through base could
             * alias a byte, which would then be read again */
            const unsigned i0 = sl[e], i1 = sl[e + 1];
            const v2d r = {base[i0], base[i1]};
            v2d fe;
            memcpy(&fe, f + e, sizeof fe);
            const v2d q = r * fe;
            base[i0] = q[0];
            base[i1] = q[1];
            old01 += r;
            new01 += q;
        }
        double old0 = old01[0], old1 = old01[1], new0 = new01[0], new1 = new01[1];
        if (e < G->count) {
            double r0 = base[sl[e]], q0 = r0 * f[e];
            base[sl[e]] = q0;
            old0 += r0;
            new0 += q0;
        }
        size_t m = mor[0][G->cell[0]] + mor[1][G->cell[1]] + mor[2][G->cell[2]];
        double old = old0 + old1, new_ = new0 + new1;
        if (m == home) {
            home_old += old;
            home_new += new_;
            home_count += G->count;
            continue;
        }
        double d = new_ - old;
        D[n] = d;
        E[n] = delta_bound(old, new_, d, G->count);
        idx[n] = m;
        lt_add(&s->shape, &ln->tree, 0, m, D[n], E[n], rate, s->leaf_block);
        n++;
    }
    D[0] = home_new - home_old;
    E[0] = delta_bound(home_old, home_new, D[0], home_count);
    idx[0] = home;
    lt_add(&s->shape, &ln->tree, 0, home, D[0], E[0], rate, s->leaf_block);
    propagate(s, ln, D, E, idx, n);
}

static void relax_ungrouped(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot)
{
    double *rate = ln->rate;
    const lt_shape *sh = &s->shape;
    const size_t b0 = slot / LT_BLOCK;
    const uint16_t *bc = s->block_xyz + 3 * b0;
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    const uint32_t *ax = s->ax + x, *ay = s->ay + y, *az = s->az + z;
    /* the fired block first: its rate leaves as one more "old" term */
    const uint32_t home = (uint32_t)b0;
    w->touched[0] = home;
    w->acc_count[home] = 1;
    w->acc_old[home] = rate[slot];
    w->acc_new[home] = 0.0;
    size_t touched = 1;
    rate[slot] = 0.0;
    for (size_t o = 0; o < s->count; o++) {
        uint32_t j = ax[s->dx[o]] + ay[s->dy[o]] + az[s->dz[o]], b = j / LT_BLOCK;
        double r = rate[j], q = r * s->factor[o]; /* a relaxed site stays at exactly 0 */
        rate[j] = q;
        if (w->acc_count[b]++ == 0) {
            w->touched[touched++] = b;
            w->acc_old[b] = w->acc_new[b] = 0.0;
        }
        w->acc_old[b] += r;
        w->acc_new[b] += q;
    }
    for (size_t i = 0; i < touched; i++) {
        uint32_t b = w->touched[i], m = w->acc_count[b];
        w->acc_count[b] = 0;
        size_t idx = s->block_leaf[b];
        double d = w->acc_new[b] - w->acc_old[b], E = delta_bound(w->acc_old[b], w->acc_new[b], d, m);
        lt_add(sh, &ln->tree, 0, idx, d, E, rate, s->leaf_block);
        for (unsigned l = 1; l <= sh->depth; l++) {
            idx >>= sh->bits[l - 1];
            lt_add(sh, &ln->tree, l, idx, d, E, rate, s->leaf_block);
        }
    }
}

void lattice_relax(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot)
{
    if (s->grouped)
        relax_grouped(s, ln, slot);
    else
        relax_ungrouped(s, w, ln, slot);
}
