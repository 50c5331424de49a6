/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_float.c - the lazy mode's float upper bounds (lattice_engine.c
 * "Float upper bounds", docs/space.md), white box:
 *   - after every event of whole trajectories, every site the event changed
 *     (and every 64 events every site) satisfies u~_i >= r_i and
 *     fl(u~_i A) <= r_i (A = 1 / (1 + eps), the acceptance's shortcut), with
 *     r_i recomputed here from a relaxed field the test keeps itself from
 *     the fired sites; the engine's own r_i is the same double; a relaxed
 *     site is exactly 0 and no other is (every u~ a normal float); on the
 *     grouped update (with and without merge plans, offsets that wrap) and
 *     the ungrouped one, with the production margin and with factors
 *     rounded up by 3 % (rejections and refreshes happen); with disorder
 *     (the initial rates over > 25 decades), r_i from the worker's offsets;
 *   - the pipelined loop (lattice_engine.c): every acceptance decision is
 *     off < r_i with r_i after every earlier event, the events picked
 *     before the previous one's update included (and the check catches a
 *     variant that does not wait where it must);
 *   - which models take the float path: not when the disorder's range and
 *     the stencil's factors could take a rate below 2^-101 of the largest; lrk_lattice_rate_bytes (the
 *     memory estimate's rule) agrees, and a float-path lane has no doubles.
 */
#include <criterion/criterion.h>
#include <float.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../src/lattice_engine_internal.h"
#include "lrekmc/lattice_engine.h"

static lrk_model make(double V1, long Lx, long Ly, long Lz, double d_el)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = V1, .T = 1, .A = 0.5, .T0 = 0.06, .N = Lx * Ly * Lz};
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

/* Slot of site (x, y, z) + stencil entry o, and the model's r_i from the
 * test's field (stencil order, doubles: the definition). */
static size_t neighbour(const lrk_lattice_shared *s, size_t slot, size_t o)
{
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    return s->ax[x + s->dx[o]] + s->ay[y + s->dy[o]] + s->az[z + s->dz[o]];
}

/* Lane 0's base rate of slot i: exp(-delta/T) 2^-e from the worker's
 * offsets (lane 0's draws: the tests use only lane 0), 1 without disorder. */
static double base_of(const lrk_lattice_shared *s, const lrk_lattice_worker *w, size_t slot)
{
    return s->disorder ? exp(-w->delta[s->slot_site[slot]] / s->T) * s->f32_scale : 1.0;
}

static const lrk_lattice_worker *cur_w;

static double model_rate(const lrk_lattice_shared *s, const unsigned char *field, size_t slot)
{
    double r = base_of(s, cur_w, slot);
    for (size_t o = 0; o < s->count; o++)
        if (field[neighbour(s, slot, o)])
            r *= s->factor[o];
    return r;
}

static long checked;
static double worst_ratio; /* largest u~ / r - 1 */

static void check_site(const lrk_lattice_shared *s, const lattice_lane *ln, const unsigned char *field, size_t i,
                       long n)
{
    const float u = ln->frate[i];
    if (s->slot_site[i] == UINT32_MAX || field[i]) {
        cr_assert_eq(u, 0.0f, "event %ld: slot %zu relaxed or padding, u~ = %g", n, i, (double)u);
        return;
    }
    cr_assert_geq(u, FLT_MIN, "event %ld: slot %zu unrelaxed, u~ = %g not a normal float", n, i, (double)u);
    const double r = model_rate(s, field, i);
    cr_assert_eq(lattice_f32_rate(s, ln, i), r, "event %ld: the engine's r_i of slot %zu", n, i);
    cr_assert_geq((double)u, r, "event %ld: slot %zu: u~ = %.9g below r = %.17g", n, i, (double)u, r);
    cr_assert_leq((double)u * s->f32_accept, r, "event %ld: slot %zu: u~ = %.9g, u~ A above r = %.17g (eps %.3g)", n,
                  i, (double)u, r, 1.0 / s->f32_accept - 1.0);
    worst_ratio = fmax(worst_ratio, (double)u / r - 1.0);
    checked++;
}

