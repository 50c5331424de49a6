/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_float.c - the lazy mode's float upper bounds (s->f32; docs/space.md
 * "Float upper bounds with exact acceptance"): which models take them (the
 * rates must stay normal floats; chosen where they are faster), the
 * rounded-up factors and the acceptance's a-priori bound, the model's rate
 * r_i recomputed from the state, and the event's float update by z-plane.
 * The acceptance itself is in lattice_engine.c, the tree's level 0 on
 * floats in lattice_tree_f32.c.
 */
#define _DEFAULT_SOURCE /* M_LN2 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lattice_engine_internal.h"
#include "lrekmc/disorder.h"
#include "lrekmc/lattice.h"

/* ---- Float upper bounds (s->f32; docs/space.md "Float upper bounds") ----
 * The model's rate of an unrelaxed site i is, by definition on this path,
 * r_i = base_i f_o1 f_o2 ... over the stencil entries o whose site is
 * relaxed, multiplied in doubles in stencil order, base_i = exp(-delta_i /
 * T) 2^-e (1 without disorder; the lane keeps it, ln->base, read only
 * here): a function of the state, whatever the order the neighbours
 * relaxed in.  The scale 2^-e (lattice_f32_allowed, below) makes the largest base the
 * disorder can draw <= 1; it is exact, and the waiting times are
 * multiplied by it (E / (k U 2^e) = fl(E / U) 2^-e / k, the same double).  The stored u~_i is a float with, for every
 * unrelaxed site at all times,
 *   (I)  u~_i >= B_i = R_i (1 + u)^K,  R_i the exact real product, u = 2^-53,
 *        K = s->count,
 * so u~_i >= r_i (a chain of <= K correctly rounded products of normal
 * numbers is <= R_i (1 + u)^K).  (I) holds at the start, u~_i =
 * fl32up(fl(base_i (1 + 2^-30))) >= base_i (1 + u)^K for K <= 2^20.  An event at a neighbour
 * j multiplies u~_i by the factor f~ of the entries E of i that land on j
 * (one entry ungrouped; their product in doubles, f_v, in a grouped
 * vector): f~ is the smallest float >= fl(f_v (1 + m)) with m = 2^-22, so
 * f~ >= prod_E f (1 - u)^(|E| + 1) (1 + m) >= prod_E f (1 + 2^-23), and
 * the float product, a normal number, is >= u~_i f~ (1 - 2^-24): u~_i' >=
 * B_i prod_E f (1 + 2^-23)(1 - 2^-24) >= B_i' = B_i prod_E f.  When f~ is
 * clamped to 1 (rates must never increase), u~_i' = u~_i >= B_i >= B_i'.
 * A refresh (below) sets u~_i = fl32up(fl(r_i (1 + 2^-30))) >= R_i (1 -
 * u)^(K + 1) (1 + 2^-30) >= B_i.  Every u~ stays >= 2^-101 > 2^-126, a
 * normal float (lattice_f32_allowed admits the path only when the smallest
 * base times the product of all factors is >= 2^-101), and a relaxed site
 * is exactly 0 (factor 0).
 * The a-priori bound the other way, u~_i <= (1 + eps) r_i, follows from
 * the same steps with every rounding the other way (f~ <= f_v (1 + m)(1 +
 * u)(1 + 2^-23), float products <= (1 + 2^-24), r_i >= R_i (1 - u)^K):
 * eps = C rho^K ((1 + u) / (1 - u))^K - 1 (f32_eps, below),
 * ~1.75 K 2^-22, 5e-5 at d_el = 3.
 *
 * Acceptance.  The walk and the pick choose site i with probability
 * u~_i / U_root (thinning, as for the double upper bounds), and leave the
 * offset off inside u~_i's interval, uniform on [0, u~_i) given i (up to
 * the 2^-52 grid of the uniform, the same rounding as every interval end
 * of the walk); accepting iff off < r_i accepts with probability r_i / u~_i,
 * so an event of i has probability r_i / U_root, and a rejection is a null
 * (time advances, nothing else).  No extra draw.  When off < fl(u~_i A),
 * A <= 1 / (1 + eps), then off < u~_i / (1 + eps) <= r_i and the test is
 * decided without r_i; only the ~eps fraction of candidates computes it
 * (s->count loads of the field).  A rejected site's u~ is refreshed from
 * its r_i (it only falls) and its block marked stale. */
