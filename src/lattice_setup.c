/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_setup.c - the spatial engine's tables (lattice_engine.h): the
 * geometry (slots, blocks, Morton numbers), the grid copy, the stencil and
 * its factors, the model checks, and the per-thread workers with their
 * lanes.  Nothing here runs per event; the trajectories are in
 * lattice_engine.c, one event's update in lattice_relax.c.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "lrekmc/lattice_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "lattice_engine_internal.h"
#include "lrekmc/disorder.h"

size_t lrk_lattice_stencil_count(const lrk_lattice_shared *s)
{
    return s->uniform ? 0 : s->count;
}

void lrk_lattice_shared_free(lrk_lattice_shared *s)
{
    if (s == NULL)
        return;
    free(s->ax);
    free(s->ay);
    free(s->az);
    for (int a = 0; a < 3; a++) {
        free(s->br[a]);
        free(s->bm[a]);
    }
    free(s->block_leaf);
    free(s->leaf_block);
    free(s->block_xyz);
    free(s->slot_site);
    free(s->dx);
    free(s->dy);
    free(s->dz);
    free(s->factor);
    free(s->ffac);
    lattice_groups_free(s);
    free(s->inv_rate);
    free(s->inv_g);
    free(s->grid);
    free(s->level_events);
    free(s->near_w);
    free(s->near_off);
    for (int a = 0; a < 3; a++)
        free(s->halo_img[a]);
    free(s);
}

static unsigned bits_for(long n)
{
    unsigned b = 0;
    while ((1L << b) < n)
        b++;
    return b;
}

/* Morton number of block (x, y, z): bits interleaved x, y, z from the least
 * significant one, each axis only as long as it has bits (lattice_tree.h's
 * level structure).  A sum of one term per axis. */
static uint32_t morton(long x, long y, long z, const unsigned bits[3])
{
    const long c[3] = {x, y, z};
    uint32_t out = 0;
    unsigned pos = 0;
    for (unsigned b = 0; b < 32; b++)
        for (int d = 0; d < 3; d++)
            if (b < bits[d])
                out |= (uint32_t)((c[d] >> b) & 1) << pos++;
    return out;
}

static void axis_table(uint32_t *t, long L, uint32_t lo, uint32_t stride)
{
    for (long u = 0; u < 2 * L; u++) {
        long x = u % L;
        t[u] = (uint32_t)(x & 3) * lo + (uint32_t)(x >> 2) * stride;
    }
}

