/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_relax.c - one event of the spatial engine: the fired site's rate
 * becomes 0, its stencil's rates are multiplied by their factors, and the
 * sum tree (lattice_tree.h) follows.
 *
 * Why deltas, and why grouped.  Each touched block's sum changes by
 * sum(new) - sum(old) over its changed rates, accumulated in registers while
 * the rates are updated; that delta, with a rigorous bound on its error
 * ((m - 1) u (old + new) for the two sums, m - 1 the most roundings a term
 * takes part in, plus the subtraction's rounding), goes to the block and
 * its ancestors.  The fired site's rate leaves its block as one more "old"
 * term: when it dominates the block (the typical CER event) the delta
 * cancels catastrophically, the bound shows it, and lt_add recomputes the
 * block and as many ancestors as needed exactly.  When every L is a
 * multiple of 4 the stencil seen from a site depends only on its position
 * inside its block, so it is precomputed per position (lattice_groups.c)
 * by target block and x-row: one pass per target block over whole row
 * segments as 4-double vectors (factor 1 outside the stencil, 0 for the
 * fired site), no per-entry index arithmetic, and the deltas of the
 * touched blocks merged level by level on the way up (each ancestor
 * updated once; the level-1 merge by a precomputed plan where the block
 * counts allow it).  Other boxes (and stencils too large to copy 64 times)
 * take the ungrouped path: the index from the axis tables, per-block sums
 * in scratch arrays, and a walk to the root per touched block.
 *
 * The lazy mode (rates that never increase, s->lazy): the tree holds upper
 * bounds that a falling rate leaves valid, so the event only multiplies
 * (by cache line on the grouped stencil) and lists its target blocks as
 * stale; lattice_batch_repair recomputes them (the thinning and the other
 * repairs are in lattice_engine.c).  Without disorder the lazy mode stores
 * float upper bounds (s->f32, lattice_float.c): the
 * same update on floats, by z-plane (one cache line of 16 floats) with
 * rounded-up factors, or entry by entry on the ungrouped stencil.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_engine_internal.h"

/* Error bound of d = fl(new - old), old and new sums of m non-negative
 * terms, in units of LT_U (lattice_tree.h). */
static inline double delta_bound(double old, double new_, double d, uint32_t m)
{
    return (double)(m - 1) * (old + new_) + fabs(d);
}

/* Merge the deltas (D, E) of level `from`'s entries idx (already added
 * there) into their parents, level by level to the root, each node updated
 * once. */
static void propagate(const lrk_lattice_shared *s, lattice_lane *ln, double *D, double *E, size_t *idx, size_t n,
                      unsigned from)
{
    const lt_shape *sh = &s->shape;
    for (unsigned l = from; l < sh->depth && n > 0; l++) {
        if (sh->size[l + 1] == 1) { /* the root: every entry's parent (the same sums as below) */
            double d = D[0], e = E[0];
            for (size_t i = 1; i < n; i++) {
                d += D[i];
                e += E[i] + fabs(d);
            }
            lt_add(sh, &ln->tree, l + 1, 0, d, e, ln->rate, s->leaf_block);
            return;
        }
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
                E[j] += e + fabs(D[j]);
            }
        }
        n = m;
        for (size_t i = 0; i < n; i++)
            lt_add(sh, &ln->tree, l + 1, idx[i], D[i], E[i], ln->rate, s->leaf_block);
    }
}

/* Beyond L = 32 the target lines are cache misses: ask for all of them
 * before the first multiplication needs one (below, it costs ~10 %). */
static inline void prefetch_targets(const double *rate, const lg_term *tm,
                                    const lg_target *T, uint32_t targets)
{
    for (uint32_t t = 0; t < targets; t++, T++) {
        const char *base = (const char *)(rate + (uint32_t)(tm[T->cell[0]] + tm[T->cell[1]] + tm[T->cell[2]]));
        /* the first and the last line with a segment: all of them for
         * targets of one or two lines (most), the ends of the others */
        const unsigned lines = T->lines;
        __builtin_prefetch(base + 64 * __builtin_ctz(lines), 1);
        __builtin_prefetch(base + 64 * (31 - __builtin_clz(lines)), 1);
    }
}

