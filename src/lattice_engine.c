/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_engine.c - the spatial KMC engine (lattice_engine.h).
 *
 * Storage.  Site (x, y, z) lives at index
 *   64 * block(x >> 2, y >> 2, z >> 2) + (x & 3) + 4 (y & 3) + 16 (z & 3),
 * block() row-major over the blocks.  The index is a sum of one term per
 * axis, so a stencil neighbour is three table reads and two adds
 * (ax[x + dx] + ay[y + dy] + az[z + dz], the tables doubled so that x + dx
 * needs no modulo).  A stencil of radius 3 touches 8-27 blocks.
 *
 * Why blocks and a tree over them, with exact recomputation.  A binary tree
 * over the sites needs one leaf-to-root walk per changed rate (122 x log2 N
 * updates at d_el = 3); delta updates of block sums would drift and need a
 * periodic rebuild.  Recomputing a touched block from its 64 rates is a
 * short vectorisable sum, and the tree above the touched blocks is redone
 * in one upward pass (touched leaves sorted, parents deduplicated level by
 * level): every sum is a fixed function of the current rates, so there is
 * no drift to bound.  The blocks are the tree's leaves in Morton order, so
 * the touched blocks share ancestors after a few levels.
 */
#include "lrekmc/lattice_engine.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/disorder.h"
#include "lrekmc/lattice_observe.h"
#include "rng_inline.h"

#define BLOCK 64

struct lrk_lattice_shared {
    long N, Lx, Ly, Lz;
    long nbx, nby, nbz, blocks;   /* blocks along each axis and in all */
    size_t slots;                 /* 64 x blocks */
    size_t leaves;                /* tree leaves: a power of two >= the Morton extent */
    uint32_t *ax, *ay, *az;       /* 2 L each: storage index term of coordinate u mod L */
    uint32_t *block_leaf;         /* blocks: tree leaf of each block */
    uint32_t *leaf_block;         /* leaves: block of each leaf (UINT32_MAX for padding) */
    uint16_t *block_xyz;          /* 3 x blocks: block coordinates */
    uint32_t *slot_site;          /* slots: row-major site number, UINT32_MAX for padding */
    size_t count;                 /* stencil entries */
    int *dx, *dy, *dz;
    double *factor;               /* exp(-c J_o / T) */
    long reach[3];                /* max |displacement| per axis over the stencil (minimal image) */
    double k;                     /* exp(-V0 / T) */
    int uniform;                  /* the uniform fast path */
    double *inv_rate;             /* uniform: 1 / lambda_n */
    double *grid;                 /* t_count + 1, +inf sentinel */
    size_t t_count;
    long *level_events;
    size_t level_count;
    lrk_lattice_layout layout;    /* the extras */
    double near2;                 /* d_el^2 (1 + 1e-12): avalanche neighbours */
    lrk_disorder disorder;        /* active: each trajectory draws delta_i first */
    double T;
};