static lrk_status build_geometry(lrk_lattice_shared *s, lrk_error *err)
{
    const long L[3] = {s->Lx, s->Ly, s->Lz};
    unsigned bits[3];
    for (int a = 0; a < 3; a++) {
        s->nb[a] = (L[a] + 3) / 4;
        bits[a] = bits_for(s->nb[a]);
    }
    s->blocks = s->nb[0] * s->nb[1] * s->nb[2];
    s->slots = (size_t)s->blocks * LT_BLOCK;
    lt_shape_init(&s->shape, bits);
    s->ax = malloc(2 * (size_t)s->Lx * sizeof(uint32_t));
    s->ay = malloc(2 * (size_t)s->Ly * sizeof(uint32_t));
    s->az = malloc(2 * (size_t)s->Lz * sizeof(uint32_t));
    int ok = s->ax && s->ay && s->az;
    for (int a = 0; a < 3; a++) {
        s->br[a] = malloc(2 * (size_t)s->nb[a] * sizeof(uint32_t));
        s->bm[a] = malloc(2 * (size_t)s->nb[a] * sizeof(uint32_t));
        ok = ok && s->br[a] && s->bm[a];
    }
    s->block_leaf = malloc((size_t)s->blocks * sizeof(uint32_t));
    s->leaf_block = malloc(s->shape.size[0] * sizeof(uint32_t));
    s->block_xyz = malloc(3 * (size_t)s->blocks * sizeof(uint16_t));
    s->slot_site = malloc(s->slots * sizeof(uint32_t));
    if (!ok || !s->block_leaf || !s->leaf_block || !s->block_xyz || !s->slot_site)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the geometry tables (N = %ld)", s->N);
    axis_table(s->ax, s->Lx, 1, LT_BLOCK);
    axis_table(s->ay, s->Ly, 4, (uint32_t)(LT_BLOCK * s->nb[0]));
    axis_table(s->az, s->Lz, 16, (uint32_t)(LT_BLOCK * s->nb[0] * s->nb[1]));
    const long stride[3] = {1, s->nb[0], s->nb[0] * s->nb[1]};
    for (int a = 0; a < 3; a++)
        for (long u = 0; u < 2 * s->nb[a]; u++) {
            long c[3] = {0, 0, 0};
            c[a] = u % s->nb[a];
            s->br[a][u] = (uint32_t)(c[a] * stride[a]);
            s->bm[a][u] = morton(c[0], c[1], c[2], bits);
        }
    for (size_t l = 0; l < s->shape.size[0]; l++)
        s->leaf_block[l] = UINT32_MAX;
    for (long b = 0; b < s->blocks; b++) {
        long bx = b % s->nb[0], by = b / s->nb[0] % s->nb[1], bz = b / (s->nb[0] * s->nb[1]);
        s->block_xyz[3 * b] = (uint16_t)bx;
        s->block_xyz[3 * b + 1] = (uint16_t)by;
        s->block_xyz[3 * b + 2] = (uint16_t)bz;
        uint32_t leaf = morton(bx, by, bz, bits);
        s->block_leaf[b] = leaf;
        s->leaf_block[leaf] = (uint32_t)b;
    }
    for (size_t i = 0; i < s->slots; i++)
        s->slot_site[i] = UINT32_MAX;
    for (long z = 0; z < s->Lz; z++)
        for (long y = 0; y < s->Ly; y++)
            for (long x = 0; x < s->Lx; x++)
                s->slot_site[s->ax[x] + s->ay[y] + s->az[z]] = (uint32_t)(x + s->Lx * (y + s->Ly * z));
    return LRK_OK;
}

static lrk_status copy_grid(lrk_lattice_shared *s, const lrk_lattice_grid *g, lrk_error *err)
{
    s->t_count = g->t_count;
    s->level_count = g->level_count;
    s->grid = malloc((g->t_count + 1) * sizeof(double));
    s->level_events = malloc((g->level_count + 1) * sizeof(long));
    if (!s->grid || !s->level_events)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the grid");
    if (g->t_count > 0)
        memcpy(s->grid, g->t, g->t_count * sizeof(double));
    s->grid[g->t_count] = INFINITY;
    for (size_t j = 0; j < g->level_count; j++) {
        if (g->level_events[j] < 1 || g->level_events[j] > s->N || (j > 0 && g->level_events[j] < g->level_events[j - 1]))
            return lrk_error_set(err, LRK_ERR_INVALID, "lattice: level event counts must be nondecreasing in [1, N]");
        s->level_events[j] = g->level_events[j];
    }
    return LRK_OK;
}

lrk_status lrk_lattice_validate(const lrk_model *m, lrk_error *err)
{
    if (m->space.lattice != LRK_LATTICE_CUBIC)
        return lrk_error_set(err, LRK_ERR_INVALID, "lattice: the model has no lattice (model.space.lattice: none)");
    const double a = m->V1 / m->T, lnN = log((double)m->N);
    if (!lrk_disorder_active(m)) {
        if (!(a + lnN < LRK_LATTICE_MAX_LOG_RATE))
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "model: V1/T + ln N = %g: expected < %g so that the summed rates stay representable",
                                 a + lnN, LRK_LATTICE_MAX_LOG_RATE);
        return LRK_OK;
    }
    /* relative rates exp(-delta/T) times at most exp(V1/T) either way */
    double lo, hi;
    lrk_disorder_support(&m->disorder, &lo, &hi);
    const double up = fmax(0.0, -lo / m->T) + a + lnN, down = fmax(0.0, hi / m->T) + a;
    if (!(up < LRK_LATTICE_MAX_LOG_RATE && down < LRK_LATTICE_MAX_LOG_RATE))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model.disorder.width = %g (%s) with model.space: the relative rates exp(-(delta + c "
                             "J n)/T) reach e^%g in sum (max(-delta_min/T, 0) + V1/T + ln N) and e^-%g (max("
                             "delta_max/T, 0) + V1/T): expected both < %g so that no sum overflows and no unrelaxed "
                             "rate underflows",
                             m->disorder.width, lrk_disorder_name(m->disorder.kind), up, down,
                             LRK_LATTICE_MAX_LOG_RATE);
    return LRK_OK;
}

