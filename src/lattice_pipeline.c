/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_pipeline.c - the pipelined loop of the spatial engine: the lazy
 * float path (grouped stencil) once a lane's rates no longer fit the
 * caches (LATTICE_PIPELINE_BYTES).  There an event waits for memory three
 * times: for the tree's lines on the walk down, for the picked block's
 * lines, and for the stencil's lines in the update.  This loop asks for
 * each of them early enough to overlap with other work (docs/space.md,
 * rounds 11 and 12):
 *
 *   - candidates are walked 32 at a time, level by level, so that their
 *     misses overlap (lt_walk_upper_many), 16 to 48 candidates before they
 *     are used; a candidate's block is asked for when the one three places
 *     before it is taken;
 *   - per event n, with the candidate of event n + 1 already taken:
 *     1. the pick of event n + 1 before event n's update when its block is
 *        none of n's target blocks: then neither its rates nor, the stencil
 *        being symmetric, its relaxed neighbours differ from what they are
 *        after the update, and the exact acceptance sees both (otherwise
 *        it waits for step 3);
 *     2. its target blocks found and their planes asked for (the stage),
 *        and the candidate of event n + 3 taken;
 *     3. event n's update from its stage.
 *
 * Why the law is the plain loop's.  A walk reads only the tree, which an
 * update never touches (lazy mode), and every repair only lowers a bound
 * (a recomputation is a monotone function of rates that only fall).  A
 * candidate walked early therefore picked level-0 entry e with
 * probability U_e / U_root from one earlier state of the bounds, its gap
 * is E / (k U_root) with that state's root, and at its turn the pick in
 * the block and the exact acceptance use the current rates: site i with
 * probability r_i / U_root, the rest nulls.  U_root bounds the total rate
 * at every later time and is known before the gap starts, so the
 * candidates are still the thinning of a Poisson stream (Lewis and
 * Shedler), with the generator's draws given to candidates in another
 * order: another trajectory than the plain loop's, the same law.  An
 * event's time is its candidates' gaps summed, then added to the previous
 * event's.
 */
#include <stdint.h>

#include "lattice_step.h"

/* One event of the loop: its candidate and its stage. */
typedef struct staged_step {
    lane_step x;
    lattice_staged st;
} staged_step;

/* ---- The queue of walked candidates ----
 * A ring of 2 LATTICE_QUEUE: when no more than LATTICE_QUEUE / 2 are left,
 * the next LATTICE_QUEUE are drawn (the waiting time, then the uniform,
 * candidate after candidate, as in draw()) and walked side by side, so a
 * candidate is taken 16 to 48 candidates after its walk asked for its lines
 * and its block number.
 * The batch-repair rule is read before each walk of the queue. */
/* 32: 1.02-1.05 of 16 at L = 128, d_el = 1-4 (5 of 5 comparisons above
 * 1); 8 and 64 did no better than 16 against round 11's loop (1.05 and 1.15
 * against 1.16-1.30) */
#define LATTICE_QUEUE 32
/* When a candidate is taken, the block of the one LATTICE_BLOCK_LEAD + 1
 * places after it in the queue is asked for (some five events before its
 * pick; asked for only at its own take, two events before, it was late at
 * d_el = 1: +9-21 % with the lead, 0.94-1.13 at d_el = 3). */
#define LATTICE_BLOCK_LEAD 2

typedef struct walked_queue {
    unsigned head, count; /* candidates taken, walked (both mod 2^32; the ring index is mod 2 LATTICE_QUEUE) */
    double v[2 * LATTICE_QUEUE], dt[2 * LATTICE_QUEUE];
    size_t idx[2 * LATTICE_QUEUE];
    unsigned null_level[2 * LATTICE_QUEUE];
    double root[2]; /* each half's root (the tests' wrong variant only) */
} walked_queue;

static void queue_refill(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, lrk_pcg64 *rng,
                         walked_queue *q)
{
    if (ln->nulls >= LAZY_MIN_NULLS && (ln->nulls << LAZY_SHIFT) > ln->cand)
        lattice_batch_repair(s, w, ln);
    const unsigned at = q->count % (2 * LATTICE_QUEUE);
    double *const v = q->v + at, *const dt = q->dt + at;
    const double R = root_of(s, ln), scale = s->f32_scale;
    q->root[at / LATTICE_QUEUE] = R;
    /* the generator's state in a local, in registers across the draws (the
     * same numbers as lrk_pcg64_exponential_ziggurat_inline and uniform01,
     * without a store and a wider reload per draw) */
    lrk_uint128 state = rng->state;
    const lrk_uint128 inc = rng->increment;
    for (unsigned j = 0; j < LATTICE_QUEUE; j++) {
        dt[j] = lrk_exponential_ziggurat_split(&state, inc) / R * scale;
        v[j] = (((double)(lrk_pcg64_next_split(&state, inc) >> 12) + 0.5) * 0x1p-52) * R;
    }
    rng->state = state;
    ln->cand += LATTICE_QUEUE;
    w->candidates += LATTICE_QUEUE;
    lt_walk_upper_many(&s->shape, &ln->tree, LATTICE_QUEUE, v, q->idx + at, q->null_level + at, s->leaf_block);
    q->count += LATTICE_QUEUE;
}

