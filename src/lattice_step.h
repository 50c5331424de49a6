/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_step.h - the steps of a spatial trajectory that every loop shares
 * (internal): recording an event, the draws, and the lazy mode's candidates
 * (nulls, the walk, the float path's exact acceptance, the pick).  The
 * loops are in lattice_engine.c (one lane, two lanes, the uniform path)
 * and lattice_pipeline.c (the pipelined loop beyond the caches); these are
 * inline so that each loop keeps them in registers.
 */
#ifndef LREKMC_LATTICE_STEP_H
#define LREKMC_LATTICE_STEP_H

#include <stdint.h>

#include "lattice_sink.h"
#include "rng_inline.h"

/* A trajectory's initial rates: 1, or exp(-delta_i / T) with the offsets
 * drawn first from the trajectory's generator (row-major site order); the
 * tree built from them (lattice_engine.c). */
void lattice_start(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, lrk_pcg64 *rng);

/* Event number n (1-based) relaxed site (x, y, z), row-major `site`, at
 * time t. */
static inline void record_at(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, long site, long x,
                             long y, long z, double t)
{
    while (s->grid[o->k] < t)
        o->n_at[o->k++] = (uint32_t)(n - 1);
    while (o->j < s->level_count && s->level_events[o->j] == n)
        o->first_passage[o->j++] = t;
    lattice_lane *ln = o->ln;
    if (ln->rec_sites != NULL) {
        ln->rec_sites[n - 1] = site;
        ln->rec_times[n - 1] = t;
    }
    if (o->extra != NULL)
        lattice_record_extras(s, w, o, n, x, y, z);
}

/* ... of a row-major site (the uniform path's list) */
static inline void record(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, long site, double t)
{
    record_at(s, w, o, n, site, site % s->Lx, site / s->Lx % s->Ly, site / (s->Lx * s->Ly), t);
}

/* ... of a slot: its coordinates from the block's (hot in the caches),
 * not slot_site[], whose entry is a cache miss per event from L = 64 on,
 * nor divisions of the row-major site. */
static inline void record_slot(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, size_t slot,
                               double t)
{
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)((slot >> 4) & 3);
    record_at(s, w, o, n, x + s->Lx * (y + s->Ly * z), x, y, z, t);
}

static inline double uniform01(lrk_pcg64 *rng)
{
    return ((double)(lrk_pcg64_next_inline(rng) >> 12) + 0.5) * 0x1p-52;
}

static inline double root_of(const lrk_lattice_shared *s, const lattice_lane *ln)
{
    return ln->tree.sum[s->shape.offset[s->shape.depth]];
}

/* The draws of an event (the waiting time relative to 1 / k, then the
 * uniform), in this order from the trajectory's generator; the uniform
 * scaled to the root. */
static inline double draw(const lrk_lattice_shared *s, const lattice_lane *ln, lrk_pcg64 *rng, long n, double *dt)
{
    const double R = root_of(s, ln);
    *dt = lrk_pcg64_exponential_ziggurat_inline(rng) / R * (s->inv_g ? s->inv_g[n - 1] : 1.0);
    if (s->f32) /* the float path's rates are the model's times 2^-e: exact */
        *dt *= s->f32_scale;
    return uniform01(rng);
}

/* Where a trajectory (a lane of simulate_tree2, a step of the pipelined
 * loop) is. */
typedef struct lane_step {
    lattice_lane *ln;
    lrk_pcg64 *rng;
    sink *o;
    double u, v, dt, t;   /* the event's uniform, the offset left by the walk, waiting time, time */
    double off;           /* float path: the offset inside the picked site's interval */
    double inv_k;
    uint32_t block;       /* the block the walk reached (UINT32_MAX: none) */
    size_t leaf, slot;    /* its level-0 entry; the slot picked */
} lane_step;

/* ---- Lazy mode: thinning on upper bounds (lattice_tree.h, docs/space.md) ----
 * A candidate is drawn exactly like an event, with the root's bound U for
 * the total rate: its waiting time E / (k U) always passes, and the walk
 * either reaches a positive rate (the event: probability r_i / U for site
 * i) or falls in some node's slack (a null, probability 1 - R / U).  A null
 * is the thinning of the Poisson stream of candidates: nothing else
 * happens, and its node is recomputed from below (rounded up) with its
 * ancestors, so that the same slack is not met again.  Before each
 * candidate, once the nulls since the last batch repair are at least
 * LAZY_MIN_NULLS and more than 2^-LAZY_SHIFT of the candidates, every stale
 * block and its ancestors are recomputed: the rule reads only the lane's
 * own counters, so the lanes' schedules give the same bytes. */