static lrk_status check_model(const lrk_model *m, lrk_error *err)
{
    lrk_status st = lrk_model_validate(m, err);
    return st != LRK_OK ? st : lrk_lattice_validate(m, err);
}

/* The lazy mode (upper bounds, thinning: lattice_relax.c) needs rates
 * that never increase: every factor <= 1 (c J_o >= 0: SER, the crossover
 * where c >= 0, any stencil with V1 = 0, with or without disorder; the
 * grouped and the ungrouped update). */
int lattice_lazy_allowed(const lrk_lattice_shared *s)
{
    if (s->uniform)
        return 0;
    for (size_t o = 0; o < s->count; o++)
        if (!(s->factor[o] <= 1.0))
            return 0;
    return 1;
}

int lattice_test_lazy(lrk_lattice_shared *s, int on)
{
    if (on && !lattice_lazy_allowed(s))
        return 0;
    s->lazy = on != 0;
    s->eager = on == 1;
    s->f32 = s->lazy && s->f32_pref;
    return 1;
}

static void *rate_alloc(size_t count, size_t size);

int lattice_test_lane_doubles(const lrk_lattice_shared *s, lattice_lane *ln)
{
    if (ln->rate == NULL)
        ln->rate = rate_alloc(s->slots, sizeof(double));
    return ln->rate != NULL;
}

static lrk_status build_stencil(lrk_lattice_shared *s, const lrk_model *m, const lrk_stencil *st, lrk_error *err)
{
    s->count = st->count;
    s->dx = malloc((st->count + 1) * sizeof(int));
    s->dy = malloc((st->count + 1) * sizeof(int));
    s->dz = malloc((st->count + 1) * sizeof(int));
    s->factor = malloc((st->count + 1) * sizeof(double));
    if (!s->dx || !s->dy || !s->dz || !s->factor)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the stencil");
    lrk_stencil_coupling(m, st, s->factor);
    const double c = lrk_model_coupling(m);
    for (size_t o = 0; o < st->count; o++) {
        s->dx[o] = st->dx[o];
        s->dy[o] = st->dy[o];
        s->dz[o] = st->dz[o];
        s->factor[o] = exp(-c * s->factor[o] / m->T);
    }
    lrk_status status = lattice_groups_build(s, err);
    s->lazy = s->eager = lattice_lazy_allowed(s);
    s->f32_ok = status == LRK_OK && lattice_f32_allowed(s);
    s->f32_pref = s->f32_ok && lattice_f32_preferred(s->count, s->slots);
    if (s->f32_ok && lattice_f32_configure(s, 1, 0x1p-22) != LRK_OK)
        status = lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the float factors");
    s->f32 = s->f32 && s->f32_pref; /* tests may choose it where it is only allowed */
    return status;
}

/* Per axis and coordinate c, its images c + k L inside [-reach, L + reach)
 * (reach <= L / 2: at most c - L, c, c + L) as terms of the halo index. */
static int halo_images(lrk_lattice_shared *s)
{
    const long L[3] = {s->Lx, s->Ly, s->Lz}, stride[3] = {1, s->halo[0], s->halo[0] * s->halo[1]};
    for (int a = 0; a < 3; a++) {
        s->halo_img[a] = malloc(4 * (size_t)L[a] * sizeof(int32_t));
        if (s->halo_img[a] == NULL)
            return 0;
        for (long c = 0; c < L[a]; c++) {
            int32_t *t = s->halo_img[a] + 4 * c;
            t[0] = 0;
            for (long v = c - L[a]; v <= c + L[a]; v += L[a])
                if (v >= -s->reach[a] && v < L[a] + s->reach[a])
                    t[1 + t[0]++] = (int32_t)((v + s->reach[a]) * stride[a]);
        }
    }
    return 1;
}

