/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine.c - the spatial KMC engine (lattice_engine.h): tables,
 * trajectories and their output.  The storage layout is described in
 * lattice_engine_internal.h, one event's update in lattice_relax.c, the sum
 * tree and its round-off bound in lattice_tree.h; docs/space.md has the
 * method, why it is exact, and the measurements behind the choices.
 */
#define _DEFAULT_SOURCE /* madvise, MADV_HUGEPAGE */
#include "lrekmc/lattice_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "lattice_engine_internal.h"
#include "lrekmc/disorder.h"
#include "rng_inline.h"

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
    lattice_groups_free(s);
    free(s->inv_rate);
    free(s->inv_g);
    free(s->grid);
    free(s->level_events);
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
    return lattice_groups_build(s, err);
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
        free(w->lane[l].tree.sum);
        free(w->lane[l].tree.err);
        free(w->lane[l].field);
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
static double *rate_alloc(size_t count)
{
    const size_t bytes = count * sizeof(double), huge = (size_t)2 << 20;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (bytes >= huge) {
        void *p = aligned_alloc(huge, (bytes + huge - 1) / huge * huge);
        if (p != NULL)
            (void)madvise(p, bytes, MADV_HUGEPAGE); /* advice: failure only costs speed */
        return p;
    }
#endif
    (void)huge;
    return malloc(bytes);
}

/* One lane's arrays (the rates and the tree only on the tree path). */
static int lane_alloc(const lrk_lattice_shared *s, lattice_lane *ln)
{
    ln->field = malloc((size_t)s->N);
    if (s->uniform)
        return ln->field != NULL;
    ln->rate = rate_alloc(s->slots);
    ln->tree.sum = malloc(s->shape.total * sizeof(double));
    ln->tree.err = malloc(s->shape.total * sizeof(double));
    return ln->field && ln->rate && ln->tree.sum && ln->tree.err;
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
     * rates would not share the few MB of L3 a process gets: beyond, the
     * event is bound by memory traffic, which a second lane only adds to
     * (measured, results version 5: L = 64 +4..18 %, L = 80 +4 %, L = 96
     * -13 %, L = 128 -8 %); they keep one lane's memory. */
    w->lanes = s->uniform || 2 * s->slots * sizeof(double) > LATTICE_LANES_MAX_BYTES ? 1 : LATTICE_LANES;
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

/* Output bookkeeping shared by both paths. */
typedef struct sink {
    lattice_lane *ln;       /* the lane's field and recording */
    size_t k, j, snap;
    uint32_t *n_at;
    double *first_passage;
    double *extra;          /* NULL: no observables */
    long px, py, pz;        /* previous event */
    long run;               /* size of the current avalanche */
    double avalanches;
} sink;

static void close_avalanche(const lrk_lattice_shared *s, sink *o)
{
    if (o->run == 0)
        return;
    size_t b = 0;
    while (((long)2 << b) <= o->run)
        b++;
    o->extra[s->layout.avalanche_offset + 2 + b] += 1.0;
    o->avalanches += 1.0;
    o->run = 0;
}

/* Event number n (1-based) relaxed row-major `site` at time t. */
static inline void record(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, long site, double t)
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
    if (o->extra == NULL)
        return;
    ln->field[site] = 1;
    long x = site % s->Lx, y = site / s->Lx % s->Ly, z = site / (s->Lx * s->Ly);
    long dx = labs(x - o->px), dy = labs(y - o->py), dz = labs(z - o->pz);
    dx = dx < s->Lx - dx ? dx : s->Lx - dx;
    dy = dy < s->Ly - dy ? dy : s->Ly - dy;
    dz = dz < s->Lz - dz ? dz : s->Lz - dz;
    if (o->run > 0 && (double)(dx * dx + dy * dy + dz * dz) <= s->near2) {
        o->run++;
    } else {
        close_avalanche(s, o);
        o->run = 1;
    }
    o->px = x;
    o->py = y;
    o->pz = z;
    const lrk_lattice_layout *l = &s->layout;
    while (o->snap < l->snapshots && l->snapshot_events[o->snap] == n) {
        double *e = o->extra + o->snap * l->per_snapshot;
        lrk_lattice_correlation(w->probe, ln->field, e);
        lrk_lattice_clusters(w->probe, ln->field, e + l->radial_bins);
        o->snap++;
    }
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
    for (size_t i = 0; i < s->slots; i++) {
        uint32_t site = s->slot_site[i];
        ln->rate[i] = site == UINT32_MAX ? 0.0 : s->disorder ? exp(-w->delta[site] / s->T) : 1.0;
    }
    lt_build(&s->shape, &ln->tree, ln->rate, s->leaf_block);
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

/* Row-major site of a slot, from the block's coordinates (hot in the
 * caches) rather than slot_site[], whose entry is a cache miss per event
 * from L = 64 on (~18 % of the time there). */
static inline long site_of(const lrk_lattice_shared *s, size_t slot)
{
    const uint16_t *bc = s->block_xyz + 3 * (slot / LT_BLOCK);
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)((slot >> 4) & 3);
    return x + s->Lx * (y + s->Ly * z);
}