typedef double v4d __attribute__((vector_size(32)));
typedef double v2d __attribute__((vector_size(16)));

/* One event on the grouped stencil.  Per target block, its row segments
 * are multiplied by their factor vectors as 4-double vectors (elementwise
 * IEEE operations: the SSE2 baseline, two 2-double operations each, and
 * the AVX2 clone give the same bits; no FMA: the project compiles ISO C,
 * -ffp-contract=off, and the clone does not enable it), the old and new
 * values summed per lane over the segments and the lanes combined as
 * (l0 + l1) + (l2 + l3).  A term thus takes part in at most count + 1
 * roundings (count - 1 along its lane, 2 across), so D = new - old is off
 * by at most LT_U ((count + 1) (old + new) + |D|) (lattice_tree.h): the
 * `rounds` of the target.  The lanes outside the stencil (factor 1) add their
 * unchanged rate to both sums: they cancel in D up to that rounding, which
 * the bound covers (old and new include them).  The fired site's lane
 * (factor 0) leaves as an "old" term. */
static inline __attribute__((always_inline)) v2d update_rows(char *base, const lg_seg *sg, const lg_seg *sg_end,
                                                             const char *fvec, const int wide)
{
    /* the first segment starts the sums (0 + r = r: the same values as
     * summing from 0; count >= 1) */
    if (wide) { /* one 4-double vector per segment (AVX2) */
        v4d o, q, f;
        memcpy(&o, base + sg->row, sizeof o);
        memcpy(&f, fvec + sg->fv, sizeof f);
        q = o * f;
        memcpy(base + sg->row, &q, sizeof q);
        while (++sg < sg_end) {
            char *const at = base + sg->row;
            v4d r;
            memcpy(&r, at, sizeof r);
            memcpy(&f, fvec + sg->fv, sizeof f);
            const v4d x = r * f;
            memcpy(at, &x, sizeof x);
            o += r;
            q += x;
        }
        /* (l0 + l1) + (l2 + l3) of both sums at once: (old, new) */
        const v4d h = __builtin_shufflevector(o, q, 0, 4, 2, 6) + __builtin_shufflevector(o, q, 1, 5, 3, 7);
        return __builtin_shufflevector(h, h, 0, 1) + __builtin_shufflevector(h, h, 2, 3);
    }
    /* two 2-double halves (SSE2): lanes 0, 1 and 2, 3, the same operations */
    v2d o01, o23, q01, q23, f01, f23;
    memcpy(&o01, base + sg->row, sizeof o01);
    memcpy(&o23, base + sg->row + 16, sizeof o23);
    memcpy(&f01, fvec + sg->fv, sizeof f01);
    memcpy(&f23, fvec + sg->fv + 16, sizeof f23);
    q01 = o01 * f01;
    q23 = o23 * f23;
    memcpy(base + sg->row, &q01, sizeof q01);
    memcpy(base + sg->row + 16, &q23, sizeof q23);
    while (++sg < sg_end) {
        char *const at = base + sg->row;
        v2d r01, r23;
        memcpy(&r01, at, sizeof r01);
        memcpy(&r23, at + 16, sizeof r23);
        memcpy(&f01, fvec + sg->fv, sizeof f01);
        memcpy(&f23, fvec + sg->fv + 16, sizeof f23);
        const v2d x01 = r01 * f01, x23 = r23 * f23;
        memcpy(at, &x01, sizeof x01);
        memcpy(at + 16, &x23, sizeof x23);
        o01 += r01;
        o23 += r23;
        q01 += x01;
        q23 += x23;
    }
    const v2d h01 = __builtin_shufflevector(o01, q01, 0, 2) + __builtin_shufflevector(o01, q01, 1, 3);
    const v2d h23 = __builtin_shufflevector(o23, q23, 0, 2) + __builtin_shufflevector(o23, q23, 1, 3);
    return h01 + h23;
}