struct lrk_lattice_worker {
    double *rate;                 /* slots: relative rates, 0 = relaxed or padding */
    double *tree;                 /* 2 x leaves */
    uint32_t *list;               /* touched blocks, then tree nodes */
    uint32_t *unrelaxed;          /* uniform: the unrelaxed sites */
    long *rec_sites;
    double *rec_times;
    lrk_lattice_probe *probe;     /* correlation and clusters */
    unsigned char *field;         /* N, row-major: 1 = relaxed */
    double *delta;                /* N, row-major: barrier offsets (disorder only) */
};

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
    free(s->block_leaf);
    free(s->leaf_block);
    free(s->block_xyz);
    free(s->slot_site);
    free(s->dx);
    free(s->dy);
    free(s->dz);
    free(s->factor);
    free(s->inv_rate);
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
 * significant one, each axis only as long as it has bits. */
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
    s->nbx = (s->Lx + 3) / 4;
    s->nby = (s->Ly + 3) / 4;
    s->nbz = (s->Lz + 3) / 4;
    s->blocks = s->nbx * s->nby * s->nbz;
    s->slots = (size_t)s->blocks * BLOCK;
    const unsigned bits[3] = {bits_for(s->nbx), bits_for(s->nby), bits_for(s->nbz)};
    s->leaves = (size_t)1 << (bits[0] + bits[1] + bits[2]);
    s->ax = malloc(2 * (size_t)s->Lx * sizeof(uint32_t));
    s->ay = malloc(2 * (size_t)s->Ly * sizeof(uint32_t));
    s->az = malloc(2 * (size_t)s->Lz * sizeof(uint32_t));
    s->block_leaf = malloc((size_t)s->blocks * sizeof(uint32_t));
    s->leaf_block = malloc(s->leaves * sizeof(uint32_t));
    s->block_xyz = malloc(3 * (size_t)s->blocks * sizeof(uint16_t));
    s->slot_site = malloc(s->slots * sizeof(uint32_t));
    if (!s->ax || !s->ay || !s->az || !s->block_leaf || !s->leaf_block || !s->block_xyz || !s->slot_site)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the geometry tables (N = %ld)", s->N);
    axis_table(s->ax, s->Lx, 1, BLOCK);
    axis_table(s->ay, s->Ly, 4, (uint32_t)(BLOCK * s->nbx));
    axis_table(s->az, s->Lz, 16, (uint32_t)(BLOCK * s->nbx * s->nby));
    for (size_t l = 0; l < s->leaves; l++)
        s->leaf_block[l] = UINT32_MAX;
    for (long b = 0; b < s->blocks; b++) {
        long bx = b % s->nbx, by = b / s->nbx % s->nby, bz = b / (s->nbx * s->nby);
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

static lrk_status check_model(const lrk_model *m, lrk_error *err)
{
    lrk_status st = lrk_model_validate(m, err);
    if (st != LRK_OK)
        return st;
    if (m->space.lattice != LRK_LATTICE_CUBIC)
        return lrk_error_set(err, LRK_ERR_INVALID, "lattice: the model has no lattice (model.space.lattice: none)");
    if (!(m->V1 / m->T + log((double)m->N) < 700))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model: V1/T + ln N = %g: expected < 700 so that the summed rates stay representable",
                             m->V1 / m->T + log((double)m->N));
    return LRK_OK;
}

static lrk_status create(const lrk_model *m, const lrk_stencil *st, int uniform, const lrk_lattice_grid *g,
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
    s->uniform = uniform;
    if (lrk_disorder_active(m))
        s->disorder = m->disorder;
    s->T = m->T;
    s->near2 = m->space.d_el * m->space.d_el * (1.0 + 1e-12);
    lrk_lattice_layout_of(m, &s->layout);
    status = build_geometry(s, err);
    if (status == LRK_OK)
        status = copy_grid(s, g, err);
    if (status == LRK_OK && uniform) {
        s->inv_rate = malloc((size_t)m->N * sizeof(double));
        if (s->inv_rate == NULL)
            status = lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the rate table");
        else
            for (long n = 0; n < m->N; n++)
                s->inv_rate[n] = 1.0 / lrk_model_rate(m, n);
    }
    if (status == LRK_OK && !uniform) {
        s->count = st->count;
        s->dx = malloc((st->count + 1) * sizeof(int));
        s->dy = malloc((st->count + 1) * sizeof(int));
        s->dz = malloc((st->count + 1) * sizeof(int));
        s->factor = malloc((st->count + 1) * sizeof(double));
        if (!s->dx || !s->dy || !s->dz || !s->factor) {
            status = lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the stencil");
        } else {
            lrk_stencil_coupling(m, st, s->factor);
            const double c = lrk_model_coupling(m);
            const long L[3] = {s->Lx, s->Ly, s->Lz};
            for (size_t o = 0; o < st->count; o++) {
                const long d[3] = {st->dx[o], st->dy[o], st->dz[o]};
                for (int a = 0; a < 3; a++) {
                    long r = d[a] < L[a] - d[a] ? d[a] : L[a] - d[a];
                    s->reach[a] = r > s->reach[a] ? r : s->reach[a];
                }
                s->dx[o] = st->dx[o];
                s->dy[o] = st->dy[o];
                s->dz[o] = st->dz[o];
                s->factor[o] = exp(-c * s->factor[o] / m->T);
            }
        }
    }
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
    if (m->space.kernel == LRK_KERNEL_UNIFORM && lrk_disorder_active(m))
        return lrk_error_set(err, LRK_ERR_INVALID, "model.space.kernel: uniform with model.disorder has unequal "
                             "rates, so the uniform fast path does not apply (it runs on the disorder engine)");
    if (m->space.kernel == LRK_KERNEL_UNIFORM)
        return create(m, NULL, 1, g, out, err);
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
    free(w->rate);
    free(w->tree);
    free(w->list);
    free(w->unrelaxed);
    free(w->field);
    free(w->delta);
    lrk_lattice_probe_free(w->probe);
    free(w);
}

