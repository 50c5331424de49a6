/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_tree.c - the spatial engine's sum tree (src/lattice_tree.h):
 *   - after events, every stored sum s is within its bound e of the exact
 *     sum S of the stored rates (S in long double), and e <= tol s: on
 *     equal rates (SER, the grouped and the ungrouped update) and on CER
 *     with disorder spreading the rates over more than 100 decades, where
 *     every removal of a dominant rate cancels catastrophically;
 *   - the AVX2 clone of the grouped update leaves every rate, sum and bound
 *     bit for bit where the SSE2 baseline leaves them;
 *   - the selection never returns a relaxed (zero-rate) site, even on a
 *     tree whose sums are off (beyond any round-off): it returns SIZE_MAX
 *     instead, and the engine then rebuilds and selects a live site;
 *   - the walks side by side (lt_walk_upper_many) end where lt_walk_upper
 *     ends, with the same offset bits, also when they fall in a slack.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/lattice_engine_internal.h"
#include "lrekmc/lattice_engine.h"

static lrk_model make(lrk_mode mode, double V1, long Lx, long Ly, long Lz, double d_el)
{
    lrk_model m = {.mode = mode, .V0 = 1, .V1 = V1, .T = 1, .A = 0.5, .T0 = 0.06, .N = Lx * Ly * Lz};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = LRK_KERNEL_R3};
    return m;
}

static void shared(const lrk_model *m, lrk_lattice_shared **s, lrk_lattice_worker **w)
{
    static double t[1] = {1};
    static long levels[1] = {1};
    lrk_lattice_grid g = {t, 1, levels, 1};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(m, &g, s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_lattice_worker_create(*s, w, &err), LRK_OK, "%s", err.message);
}

/* Lane 0's stored rate of slot i: the float upper bound on the lazy
 * mode's float path, else the double. */
static double rate_of(const lrk_lattice_shared *s, const lrk_lattice_worker *w, size_t i)
{
    return s->f32 ? (double)w->lane[0].frate[i] : w->lane[0].rate[i];
}

/* Run a whole trajectory, checking the tree every `every` events. */
/* The started trajectory's positive rates span at least min_decades (returned). */
static double assert_rates_span(const lrk_lattice_shared *s, const lrk_lattice_worker *w, double min_decades)
{
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < s->slots; i++)
        if (rate_of(s, w, i) > 0) {
            lo = fmin(lo, rate_of(s, w, i));
            hi = fmax(hi, rate_of(s, w, i));
        }
    cr_assert_geq(log10(hi / lo), min_decades, "rates span %.1f decades", log10(hi / lo));
    return log10(hi / lo);
}

static void check_bound(const lrk_model *m, int grouped, long every, uint64_t seed, double min_decades)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    cr_assert_eq(s->grouped, grouped, "the update path under test");
    cr_assert(lattice_test_lazy(s, 0), "the accurate sums (SER would take the lazy mode)");
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, seed, 0);
    lattice_test_begin(s, w, &rng);
    const double decades = assert_rates_span(s, w, min_decades);
    double worst_error = 0, worst_tol = 0;
    for (long n = 0; n < m->N; n += every) {
        double e, t;
        lattice_test_verify(s, w, &e, &t);
        cr_assert_leq(e, 1.0, "after %ld events: |s - S| = %g x its bound", n, e);
        cr_assert_leq(t, 1.0, "after %ld events: bound = %g x tol s", n, t);
        worst_error = fmax(worst_error, e);
        worst_tol = fmax(worst_tol, t);
        lattice_test_events(s, w, &rng, every);
    }
    cr_assert_eq(w->rebuilds, 0, "no selection needed a rebuild");
    for (size_t i = 0; i < s->slots; i++)
        cr_assert_eq(w->lane[0].rate[i], 0.0, "all relaxed at the end");
    cr_assert_eq(w->lane[0].tree.sum[s->shape.offset[s->shape.depth]], 0.0, "the root is exactly 0 at the end");
    cr_log_info("N=%ld grouped=%d, %.0f decades: worst |s-S|/e %.3g, worst e/(tol s) %.3g", m->N, grouped,
                decades, worst_error, worst_tol);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_tree, sums_stay_within_their_bound_equal_rates)
{
    lrk_model m = make(LRK_MODE_SER, 2, 16, 16, 16, 3);
    check_bound(&m, 1, 97, 1, 0);
    m = make(LRK_MODE_SER, 2, 7, 9, 5, 2.5);
    check_bound(&m, 0, 7, 2, 0);
}