static void simulate_tree(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    lattice_lane *ln = o->ln;
    start(s, w, ln, rng);
    double t = 0.0;
    const double inv_k = 1.0 / s->k;
    for (long n = 1; n <= s->N; n++) {
        double dt;
        size_t slot = step(s, w, ln, rng, n, &dt);
        t += dt * inv_k;
        record(s, w, o, n, site_of(s, slot), t);
    }
}

/* One lane of simulate_tree2: where its trajectory is. */
typedef struct lane_step {
    lattice_lane *ln;
    lrk_pcg64 *rng;
    sink *o;
    double u, v, dt, t;   /* the event's uniform, the offset left by the walk, waiting time, time */
    uint32_t block;       /* the block the walk reached (UINT32_MAX: none) */
    size_t slot;
} lane_step;

/* First half of event n: the draws, the walk to a block, and a prefetch of
 * the block's lines, which the second half reads. */
static inline void half_walk(const lrk_lattice_shared *s, lane_step *x, long n)
{
    x->u = draw(s, x->ln, x->rng, n, &x->dt);
    x->v = x->u * root_of(s, x->ln);
    size_t idx = lt_walk(&s->shape, &x->ln->tree, &x->v);
    x->block = idx == SIZE_MAX ? UINT32_MAX : s->leaf_block[idx];
    lt_prefetch_block(x->ln->rate, x->block);
}

/* Second half: the slot inside the block. */
static inline void half_pick(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x)
{
    x->slot = lt_in_block(x->ln->rate, x->block, x->v);
    if (x->slot == SIZE_MAX)
        x->slot = reselect(s, w, x->ln, x->u);
}

/* The update of event n and its output; then the first half of event n + 1. */
static inline void half_relax(const lrk_lattice_shared *s, lrk_lattice_worker *w, lane_step *x, long n, double inv_k)
{
    lattice_relax(s, w, x->ln, x->slot);
    x->t += x->dt * inv_k;
    record(s, w, x->o, n, site_of(s, x->slot), x->t);
    if (n < s->N)
        half_walk(s, x, n + 1);
}

/* Two trajectories event by event: per lane exactly the operations of
 * simulate_tree on its own arrays and generator, in the same order (so the
 * same bytes), split in halves and interleaved A-pick, B-relax, A-relax,
 * B-pick, so that one lane's dependent chains (the walk's sums, the pick in
 * the block, whose lines were asked for at the walk) overlap the other
 * lane's update. */
static void simulate_tree2(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    lane_step a = {.ln = o[0].ln, .rng = &rng[0], .o = &o[0]}, b = {.ln = o[1].ln, .rng = &rng[1], .o = &o[1]};
    start(s, w, a.ln, a.rng);
    start(s, w, b.ln, b.rng);
    const double inv_k = 1.0 / s->k;
    half_walk(s, &a, 1);
    half_walk(s, &b, 1);
    half_pick(s, w, &b);
    for (long n = 1; n <= s->N; n++) {
        half_pick(s, w, &a);
        half_relax(s, w, &b, n, inv_k);
        half_relax(s, w, &a, n, inv_k);
        if (n < s->N)
            half_pick(s, w, &b);
    }
}