lrk_status lrk_lattice_worker_create(const lrk_lattice_shared *s, lrk_lattice_worker **out, lrk_error *err)
{
    lrk_lattice_worker *w = calloc(1, sizeof *w);
    *out = NULL;
    if (w == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a worker");
    w->list = malloc(((size_t)s->blocks + 1) * sizeof(uint32_t));
    w->field = malloc((size_t)s->N);
    lrk_model geometry = {.N = s->N};
    geometry.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = s->Lx, .Ly = s->Ly, .Lz = s->Lz};
    lrk_status st = lrk_lattice_probe_create(&geometry, &w->probe, err);
    if (st != LRK_OK || w->field == NULL) {
        lrk_lattice_worker_free(w);
        return st != LRK_OK ? st : lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a worker");
    }
    if (s->uniform) {
        w->unrelaxed = malloc((size_t)s->N * sizeof(uint32_t));
    } else {
        w->rate = malloc(s->slots * sizeof(double));
        w->tree = malloc(2 * s->leaves * sizeof(double));
        if (s->disorder.kind != LRK_DISORDER_NONE)
            w->delta = malloc((size_t)s->N * sizeof(double));
    }
    if (w->list == NULL || (s->uniform ? w->unrelaxed == NULL : !w->rate || !w->tree)
        || (s->disorder.kind != LRK_DISORDER_NONE && w->delta == NULL)) {
        lrk_lattice_worker_free(w);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a worker (N = %ld)", s->N);
    }
    *out = w;
    return LRK_OK;
}

void lrk_lattice_worker_record(lrk_lattice_worker *w, long *sites, double *times)
{
    w->rec_sites = sites;
    w->rec_times = times;
}

/* Sum of one block's 64 rates in a fixed order (eight interleaved partial
 * sums: vectorisable without reassociation). */
static inline double block_sum(const double *r)
{
    double acc[8] = {0};
    for (int i = 0; i < BLOCK; i += 8)
        for (int a = 0; a < 8; a++)
            acc[a] += r[i + a];
    return ((acc[0] + acc[1]) + (acc[2] + acc[3])) + ((acc[4] + acc[5]) + (acc[6] + acc[7]));
}

/* The relative rates at n = 0: 1 each, or with disorder exp(-delta_i / T),
 * the offsets drawn first in the trajectory, in row-major site order
 * (disorder.h).  No draw without disorder. */
static void initial_rates(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng)
{
    if (s->disorder.kind == LRK_DISORDER_NONE) {
        for (size_t i = 0; i < s->slots; i++)
            w->rate[i] = s->slot_site[i] == UINT32_MAX ? 0.0 : 1.0;
        return;
    }
    lrk_disorder_draw(&s->disorder, rng, s->N, w->delta);
    for (size_t i = 0; i < s->slots; i++)
        w->rate[i] = s->slot_site[i] == UINT32_MAX ? 0.0 : exp(-w->delta[s->slot_site[i]] / s->T);
}