Test(lattice_tree, sums_stay_within_their_bound_cer_across_100_decades)
{
    lrk_model m = make(LRK_MODE_CER, 3, 16, 16, 8, 2);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 40};
    check_bound(&m, 1, 1, 3, 100);
    m = make(LRK_MODE_CER, 3, 7, 9, 5, 2.5);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 50}; /* fewer sites: wider, still inside the limits */
    check_bound(&m, 0, 1, 4, 100);
    /* grouped without merge plans (3 blocks along x and z: odd) */
    m = make(LRK_MODE_CER, 3, 12, 8, 12, 3);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 45};
    check_bound(&m, 1, 1, 5, 100);
}

/* The lazy mode's invariant (lattice_tree.h): every U >= the exact sum of
 * what it bounds, and every node above the blocks within 1.3 2^-48 of its
 * children's U.  Checked after every event, every null's repair and every
 * batch repair of whole trajectories (the worker's test hook). */
static long upper_checks;
static double upper_worst_bound, upper_worst_tight;

static void upper_check(const lrk_lattice_shared *s, const lattice_lane *ln, const char *when)
{
    double b, g;
    if (s->f32)
        lt_verify_upper_f(&s->shape, &ln->tree, ln->frate, s->leaf_block, &b, &g);
    else
        lt_verify_upper(&s->shape, &ln->tree, ln->rate, s->leaf_block, &b, &g);
    cr_assert_leq(b, 1.0 + 0x1p-56, "%s (check %ld): a bound below what it bounds, S/U - 1 = %g", when, upper_checks,
                  b - 1.0);
    cr_assert_leq(g, 1.3, "%s (check %ld): a node %g x 2^-48 above its children", when, upper_checks, g);
    upper_worst_bound = fmax(upper_worst_bound, b);
    upper_worst_tight = fmax(upper_worst_tight, g);
    upper_checks++;
}

static void upper_hook(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln)
{
    (void)w;
    upper_check(s, ln, "after a repair");
}

static void check_upper(const lrk_model *m, uint64_t seed, double min_decades, int floats)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    if (floats) /* the float upper bounds (lattice_tree_f32.c's level 0) */
        cr_assert(lattice_test_f32(s, 1, 0x1p-22));
    cr_assert(s->lazy, "SER on a grouped box takes the lazy mode");
    w->test_hook = upper_hook;
    upper_checks = 0;
    upper_worst_bound = upper_worst_tight = 0;
    for (uint64_t traj = 0; traj < 2; traj++) { /* the second starts from the first one's leftovers */
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, seed, traj);
        lattice_test_begin(s, w, &rng);
        assert_rates_span(s, w, min_decades);
        for (long n = 0; n < m->N; n++) {
            upper_check(s, &w->lane[0], "after an event");
            lattice_test_events(s, w, &rng, 1);
        }
        for (size_t i = 0; i < s->slots; i++)
            cr_assert_eq(rate_of(s, w, i), 0.0, "all relaxed at the end");
        lattice_batch_repair(s, w, &w->lane[0]);
        for (size_t i = 0; i < s->shape.total; i++)
            cr_assert_eq(w->lane[0].tree.sum[i], 0.0, "every bound exactly 0 once repaired at the end");
    }
    cr_assert_gt(w->nulls, 0);
    cr_assert_gt(w->batches, 2);
    cr_log_info("N=%ld lazy: %ld checks, %ld candidates, %ld nulls, %ld batches: worst S/U - 1 = %.3g, worst node "
                "slack %.3g x 2^-48",
                m->N, upper_checks, w->candidates, w->nulls, w->batches, upper_worst_bound - 1.0, upper_worst_tight);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_tree, upper_bounds_hold_through_nulls_and_repairs)
{
    lrk_model m = make(LRK_MODE_SER, 2, 16, 16, 8, 3);
    check_upper(&m, 21, 0, 0);
    check_upper(&m, 21, 0, 1);
    m = make(LRK_MODE_SER, 3, 16, 8, 8, 2);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 40};
    check_upper(&m, 22, 100, 0);
    m = make(LRK_MODE_SER, 4, 12, 8, 12, 2.5); /* no merge plans (odd block counts) */
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 10};
    check_upper(&m, 23, 10, 0);
}

/* The null fraction the batch rule allows: before each candidate, nulls
 * since the last batch stay < LAZY_MIN_NULLS or <= 2^-LAZY_SHIFT of the
 * candidates, so that over a run nulls <= candidates 2^-LAZY_SHIFT +
 * LAZY_MIN_NULLS (batches + trajectories); a normal SER run (L = 16, d_el
 * = 3, both lanes) stays well inside it. */