static inline __attribute__((always_inline)) void grouped_body(const lrk_lattice_shared *s, lattice_lane *ln,
                                                               size_t slot, const int planned, const int wide)
{
    double *const rate = ln->rate;
    const size_t b0 = slot / LT_BLOCK;
    const unsigned p = (unsigned)(slot % LT_BLOCK);
    const lg_position *P = &s->pos[p];
    const uint16_t *bc = s->block_xyz + 3 * b0;
    lg_term tm[3 * LG_UNION] __attribute__((aligned(32)));
    lattice_home_terms(s, bc, tm);
    const lg_target *T = s->targets + P->first_target;
    const lg_target *const T_end = T + P->targets;
    if (s->prefetch)
        prefetch_targets(rate, tm, T, P->targets);
    const lt_shape *sh = &s->shape;
    const unsigned a0 = sh->bits[0];
    /* the tree's level 0 (offset 0) in locals: the stores through the
     * rates could alias the structs they come from */
    double *const sum0 = ln->tree.sum, *const err0 = ln->tree.err;
    const double tol0 = sh->tol[0];
    double D[LG_CELLS], E[LG_CELLS];
    size_t idx[LG_CELLS];
    size_t n = 0;
    const uint8_t *plan = NULL;
    if (planned) {
        const unsigned cls = (bc[0] & 1u) | (bc[1] & 1u) << 1 | (bc[2] & 1u) << 2;
        plan = s->plan + s->plan_at[p][cls];
        n = s->plan_n1[p][cls];
        for (size_t j = 0; j < n; j++)
            D[j] = E[j] = 0.0;
    }
    const lg_seg *sg = s->segs + T->first;
    const char *const fvec = (const char *)s->fvec;
    for (size_t t = 0; T < T_end; t++, T++) {
        const unsigned c0 = T->cell[0], c1 = T->cell[1], c2 = T->cell[2];
        const uint64_t term = tm[c0] + tm[c1] + tm[c2];
        char *base = (char *)(rate + (uint32_t)term);
        /* one register for the block (else GCC re-adds its parts per segment) */
        __asm__("" : "+r"(base));
        const size_t m = (size_t)(term >> 32);
        /* a position's targets' segments are consecutive */
        const lg_seg *const sg_end = sg + T->count;
        const v2d w = update_rows(base, sg, sg_end, fvec, wide);
        sg = sg_end;
        const v2d ws = __builtin_shufflevector(w, w, 1, 0);
        const double d = (ws - w)[0], on = (w + ws)[0]; /* new - old, old + new */
        const double e = T->rounds * on + fabs(d); /* delta_bound */
        /* lt_add on level 0 */
        const double s0 = sum0[m] + d, e0 = err0[m] + e + fabs(s0);
        sum0[m] = s0;
        err0[m] = e0;
        if (!(e0 <= tol0 * s0))
            lt_recompute(sh, &ln->tree, 0, m, rate, s->leaf_block);
        if (planned) {
            const unsigned j = plan[t];
            D[j] += d;
            E[j] += e + fabs(D[j]);
            idx[j] = m; /* the parent's: shifted below */
        } else {
            D[t] = d;
            E[t] = e;
            idx[t] = m;
        }
    }
    if (planned) {
        for (size_t j = 0; j < n; j++) {
            idx[j] >>= a0;
            lt_add(sh, &ln->tree, 1, idx[j], D[j], E[j], rate, s->leaf_block);
        }
        propagate(s, ln, D, E, idx, n, 1);
    } else {
        propagate(s, ln, D, E, idx, P->targets, 0);
    }
}

/* The lazy event (every factor <= 1, s->lazy): the rows multiplied and
 * stored, nothing summed, and each target block put on the lane's stale
 * list; the tree is not touched.  A rate that falls leaves every bound
 * above it a valid upper bound (lattice_tree.h), and the selection treats
 * the difference as slack (thinning, lattice_engine.c). */
