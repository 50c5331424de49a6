/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine_internal.h - internal: the spatial engine's tables, shared
 * by lattice_setup.c (set-up), lattice_engine.c (trajectories, output) and lattice_relax.c
 * (one event's rate and sum updates), and white-box hooks for the tests.
 *
 * Storage.  Site (x, y, z) lives at slot
 *   64 * block(x >> 2, y >> 2, z >> 2) + (x & 3) + 4 (y & 3) + 16 (z & 3),
 * block() row-major over the blocks; the tree (lattice_tree.h) sits on the
 * block sums in Morton order.  A slot index is a sum of one term per axis
 * (ax[x] + ay[y] + az[z], the tables doubled so that x + dx needs no
 * modulo), and so are a block's row-major number (br) and Morton number (bm).
 * The lazy mode's float path stores the same slots as floats (a block is
 * then 4 cache lines, one z-plane each; lattice_float.c "Float upper
 * bounds").
 */
#ifndef LREKMC_LATTICE_ENGINE_INTERNAL_H
#define LREKMC_LATTICE_ENGINE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "lattice_tree.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/lattice_observe.h"

/* Grouped stencil: distinct block offsets per axis, at most this many. */
#define LG_AXIS 5
#define LG_CELLS (LG_AXIS * LG_AXIS * LG_AXIS)
/* Largest stencil grouped (64 copies, 9 bytes an entry: 2.4 MB). */
#define LG_MAX_COUNT 4096

/* The stencil seen from one position p = px + 4 py + 16 pz inside a block,
 * when every L is a multiple of 4: target blocks at offsets off[a][i]
 * (modulo the block count) along each axis, one group of entries per target
 * block, each entry a slot inside that block and a factor. */
typedef struct lg_position {
    uint32_t first_group, groups;
    uint32_t first_target, targets;
    uint8_t n[3];
    uint16_t off[3][LG_AXIS];   /* off[a][0] = 0: the home block is cell 0 */
} lg_position;

typedef struct lg_group {
    uint32_t first, count;   /* entries */
    uint8_t cell[3];         /* index into off[a] per axis */
} lg_group;

/* The same stencil by target block and x-row (lattice_groups.c): a target
 * block's row segments, each the byte offset of an x-row inside the block
 * (32 (y + 4 z)) and the byte offset of its factor vector in fvec (32 x
 * its index; 1 outside the stencil, 0 for the fired site).  The home block
 * is a position's first target. */
typedef struct lg_seg {
    uint16_t row, fv;
} lg_seg;

typedef struct lg_target {
    uint32_t first;          /* segments */
    uint8_t count;           /* segments, 1 ... 16 */
    uint8_t cell[3];         /* a LG_UNION + index into uoff[a], per axis a */
    double rounds;           /* count + 1: the roundings a summed term takes part in */
    uint8_t lines;           /* bit k: line k (rows 2k, 2k + 1) has a segment (prefetch) */
    uint8_t pf[2];           /* the first and the last of those lines, in doubles (8 k) */
    uint8_t ppf[2];          /* float rates: the first and the last z-plane with a segment, in floats (16 z) */
} lg_target;

/* The same segments by cache line (the lazy update, which sums nothing):
 * one entry per line of a target block that has a segment, the line's
 * offset, the target's index in its position and its 8-factor vector (the two rows' factor vectors, 1 for a row outside the stencil:
 * r 1 = r exactly, so the rates are the same bits as row by row). */
typedef struct lg_line {
    uint16_t off;            /* the line's byte offset in the block: 64 x line */
    uint8_t t, unused;
    uint32_t fv;             /* byte offset of its 8 factors in fvec8 */
} lg_line;

/* Float rates (the lazy mode's float path): a block is 4 z-planes of 16
 * floats, one cache line each; per position, one entry per plane of a
 * target block that has a segment, with a 16-float vector of rounded-up
 * factors (its rows' vectors, exactly 1 for a row outside the stencil, 0 for
 * the fired site).  The same lg_line, off = 64 x plane, fv into fvec16. */

/* A block term of one axis, of the block at coordinate u + uoff[a][k]:
 * the slot offset (64 x row-major term) in the low 32 bits, the Morton
 * term in the high 32 (one addition adds both: the sums stay < 2^32). */
typedef uint64_t lg_term;

/* Distinct block offsets per axis over all positions, at most (a position
 * has at most LG_AXIS, the 4 positions along an axis one more). */
#define LG_UNION 8

/* Distinct factor vectors at most (32 x 2048 bytes fit 16 bits). */
#define LG_MAX_FVEC 2048

struct lrk_lattice_shared {
    long N, Lx, Ly, Lz;
    long nb[3], blocks;           /* blocks along each axis and in all */
    size_t slots;                 /* 64 x blocks */
    uint32_t *ax, *ay, *az;       /* 2 L each: slot term of coordinate u mod L */
    uint32_t *br[3], *bm[3];      /* 2 nb each: row-major and Morton block terms of u mod nb */
    uint32_t *block_leaf;         /* blocks: level-0 entry of each block */
    uint32_t *leaf_block;         /* level-0 entries: block (UINT32_MAX for padding) */
    uint16_t *block_xyz;          /* 3 x blocks: block coordinates */
    uint32_t *slot_site;          /* slots: row-major site number, UINT32_MAX for padding */
    lt_shape shape;
    size_t count;                 /* stencil entries */
    int *dx, *dy, *dz;
    double *factor;               /* exp(-c J_o / T) */
    int grouped;                  /* the grouped stencil below is built */
    int prefetch;                 /* the rates exceed the caches: prefetch the stencil's lines */
    lg_position pos[LT_BLOCK];
    lg_group *groups;             /* built, used for the segments, then freed (NULL): */
    uint8_t *gslot;               /* entries: slot inside the target block */
    double *gfac;                 /* entries: factor */
    lg_target *targets;           /* per position: target blocks, home first */
    uint16_t uoff[3][LG_UNION];   /* the block offsets of all positions per axis, uoff[a][0] = 0 */
    uint8_t nu[3];
    lg_term *term[3];             /* nb[a] x LG_UNION each: [u LG_UNION + k] for block coordinate u */
    lg_seg *segs;                 /* per target: row segments */
    lg_line *lines;               /* the lazy update: per position its targets' lines */
    uint32_t line_first[LT_BLOCK + 1]; /* position p's lines are [line_first[p], line_first[p + 1]) */
    double *fvec8;                /* 8 per distinct line factor vector, 64-byte aligned */
    uint32_t fvec8_count;
    double *fvec;                 /* 4 per distinct factor vector, 32-byte aligned */
    lg_line *planes;              /* float rates: per position its targets' planes */
    uint32_t plane_first[LT_BLOCK + 1];
    float *fvec16;                /* 16 per distinct plane factor vector, 64-byte aligned */
    uint32_t fvec16_count;
    uint32_t fvec_count, segs_count;
    int planned;                  /* the level-1 merge plans below are built */
    uint8_t *plan;                /* per (position, parity class, target): level-1 entry */
    uint32_t plan_at[LT_BLOCK][8];  /* position, class (bit a: home block coordinate a odd): first in plan */
    uint8_t plan_n1[LT_BLOCK][8];   /* level-1 entries of the plan */
    int simd;                     /* 1: the AVX2 clone of the grouped update (bit-identical) */
    int lazy;                     /* every factor <= 1: the tree holds upper bounds, the event
                                     never touches it (thinning, lattice_engine.c) */
    int f32;                      /* lazy: the rates are float upper bounds with exact acceptance
                                     (lattice_float.c; f32_ok: the model allows it) */
    int f32_ok, f32_pref;         /* allowed (exactness); chosen by default (speed) */
    double f32_scale;             /* 2^-e: the float path's rates are the model's times this */
    double f32_margin;            /* relative margin of the rounded-up factors (2^-22; tests larger) */
    float *ffac;                  /* count: the rounded-up factors f~_o (the ungrouped update) */
    double f32_accept;            /* accept without r_i when off < u~ f32_accept (<= 1 / (1 + eps)) */
    int pipeline;                 /* lazy floats, grouped: the pipelined loop (lattice_pipeline.c):
                                     0 by size (LATTICE_PIPELINE_BYTES), 1 on, -1 off; tests only,
                                     wrong on purpose: 2 on without the pending event's check, 3 on
                                     with a gap from the root at the candidate's turn */
    int eager;                    /* lazy: the fired site's block recomputed when its rate was
                                     above 2^-LAZY_EAGER of the root (tests may turn it off) */
    double k;                     /* exp(-V0 / T) */
    int uniform;                  /* the uniform fast path (equal rates) */
    double *inv_rate;             /* uniform: 1 / lambda_n */
    double *inv_g;                /* disorder with the uniform kernel: exp(c V1 n / (N T)) */
    int disorder;                 /* per-site offsets drawn per trajectory */
    lrk_disorder dis;
    double T;
    double *grid;                 /* t_count + 1, +inf sentinel */
    size_t t_count;
    long *level_events;
    size_t level_count;
    lrk_lattice_layout layout;    /* the extras */
    double near2;                 /* d_el^2 (1 + 1e-12): avalanche neighbours */
    /* The local q (lattice_observe.h) reads the relaxed field around a site
     * through a halo copy of it: the box padded by reach[a] on both sides
     * of axis a, every relaxed site marked at all its images there, so that
     * each of the other sites within d_el is one fixed offset away. */
    size_t near_count;            /* the r3 stencil's entries, whatever the kernel */
    int32_t *near_off;            /* near_count: halo offset of the entry's minimal image */
    double *near_w;               /* near_count: W / S */
    long reach[3];                /* largest minimal-image |d| per axis (<= L / 2) */
    long halo[3];                 /* L + 2 reach per axis */
    size_t halo_size;
    int32_t *halo_img[3];         /* 4 L[a] per axis: coordinate c's images inside the halo, a count
                                     and up to 3 terms of their halo index (c + k L + reach) stride */
};

/* Trajectories one worker steps together, event by event
 * (lrk_lattice_simulate_lanes): each lane has its own rates, tree and
 * relaxed field; the scratch is shared (used by one lane at a time). */
#define LATTICE_LANES LRK_LATTICE_LANES
/* Two lanes only while both lanes' rates fit in lrk_lattice_lanes_max_bytes
 * (lattice_setup.c: max(4 MB, L3 / 8); resources.c's memory estimate uses
 * the same rule); at least this many bytes whatever the machine reports. */
#define LATTICE_LANES_MIN_BYTES ((size_t)4 << 20)
/* Above this many bytes of both lanes' rates (L >= 48) the selected
 * block's lines are L2 misses: the lanes take the schedule that puts a
 * whole update of the other lane between a lane's walk and its pick. */
#define LATTICE_LANES_LEAD_BYTES ((size_t)1 << 20)

typedef struct lattice_lane {
    double *rate;                 /* slots: relative rates, 0 = relaxed or padding */
    float *frate;                 /* slots, s->f32: float upper bounds u~_i >= r_i, 0 = relaxed or padding */
    double *base;                 /* slots, s->f32 with disorder: exp(-delta_i / T) f32_scale */
    lt_tree tree;
    unsigned char *field;         /* N, row-major: 1 = relaxed */
    unsigned char *halo;          /* halo_size bits: the field with its halo (the local q) */
    long *rec_sites;              /* lrk_lattice_worker_record: NULL = off */
    double *rec_times;
    /* lazy mode: level-0 entries whose bound is stale (each once), their
     * flags (and the batch repair's, per tree node), and the candidates and
     * nulls since the last batch repair (the rule reads only these) */
    uint32_t *dirty;
    size_t ndirty;
    unsigned char *mark;
    long cand, nulls;
} lattice_lane;

/* The batch repair runs before a candidate once the nulls since the last
 * one are at least LAZY_MIN_NULLS and more than 2^-LAZY_SHIFT of the
 * candidates (docs/space.md: the rule and its cost). */
#define LAZY_SHIFT 4
#define LAZY_MIN_NULLS 4
/* A fired rate above 2^-LAZY_EAGER of the root's bound: its block is
 * recomputed right after the event (lattice_engine.c). */
#define LAZY_EAGER 4

/* The pipelined loop (lattice_pipeline.c) above this many bytes of float rates (a lane's, L > 64):
 * measured in one process, trajectories alternated (docs/space.md, round 12), it is 0.91-0.96 of
 * the plain loop at L = 64 (1 MB) and 1.05-1.49 from L = 72 (1.5 MB) on. */
#define LATTICE_PIPELINE_BYTES ((size_t)1 << 20)

struct lrk_lattice_worker {
    int lanes;                    /* lane states allocated (1 for the uniform fast path) */
    lattice_lane lane[LATTICE_LANES];
    double *acc_old, *acc_new;    /* blocks: the ungrouped path's per-block sums */
    uint32_t *acc_count, *touched;
    double *delta;                /* N: disorder offsets, row-major (used while a lane starts) */
    long rebuilds;                /* selections that needed a full rebuild */
    long candidates, nulls;       /* lazy mode, all lanes: candidates drawn, nulls among them */
    long batches, batch_blocks;   /* batch repairs, blocks they recomputed */
    long rejections;              /* s->f32: candidates rejected by the acceptance (nulls) */
    long exact;                   /* s->f32: candidates whose r_i was computed */
    long eager;                   /* home blocks recomputed after an event (LAZY_EAGER) */
    long early;                   /* pipelined loop: events picked before the previous one's update */
    void (*test_hook)(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln); /* tests:
                                     called after every null's repair and every batch repair */
    void (*accept_hook)(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot,
                        double off, int accepted); /* tests: every float-path acceptance decision */
    uint32_t *unrelaxed;          /* uniform: the unrelaxed sites */
    lrk_lattice_probe *probe;     /* correlation and clusters (used by one lane at a time) */
};

/* The float path's factor f~ >= f (1 + margin) (1 - 2^-53), the smallest
 * float >= fl(f (1 + margin)), and at most 1 (rates must never increase);
 * exactly 0 and 1 stay themselves.  The proof that u~ >= r stays true is
 * in lattice_float.c ("Float upper bounds"). */
static inline float lattice_f32_up(double f, double margin)
{
    if (f == 0.0 || f == 1.0)
        return (float)f;
    const double g = f * (1.0 + margin);
    float x = (float)g;
    if ((double)x < g)
        x = nextafterf(x, 2.0f);
    return x > 1.0f ? 1.0f : x;
}

/* Bytes of one stored rate: 4 on the float path (as chosen by default:
 * the lane count must not depend on a test's choice), else 8. */
static inline size_t lattice_rate_bytes(const lrk_lattice_shared *s)
{
    return s->f32_pref ? sizeof(float) : sizeof(double);
}

/* The home block's terms of the three axes side by side (tm: 3 LG_UNION,
 * on the caller's stack): a target's cells index them without a pointer
 * register per axis. */
static inline __attribute__((always_inline)) void lattice_home_terms(const lrk_lattice_shared *s,
                                                                     const uint16_t *bc, lg_term *tm)
{
    memcpy(tm, s->term[0] + (size_t)bc[0] * LG_UNION, LG_UNION * sizeof *tm);
    memcpy(tm + LG_UNION, s->term[1] + (size_t)bc[1] * LG_UNION, LG_UNION * sizeof *tm);
    memcpy(tm + 2 * LG_UNION, s->term[2] + (size_t)bc[2] * LG_UNION, LG_UNION * sizeof *tm);
}

/* The lazy update's first half, for the double rates (lattice_relax.c)
 * and the float ones (lattice_float.c), `elem` bytes a rate: the target
 * blocks of `slot`'s position, their addresses into base[], each on the
 * lane's stale list once (branch-free: the entry is overwritten while the
 * flag was set) and, beyond the caches (pf), the first and the last of
 * their lines (planes for floats) asked for; returns the position. */
static inline __attribute__((always_inline)) unsigned lazy_targets(const lrk_lattice_shared *s, lattice_lane *ln,
                                                                   size_t slot, char *rate, const size_t elem,
                                                                   const int pf, char **base)
{
    const unsigned p = (unsigned)(slot % LT_BLOCK);
    const lg_position *P = &s->pos[p];
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    lg_term tm[3 * LG_UNION] __attribute__((aligned(32)));
    lattice_home_terms(s, bc, tm);
    const lg_target *const T0 = s->targets + P->first_target;
    const uint32_t targets = P->targets; /* a local: the flag stores below may alias anything */
    uint32_t *const dirty = ln->dirty;
    unsigned char *const mark = ln->mark;
    size_t nd = ln->ndirty;
    for (uint32_t t = 0; t < targets; t++) {
        const lg_target *const T = T0 + t;
        const uint64_t term = tm[T->cell[0]] + tm[T->cell[1]] + tm[T->cell[2]];
        char *const b = rate + (size_t)(uint32_t)term * elem;
        const uint32_t m = (uint32_t)(term >> 32);
        base[t] = b;
        dirty[nd] = m;
        nd += mark[m] == 0;
        mark[m] = 1;
        if (pf) {
            const uint8_t *const first_last = elem == sizeof(float) ? T->ppf : T->pf;
            for (unsigned at = first_last[0]; at <= first_last[1]; at += 64 / elem)
                __builtin_prefetch(b + at * elem, 1);
        }
    }
    ln->ndirty = nd;
    return p;
}

/* Bytes of a lane's halo field: a bit a site, and 8 more for the last
 * unaligned 8-byte load of the snapshots' field (lattice_sink.c). */
static inline size_t lattice_halo_bytes(const lrk_lattice_shared *s)
{
    return s->halo_size / 8 + 9;
}

/* Build s->groups etc. when the box allows it (else s->grouped = 0). */
int lattice_avx2_available(void);
lrk_status lattice_groups_build(lrk_lattice_shared *s, lrk_error *err);
void lattice_groups_free(lrk_lattice_shared *s);

/* Relax `slot`: its rate becomes 0, its stencil's rates are multiplied by
 * their factors, and the tree follows (deltas with bounds, lattice_tree.h).
 * When s->prefetch, the stencil's lines are asked for first. */
void lattice_relax(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot);
/* Lazy mode: every stale block recomputed rounded up, then their ancestors
 * level by level (each node once). */
void lattice_batch_repair(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln);

/* White-box hooks for the tests: start a trajectory (disorder draws and
 * rates) and run `events` events of it (no output), then check the tree
 * against the rates (lt_verify); all on lane 0. */
void lattice_test_begin(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng);
void lattice_test_events(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, long events);
/* Tests: use the AVX2 clone of the grouped update (on = 1) or the SSE2
 * baseline (0); returns 0 (and changes nothing) when asked for AVX2 on a
 * CPU without it. */
int lattice_test_simd(lrk_lattice_shared *s, int on);
void lattice_test_verify(const lrk_lattice_shared *s, const lrk_lattice_worker *w, double *worst_error,
                         double *worst_tol);
/* Tests: choose the lazy mode (1; 2: without the eager repair of the
 * fired site's block) or the accurate sums (0) before lattice_test_begin;
 * returns 0 (and changes nothing) when the factors do not allow the lazy
 * mode. */
int lattice_test_lazy(lrk_lattice_shared *s, int on);
/* Tests: the pipelined loop (s->pipeline: 1 on, -1 off, 0 by size, 2 on
 * without the pending event's check); returns 0 (and changes nothing)
 * where the float path is not on or the stencil not grouped. */
int lattice_test_pipeline(lrk_lattice_shared *s, int mode);
/* Float path (lattice_engine.c, docs/space.md): the factors rounded up
 * with relative margin m (>= 2^-22) and the acceptance's constant from it;
 * 0 when the model does not allow the float path.  on = 0: the doubles. */
lrk_status lattice_f32_configure(lrk_lattice_shared *s, int on, double margin);
int lattice_test_f32(lrk_lattice_shared *s, int on, double margin);
/* A lane of a float-path worker has no double rates: lattice_test_begin
 * allocates them (0 out of memory) when a test has switched to doubles. */
int lattice_test_lane_doubles(const lrk_lattice_shared *s, lattice_lane *ln);
/* The model's rate of slot i (unrelaxed) from the lane's relaxed field:
 * the base rate times the factors of its relaxed stencil neighbours, in
 * stencil order, in doubles. */
double lattice_f32_rate(const lrk_lattice_shared *s, const lattice_lane *ln, size_t slot);
/* The smallest float >= fl(r (1 + 2^-30)) (0 for 0). */
static inline float lattice_f32_round_up(double r)
{
    const double g = r * (1.0 + 0x1p-30);
    float f = (float)g;
    if ((double)f < g)
        f = nextafterf(f, INFINITY);
    return f;
}

/* lattice_float.c: the float path allowed (rates stay normal floats; sets
 * s->f32_scale) and preferred (faster); the lazy mode allowed (every
 * factor <= 1, lattice_setup.c); the float event (lattice_relax's). */
int lattice_f32_allowed(lrk_lattice_shared *s);
int lattice_f32_preferred(size_t count, size_t slots);
int lattice_lazy_allowed(const lrk_lattice_shared *s);
void lattice_relax_f32(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot);
/* The grouped float event in two halves, for the pipelined loop
 * (lattice_engine.c): the stage finds the target blocks of `slot` and asks
 * for their planes, writing nothing; the staged relax lists them stale and
 * multiplies, the same operations as lattice_relax_f32. */
typedef struct lattice_staged {
    size_t slot;
    unsigned p, n;               /* the slot's position in its block; its targets */
    uint32_t m[LG_CELLS + 3];    /* the targets' level-0 entries, then UINT32_MAX to a multiple of 4 */
    char *base[LG_CELLS];        /* the targets' rates */
} lattice_staged;
void lattice_stage_f32(const lrk_lattice_shared *s, const lattice_lane *ln, size_t slot, lattice_staged *st);
void lattice_relax_staged_f32(const lrk_lattice_shared *s, lattice_lane *ln, const lattice_staged *st);
/* 1 when level-0 entry `leaf` is one of st's target blocks (4 at a time). */
typedef uint32_t lattice_v4u __attribute__((vector_size(16)));
static inline int lattice_staged_touches(const lattice_staged *st, uint32_t leaf)
{
    const lattice_v4u want = {leaf, leaf, leaf, leaf};
    lattice_v4u hit = {0, 0, 0, 0};
    for (unsigned t = 0; t < st->n; t += 4) {
        lattice_v4u x;
        memcpy(&x, st->m + t, sizeof x);
        hit |= x == want;
    }
    return (hit[0] | hit[1] | hit[2] | hit[3]) != 0;
}
/* Build s->planes / s->fvec16 from the row segments and s->f32_margin. */
int lattice_groups_build_planes(lrk_lattice_shared *s);

#endif /* LREKMC_LATTICE_ENGINE_INTERNAL_H */