Test(lattice_tree, null_fraction_stays_below_the_batch_rule)
{
    lrk_model m = make(LRK_MODE_SER, 1, 16, 16, 16, 3);
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(&m, &s, &w);
    cr_assert(s->lazy);
    const long traj = 8;
    uint32_t n_at[LRK_LATTICE_LANES * 2];
    double fp[LRK_LATTICE_LANES];
    for (long i = 0; i < traj; i += LRK_LATTICE_LANES) {
        lrk_pcg64 rng[LRK_LATTICE_LANES];
        for (int l = 0; l < LRK_LATTICE_LANES; l++)
            lrk_pcg64_seed(&rng[l], 31, (uint64_t)(i + l));
        lrk_lattice_simulate_lanes(s, w, rng, LRK_LATTICE_LANES, n_at, fp, NULL);
    }
    const double frac = (double)w->nulls / (double)w->candidates;
    cr_assert_eq(w->candidates - w->nulls, traj * m.N, "every event is one accepted candidate");
    cr_assert_leq((double)w->nulls, (double)w->candidates / (1 << LAZY_SHIFT) + LAZY_MIN_NULLS * (double)(w->batches + traj),
                  "nulls %ld of %ld candidates, %ld batches", w->nulls, w->candidates, w->batches);
    cr_assert_lt(frac, 0.1, "null fraction %.4f", frac);
    cr_log_info("SER 16^3 d_el 3: null fraction %.4f, %.3g batches and %.3g blocks repaired in them per event", frac,
                (double)w->batches / (double)(traj * m.N), (double)w->batch_blocks / (double)(traj * m.N));
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

/* Two workers on the same shared tables and seed, one on the SSE2 baseline
 * of the grouped update and one on its AVX2 clone, in lockstep: after every
 * 7 events the rates, the tree's sums and its bounds are the same bytes. */
static void check_simd_identity(const lrk_model *m, int planned, int lazy, uint64_t seed)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w[2];
    lrk_error err = {{0}};
    shared(m, &s, &w[0]);
    cr_assert_eq(lrk_lattice_worker_create(s, &w[1], &err), LRK_OK, "%s", err.message);
    cr_assert(s->grouped, "the grouped update");
    cr_assert_eq(s->planned, planned, "merge plans");
    /* lazy: 1 the lazy mode as chosen, 3 the double upper bounds, 4 the
     * float path with factors 3 % too high (rejections), 5 the float path */
    cr_assert(lattice_test_lazy(s, lazy != 0), "lazy mode %d", lazy);
    if (lazy == 3)
        cr_assert(lattice_test_f32(s, 0, 0));
    if (lazy == 4)
        cr_assert(lattice_test_f32(s, 1, 0.03));
    if (lazy == 5)
        cr_assert(lattice_test_f32(s, 1, 0x1p-22));
    lrk_pcg64 rng[2];
    for (int k = 0; k < 2; k++) {
        lrk_pcg64_seed(&rng[k], seed, 0);
        lattice_test_begin(s, w[k], &rng[k]);
    }
    const size_t total = s->shape.total;
    for (long n = 0; n < m->N; n += 7) {
        for (int k = 0; k < 2; k++) {
            cr_assert(lattice_test_simd(s, k));
            lattice_test_events(s, w[k], &rng[k], 7);
        }
        cr_assert(s->f32 ? memcmp(w[0]->lane[0].frate, w[1]->lane[0].frate, s->slots * sizeof(float)) == 0
                         : memcmp(w[0]->lane[0].rate, w[1]->lane[0].rate, s->slots * sizeof(double)) == 0,
                  "rates after %ld events (%s)", n + 7, s->f32 ? "float upper bounds" : "doubles");
        cr_assert(memcmp(w[0]->lane[0].tree.sum, w[1]->lane[0].tree.sum, total * sizeof(double)) == 0,
                  "sums after %ld events", n + 7);
        cr_assert(lazy || memcmp(w[0]->lane[0].tree.err, w[1]->lane[0].tree.err, total * sizeof(double)) == 0,
                  "bounds after %ld events", n + 7);
    }
    if (lazy == 4)
        cr_assert_gt(w[0]->rejections, 0, "the acceptance rejected");
    if (lazy) {
        cr_assert_gt(w[0]->nulls, 0, "the lazy path ran");
        lattice_batch_repair(s, w[0], &w[0]->lane[0]);
    }
    cr_assert_eq(w[0]->lane[0].tree.sum[total - 1], 0.0, "the whole trajectory ran");
    lrk_lattice_worker_free(w[0]);
    lrk_lattice_worker_free(w[1]);
    lrk_lattice_shared_free(s);
}