static void check_trajectory(const lrk_model *m, int grouped, int planned, double margin, uint64_t seed,
                             double min_decades)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    cur_w = w;
    cr_assert(s->f32_ok, "SER with these rates allows the float path");
    cr_assert_eq(s->f32, s->f32_pref, "chosen where it is faster");
    cr_assert_eq(s->grouped, grouped, "the update path under test");
    cr_assert_eq(s->planned, planned, "merge plans");
    cr_assert(lattice_test_f32(s, 1, margin > 0 ? margin : 0x1p-22));
    const double eps = 1.0 / s->f32_accept - 1.0;
    unsigned char *field = calloc(s->slots, 1);
    cr_assert_not_null(field);
    lattice_lane *ln = &w->lane[0];
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, seed, 0);
    lattice_test_begin(s, w, &rng);
    double lo = INFINITY, hi = 0;
    for (size_t i = 0; i < s->slots; i++)
        if (s->slot_site[i] != UINT32_MAX) {
            const double b = base_of(s, w, i);
            if (s->disorder)
                cr_assert_eq(ln->base[i], b, "slot %zu: the lane's base rate is exp(-delta/T) 2^-e", i);
            lo = fmin(lo, b);
            hi = fmax(hi, b);
        }
    const double decades = log10(hi / lo);
    cr_assert_geq(decades, min_decades, "the initial rates span %.1f decades", decades);
    cr_assert_leq(hi, 1.0, "scaled so that the largest base rate is <= 1");
    checked = 0;
    worst_ratio = 0;
    for (long n = 1; n <= m->N; n++) {
        lattice_test_events(s, w, &rng, 1);
        size_t fired = SIZE_MAX;
        for (size_t i = 0; i < s->slots; i++)
            if (s->slot_site[i] != UINT32_MAX && !field[i] && ln->frate[i] == 0.0f) {
                cr_assert_eq(fired, SIZE_MAX, "event %ld: two sites reached 0", n);
                fired = i;
            }
        cr_assert_neq(fired, SIZE_MAX, "event %ld: no site relaxed", n);
        field[fired] = 1;
        if (n % 64 == 0 || n == m->N) {
            for (size_t i = 0; i < s->slots; i++)
                check_site(s, ln, field, i, n);
        } else {
            for (size_t o = 0; o < s->count; o++)
                check_site(s, ln, field, neighbour(s, fired, o), n);
        }
    }
    cr_assert_leq(worst_ratio, eps, "the a-priori bound");
    if (margin > 0.01)
        cr_assert_gt(w->rejections, 0, "rejections happened");
    cr_log_info("%ldx%ldx%ld d_el %g, %.1f decades, margin %.3g: %ld checks, worst u~/r - 1 = %.3g (eps %.3g), %ld candidates, %ld r_i "
                "computed, %ld rejections",
                m->space.Lx, m->space.Ly, m->space.Lz, m->space.d_el, decades, s->f32_margin, checked, worst_ratio, eps,
                w->candidates, w->exact, w->rejections);
    free(field);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_float, upper_bounds_hold_after_every_event)
{
    lrk_model m = make(2, 16, 16, 16, 3);
    check_trajectory(&m, 1, 1, 0, 1, 0);
    check_trajectory(&m, 1, 1, 0.03, 2, 0);
    m = make(4, 8, 8, 8, 4); /* two blocks a side: offsets wrap */
    check_trajectory(&m, 1, 1, 0, 3, 0);
    check_trajectory(&m, 1, 1, 0.01, 4, 0);
    m = make(3, 12, 8, 20, 2); /* odd block counts: no plans */
    check_trajectory(&m, 1, 0, 0, 5, 0);
    m = make(3, 7, 9, 5, 2.5); /* the ungrouped update */
    check_trajectory(&m, 0, 0, 0, 6, 0);
    check_trajectory(&m, 0, 0, 0.03, 7, 0);
    /* disorder: uniform offsets of width 30 T, the initial rates over > 25
     * decades (near the float path's limit), normal ones of width 2 T */
    m = make(3, 16, 16, 8, 2);
    m.disorder = (lrk_disorder){LRK_DISORDER_UNIFORM, 30};
    check_trajectory(&m, 1, 1, 0, 8, 25);
    check_trajectory(&m, 1, 1, 0.03, 9, 25);
    m = make(2, 7, 9, 5, 2.5);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 2};
    check_trajectory(&m, 0, 0, 0, 10, 4);
    check_trajectory(&m, 0, 0, 0.03, 11, 4);
}