/* The same two lanes interleaved A-relax, B-pick, B-relax, A-pick: every
 * lane's walk (which asks for the reached block's lines) is followed by the
 * other lane's whole update before its pick reads them.  For boxes whose
 * blocks are L2 misses (LATTICE_LANES_LEAD_BYTES): at L = 64 it gains
 * 2-6 % over simulate_tree2's order (L = 32: +3 %, the noise; L = 16:
 * -3 %, where that order overlaps the walk's in-cache chains better). */
static void simulate_tree2_lead(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    lane_step a = {.ln = o[0].ln, .rng = &rng[0], .o = &o[0]}, b = {.ln = o[1].ln, .rng = &rng[1], .o = &o[1]};
    start(s, w, a.ln, a.rng);
    start(s, w, b.ln, b.rng);
    const double inv_k = 1.0 / s->k;
    half_walk(s, &a, 1);
    half_walk(s, &b, 1);
    half_pick(s, w, &a);
    for (long n = 1; n <= s->N; n++) {
        half_relax(s, w, &a, n, inv_k);
        half_pick(s, w, &b);
        half_relax(s, w, &b, n, inv_k);
        if (n < s->N)
            half_pick(s, w, &a);
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

/* A lane's output before its trajectory. */
static void sink_open(const lrk_lattice_shared *s, sink *o, lattice_lane *ln, uint32_t *n_at, double *first_passage,
                      double *extra)
{
    *o = (sink){.ln = ln, .n_at = n_at, .first_passage = first_passage, .extra = extra};
    if (extra != NULL) {
        memset(extra, 0, s->layout.count * sizeof *extra);
        memset(ln->field, 0, (size_t)s->N);
    }
}

/* ... and after it. */
static void sink_close(const lrk_lattice_shared *s, sink *o)
{
    for (; o->k < s->t_count; o->k++)
        o->n_at[o->k] = (uint32_t)s->N;
    if (o->extra != NULL) {
        close_avalanche(s, o);
        o->extra[s->layout.avalanche_offset] = o->avalanches;
        o->extra[s->layout.avalanche_offset + 1] = (double)s->N / o->avalanches;
    }
}

void lrk_lattice_simulate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, uint32_t *n_at,
                          double *first_passage, double *extra)
{
    sink o;
    sink_open(s, &o, &w->lane[0], n_at, first_passage, extra);
    if (s->uniform)
        simulate_uniform(s, w, rng, &o);
    else
        simulate_tree(s, w, rng, &o);
    sink_close(s, &o);
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
                sink_open(s, &o[i], &w->lane[i], n_at + (size_t)(l + i) * K, first_passage + (size_t)(l + i) * L,
                          extra ? extra + (size_t)(l + i) * E : NULL);
            if (2 * s->slots * sizeof(double) > LATTICE_LANES_LEAD_BYTES)
                simulate_tree2_lead(s, w, rng + l, o);
            else
                simulate_tree2(s, w, rng + l, o);
            sink_close(s, &o[0]);
            sink_close(s, &o[1]);
        }
    for (; l < lanes; l++) {
        sink o;
        sink_open(s, &o, &w->lane[0], n_at + (size_t)l * K, first_passage + (size_t)l * L,
                  extra ? extra + (size_t)l * E : NULL);
        if (s->uniform)
            simulate_uniform(s, w, rng + l, &o);
        else
            simulate_tree(s, w, rng + l, &o);
        sink_close(s, &o);
    }
}

void lattice_test_begin(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng)
{
    start(s, w, &w->lane[0], rng);
}

void lattice_test_events(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, long events)
{
    long n = 0;
    for (size_t i = 0; i < s->slots; i++)
        n += s->slot_site[i] != UINT32_MAX && w->lane[0].rate[i] == 0.0;
    for (long e = 0; e < events && n < s->N; e++) {
        double dt;
        step(s, w, &w->lane[0], rng, ++n, &dt);
    }
}

void lattice_test_verify(const lrk_lattice_shared *s, const lrk_lattice_worker *w, double *worst_error,
                         double *worst_tol)
{
    lt_verify(&s->shape, &w->lane[0].tree, w->lane[0].rate, s->leaf_block, worst_error, worst_tol);
}