/* Whether m takes the float upper bounds. */
static int s_f32_ok(const lrk_model *m)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    const int ok = s->f32;
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return ok;
}

Test(lattice_tree, avx2_update_is_bit_identical_to_the_sse2_baseline)
{
    if (!lattice_avx2_available())
        cr_skip_test("this CPU has no AVX2: only the baseline can run");
    lrk_model m = make(LRK_MODE_SER, 2, 16, 16, 16, 3);
    check_simd_identity(&m, 1, 0, 11);
    cr_assert(s_f32_ok(&m), "SER without disorder, d_el = 3: the float path by default");
    check_simd_identity(&m, 1, 1, 11);
    check_simd_identity(&m, 1, 3, 11);
    check_simd_identity(&m, 1, 4, 11);
    m = make(LRK_MODE_CER, 3, 12, 8, 20, 2); /* odd block counts: no plans */
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 20};
    check_simd_identity(&m, 0, 0, 12);
    m = make(LRK_MODE_SER, 4, 8, 8, 8, 4); /* 2 blocks a side: offsets wrap */
    check_simd_identity(&m, 1, 0, 13);
    cr_assert(s_f32_ok(&m), "d_el = 4: the float path by default");
    check_simd_identity(&m, 1, 1, 13);
    check_simd_identity(&m, 1, 3, 13);
    check_simd_identity(&m, 1, 4, 13);
    m = make(LRK_MODE_CER, 1, 32, 16, 8, 2.5);
    check_simd_identity(&m, 1, 0, 14);
    m = make(LRK_MODE_SER, 3, 12, 8, 20, 2); /* lazy with disorder, no plans */
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 20};
    check_simd_identity(&m, 0, 1, 15);
}

/* Four blocks (depth 1); block 1 has live sites, the rest are relaxed. */
Test(lattice_tree, selection_never_returns_a_relaxed_site)
{
    lt_shape sh;
    const unsigned bits[3] = {1, 1, 0};
    lt_shape_init(&sh, bits);
    cr_assert_eq(sh.depth, 1);
    cr_assert_eq(sh.size[0], 4);
    uint32_t leaf_block[4] = {0, 1, 2, 3};
    double rate[4 * LT_BLOCK] = {0};
    for (int i = 0; i < LT_BLOCK; i += 5)
        rate[LT_BLOCK + i] = 1.0 + i;
    double sum[8], err[8];
    lt_tree t = {.sum = sum, .err = err};
    lt_build(&sh, &t, rate, leaf_block);
    cr_assert_eq(sum[0], 0.0);
    cr_assert_eq(sum[2], 0.0);
    /* off beyond any round-off: a relaxed block claims a share, the root
     * more than its children, the live block less than its rates */
    const double live = sum[1];
    sum[2] = 0.25 * live;
    sum[1] = 0.9 * live;
    sum[4] = 2.0 * live;
    long refused = 0, chosen = 0;
    for (int k = 0; k < 20000; k++) {
        double u = sum[4] * (k + 0.5) / 20000;
        size_t slot = lt_select(&sh, &t, rate, leaf_block, u);
        if (slot == SIZE_MAX) {
            refused++;
            continue;
        }
        cr_assert_lt(slot, 4 * LT_BLOCK);
        cr_assert_gt(rate[slot], 0.0, "u = %g chose relaxed slot %zu", u, slot);
        chosen++;
    }
    cr_assert_gt(refused, 0, "the relaxed block's share is refused");
    cr_assert_gt(chosen, 0);
    lt_build(&sh, &t, rate, leaf_block);
    for (int k = 0; k < 20000; k++) {
        size_t slot = lt_select(&sh, &t, rate, leaf_block, sum[4] * (k + 0.5) / 20000);
        cr_assert(slot != SIZE_MAX && rate[slot] > 0.0, "exact tree: every u selects a live site");
    }
}

/* In the engine: a corrupted tree makes the selection refuse, the engine
 * rebuilds exactly and relaxes a live site. */
