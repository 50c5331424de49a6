/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine.c - the spatial KMC engine (lattice_engine.h): the
 * trajectories (one lane, two lanes interleaved, the uniform fast path) and
 * their output (the observables' bookkeeping in lattice_sink.c).  The
 * tables and workers are built in lattice_setup.c, the
 * storage layout is described in lattice_engine_internal.h, one event's
 * update in lattice_relax.c, the sum tree and its round-off bound in
 * lattice_tree.h (and its upper-bound mode, whose thinning of the
 * candidates lives here, with the float upper bounds and their exact
 * acceptance); docs/space.md has the method, why it is exact, and the
 * measurements behind the choices.
 */
#include "lrekmc/lattice_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_sink.h"
#include "lrekmc/disorder.h"
#include "rng_inline.h"

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

/* A trajectory's initial rates: 1, or exp(-delta_i / T) with the offsets
 * drawn first from the trajectory's generator (row-major site order). */
static void start(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, lrk_pcg64 *rng)
{
    if (s->disorder)
        lrk_disorder_draw(&s->dis, rng, s->N, w->delta);
    if (s->f32) { /* u~ = up(base (1 + 2^-30)), the proof's start */
        const float one = nextafterf(1.0f, 2.0f);
        for (size_t i = 0; i < s->slots; i++) {
            const uint32_t site = s->slot_site[i];
            if (!s->disorder) {
                ln->frate[i] = site == UINT32_MAX ? 0.0f : one;
                continue;
            }
            const double b = site == UINT32_MAX ? 0.0 : exp(-w->delta[site] / s->T) * s->f32_scale;
            ln->base[i] = b;
            ln->frate[i] = lattice_f32_round_up(b);
        }
        lt_build_upper_f(&s->shape, &ln->tree, ln->frate, s->leaf_block);
        memset(ln->mark, 0, s->shape.total);
        ln->ndirty = 0;
        ln->cand = ln->nulls = 0;
        return;
    }
    for (size_t i = 0; i < s->slots; i++) {
        uint32_t site = s->slot_site[i];
        ln->rate[i] = site == UINT32_MAX ? 0.0 : s->disorder ? exp(-w->delta[site] / s->T) : 1.0;
    }
    if (s->lazy) {
        lt_build_upper(&s->shape, &ln->tree, ln->rate, s->leaf_block);
        memset(ln->mark, 0, s->shape.total);
        ln->ndirty = 0;
        ln->cand = ln->nulls = 0;
    } else {
        lt_build(&s->shape, &ln->tree, ln->rate, s->leaf_block);
    }
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

/* A selection that found no positive rate (cannot happen while the bound
 * holds): rebuild exactly and select again with the same uniform. */
static size_t reselect(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, double u)
{
    w->rebuilds++;
    lt_build(&s->shape, &ln->tree, ln->rate, s->leaf_block);
    return lt_select(&s->shape, &ln->tree, ln->rate, s->leaf_block, u * root_of(s, ln));
}

/* The slot of the next event and its waiting time (relative to 1 / k). */
static inline size_t step(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, lrk_pcg64 *rng,
                          long n, double *dt)
{
    const double u = draw(s, ln, rng, n, dt);
    size_t slot = lt_select(&s->shape, &ln->tree, ln->rate, s->leaf_block, u * root_of(s, ln));
    if (slot == SIZE_MAX)
        slot = reselect(s, w, ln, u);
    lattice_relax(s, w, ln, slot);
    return slot;
}

/* One lane of simulate_tree2: where its trajectory is. */
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
static void null_candidate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, unsigned level,
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

/* The acceptance when the shortcut cannot decide: r_i from the field. */
static __attribute__((noinline)) int accept_exact(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x)
{
    lattice_lane *const ln = x->ln;
    w->exact++;
    const double r = lattice_f32_rate(s, ln, x->slot);
    if (x->off < r)
        return 1;
    w->rejections++;
    x->t += x->dt * x->inv_k;
    const float f = lattice_f32_round_up(r);
    if (f < ln->frate[x->slot]) {
        ln->frate[x->slot] = f;
        const uint32_t m = s->block_leaf[x->slot / LT_BLOCK];
        ln->dirty[ln->ndirty] = m;
        ln->ndirty += ln->mark[m] == 0;
        ln->mark[m] = 1;
    }
    if (w->test_hook != NULL)
        w->test_hook(s, w, ln);
    return 0;
}

/* Accept the candidate x->slot (1) or reject it (0: a null). */
static inline int accept_f32(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x)
{
    const int accepted = x->off < (double)x->ln->frate[x->slot] * s->f32_accept || accept_exact(s, w, x);
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

/* First half of event n: the draws, the walk to a block, and a prefetch of
 * the block's lines, which the second half reads. */
static inline void half_walk(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, long n)
{
    if (s->lazy) {
        walk_lazy(s, w, x, n);
        return;
    }
    x->u = draw(s, x->ln, x->rng, n, &x->dt);
    x->v = x->u * root_of(s, x->ln);
    size_t idx = lt_walk(&s->shape, &x->ln->tree, &x->v);
    x->block = idx == SIZE_MAX ? UINT32_MAX : s->leaf_block[idx];
    lt_prefetch_block(x->ln->rate, x->block);
}

/* Second half: the slot inside the block. */
static inline void half_pick(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, long n)
{
    if (s->lazy) {
        pick_lazy(s, w, x, n);
        return;
    }
    x->slot = lt_in_block(x->ln->rate, x->block, x->v);
    if (x->slot == SIZE_MAX)
        x->slot = reselect(s, w, x->ln, x->u);
}

/* The update of event n and its output; then the first half of event n + 1.
 * In the lazy mode the walk of event n + 1 comes first: it reads only the
 * tree, which the lazy update never touches, and the bounds it walks stay
 * valid for the rates after the update (they only fall), so the update's
 * misses overlap the walk's dependent loads instead of following them
 * (one lane: L = 64 +10 %, L = 128 +15 %; the pick, which reads the rates,
 * still comes after the update). */
static inline __attribute__((always_inline)) void half_relax(const lrk_lattice_shared *s, lrk_lattice_worker *w,
                                                             lane_step *x, long n, double inv_k)
{
    if (s->lazy) {
        const size_t slot = x->slot;
        x->t += x->dt * inv_k;
        record_slot(s, w, x->o, n, slot, x->t);
        if (n < s->N)
            half_walk(s, w, x, n + 1);
        relax_lazy(s, w, x->ln, slot);
        return;
    }
    lattice_relax(s, w, x->ln, x->slot);
    x->t += x->dt * inv_k;
    record_slot(s, w, x->o, n, x->slot, x->t);
    if (n < s->N)
        half_walk(s, w, x, n + 1);
}

/* Two trajectories event by event: per lane exactly the operations of
 * simulate_tree on its own arrays and generator, in the same order (so the
 * same bytes), split in halves and interleaved so that one lane's dependent
 * chains overlap the other lane's update.  Two orders:
 *   A-pick, B-relax, A-relax, B-pick: the walk's sums and the pick in the
 *     block (whose lines were asked for at the walk) overlap the other
 *     lane's update; the better order while the blocks stay in L2;
 *   `lead`: A-relax, B-pick, B-relax, A-pick: every lane's walk is followed
 *     by the other lane's whole update before its pick reads the lines, for
 *     boxes whose blocks are L2 misses (LATTICE_LANES_LEAD_BYTES): at
 *     L = 64 it gains 2-6 % over the first order (L = 32: +3 %, the noise;
 *     L = 16: -3 %, where the first overlaps the in-cache chains better). */
static void simulate_tree2(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o, int lead)
{
    const double inv_k = 1.0 / s->k;
    lane_step a = {.ln = o[0].ln, .rng = &rng[0], .o = &o[0], .inv_k = inv_k},
              b = {.ln = o[1].ln, .rng = &rng[1], .o = &o[1], .inv_k = inv_k};
    start(s, w, a.ln, a.rng);
    start(s, w, b.ln, b.rng);
    half_walk(s, w, &a, 1);
    half_walk(s, w, &b, 1);
    half_pick(s, w, lead ? &a : &b, 1);
    if (lead)
        for (long n = 1; n <= s->N; n++) {
            half_relax(s, w, &a, n, inv_k);
            half_pick(s, w, &b, n);
            half_relax(s, w, &b, n, inv_k);
            if (n < s->N)
                half_pick(s, w, &a, n + 1);
        }
    else
        for (long n = 1; n <= s->N; n++) {
            half_pick(s, w, &a, n);
            half_relax(s, w, &b, n, inv_k);
            half_relax(s, w, &a, n, inv_k);
            if (n < s->N)
                half_pick(s, w, &b, n + 1);
        }
}

/* ---- The pipelined loop (the lazy float path beyond the caches) ----
 * Beyond a few MB of rates an event waits for its stencil's lines and for
 * the lines of the next candidate's block.  This loop asks for both an
 * event earlier (docs/space.md, round 11).  When event n is accepted, the
 * candidate of event n + 1 is already walked (its block asked for one
 * event before); per n:
 *   1. the pick of event n + 1, before event n's update, when its block
 *      is none of n's target blocks: then neither its rates nor, the
 *      stencil being symmetric, its relaxed neighbours differ from what
 *      they are after the update, and the exact acceptance sees both
 *      (otherwise it waits for step 3);
 *   2. its target blocks found and their planes asked for (the stage),
 *      and the walk of event n + 3's first candidate, two events early;
 *   3. event n's update from its stage.
 * A walk reads only the tree, which an update never touches (lazy mode):
 * walked early it sees bounds that the rates have only fallen below
 * since, and its draws are the stream's next, so the candidates remain
 * the thinning of a Poisson stream whose rate bounds the total at every
 * time, only in another order of the generator's draws (another
 * trajectory than the plain loop's, the same law).  A candidate's time is
 * its gaps summed, then added to the previous event's. */
typedef struct staged_step {
    lane_step x;
    lattice_staged st;
} staged_step;

/* Event n accepted: its time, its output, its stage. */
static inline void accept_staged(const lrk_lattice_shared *s, lrk_lattice_worker *w, staged_step *a, double t_prev,
                                 long n)
{
    a->x.t = t_prev + (a->x.t + a->x.dt * a->x.inv_k);
    record_slot(s, w, a->x.o, n, a->x.slot, a->x.t);
    lattice_stage_f32(s, a->x.ln, a->x.slot, &a->st);
}

/* The first candidate of event n, its gaps summed from 0. */
static inline void walk_ahead(const lrk_lattice_shared *s, lrk_lattice_worker *w, staged_step *a, long n)
{
    if (n <= s->N) {
        a->x.t = 0.0;
        walk_lazy(s, w, &a->x, n);
    }
}

/* pick_lazy while the candidate's block is none of `pending`'s targets:
 * 1 when a candidate was accepted, 0 when the next one must wait. */
static inline int pick_before(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *y,
                              const lattice_staged *pending, long n)
{
    for (;;) {
        if (s->pipeline != 2 && lattice_staged_touches(pending, (uint32_t)y->leaf))
            return 0;
        y->slot = s->simd ? lt_in_block_upper_f_avx2(y->ln->frate, y->block, y->v, &y->off)
                          : lt_in_block_upper_f(y->ln->frate, y->block, y->v, &y->off);
        if (y->slot != SIZE_MAX) {
            if (accept_f32(s, w, y)) {
                w->early++;
                return 1;
            }
        } else {
            null_candidate(s, w, y, 0, y->leaf);
        }
        walk_lazy(s, w, y, n);
    }
}

/* relax_lazy from a stage. */
static inline void relax_staged(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln,
                                const lattice_staged *st)
{
    const size_t slot = st->slot;
    const double fired = (double)ln->frate[slot];
    lattice_relax_staged_f32(s, ln, st);
    if (s->eager && fired * (double)(1 << LAZY_EAGER) > root_of(s, ln)) {
        w->eager++;
        lt_upper_repair_f(&s->shape, &ln->tree, 0, s->block_leaf[slot / LT_BLOCK], ln->frate, s->leaf_block);
        if (w->test_hook != NULL)
            w->test_hook(s, w, ln);
    }
}

static void simulate_pipelined(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    lattice_lane *ln = o->ln;
    start(s, w, ln, rng);
    staged_step ring[4];
    for (int i = 0; i < 4; i++)
        ring[i].x = (lane_step){.ln = ln, .rng = rng, .o = o, .inv_k = 1.0 / s->k};
    staged_step *a = &ring[0], *b = &ring[1], *c = &ring[2], *d = &ring[3];
    walk_ahead(s, w, a, 1);
    pick_lazy(s, w, &a->x, 1);
    accept_staged(s, w, a, 0.0, 1);
    walk_ahead(s, w, b, 2);
    walk_ahead(s, w, c, 3);
    for (long n = 1; n <= s->N; n++) { /* a: event n, staged; b, c: n + 1, n + 2, walked */
        const int early = n < s->N && pick_before(s, w, &b->x, &a->st, n + 1);
        if (early) {
            accept_staged(s, w, b, a->x.t, n + 1);
            walk_ahead(s, w, d, n + 3);
        }
        relax_staged(s, w, ln, &a->st);
        if (n < s->N && !early) {
            pick_lazy(s, w, &b->x, n + 1);
            accept_staged(s, w, b, a->x.t, n + 1);
            walk_ahead(s, w, d, n + 3);
        }
        staged_step *const done = a;
        a = b;
        b = c;
        c = d;
        d = done;
    }
}

/* The pipelined loop where it is faster (LATTICE_PIPELINE_BYTES) or asked for. */
static int pipelined(const lrk_lattice_shared *s)
{
    if (!s->lazy || !s->f32 || !s->grouped || s->pipeline < 0)
        return 0;
    return s->pipeline > 0 || s->slots * sizeof(float) > LATTICE_PIPELINE_BYTES;
}

static void simulate_tree(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    if (pipelined(s)) {
        simulate_pipelined(s, w, rng, o);
        return;
    }
    lattice_lane *ln = o->ln;
    start(s, w, ln, rng);
    double t = 0.0;
    const double inv_k = 1.0 / s->k;
    if (s->lazy) { /* the halves of simulate_tree2, one lane: the same operations */
        lane_step x = {.ln = ln, .rng = rng, .o = o, .inv_k = inv_k};
        half_walk(s, w, &x, 1);
        for (long n = 1; n <= s->N; n++) {
            half_pick(s, w, &x, n);
            half_relax(s, w, &x, n, inv_k);
        }
        return;
    }
    for (long n = 1; n <= s->N; n++) {
        double dt;
        size_t slot = step(s, w, ln, rng, n, &dt);
        t += dt * inv_k;
        record_slot(s, w, o, n, slot, t);
    }
}

static void simulate_uniform(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    uint32_t *un = w->unrelaxed;
    for (long i = 0; i < s->N; i++)
        un[i] = (uint32_t)i;
    double t = 0.0;
    for (long n = 1; n <= s->N; n++) {
        t += lrk_pcg64_exponential_ziggurat_inline(rng) * s->inv_rate[n - 1];
        long left = s->N - n + 1;
        long pick = (long)(uniform01(rng) * (double)left);
        if (pick >= left)
            pick = left - 1;
        uint32_t site = un[pick];
        un[pick] = un[left - 1];
        record(s, w, o, n, (long)site, t);
    }
}

int lrk_lattice_worker_lanes(const lrk_lattice_worker *w)
{
    return w->lanes;
}

size_t lrk_lattice_extra_count(const lrk_lattice_shared *s)
{
    return s->layout.count;
}

void lrk_lattice_simulate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, uint32_t *n_at,
                          double *first_passage, double *extra)
{
    sink o;
    lattice_sink_open(s, &o, &w->lane[0], n_at, first_passage, extra);
    if (s->uniform)
        simulate_uniform(s, w, rng, &o);
    else
        simulate_tree(s, w, rng, &o);
    lattice_sink_close(s, &o);
}

void lrk_lattice_simulate_lanes(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, int lanes,
                                uint32_t *n_at, double *first_passage, double *extra)
{
    const size_t K = s->t_count + 1, L = s->level_count, E = s->layout.count;
    int l = 0;
    if (!s->uniform && w->lanes >= 2)
        for (; l + 2 <= lanes; l += 2) {
            sink o[2];
            for (int i = 0; i < 2; i++)
                lattice_sink_open(s, &o[i], &w->lane[i], n_at + (size_t)(l + i) * K, first_passage + (size_t)(l + i) * L,
                          extra ? extra + (size_t)(l + i) * E : NULL);
            simulate_tree2(s, w, rng + l, o, 2 * s->slots * lattice_rate_bytes(s) > LATTICE_LANES_LEAD_BYTES);
            lattice_sink_close(s, &o[0]);
            lattice_sink_close(s, &o[1]);
        }
    for (; l < lanes; l++) {
        sink o;
        lattice_sink_open(s, &o, &w->lane[0], n_at + (size_t)l * K, first_passage + (size_t)l * L,
                  extra ? extra + (size_t)l * E : NULL);
        if (s->uniform)
            simulate_uniform(s, w, rng + l, &o);
        else
            simulate_tree(s, w, rng + l, &o);
        lattice_sink_close(s, &o);
    }
}

void lattice_test_begin(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng)
{
    if (!s->f32 && !lattice_test_lane_doubles(s, &w->lane[0]))
        abort(); /* tests only */
    start(s, w, &w->lane[0], rng);
}

void lattice_test_events(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, long events)
{
    long n = 0;
    for (size_t i = 0; i < s->slots; i++)
        n += s->slot_site[i] != UINT32_MAX && (s->f32 ? w->lane[0].frate[i] == 0.0f : w->lane[0].rate[i] == 0.0);
    for (long e = 0; e < events && n < s->N; e++) {
        n++;
        if (s->lazy) {
            lane_step x = {.ln = &w->lane[0], .rng = rng, .inv_k = 1.0};
            walk_lazy(s, w, &x, n);
            pick_lazy(s, w, &x, n);
            relax_lazy(s, w, x.ln, x.slot);
        } else {
            double dt;
            step(s, w, &w->lane[0], rng, n, &dt);
        }
    }
}

int lattice_test_pipeline(lrk_lattice_shared *s, int mode)
{
    if (!s->lazy || !s->f32 || !s->grouped)
        return 0;
    s->pipeline = mode;
    return 1;
}

void lattice_test_verify(const lrk_lattice_shared *s, const lrk_lattice_worker *w, double *worst_error,
                         double *worst_tol)
{
    lt_verify(&s->shape, &w->lane[0].tree, w->lane[0].rate, s->leaf_block, worst_error, worst_tol);
}