static inline __attribute__((always_inline)) void lazy_body(const lrk_lattice_shared *s, lattice_lane *ln,
                                                            size_t slot, const int wide, const int pf)
{
    char *base[LG_CELLS];
    const unsigned p = lazy_targets(s, ln, slot, (char *)ln->rate, sizeof(double), pf, base);
    /* then all the position's lines in one loop: one 8-factor vector a
     * line (1 for a row outside the stencil) */
    const char *const fvec8 = (const char *)s->fvec8;
    const lg_line *l = s->lines + s->line_first[p];
    const lg_line *const l_end = s->lines + s->line_first[p + 1];
    for (; l < l_end; l++) {
        char *const at = base[l->t] + l->off;
        const char *const fv = fvec8 + l->fv;
        if (wide) {
            v4d r0, r1, f0, f1;
            memcpy(&r0, at, sizeof r0);
            memcpy(&r1, at + 32, sizeof r1);
            memcpy(&f0, fv, sizeof f0);
            memcpy(&f1, fv + 32, sizeof f1);
            r0 *= f0;
            r1 *= f1;
            memcpy(at, &r0, sizeof r0);
            memcpy(at + 32, &r1, sizeof r1);
        } else {
            for (int h = 0; h < 64; h += 16) {
                v2d r, f;
                memcpy(&r, at + h, sizeof r);
                memcpy(&f, fv + h, sizeof f);
                r *= f;
                memcpy(at + h, &r, sizeof r);
            }
        }
    }
}

/* Blocks of the stale list asked for this many entries ahead (L = 128:
 * +7-11 %, L = 64: +3 %; the list is in the order the blocks went stale). */
#define BATCH_AHEAD 8
/* More than 1 / BATCH_SWEEP of a level stale: its entries are recomputed
 * in the order of memory (the blocks' rates, then each level's nodes), a
 * sweep that the hardware streams, instead of in list order; each entry is
 * still recomputed once, from final children, so the values are the same. */
#define BATCH_SWEEP 8

/* The stale blocks in list order, their lines asked for ahead. */
static void batch_blocks_listed(const lrk_lattice_shared *s, lattice_lane *ln, size_t n)
{
    const uint32_t *const list = ln->dirty;
    unsigned char *const mark = ln->mark;
    for (size_t i = 0; i < n; i++) {
        mark[list[i]] = 0;
        if (i + BATCH_AHEAD < n) {
            const uint32_t b = s->leaf_block[list[i + BATCH_AHEAD]];
            if (b != UINT32_MAX) {
                if (s->f32)
                    lt_prefetch_block_f(ln->frate, b);
                else
                    lt_prefetch_block(ln->rate, b);
            }
        }
        if (s->f32)
            lt_upper_block_f(&s->shape, &ln->tree, list[i], ln->frate, s->leaf_block);
        else
            lt_upper_value(&s->shape, &ln->tree, 0, list[i], ln->rate, s->leaf_block);
    }
}

/* The same in the order of the blocks' rates in memory. */
static void batch_blocks_swept(const lrk_lattice_shared *s, lattice_lane *ln)
{
    unsigned char *const mark = ln->mark;
    for (long b = 0; b < s->blocks; b++) {
        const uint32_t m = s->block_leaf[b];
        if (mark[m] == 0)
            continue;
        mark[m] = 0;
        if (s->f32)
            lt_upper_block_f(&s->shape, &ln->tree, m, ln->frate, s->leaf_block);
        else
            lt_upper_value(&s->shape, &ln->tree, 0, m, ln->rate, s->leaf_block);
    }
}

/* The parents of level l's n listed entries, each once, from their
 * children (which are final): their group's running sums and value; the
 * list becomes theirs (returned: how many). */
static size_t batch_parents(const lrk_lattice_shared *s, lattice_lane *ln, unsigned l, size_t n)
{
    const lt_shape *sh = &s->shape;
    const unsigned a = sh->bits[l];
    uint32_t *const list = ln->dirty;
    unsigned char *const up = ln->mark + sh->offset[l + 1];
    size_t m = 0;
    if (n * BATCH_SWEEP > sh->size[l + 1]) {
        for (size_t i = 0; i < n; i++)
            up[list[i] >> a] = 1;
        for (size_t p = 0; p < sh->size[l + 1]; p++)
            if (up[p]) {
                up[p] = 0;
                list[m++] = (uint32_t)p;
                lt_upper_group(sh, &ln->tree, l, p << a);
                lt_upper_value(sh, &ln->tree, l + 1, p, ln->rate, s->leaf_block);
            }
        return m;
    }
    /* in place (never more than read so far), each once by its flag */
    for (size_t i = 0; i < n; i++) {
        const uint32_t parent = list[i] >> a;
        list[m] = parent;
        m += up[parent] == 0;
        up[parent] = 1;
    }
    for (size_t i = 0; i < m; i++) {
        up[list[i]] = 0;
        lt_upper_group(sh, &ln->tree, l, (size_t)list[i] << a);
        lt_upper_value(sh, &ln->tree, l + 1, list[i], ln->rate, s->leaf_block);
    }
    return m;
}

