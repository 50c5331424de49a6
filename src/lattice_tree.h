/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_tree.h - internal: the sum tree of the spatial engine
 * (lattice_engine.c; method and error bound in docs/space.md), and its
 * upper-bound mode for rates that never increase (below, "Upper-bound
 * mode").
 *
 * Level 0 holds the sums of the 4 x 4 x 4 blocks of rates, in Morton order
 * of the block coordinates (an axis contributes bits only while it has
 * them, so padding is < 2x per axis).  Level l + 1 groups 2^bits[l]
 * consecutive entries of level l (2 x 2 x 2 blocks for a cube: one 64-byte
 * line of children), up to a single root.  Every node carries, besides its
 * stored sum s, a rigorous bound e on |s - S| (S the exact sum of the
 * stored rates below it), and the invariant e <= tol[l] s holds after every
 * event, tol[l] = (l + 1) LT_TOL0.  Sums are updated by deltas (no block
 * rescan per event); a node whose bound crosses its tolerance is recomputed
 * from its children, whose own bounds are one level tighter, so it comes
 * back inside.  The invariant makes zero exact: a node with S = 0 has s = 0,
 * so the selection, which enters only children with s > 0, never reaches a
 * relaxed site.
 *
 * The error E_D of a delta D (lattice_relax.c), in units of LT_U: with old
 * and new the computed sums of the touched rates before and after,
 * E_D = r (old + new) + |D|, r the most roundings one term takes part in
 * (recursive summation of non-negative terms: each rounding is at most u
 * of its partial sum, itself at most the whole sum), plus one rounding of
 * D = fl(new - old).  Ungrouped: r = m - 1 for m rates summed in one chain.
 * Grouped: a block's touched rates are whole x-rows of 4 (lanes outside the
 * stencil multiplied by exactly 1, the fired site by 0), summed per lane
 * over the block's `count` row segments and the lanes combined as
 * (l0 + l1) + (l2 + l3), so r = (count - 1) + 2; old and new then include
 * the unchanged lanes, which cancel in exact arithmetic and whose rounding
 * the bound covers.  Deltas merged into a parent: E = sum E_c + |partial
 * sum| per addition.
 */
#ifndef LREKMC_LATTICE_TREE_H
#define LREKMC_LATTICE_TREE_H

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#define LT_BLOCK 64
#define LT_MAX_LEVELS 10
/* Twice the unit round-off: a first-order bound sum(u |x|) computed in
 * doubles is below the true one by O(u^2) terms, which the factor 2
 * absorbs with room to spare. */
#define LT_U 0x1p-52
/* lt_block_sum: eight partial sums of 8 (7 additions each) combined
 * pairwise (3 more): |error| <= gamma_10 sum r < 11 u sum r. */
#define LT_BLOCK_GAMMA 11.0
/* Tolerance of level 0; level l uses (l + 1) LT_TOL0, the root of the
 * largest box (level 7) 8e-13. */
#define LT_TOL0 1e-13

typedef struct lt_shape {
    unsigned depth;                  /* the root is level depth */
    unsigned bits[LT_MAX_LEVELS];    /* level l + 1 node = 2^bits[l] entries of level l */
    size_t size[LT_MAX_LEVELS];      /* entries of level l */
    size_t offset[LT_MAX_LEVELS];    /* level l starts at offset[l] in sum[] and err[] */
    size_t total;
    double tol[LT_MAX_LEVELS];       /* (l + 1) LT_TOL0 / LT_U: in the units of err */
} lt_shape;

/* err[i] is the bound e of sum[i] in units of LT_U (e = LT_U err[i]): the
 * accounting then needs no multiplication by LT_U, and as LT_U is a power
 * of 2 every stored bound and every comparison is the same as in absolute
 * units (outside the subnormal range, where this is the more precise). */
typedef struct lt_tree {
    double *sum;                     /* total entries each */
    union {
        double *err;                 /* the accurate sums: the bounds */
        double *cum;                 /* upper-bound mode: the running sums (below) */
    };
} lt_tree;

/* axis_bits[d]: bits of the block count along axis d (2^bits >= blocks). */
void lt_shape_init(lt_shape *sh, const unsigned axis_bits[3]);

/* Sum of one block's 64 rates in a fixed order (eight interleaved partial
 * sums: vectorisable without reassociation). */