double lattice_f32_rate(const lrk_lattice_shared *s, const lattice_lane *ln, size_t slot)
{
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    const uint32_t *ax = s->ax + x, *ay = s->ay + y, *az = s->az + z;
    const float *fr = ln->frate;
    double r = s->disorder ? ln->base[slot] : 1.0;
    for (size_t o = 0; o < s->count; o++)
        if (fr[ax[s->dx[o]] + ay[s->dy[o]] + az[s->dz[o]]] == 0.0f)
            r *= s->factor[o];
    return r;
}

/* Where the float path is also the faster one (measured against the
 * double upper bounds in one process, trajectories alternated; docs/space.md
 * Speed, round 9): since its pick selects the plane and the row without
 * branches, everywhere but the smallest stencils in boxes that stay in L2
 * (d_el = 3: +7-17 % at L = 16-64, d_el = 2: +5-9 %; d_el = 1: -4 % at
 * L = 16, -1 % at L = 32, +4-8 % from L = 48 on). */
int lattice_f32_preferred(size_t count, size_t slots)
{
    return count >= 18 || slots * sizeof(double) >= ((size_t)512 << 10);
}

/* The float path (above) needs the lazy
 * mode and rates that stay normal floats: with the base rates exp(-delta/T)
 * scaled by 2^-e so that the largest the disorder can draw is <= 1 (e from
 * its support, 0 without disorder), the smallest rate a site can reach,
 * exp(-(delta_max - delta_min)/T) / 2 times all the stencil's factors, must
 * be >= 2^-101 (> 2^-126 with room, and the acceptance's a-priori bound
 * holds everywhere); at most 2^20 entries (the margins below).  Sets
 * s->f32_scale = 2^-e. */
int lattice_f32_allowed(lrk_lattice_shared *s)
{
    if (!lattice_lazy_allowed(s) || s->count > ((size_t)1 << 20))
        return 0;
    double lo = 0.0, hi = 0.0;
    if (s->disorder)
        lrk_disorder_support(&s->dis, &lo, &hi);
    const double e = ceil(-lo / (s->T * M_LN2)); /* exp(-lo / T) <= 2^e */
    double lg = -(hi - lo) / (s->T * M_LN2) - 1.0;
    for (size_t o = 0; o < s->count; o++)
        lg += log2(s->factor[o]);
    if (!(lg >= -100.0 && fabs(e) < 900.0))
        return 0;
    s->f32_scale = ldexp(1.0, -(int)e);
    return 1;
}

/* eps with u~_i <= (1 + eps) r_i for every unrelaxed site at all times
 * (the proof above), K = s->count, m the margin; computed in
 * the log domain and enlarged by 2^-20 of itself (the rounding of this
 * computation). */
static double f32_eps(size_t K, double m)
{
    const double u = 0x1p-53, k = (double)K;
    const double L = log1p(0x1p-30) + log1p(2 * u) + log1p(0x1p-23) +
                     k * (log1p(m) + log1p(0x1p-23) + log1p(0x1p-24) + 2 * log1p(u)) +
                     k * (log1p(u) - log1p(-u));
    return expm1(L) * (1.0 + 0x1p-20) + 0x1p-60;
}

size_t lrk_lattice_rate_bytes(const lrk_model *m)
{
    if (m->space.lattice != LRK_LATTICE_CUBIC || m->space.kernel == LRK_KERNEL_UNIFORM ||
        lrk_lattice_validate(m, NULL) != LRK_OK)
        return sizeof(double);
    lrk_stencil st;
    if (lrk_stencil_build(&m->space, &st, NULL) != LRK_OK)
        return sizeof(double);
    lrk_lattice_shared s = {.count = st.count, .disorder = lrk_disorder_active(m), .dis = m->disorder, .T = m->T};
    const long dims[3] = {m->space.Lx, m->space.Ly, m->space.Lz};
    size_t slots = 1;
    for (int a = 0; a < 3; a++)
        slots *= (size_t)((dims[a] + 3) / 4 * 4);
    s.factor = malloc((st.count + 1) * sizeof *s.factor);
    size_t bytes = sizeof(double);
    if (s.factor != NULL) {
        lrk_stencil_coupling(m, &st, s.factor);
        const double c = lrk_model_coupling(m);
        for (size_t o = 0; o < st.count; o++)
            s.factor[o] = exp(-c * s.factor[o] / m->T);
        if (lattice_f32_allowed(&s) && lattice_f32_preferred(st.count, slots))
            bytes = sizeof(float);
    }
    free(s.factor);
    lrk_stencil_free(&st);
    return bytes;
}