static void tree_init(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng)
{
    initial_rates(s, w, rng);
    double *tree = w->tree;
    for (size_t l = 0; l < s->leaves; l++) {
        uint32_t b = s->leaf_block[l];
        tree[s->leaves + l] = b == UINT32_MAX ? 0.0 : block_sum(w->rate + (size_t)b * BLOCK);
    }
    for (size_t node = s->leaves - 1; node >= 1; node--)
        tree[node] = tree[2 * node] + tree[2 * node + 1];
}

/* The slot that fires, for u uniform in [0, root).  A child whose sum is 0
 * is never entered, and the block scan ends on its last nonzero rate, so
 * rounding in the comparisons can never select a relaxed site. */
static inline size_t select_slot(const lrk_lattice_shared *s, const lrk_lattice_worker *w, double u)
{
    const double *tree = w->tree;
    size_t node = 1;
    while (node < s->leaves) {
        double left = tree[2 * node];
        if (u < left || tree[2 * node + 1] == 0.0) {
            node = 2 * node;
        } else {
            u -= left;
            node = 2 * node + 1;
        }
    }
    size_t base = (size_t)s->leaf_block[node - s->leaves] * BLOCK, last = base;
    const double *r = w->rate + base;
    for (int i = 0; i < BLOCK; i++) {
        if (r[i] > 0.0) {
            last = base + (size_t)i;
            if (u < r[i])
                return last;
            u -= r[i];
        }
    }
    return last;
}

static void sort_u32(uint32_t *a, size_t n)
{
    for (size_t i = 1; i < n; i++) {
        uint32_t v = a[i];
        size_t j = i;
        for (; j > 0 && a[j - 1] > v; j--)
            a[j] = a[j - 1];
        a[j] = v;
    }
}

/* The distinct blocks along one axis that coordinates c - reach .. c + reach
 * (periodic) fall in; all of them when the stencil spans the axis. */
static size_t axis_blocks(long c, long reach, long L, long nb, long *out)
{
    size_t n = 0;
    if (2 * reach + 1 >= L) {
        for (long b = 0; b < nb; b++)
            out[n++] = b;
        return n;
    }
    for (long d = -reach; d <= reach; d++) {
        long u = c + d; /* |d| < L / 2 here: one wrap at most, and no division */
        u += u < 0 ? L : 0;
        u -= u >= L ? L : 0;
        long b = u >> 2;
        int seen = 0;
        for (size_t i = 0; i < n; i++)
            seen |= out[i] == b;
        if (!seen)
            out[n++] = b;
    }
    return n;
}

/* Relax `slot`: zero it, multiply its stencil neighbours' rates by their
 * factors, recompute the blocks the stencil's bounding box overlaps (a
 * superset of the changed ones: recomputing an unchanged block gives the
 * same sum, and the ball of radius d_el fills most of its box) and the tree
 * above them. */