/* The pipelined loop (lattice_engine.c), white box: every decision of the
 * float path's acceptance is off < r_i with r_i the model's rate after every
 * earlier event, although the loop may pick an event before the previous
 * event's update.  The hook recomputes r_i from a relaxed field it builds
 * itself in the order of the acceptances (which is the events' order), and
 * a candidate that is already relaxed is wrong too. */
static unsigned char *hook_field;
static long hook_decisions, hook_wrong;

static void decision_hook(const lrk_lattice_shared *s, lrk_lattice_worker *w, lattice_lane *ln, size_t slot,
                          double off, int accepted)
{
    (void)w;
    (void)ln;
    hook_decisions++;
    if (hook_field[slot] || (off < model_rate(s, hook_field, slot)) != accepted)
        hook_wrong++;
    if (accepted)
        hook_field[slot] = 1;
}

/* M trajectories of m on the pipelined loop in `mode` (lattice_test_pipeline);
 * returns the wrong decisions; *early: events picked ahead of the update. */
static long pipelined_wrong(const lrk_model *m, int mode, double margin, long M, long *early)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    shared(m, &s, &w);
    cur_w = w;
    cr_assert(s->f32 && s->grouped, "the grouped float path");
    cr_assert(lattice_test_f32(s, 1, margin > 0 ? margin : 0x1p-22));
    cr_assert(lattice_test_pipeline(s, mode));
    hook_field = malloc(s->slots);
    cr_assert_not_null(hook_field);
    w->accept_hook = decision_hook;
    hook_decisions = hook_wrong = 0;
    uint32_t n_at[2];
    double fp[1];
    for (long i = 0; i < M; i++) {
        memset(hook_field, 0, s->slots);
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, 21, (uint64_t)i);
        lrk_lattice_simulate(s, w, &rng, n_at, fp, NULL);
    }
    cr_assert_geq(hook_decisions, M * m->N, "every event was a decision");
    if (margin > 0.01)
        cr_assert_gt(w->rejections, 0, "rejections happened");
    cr_log_info("%ldx%ldx%ld d_el %g, pipeline %d, margin %.3g: %ld decisions, %ld wrong, %ld of %ld events picked "
                "early, %ld rejections",
                m->space.Lx, m->space.Ly, m->space.Lz, m->space.d_el, mode, s->f32_margin, hook_decisions, hook_wrong,
                w->early, M * m->N, w->rejections);
    *early = w->early;
    free(hook_field);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return hook_wrong;
}