/* The local q's neighbourhood (lattice_observe.h): the r3 stencil's
 * displacements and weights W / S whatever the kernel, each as the offset
 * of its minimal image in the halo field. */
static lrk_status build_near(lrk_lattice_shared *s, const lrk_model *m, lrk_error *err)
{
    lrk_space geometry = m->space;
    geometry.kernel = LRK_KERNEL_R3;
    lrk_stencil st;
    lrk_status status = lrk_stencil_build(&geometry, &st, err);
    if (status != LRK_OK)
        return status;
    const long L[3] = {s->Lx, s->Ly, s->Lz};
    const size_t n = st.count;
    s->near_off = malloc((n + 1) * sizeof *s->near_off);
    s->near_w = malloc((n + 1) * sizeof *s->near_w);
    if (s->near_off == NULL || s->near_w == NULL) {
        lrk_stencil_free(&st);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the local q's neighbourhood");
    }
    long *signed_d = malloc((3 * n + 3) * sizeof *signed_d);
    for (size_t o = 0; signed_d != NULL && o < n; o++) {
        const int d[3] = {st.dx[o], st.dy[o], st.dz[o]};
        for (int a = 0; a < 3; a++) {
            const long v = 2L * d[a] <= L[a] ? d[a] : d[a] - L[a];
            signed_d[3 * o + (size_t)a] = v;
            s->reach[a] = labs(v) > s->reach[a] ? labs(v) : s->reach[a];
        }
        s->near_w[o] = st.W[o] / st.S;
    }
    s->halo_size = 1;
    for (int a = 0; a < 3; a++) {
        s->halo[a] = L[a] + 2 * s->reach[a];
        s->halo_size *= (size_t)s->halo[a];
    }
    for (size_t o = 0; signed_d != NULL && o < n; o++) {
        const long *v = signed_d + 3 * o;
        s->near_off[o] = (int32_t)(v[0] + s->halo[0] * (v[1] + s->halo[1] * v[2]));
    }
    s->near_count = n;
    lrk_stencil_free(&st);
    const int ok = signed_d != NULL && halo_images(s);
    free(signed_d);
    if (!ok)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the local q's neighbourhood");
    return LRK_OK;
}

/* mode: 0 the stencil st, 1 the uniform fast path, 2 the uniform kernel
 * with disorder (no stencil: the interaction is the common factor g(n)). */