static inline double lt_block_sum(const double *r)
{
    double acc[8] = {0};
    for (int i = 0; i < LT_BLOCK; i += 8)
        for (int a = 0; a < 8; a++)
            acc[a] += r[i + a];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* Recompute node idx of `level` exactly from what is below it: a block from
 * its rates (leaf_block maps a level-0 entry to its block, UINT32_MAX for
 * padding), a higher node from its children. */
void lt_recompute(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                  const uint32_t *leaf_block);

/* Add D to node idx of `level`; LT_U E bounds the error of D itself. */
static inline void lt_add(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, double D, double E,
                          const double *rate, const uint32_t *leaf_block)
{
    size_t i = sh->offset[level] + idx;
    double s = t->sum[i] + D;
    double e = t->err[i] + E + fabs(s);
    t->sum[i] = s;
    t->err[i] = e;
    if (!(e <= sh->tol[level] * s))
        lt_recompute(sh, t, level, idx, rate, leaf_block);
}

/* Everything from the rates. */
void lt_build(const lt_shape *sh, lt_tree *t, const double *rate, const uint32_t *leaf_block);

/* The slot (64 leaf_block + position) whose cumulative interval contains u,
 * 0 <= u < root sum.  Only children with a positive sum are entered, and
 * when round-off leaves u beyond the last of them, the last one is taken;
 * in the block only positive rates are candidates.  SIZE_MAX if the block
 * reached has no positive rate (impossible while the invariant holds: the
 * caller rebuilds and selects again). */
size_t lt_select(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block, double u);

/* lt_select in two halves, for callers that interleave several trees:
 * lt_walk goes from the root to a level-0 entry (SIZE_MAX when a node has
 * no positive child), *u becoming the offset inside it; lt_in_block picks
 * the slot in block b = leaf_block[entry] (SIZE_MAX for padding or no
 * positive rate).  lt_select(u) = lt_in_block(rate, leaf_block[lt_walk(&u)], u). */
size_t lt_walk(const lt_shape *sh, const lt_tree *t, double *u);
size_t lt_in_block(const double *rate, uint32_t b, double u);
/* Ask for the 8 lines of block b's rates (nothing for UINT32_MAX). */
void lt_prefetch_block(const double *rate, uint32_t b);

/* ---- Upper-bound mode (thinning, lattice_relax.c's lazy update) ----
 * Every entry of sum[] is then an upper bound U, not a sum: U_block >= the
 * exact real sum of its 64 stored rates, U_node >= the exact real sum of
 * its children's stored U.  cum[] holds, for every group of siblings (the
 * children of one node), their running sums: cum of child c = fl(... fl(0
 * + U_0) + ... + U_c), summed in that order whenever one of them changes.
 * The walk then compares the offset with a line of stored running sums
 * (independent comparisons) instead of adding the children one after the
 * other, the chain of dependent additions that made it a quarter of an
 * event; the values are those it summed itself before, so the choices
 * and the bytes are the same.  A node's U is its children's last running
 * sum rounded up.  Recomputations round up by
 * LT_UP: a sum of non-negative terms in which a term takes part in at most
 * r <= 10 roundings (lt_block_sum; a node's <= 8 children in one chain:
 * r <= 7) is >= (1 - gamma_r) S, gamma_r = r u / (1 - r u) < 10.001 u, and
 * fl(s LT_UP) >= s (1 + 32 u) (1 - u) >= (1 - 10.001 u)(1 + 32 u)(1 - u) S
 * > S (u = 2^-53; every sum is a normal double: lrk_lattice_validate keeps
 * every unrelaxed rate above the normal range, and 0 stays exactly 0). */
#define LT_UP (1.0 + 0x1p-48)

/* Block or node idx of `level` recomputed from below and rounded up
 * (the children's running sums for a node: they must be current), and its
 * group's running sums; lt_upper_repair then every ancestor the same way.
 * lt_upper_value and lt_upper_group are the two halves, for the batch
 * repair, which recomputes each group once: the value of node idx, and
 * the running sums of the group of `level` that starts at entry first. */
void lt_upper_value(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                    const uint32_t *leaf_block);
void lt_upper_group(const lt_shape *sh, lt_tree *t, unsigned level, size_t first);
void lt_upper_node(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                   const uint32_t *leaf_block);
void lt_upper_repair(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const double *rate,
                     const uint32_t *leaf_block);
/* Every bound from the rates, level by level. */
void lt_build_upper(const lt_shape *sh, lt_tree *t, const double *rate, const uint32_t *leaf_block);

/* The thinning walk: from the root to a level-0 entry (returned, *u the
 * offset inside it), entering child c with probability U_c / U_node; when
 * *u falls in a node's slack (beyond the running sum of its children) the
 * candidate is a null: SIZE_MAX, and *null_level, *null_idx name the node.
 * lt_in_block_upper then picks among block b's positive rates by
 * cumulative rate, SIZE_MAX (a null in the block) when u is beyond the
 * block's actual total.  leaf_block (the engine's level-0 entry -> block
 * table) is only asked for ahead, never read. */
size_t lt_walk_upper(const lt_shape *sh, const lt_tree *t, double *u, unsigned *null_level, size_t *null_idx,
                     const uint32_t *leaf_block);
/* n walks side by side, level by level, so that their misses overlap:
 * each as lt_walk_upper (u[j] becomes the offset left), idx[j] the
 * level-0 entry reached, or with null_level[j] > 0 the node of that level
 * whose slack u[j] fell in (0: none); every next line, and at the end the
 * entry's leaf_block element, is asked for as soon as it is known. */
void lt_walk_upper_many(const lt_shape *sh, const lt_tree *t, unsigned n, double *u, size_t *idx,
                        unsigned *null_level, const uint32_t *leaf_block);
size_t lt_in_block_upper(const double *rate, uint32_t b, double u);

/* Tests of the upper-bound mode: *worst_bound = the largest S / U over all
 * nodes, S the long-double sum of what the node bounds (a block's rates, a
 * node's children's U), must be <= 1 + 2^-56 (the long double sums' own
 * error), INFINITY when a group's stored running sums are not the ones of
 * its children's U; *worst_tight = the largest (U - S) / S over the nodes above
 * level 0 in units of 2^-48, which repairs keep <= 1.3 (fl(fl(sum) LT_UP) <=
 * (1 + gamma_7)(1 + 32 u)(1 + u) S < (1 + 41 u) S; all slack
 * sits in the blocks: the lazy update never touches a node, and every
 * repair recomputes the ancestors of what it changed). */
/* The check of either storage: rate (doubles) or, when rate is NULL, frate. */
void lt_verify_upper_any(const lt_shape *sh, const lt_tree *t, const double *rate, const float *frate,
                         const uint32_t *leaf_block, double *worst_bound, double *worst_tight);
void lt_verify_upper(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block,
                     double *worst_bound, double *worst_tight);

/* Tests: the largest |s - S| / e and e / (tol s) over all nodes, S summed
 * in long double from the rates (its own error, < 2^-60 S here, is added
 * to e); 0 for exact zeros.  Both must stay <= 1. */
void lt_verify(const lt_shape *sh, const lt_tree *t, const double *rate, const uint32_t *leaf_block,
               double *worst_error, double *worst_tol);


/* ---- Upper-bound mode on float upper bounds (lattice_tree_f32.c) ----
 * The lazy mode's float path (lattice_engine.c, docs/space.md "Float upper
 * bounds"): the stored values are floats u~_i >= r_i.  Only level 0 differs:
 * a block's bound is its 64 floats converted to double (exactly) and summed
 * as lt_block_sum does, rounded up by LT_UP, so the proof above holds as
 * it is (U_b >= the exact real sum of the block's floats); the nodes above
 * are the double nodes of the upper-bound mode. */
static inline double lt_block_sum_f(const float *r)
{
    double acc[8] = {0};
    for (int i = 0; i < LT_BLOCK; i += 8)
        for (int a = 0; a < 8; a++)
            acc[a] += (double)r[i + a];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}
void lt_upper_block_f(const lt_shape *sh, lt_tree *t, size_t idx, const float *rate, const uint32_t *leaf_block);
void lt_upper_repair_f(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const float *rate,
                       const uint32_t *leaf_block);
void lt_build_upper_f(const lt_shape *sh, lt_tree *t, const float *rate, const uint32_t *leaf_block);
/* The pick in block b (4 z-planes of 16 floats, each 4 x-rows of 4): the
 * slot whose interval of cumulative u~ contains u, *off the offset inside
 * that interval (in [0, u~_slot]: u~_slot itself only when rounding leaves
 * u beyond a row's running sums, which the acceptance then rejects);
 * SIZE_MAX when u is beyond the block's actual total (its slack: a null). */
size_t lt_in_block_upper_f(const float *rate, uint32_t b, double u, double *off);
/* The same compiled for AVX2 (the same additions: bit-identical). */
size_t lt_in_block_upper_f_avx2(const float *rate, uint32_t b, double u, double *off);
void lt_prefetch_block_f(const float *rate, uint32_t b);
void lt_verify_upper_f(const lt_shape *sh, const lt_tree *t, const float *rate, const uint32_t *leaf_block,
                       double *worst_bound, double *worst_tight);

#endif /* LREKMC_LATTICE_TREE_H */