Test(lattice_float, pipelined_decisions_see_every_earlier_event)
{
    long early;
    lrk_model m = make(3, 16, 16, 16, 2);
    m.T = 0.5; /* strong factors: a stale rate would be far off */
    cr_assert_eq(pipelined_wrong(&m, 1, 0, 4, &early), 0);
    cr_assert_gt(early, 4 * m.N / 4, "most events picked ahead (%ld)", early);
    cr_assert_eq(pipelined_wrong(&m, 1, 0.03, 2, &early), 0, "with rejections and refreshes");
    m = make(3, 12, 8, 20, 3); /* odd block counts: no plans */
    cr_assert_eq(pipelined_wrong(&m, 1, 0, 2, &early), 0);
    m = make(3, 16, 16, 8, 2); /* disorder: the acceptance's r_i from the base rates */
    m.disorder = (lrk_disorder){LRK_DISORDER_UNIFORM, 30};
    cr_assert_eq(pipelined_wrong(&m, 1, 0, 2, &early), 0);
    cr_assert_eq(pipelined_wrong(&m, 1, 0.03, 2, &early), 0);
    /* the check catches a pick that does not wait for the update of a
     * neighbour: the same box, the pending event ignored */
    m = make(3, 16, 16, 16, 2);
    m.T = 0.5;
    cr_assert_gt(pipelined_wrong(&m, 2, 0, 4, &early), 0, "the broken variant is caught");
}

Test(lattice_float, which_models_take_the_float_path)
{
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    lrk_model m = make(2, 16, 16, 16, 4);
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32, "SER without disorder, d_el = 4: chosen");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 4, "the memory estimate's rule agrees");
    cr_assert(w->lane[0].rate == NULL && w->lane[0].frate != NULL, "4 bytes a site, no doubles");
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 16, 16, 16, 1);
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32_ok && !s->f32, "d_el = 1 (6 entries) in a small box: allowed, the doubles chosen");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 8, "the memory estimate's rule agrees");
    cr_assert(w->lane[0].rate != NULL, "8 bytes a site");
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 48, 48, 48, 1);
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32, "d_el = 1 beyond 512 KB of double rates: the floats");
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 16, 16, 16, 3);
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32, "d_el = 3 (122 entries), even in a small box: the floats");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 4);
    /* the update by z-plane touches fewer cache lines than the doubles' by line */
    cr_assert(s->grouped);
    const double lines = (double)s->line_first[LT_BLOCK] / LT_BLOCK, planes = (double)s->plane_first[LT_BLOCK] / LT_BLOCK;
    cr_assert_lt(planes, lines);
    cr_log_info("d_el 3: %.2f lines of doubles, %.2f planes of floats an event; %u distinct 16-float vectors", lines,
                planes, s->fvec16_count);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 16, 16, 16, 4);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 1};
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32, "with disorder whose rates fit the normal floats");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 4);
    cr_assert(w->lane[0].base != NULL);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m.disorder = (lrk_disorder){LRK_DISORDER_NORMAL, 5}; /* |delta| < 12.2 w: 2^176 */
    shared(&m, &s, &w);
    cr_assert(s->lazy && !s->f32, "with disorder beyond them: the double upper bounds");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 8);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 32, 32, 32, 1.5); /* 18 entries, 256 kB of doubles: chosen */
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32 && w->lane[0].rate == NULL);
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 4);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 32, 32, 32, 1); /* 6 entries, 256 kB of doubles: allowed, not chosen */
    shared(&m, &s, &w);
    cr_assert(s->lazy && s->f32_ok && !s->f32 && w->lane[0].rate != NULL);
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 8);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(2, 128, 128, 128, 1); /* 6 entries, 16 MB of doubles: chosen */
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 4);
    m = make(80, 16, 16, 16, 3); /* the factors multiply to e^-80 < 2^-100 */
    shared(&m, &s, &w);
    double lg = 0;
    for (size_t o = 0; o < s->count; o++)
        lg += log2(s->factor[o]);
    cr_assert_lt(lg, -100.0);
    cr_assert(s->lazy && !s->f32, "rates that could leave the normal floats: the doubles");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 8);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    m = make(1, 16, 16, 16, 3);
    m.mode = LRK_MODE_CER;
    shared(&m, &s, &w);
    cr_assert(!s->lazy && !s->f32, "CER: the accurate sums");
    cr_assert_eq(lrk_lattice_rate_bytes(&m), 8);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}