static inline void null_candidate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, unsigned level,
                           size_t idx)
{
    x->t += x->dt * x->inv_k;
    x->ln->nulls++;
    w->nulls++;
    if (s->f32)
        lt_upper_repair_f(&s->shape, &x->ln->tree, level, idx, x->ln->frate, s->leaf_block);
    else
        lt_upper_repair(&s->shape, &x->ln->tree, level, idx, x->ln->rate, s->leaf_block);
    if (w->test_hook != NULL)
        w->test_hook(s, w, x->ln);
}

/* The draws and the walk of candidates until one reaches a block. */
static inline void walk_lazy(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, long n)
{
    lattice_lane *const ln = x->ln;
    for (;;) {
        if (ln->nulls >= LAZY_MIN_NULLS && (ln->nulls << LAZY_SHIFT) > ln->cand)
            lattice_batch_repair(s, w, ln);
        ln->cand++;
        w->candidates++;
        x->u = draw(s, ln, x->rng, n, &x->dt);
        x->v = x->u * root_of(s, ln);
        unsigned level;
        size_t at;
        const size_t idx = lt_walk_upper(&s->shape, &ln->tree, &x->v, &level, &at, s->leaf_block);
        if (idx != SIZE_MAX) {
            x->leaf = idx;
            x->block = s->leaf_block[idx];
            if (s->f32)
                lt_prefetch_block_f(ln->frate, x->block);
            else
                lt_prefetch_block(ln->rate, x->block);
            return;
        }
        null_candidate(s, w, x, level, at);
    }
}

/* The event of the accepted candidate.  A fired rate above 2^-LAZY_EAGER
 * of the root's bound would leave that much slack in its block (with wide
 * disorder, or near the end, one rate can be most of the total): the block
 * and its ancestors are recomputed at once, in the caches, instead of
 * after the null it would cause (the rule reads only the lane's state). */
static inline void relax_lazy(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot)
{
    const double fired = s->f32 ? (double)ln->frate[slot] : ln->rate[slot];
    lattice_relax(s, w, ln, slot);
    if (s->eager && fired * (double)(1 << LAZY_EAGER) > root_of(s, ln)) {
        w->eager++;
        if (s->f32)
            lt_upper_repair_f(&s->shape, &ln->tree, 0, s->block_leaf[slot / LT_BLOCK], ln->frate, s->leaf_block);
        else
            lt_upper_repair(&s->shape, &ln->tree, 0, s->block_leaf[slot / LT_BLOCK], ln->rate, s->leaf_block);
        if (w->test_hook != NULL)
            w->test_hook(s, w, ln);
    }
}

/* ---- Float upper bounds (s->f32): the exact acceptance (lattice_float.c has
 * the model's r_i, the proof and the update) ---- */

/* The acceptance when the shortcut cannot decide: r_i from the field
 * (rare; lattice_engine.c). */
int lattice_accept_exact(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x);

/* Accept the candidate x->slot (1) or reject it (0: a null). */
static inline int accept_f32(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x)
{
    const int accepted = x->off < (double)x->ln->frate[x->slot] * s->f32_accept || lattice_accept_exact(s, w, x);
    if (w->accept_hook != NULL)
        w->accept_hook(s, w, x->ln, x->slot, x->off, accepted);
    return accepted;
}

/* The pick in the block; a null there starts the next candidate. */
static inline void pick_lazy(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, long n)
{
    if (s->f32)
        for (;;) {
            x->slot = s->simd ? lt_in_block_upper_f_avx2(x->ln->frate, x->block, x->v, &x->off)
                              : lt_in_block_upper_f(x->ln->frate, x->block, x->v, &x->off);
            if (x->slot != SIZE_MAX) {
                if (accept_f32(s, w, x))
                    return;
                walk_lazy(s, w, x, n);
                continue;
            }
            null_candidate(s, w, x, 0, x->leaf);
            walk_lazy(s, w, x, n);
        }
    for (;;) {
        x->slot = lt_in_block_upper(x->ln->rate, x->block, x->v);
        if (x->slot != SIZE_MAX)
            return;
        null_candidate(s, w, x, 0, x->leaf);
        walk_lazy(s, w, x, n);
    }
}

/* The pipelined loop (lattice_pipeline.c): whether it runs for s (the lazy
 * float path on the grouped stencil beyond LATTICE_PIPELINE_BYTES, or as a
 * test asked), and one trajectory of it. */
int lattice_pipelined(const lrk_lattice_shared *s);
void lattice_simulate_pipelined(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o);

#endif /* LREKMC_LATTICE_STEP_H */