static lrk_status create(const lrk_model *m, const lrk_stencil *st, int mode, const lrk_lattice_grid *g,
                         lrk_lattice_shared **out, lrk_error *err)
{
    *out = NULL;
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    lrk_lattice_shared *s = calloc(1, sizeof *s);
    if (s == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory");
    s->N = m->N;
    s->Lx = m->space.Lx;
    s->Ly = m->space.Ly;
    s->Lz = m->space.Lz;
    s->k = lrk_model_k(m);
    s->T = m->T;
    s->uniform = mode == 1;
    s->disorder = lrk_disorder_active(m);
    s->dis = m->disorder;
    s->near2 = m->space.d_el * m->space.d_el * (1.0 + 1e-12);
    lrk_lattice_layout_of(m, &s->layout);
    status = build_geometry(s, err);
    if (status == LRK_OK)
        status = copy_grid(s, g, err);
    if (status == LRK_OK)
        status = build_near(s, m, err);
    if (status == LRK_OK && mode != 0) {
        double *table = malloc((size_t)m->N * sizeof(double));
        if (table == NULL)
            status = lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the rate table");
        else
            for (long n = 0; n < m->N; n++)
                table[n] = mode == 1 ? 1.0 / lrk_model_rate(m, n) : exp((lrk_model_barrier(m, n) - m->V0) / m->T);
        if (mode == 1)
            s->inv_rate = table;
        else
            s->inv_g = table;
    }
    if (status == LRK_OK && mode == 0)
        status = build_stencil(s, m, st, err);
    if (status != LRK_OK) {
        lrk_lattice_shared_free(s);
        return status;
    }
    *out = s;
    return LRK_OK;
}

lrk_status lrk_lattice_shared_create_stencil(const lrk_model *m, const lrk_stencil *st, const lrk_lattice_grid *g,
                                             lrk_lattice_shared **out, lrk_error *err)
{
    return create(m, st, 0, g, out, err);
}

lrk_status lrk_lattice_shared_create(const lrk_model *m, const lrk_lattice_grid *g, lrk_lattice_shared **out,
                                     lrk_error *err)
{
    *out = NULL;
    lrk_status status = check_model(m, err);
    if (status != LRK_OK)
        return status;
    if (m->space.kernel == LRK_KERNEL_UNIFORM)
        return create(m, NULL, lrk_disorder_active(m) ? 2 : 1, g, out, err);
    lrk_stencil st;
    status = lrk_stencil_build(&m->space, &st, err);
    if (status == LRK_OK)
        status = create(m, &st, 0, g, out, err);
    lrk_stencil_free(&st);
    return status;
}

void lrk_lattice_worker_free(lrk_lattice_worker *w)
{
    if (w == NULL)
        return;
    for (int l = 0; l < LATTICE_LANES; l++) {
        free(w->lane[l].rate);
        free(w->lane[l].frate);
        free(w->lane[l].base);
        free(w->lane[l].tree.sum);
        free(w->lane[l].tree.err);
        free(w->lane[l].field);
        free(w->lane[l].halo);
        free(w->lane[l].dirty);
        free(w->lane[l].mark);
    }
    free(w->acc_old);
    free(w->acc_new);
    free(w->acc_count);
    free(w->touched);
    free(w->delta);
    free(w->unrelaxed);
    lrk_lattice_probe_free(w->probe);
    free(w);
}

/* Rates of 2 MB and more on 2 MB pages where the system offers them
 * (Linux transparent huge pages, also in "madvise" mode): an event touches
 * ~9 pages of rates (the 3 x 3 block rows of its stencil), which from
 * L = 128 (16 MB, 4096 small pages) overflow the TLB; measured 15-30 %
 * faster there, no change at L = 64 (docs/space.md). */
static void *rate_alloc(size_t count, size_t size)
{
    const size_t bytes = count * size, huge = (size_t)2 << 20;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= huge) {
        void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
        if (p != NULL)
            (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice: failure only costs speed */
        return p;
    }
#endif
    (void)huge;
    /* whole cache lines: the update and the pick read a block's rates by
     * 64-byte line, and malloc's 16-byte alignment would split each */
    return aligned_alloc(64, (bytes + 63) / 64 * 64);
}

/* One lane's arrays (the rates and the tree only on the tree path). */
static int lane_alloc(const lrk_lattice_shared *s, lattice_lane *ln)
{
    ln->field = malloc((size_t)s->N);
    ln->halo = malloc(lattice_halo_bytes(s));
    if (s->uniform)
        return ln->field != NULL && ln->halo != NULL;
    /* the float path's rates where the model allows it (a test may choose
     * it), the doubles where it is not chosen (a test that switches the
     * float path off gets them from lattice_test_lane_doubles) */
    if (s->f32_ok) {
        ln->frate = rate_alloc(s->slots, sizeof(float));
        if (s->disorder) { /* the base rates, read only to compute an r_i */
            ln->base = malloc(s->slots * sizeof *ln->base);
            if (ln->base == NULL)
                return 0;
        }
    }
    if (!s->f32)
        ln->rate = rate_alloc(s->slots, sizeof(double));
    ln->tree.sum = rate_alloc(s->shape.total, sizeof(double));
    ln->tree.err = rate_alloc(s->shape.total, sizeof(double));
    int ok = ln->field && ln->halo && (ln->rate || ln->frate) && ln->tree.sum && ln->tree.err;
    { /* the lazy mode's stale list (also when a test chooses it later) */
        ln->dirty = malloc((s->shape.size[0] + 1) * sizeof(uint32_t)); /* + 1: the branch-free append */
        ln->mark = calloc(s->shape.total, 1);
        ok = ok && ln->dirty && ln->mark;
    }
    return ok;
}

/* The two-lane rule (accurate sums only).  Two lanes overlap one lane's
 * misses with the other's work while both lanes' rates stay in the L3
 * this process gets; beyond, a second lane only adds traffic.  Measured,
 * events/s of two lanes over one (docs/space.md, round 13): on a 2-vCPU
 * AMD EPYC slice reporting 32 MB of L3 (results version 5) L = 64
 * +4..18 %, L = 80 +4 %, L = 96 -13 %, L = 128 -8 %: the limit 4 MB =
 * L3 / 8; on a 2-vCPU Intel Xeon reporting 480 MB (version 13) L = 96-144
 * +4..33 %, L = 160 (65 MB) 0.99-1.30, L = 192 0.93, L = 256 0.94: L3 / 8 =
 * 60 MB.  Lanes change no byte of the output, so the rule may follow the
 * machine. */
size_t lrk_lattice_lanes_max_bytes(long l3_bytes)
{
    const size_t eighth = l3_bytes > 0 ? (size_t)l3_bytes / 8 : 0;
    return eighth > LATTICE_LANES_MIN_BYTES ? eighth : LATTICE_LANES_MIN_BYTES;
}

size_t lrk_lattice_lanes_machine_bytes(void)
{
    long l3 = 0;
#if defined(_SC_LEVEL3_CACHE_SIZE)
    l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
#endif
    return lrk_lattice_lanes_max_bytes(l3);
}

lrk_status lrk_lattice_worker_create(const lrk_lattice_shared *s, lrk_lattice_worker **out, lrk_error *err)
{
    lrk_lattice_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a worker");
    lrk_model geometry = {.N = s->N};
    geometry.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = s->Lx, .Ly = s->Ly, .Lz = s->Lz};
    lrk_status st = lrk_lattice_probe_create(&geometry, &w->probe, err);
    if (st != LRK_OK) {
        lrk_lattice_worker_free(w);
        return st;
    }
    /* The uniform fast path has no per-lane arrays to overlap: one lane
     * state, lanes run one after the other.  So do boxes whose two lanes'
     * rates would not share the part of L3 a process gets (the rule and
     * its measurements: lrk_lattice_lanes_max_bytes, below): beyond, the
     * event is bound by memory traffic, which a second lane only adds to;
     * they keep one lane's memory.  So does the
     * lazy mode, where one lane already overlaps the update with the next
     * walk (lattice_engine.c's half_relax) and a second lane only adds its
     * rates to the caches (results version 9, in one process alternated:
     * two lanes 0.93-0.97 of one at L = 16, 32, 48, 64). */
    w->lanes = s->uniform || s->lazy || 2 * s->slots * sizeof(double) > lrk_lattice_lanes_machine_bytes()
                   ? 1
                   : LATTICE_LANES;
    int ok = 1;
    for (int l = 0; l < w->lanes; l++)
        ok = ok && lane_alloc(s, &w->lane[l]);
    if (s->uniform) {
        w->unrelaxed = malloc((size_t)s->N * sizeof(uint32_t));
        ok = ok && w->unrelaxed != NULL;
    } else {
        const size_t nb = (size_t)s->blocks;
        w->acc_old = malloc(nb * sizeof(double));
        w->acc_new = malloc(nb * sizeof(double));
        w->acc_count = calloc(nb, sizeof(uint32_t));
        w->touched = malloc(nb * sizeof(uint32_t));
        ok = ok && w->acc_old && w->acc_new && w->acc_count && w->touched;
        if (s->disorder) {
            w->delta = malloc(((size_t)s->N + 1) * sizeof(double)); /* + 1: normal pairs */
            ok = ok && w->delta;
        }
    }
    if (!ok) {
        lrk_lattice_worker_free(w);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a worker (N = %ld)", s->N);
    }
    *out = w;
    return LRK_OK;
}

void lrk_lattice_worker_record(lrk_lattice_worker *w, long *sites, double *times)
{
    lrk_lattice_worker_record_lane(w, 0, sites, times);
}

void lrk_lattice_worker_record_lane(lrk_lattice_worker *w, int lane, long *sites, double *times)
{
    if (lane < 0 || lane >= LATTICE_LANES)
        return;
    w->lane[lane].rec_sites = sites;
    w->lane[lane].rec_times = times;
}