Test(lattice_tree, engine_rebuilds_instead_of_choosing_a_relaxed_site)
{
    lrk_model m = make(LRK_MODE_SER, 2, 8, 8, 8, 2);
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(&m, &s, &w);
    cr_assert(lattice_test_lazy(s, 0), "the accurate sums: the path that can refuse");
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, 9, 0);
    lattice_test_begin(s, w, &rng);
    lattice_test_events(s, w, &rng, 10);
    /* block 3 relaxed in the rates, but its sum (and the root) claim almost all */
    const uint32_t b = 3;
    for (int i = 0; i < LT_BLOCK; i++)
        w->lane[0].rate[b * LT_BLOCK + i] = 0.0;
    const size_t leaf = s->block_leaf[b], root = s->shape.offset[s->shape.depth];
    w->lane[0].tree.sum[leaf] = 1e300;
    size_t idx = leaf;
    for (unsigned l = 1; l <= s->shape.depth; l++) {
        idx >>= s->shape.bits[l - 1];
        w->lane[0].tree.sum[s->shape.offset[l] + idx] = 1e300;
    }
    long zeros = 0;
    for (size_t i = 0; i < s->slots; i++)
        zeros += w->lane[0].rate[i] == 0.0;
    lattice_test_events(s, w, &rng, 1);
    cr_assert_eq(w->rebuilds, 1);
    long after = 0;
    for (size_t i = 0; i < s->slots; i++)
        after += w->lane[0].rate[i] == 0.0;
    cr_assert_eq(after, zeros + 1, "one live site relaxed");
    double e, tol;
    lattice_test_verify(s, w, &e, &tol);
    cr_assert(e <= 1.0 && tol <= 1.0 && w->lane[0].tree.sum[root] < 1e300);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

/* lt_walk_upper_many against lt_walk_upper on a lane's upper-bound tree
 * part-way through a trajectory, whose groups of running sums are halved at
 * random on every level (so that walks fall in the slack of nodes of every
 * level, not only in blocks): every walk of a batch ends at the same level-0
 * entry with the same offset bits, or in the same node's slack. */
static void check_walks_side_by_side(const lrk_model *m, long events, uint64_t seed)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    cr_assert(s->lazy, "the upper-bound tree");
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, seed, 1);
    lattice_test_begin(s, w, &rng);
    lattice_test_events(s, w, &rng, events);
    const lt_shape *sh = &s->shape;
    lt_tree *t = &w->lane[0].tree;
    for (unsigned l = 0; l < sh->depth; l++) /* the children of level l + 1's nodes */
        for (size_t g = 0; g < sh->size[l] >> sh->bits[l]; g++)
            if (lrk_pcg64_uniform(&rng) < 0.25)
                for (size_t c = 0; c < ((size_t)1 << sh->bits[l]); c++)
                    t->cum[sh->offset[l] + (g << sh->bits[l]) + c] *= 0.5;
    const double root = t->sum[sh->offset[sh->depth]];
    long nulls = 0, walks = 0;
    for (int batch = 0; batch < 256; batch++) {
        double u[16], u1[16];
        size_t idx[16];
        unsigned null_level[16];
        for (int j = 0; j < 16; j++)
            u[j] = u1[j] = lrk_pcg64_uniform(&rng) * root;
        lt_walk_upper_many(sh, t, 16, u, idx, null_level, s->leaf_block);
        for (int j = 0; j < 16; j++) {
            unsigned level = 0;
            size_t at = 0;
            const size_t one = lt_walk_upper(sh, t, &u1[j], &level, &at, s->leaf_block);
            walks++;
            if (one == SIZE_MAX) {
                nulls++;
                cr_assert_eq(null_level[j], level, "walk %ld: null at level %u, side by side %u", walks, level,
                             null_level[j]);
                cr_assert_eq(idx[j], at, "walk %ld: null at node %zu, side by side %zu", walks, at, idx[j]);
            } else {
                cr_assert_eq(null_level[j], 0u, "walk %ld: side by side a null", walks);
                cr_assert_eq(idx[j], one, "walk %ld: entry %zu, side by side %zu", walks, one, idx[j]);
            }
            cr_assert_eq(memcmp(&u[j], &u1[j], sizeof u[j]), 0, "walk %ld: offset %a against %a", walks, u1[j], u[j]);
        }
    }
    cr_assert_gt(nulls, 100, "walks in slack: %ld of %ld", nulls, walks);
    cr_assert_gt(walks - nulls, 100, "walks to an entry: %ld of %ld", walks - nulls, walks);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_tree, walks_side_by_side_end_where_one_walk_ends)
{
    lrk_model m = make(LRK_MODE_SER, 1, 32, 32, 32, 2); /* depth 3, the float path */
    check_walks_side_by_side(&m, 5000, 7);
    m = make(LRK_MODE_SER, 1, 16, 8, 40, 1.5); /* axes with 2, 1 and 4 bits of blocks */
    check_walks_side_by_side(&m, 1000, 8);
    m = make(LRK_MODE_SER, 1, 16, 16, 16, 0.5); /* no neighbour: the double bounds */
    check_walks_side_by_side(&m, 100, 9);
}