static void relax(const lrk_lattice_shared *s, lrk_lattice_worker *w, size_t slot)
{
    double *rate = w->rate;
    uint32_t *list = w->list;
    const uint32_t b0 = (uint32_t)(slot / BLOCK);
    const uint16_t *bc = s->block_xyz + 3 * (size_t)b0;
    const long x = 4 * (long)bc[0] + (long)(slot & 3), y = 4 * (long)bc[1] + (long)((slot >> 2) & 3),
               z = 4 * (long)bc[2] + (long)(slot >> 4 & 3);
    const uint32_t *ax = s->ax + x, *ay = s->ay + y, *az = s->az + z;
    rate[slot] = 0.0;
    const int *dx = s->dx, *dy = s->dy, *dz = s->dz;
    const double *factor = s->factor;
    for (size_t o = 0; o < s->count; o++) {
        uint32_t j = ax[dx[o]] + ay[dy[o]] + az[dz[o]];
        rate[j] *= factor[o]; /* a relaxed site stays at exactly 0 */
    }
    long bx[LRK_SPACE_MAX_L / 4 + 1], by[LRK_SPACE_MAX_L / 4 + 1], bz[LRK_SPACE_MAX_L / 4 + 1];
    size_t nx = axis_blocks(x, s->reach[0], s->Lx, s->nbx, bx), ny = axis_blocks(y, s->reach[1], s->Ly, s->nby, by),
           nz = axis_blocks(z, s->reach[2], s->Lz, s->nbz, bz);
    size_t count = 0;
    for (size_t c = 0; c < nz; c++)
        for (size_t b = 0; b < ny; b++)
            for (size_t a = 0; a < nx; a++)
                list[count++] = (uint32_t)(bx[a] + s->nbx * (by[b] + s->nby * bz[c]));
    double *tree = w->tree;
    const size_t leaves = s->leaves;
    for (size_t i = 0; i < count; i++) {
        uint32_t b = list[i];
        uint32_t node = (uint32_t)leaves + s->block_leaf[b];
        tree[node] = block_sum(rate + (size_t)b * BLOCK);
        list[i] = node;
    }
    sort_u32(list, count);
    while (list[0] > 1) {
        size_t next = 0;
        for (size_t i = 0; i < count; i++) {
            uint32_t parent = list[i] >> 1;
            if (next == 0 || list[next - 1] != parent)
                list[next++] = parent;
        }
        count = next;
        for (size_t i = 0; i < count; i++)
            tree[list[i]] = tree[2 * list[i]] + tree[2 * list[i] + 1];
    }
}

/* Output bookkeeping shared by both paths. */
typedef struct sink {
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
    if (w->rec_sites != NULL) {
        w->rec_sites[n - 1] = site;
        w->rec_times[n - 1] = t;
    }
    if (o->extra == NULL)
        return;
    w->field[site] = 1;
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
        lrk_lattice_correlation(w->probe, w->field, e);
        lrk_lattice_clusters(w->probe, w->field, e + l->radial_bins);
        o->snap++;
    }
}

static inline double uniform01(lrk_pcg64 *rng)
{
    return ((double)(lrk_pcg64_next_inline(rng) >> 12) + 0.5) * 0x1p-52;
}

static void simulate_tree(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, sink *o)
{
    tree_init(s, w, rng);
    double t = 0.0;
    const double inv_k = 1.0 / s->k;
    for (long n = 1; n <= s->N; n++) {
        double R = w->tree[1];
        t += lrk_pcg64_exponential_ziggurat_inline(rng) * inv_k / R;
        size_t slot = select_slot(s, w, uniform01(rng) * R);
        relax(s, w, slot);
        record(s, w, o, n, (long)s->slot_site[slot], t);
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

size_t lrk_lattice_extra_count(const lrk_lattice_shared *s)
{
    return s->layout.count;
}

void lrk_lattice_simulate(const lrk_lattice_shared *s, lrk_lattice_worker *w, lrk_pcg64 *rng, uint32_t *n_at,
                          double *first_passage, double *extra)
{
    sink o = {.n_at = n_at, .first_passage = first_passage, .extra = extra};
    if (extra != NULL) {
        memset(extra, 0, s->layout.count * sizeof *extra);
        memset(w->field, 0, (size_t)s->N);
    }
    if (s->uniform)
        simulate_uniform(s, w, rng, &o);
    else
        simulate_tree(s, w, rng, &o);
    for (; o.k < s->t_count; o.k++)
        n_at[o.k] = (uint32_t)s->N;
    if (extra != NULL) {
        close_avalanche(s, &o);
        extra[s->layout.avalanche_offset] = o.avalanches;
        extra[s->layout.avalanche_offset + 1] = (double)s->N / o.avalanches;
    }
}