lrk_status lattice_f32_configure(lrk_lattice_shared *s, int on, double margin)
{
    s->f32 = 0;
    if (!on || !s->f32_ok)
        return LRK_OK;
    s->f32_margin = margin;
    free(s->ffac);
    s->ffac = malloc((s->count + 1) * sizeof *s->ffac);
    if (s->ffac == NULL || (s->grouped && !lattice_groups_build_planes(s)))
        return LRK_ERR_NOMEM;
    for (size_t o = 0; o < s->count; o++)
        s->ffac[o] = lattice_f32_up(s->factor[o], margin);
    /* fl(u~ A) <= u~ A (1 + 2^-53) <= u~ / (1 + eps) <= r_i */
    s->f32_accept = 1.0 / (1.0 + f32_eps(s->count, margin)) * (1.0 - 0x1p-50);
    s->f32 = s->lazy;
    return LRK_OK;
}

int lattice_test_f32(lrk_lattice_shared *s, int on, double margin)
{
    if (on && !s->f32_ok)
        return 0;
    return lattice_f32_configure(s, on, margin) == LRK_OK;
}

typedef float v8f __attribute__((vector_size(32)));
typedef float v4f __attribute__((vector_size(16)));

/* One z-plane (16 floats, one cache line) times its factor vector. */
static inline __attribute__((always_inline)) void plane_product(char *at, const char *fv, const int wide)
{
    if (wide) {
        v8f r0, r1, f0, f1;
        memcpy(&r0, at, sizeof r0);
        memcpy(&r1, at + 32, sizeof r1);
        memcpy(&f0, fv, sizeof f0);
        memcpy(&f1, fv + 32, sizeof f1);
        r0 *= f0;
        r1 *= f1;
        memcpy(at, &r0, sizeof r0);
        memcpy(at + 32, &r1, sizeof r1);
        return;
    }
    for (int h = 0; h < 64; h += 16) {
        v4f r, f;
        memcpy(&r, at + h, sizeof r);
        memcpy(&f, fv + h, sizeof f);
        r *= f;
        memcpy(at + h, &r, sizeof r);
    }
}

/* The lazy event on float upper bounds (s->f32, lattice_float.c "Float
 * upper bounds"): per position, one 16-float vector of rounded-up factors
 * per z-plane (one cache line) of a target block, 1 for a row outside the
 * stencil and 0 for the fired site; elementwise float products, two AVX2
 * or four SSE2 operations a plane, the same bits. */
static inline __attribute__((always_inline)) void lazy_body_f32(const lrk_lattice_shared *s, lattice_lane *ln,
                                                                size_t slot, const int wide, const int pf)
{
    char *base[LG_CELLS];
    const unsigned p = lazy_targets(s, ln, slot, (char *)ln->frate, sizeof(float), pf, base);
    const char *const fvec16 = (const char *)s->fvec16;
    const lg_line *l = s->planes + s->plane_first[p];
    const lg_line *const l_end = s->planes + s->plane_first[p + 1];
    for (; l < l_end; l++)
        plane_product(base[l->t] + l->off, fvec16 + l->fv, wide);
}

/* The float event on the ungrouped stencil: each entry's rounded-up
 * factor, one float product each (the proof's |E| = 1). */
static void relax_ungrouped_f32(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    float *rate = ln->frate;
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    const uint32_t *ax = s->ax + x, *ay = s->ay + y, *az = s->az + z;
    uint32_t *const dirty = ln->dirty;
    unsigned char *const mark = ln->mark;
    size_t nd = ln->ndirty;
    uint32_t m = s->block_leaf[slot / LT_BLOCK];
    rate[slot] = 0.0f;
    dirty[nd] = m;
    nd += mark[m] == 0;
    mark[m] = 1;
    for (size_t o = 0; o < s->count; o++) {
        uint32_t j = ax[s->dx[o]] + ay[s->dy[o]] + az[s->dz[o]];
        rate[j] *= s->ffac[o];
        m = s->block_leaf[j / LT_BLOCK];
        dirty[nd] = m;
        nd += mark[m] == 0;
        mark[m] = 1;
    }
    ln->ndirty = nd;
}

