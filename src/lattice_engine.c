/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine.c - the spatial KMC engine (lattice_engine.h): the
 * trajectories (one lane, two lanes interleaved, the uniform fast path) and
 * their output (the observables' bookkeeping in lattice_sink.c).  The steps
 * the loops share (recording, the draws, the lazy mode's candidates and the
 * float path's acceptance) are in lattice_step.h, the pipelined loop beyond
 * the caches in lattice_pipeline.c; the tables and workers are built in
 * lattice_setup.c, the storage layout is described in
 * lattice_engine_internal.h, one event's update in lattice_relax.c, the sum
 * tree and its round-off bound in lattice_tree.h; docs/space.md has the
 * method, why it is exact, and the measurements behind the choices.
 */
#include "lrekmc/lattice_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_step.h"
#include "lrekmc/disorder.h"

void lattice_start(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, lrk_pcg64 *rng)
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

/* The acceptance when the shortcut cannot decide: r_i from the field. */
int lattice_accept_exact(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x)
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
    lattice_start(s, w, a.ln, a.rng);
    lattice_start(s, w, b.ln, b.rng);
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

static void simulate_tree(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    if (lattice_pipelined(s)) {
        lattice_simulate_pipelined(s, w, rng, o);
        return;
    }
    lattice_lane *ln = o->ln;
    lattice_start(s, w, ln, rng);
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
    lattice_start(s, w, &w->lane[0], rng);
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