void lattice_batch_repair(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln)
{
    size_t n = ln->ndirty;
    w->batches++;
    w->batch_blocks += (long)n;
    if (n * BATCH_SWEEP > (size_t)s->blocks)
        batch_blocks_swept(s, ln);
    else
        batch_blocks_listed(s, ln, n);
    for (unsigned l = 0; l < s->shape.depth && n > 0; l++)
        n = batch_parents(s, ln, l, n);
    ln->ndirty = 0;
    ln->cand = ln->nulls = 0;
    if (w->test_hook != NULL)
        w->test_hook(s, w, ln);
}

static void relax_lazy_base(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    if (s->prefetch)
        lazy_body(s, ln, slot, 0, 1);
    else
        lazy_body(s, ln, slot, 0, 0);
}

static void relax_grouped_base(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    if (s->planned)
        grouped_body(s, ln, slot, 1, 0);
    else
        grouped_body(s, ln, slot, 0, 0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LATTICE_HAVE_AVX2 1
/* The same source compiled for AVX2 (one 4-double operation per segment
 * operation; no FMA). */
__attribute__((target("avx2"))) static void relax_grouped_avx2(const lrk_lattice_shared *s, lattice_lane *ln,
                                                                size_t slot)
{
    if (s->planned)
        grouped_body(s, ln, slot, 1, 1);
    else
        grouped_body(s, ln, slot, 0, 1);
}

__attribute__((target("avx2"))) static void relax_lazy_avx2(const lrk_lattice_shared *s, lattice_lane *ln,
                                                             size_t slot)
{
    if (s->prefetch)
        lazy_body(s, ln, slot, 1, 1);
    else
        lazy_body(s, ln, slot, 1, 0);
}
#endif


int lattice_avx2_available(void)
{
#ifdef LATTICE_HAVE_AVX2
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
#else
    return 0;
#endif
}

int lattice_test_simd(lrk_lattice_shared *s, int on)
{
    if (on && !lattice_avx2_available())
        return 0;
    s->simd = on;
    return 1;
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

/* The lazy event on the ungrouped stencil: the same products, each
 * touched block on the stale list once. */
static void relax_ungrouped_lazy(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    double *rate = ln->rate;
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    const uint32_t *ax = s->ax + x, *ay = s->ay + y, *az = s->az + z;
    uint32_t *const dirty = ln->dirty;
    unsigned char *const mark = ln->mark;
    size_t nd = ln->ndirty;
    uint32_t m = s->block_leaf[slot / LT_BLOCK];
    rate[slot] = 0.0;
    dirty[nd] = m;
    nd += mark[m] == 0;
    mark[m] = 1;
    for (size_t o = 0; o < s->count; o++) {
        uint32_t j = ax[s->dx[o]] + ay[s->dy[o]] + az[s->dz[o]];
        rate[j] *= s->factor[o];
        m = s->block_leaf[j / LT_BLOCK];
        dirty[nd] = m;
        nd += mark[m] == 0;
        mark[m] = 1;
    }
    ln->ndirty = nd;
}

void lattice_relax(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot)
{
    if (s->f32) {
        lattice_relax_f32(s, ln, slot);
        return;
    }
    if (s->lazy && !s->grouped) {
        relax_ungrouped_lazy(s, ln, slot);
        return;
    }
    if (s->lazy) {
#ifdef LATTICE_HAVE_AVX2
        if (s->simd)
            relax_lazy_avx2(s, ln, slot);
        else
#endif
            relax_lazy_base(s, ln, slot);
        return;
    }
#ifdef LATTICE_HAVE_AVX2
    if (s->grouped && s->simd)
        relax_grouped_avx2(s, ln, slot);
    else
#endif
    if (s->grouped)
        relax_grouped_base(s, ln, slot);
    else
        relax_ungrouped(s, w, ln, slot);
}