/* Block b's rates and coordinates asked for (the pick reads the first, the
 * stage and the output the second). */
static inline void ask_for_block(const lrk_lattice_shared *s, const lattice_lane *ln, uint32_t b)
{
    if (b == UINT32_MAX)
        return;
    lt_prefetch_block_f(ln->frate, b);
    __builtin_prefetch(s->block_xyz + 3 * b);
}

/* The next candidate that reached a block (the nulls before it counted and
 * repaired, their gaps added to x->t); its block's lines asked for. */
static inline void take_walked(const lrk_lattice_shared *s, lrk_lattice_worker *w, walked_queue *q, lane_step *x)
{
    for (;;) {
        if (q->count - q->head <= LATTICE_QUEUE / 2)
            queue_refill(s, w, x->ln, x->rng, q);
        const unsigned j = q->head++ % (2 * LATTICE_QUEUE);
        const unsigned k = (q->head + LATTICE_BLOCK_LEAD) % (2 * LATTICE_QUEUE);
        if (q->count - q->head > LATTICE_BLOCK_LEAD && q->null_level[k] == 0) { /* k walked */
            ask_for_block(s, x->ln, s->leaf_block[q->idx[k]]);
        }
        x->dt = q->dt[j];
        if (s->pipeline == 3) /* wrong on purpose: the gap from the root at its turn */
            x->dt *= q->root[j / LATTICE_QUEUE] / root_of(s, x->ln);
        x->v = q->v[j];
        if (q->null_level[j] == 0) {
            x->leaf = q->idx[j];
            x->block = s->leaf_block[x->leaf];
            ask_for_block(s, x->ln, x->block);
            return;
        }
        null_candidate(s, w, x, q->null_level[j], q->idx[j]);
    }
}

/* The first candidate of event n, its gaps summed from 0. */
static inline void take_ahead(const lrk_lattice_shared *s, lrk_lattice_worker *w, walked_queue *q, staged_step *a,
                              long n)
{
    if (n <= s->N) {
        a->x.t = 0.0;
        take_walked(s, w, q, &a->x);
    }
}

/* The pick in the block and the exact acceptance, candidate after
 * candidate, until one is accepted (1); with `pending`, 0 as soon as a
 * candidate's block is one of pending's targets (it must wait for that
 * update). */
static inline int pick_taken(const lrk_lattice_shared *s, lrk_lattice_worker *w, walked_queue *q, lane_step *x,
                             const lattice_staged *pending)
{
    for (;;) {
        if (pending != NULL && s->pipeline != 2 && lattice_staged_touches(pending, (uint32_t)x->leaf))
            return 0;
        x->slot = s->simd ? lt_in_block_upper_f_avx2(x->ln->frate, x->block, x->v, &x->off)
                          : lt_in_block_upper_f(x->ln->frate, x->block, x->v, &x->off);
        if (x->slot != SIZE_MAX) {
            if (accept_f32(s, w, x))
                return 1;
        } else {
            null_candidate(s, w, x, 0, x->leaf);
        }
        take_walked(s, w, q, x);
    }
}

/* Event n accepted: its time, its output, its stage. */
static inline void accept_staged(const lrk_lattice_shared *s, lrk_lattice_worker *w, staged_step *a, double t_prev,
                                 long n)
{
    a->x.t = t_prev + (a->x.t + a->x.dt * a->x.inv_k);
    record_slot(s, w, a->x.o, n, a->x.slot, a->x.t);
    lattice_stage_f32(s, a->x.ln, a->x.slot, &a->st);
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

int lattice_pipelined(const lrk_lattice_shared *s)
{
    if (!s->lazy || !s->f32 || !s->grouped || s->inv_g != NULL || s->pipeline < 0)
        return 0;
    return s->pipeline > 0 || s->slots * sizeof(float) > LATTICE_PIPELINE_BYTES;
}

void lattice_simulate_pipelined(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    lattice_lane *ln = o->ln;
    lattice_start(s, w, ln, rng);
    walked_queue q = {.head = 0, .count = 0};
    staged_step ring[4];
    for (int i = 0; i < 4; i++)
        ring[i].x = (lane_step){.ln = ln, .rng = rng, .o = o, .inv_k = 1.0 / s->k};
    staged_step *a = &ring[0], *b = &ring[1], *c = &ring[2], *d = &ring[3];
    take_ahead(s, w, &q, a, 1);
    pick_taken(s, w, &q, &a->x, NULL);
    accept_staged(s, w, a, 0.0, 1);
    take_ahead(s, w, &q, b, 2);
    take_ahead(s, w, &q, c, 3);
    for (long n = 1; n <= s->N; n++) { /* a: event n, staged; b, c: n + 1, n + 2, taken */
        const int early = n < s->N && pick_taken(s, w, &q, &b->x, &a->st);
        if (early) {
            w->early++;
            accept_staged(s, w, b, a->x.t, n + 1);
            take_ahead(s, w, &q, d, n + 3);
        }
        relax_staged(s, w, ln, &a->st);
        if (n < s->N && !early) {
            pick_taken(s, w, &q, &b->x, NULL);
            accept_staged(s, w, b, a->x.t, n + 1);
            take_ahead(s, w, &q, d, n + 3);
        }
        staged_step *const done = a;
        a = b;
        b = c;
        c = d;
        d = done;
    }
}