static void relax_f32_base(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    if (s->prefetch)
        lazy_body_f32(s, ln, slot, 0, 1);
    else
        lazy_body_f32(s, ln, slot, 0, 0);
}

#if defined(__x86_64__) && defined(__GNUC__)
#define LATTICE_FLOAT_AVX2 1
__attribute__((target("avx2"))) static void relax_f32_avx2(const lrk_lattice_shared *s, lattice_lane *ln,
                                                            size_t slot)
{
    if (s->prefetch)
        lazy_body_f32(s, ln, slot, 1, 1);
    else
        lazy_body_f32(s, ln, slot, 1, 0);
}
#endif

/* The first half (lattice_staged): lazy_targets without the stale list. */
void lattice_stage_f32(const lrk_lattice_shared *s, const lattice_lane *ln, size_t slot, lattice_staged *st)
{
    const unsigned p = (unsigned)(slot % LT_BLOCK);
    const lg_position *P = &s->pos[p];
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    lg_term tm[3 * LG_UNION] __attribute__((aligned(32)));
    lattice_home_terms(s, bc, tm);
    const lg_target *const T0 = s->targets + P->first_target;
    const uint32_t targets = P->targets;
    char *const rate = (char *)ln->frate;
    for (uint32_t t = 0; t < targets; t++) {
        const lg_target *const T = T0 + t;
        const uint64_t term = tm[T->cell[0]] + tm[T->cell[1]] + tm[T->cell[2]];
        char *const b = rate + (size_t)(uint32_t)term * sizeof(float);
        st->base[t] = b;
        st->m[t] = (uint32_t)(term >> 32);
        for (unsigned at = T->ppf[0]; at <= T->ppf[1]; at += 16)
            __builtin_prefetch(b + at * sizeof(float), 1);
    }
    for (uint32_t t = targets; t % 4 != 0; t++)
        st->m[t] = UINT32_MAX;
    st->slot = slot;
    st->p = p;
    st->n = targets;
}

/* The second half: the stale list, then lazy_body_f32's products. */
static inline __attribute__((always_inline)) void staged_body_f32(const lrk_lattice_shared *s, lattice_lane *ln,
                                                                  const lattice_staged *st, const int wide)
{
    uint32_t *const dirty = ln->dirty;
    unsigned char *const mark = ln->mark;
    size_t nd = ln->ndirty;
    for (unsigned t = 0; t < st->n; t++) {
        const uint32_t m = st->m[t];
        dirty[nd] = m;
        nd += mark[m] == 0;
        mark[m] = 1;
    }
    ln->ndirty = nd;
    const char *const fvec16 = (const char *)s->fvec16;
    const lg_line *l = s->planes + s->plane_first[st->p];
    const lg_line *const l_end = s->planes + s->plane_first[st->p + 1];
    for (; l < l_end; l++)
        plane_product(st->base[l->t] + l->off, fvec16 + l->fv, wide);
}

#ifdef LATTICE_FLOAT_AVX2
__attribute__((target("avx2"))) static void staged_avx2(const lrk_lattice_shared *s, lattice_lane *ln,
                                                         const lattice_staged *st)
{
    staged_body_f32(s, ln, st, 1);
}
#endif

void lattice_relax_staged_f32(const lrk_lattice_shared *s, lattice_lane *ln, const lattice_staged *st)
{
#ifdef LATTICE_FLOAT_AVX2
    if (s->simd) {
        staged_avx2(s, ln, st);
        return;
    }
#endif
    staged_body_f32(s, ln, st, 0);
}

void lattice_relax_f32(const lrk_lattice_shared *s, lattice_lane *ln, size_t slot)
{
    if (!s->grouped)
        relax_ungrouped_f32(s, ln, slot);
#ifdef LATTICE_FLOAT_AVX2
    else if (s->simd)
        relax_f32_avx2(s, ln, slot);
#endif
    else
        relax_f32_base(s, ln, slot);
}
