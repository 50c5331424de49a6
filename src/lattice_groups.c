/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_groups.c - the grouped stencil of the spatial engine (built once
 * per run; used by lattice_relax.c): when every L is a multiple of 4 the
 * stencil seen from a site depends only on its position p inside its
 * 4 x 4 x 4 block, so per position it is stored grouped by target block,
 * and inside a target block by x-row: an x-row of a block is 4 consecutive
 * slots (32 bytes), so one event updates whole row segments as 4-double
 * vectors.  A lane of a segment outside the stencil has the factor exactly
 * 1 (its rate is rewritten unchanged), the fired site's own lane the factor
 * 0 (its rate leaves with the segment).  The segments' factor vectors take
 * few distinct values (the factor depends only on |r|^2), so they are
 * stored once (fvec) and referred to by index.
 *
 * Merge plans.  The level-1 tree parents of a position's target blocks,
 * and which of them coincide, depend only on the position and on the
 * parities of the home block's coordinates (the level-0 -> 1 step drops
 * each axis's lowest Morton bit), as long as every axis has an even number
 * of blocks (or one): then plan[] gives, per (position, parity class), the
 * level-1 entry each target block's delta goes to, in order of first
 * appearance, instead of a search per event.
 */
#include <stdlib.h>
#include <string.h>

#include "lattice_engine_internal.h"

/* The entries grouped by target block only feed the segment tables: freed
 * once those are built (an event never reads them). */
static void free_entries(lrk_lattice_shared *s)
{
    free(s->groups);
    free(s->gslot);
    free(s->gfac);
    s->groups = NULL;
    s->gslot = NULL;
    s->gfac = NULL;
}

void lattice_groups_free(lrk_lattice_shared *s)
{
    free_entries(s);
    free(s->targets);
    free(s->segs);
    free(s->lines);
    free(s->fvec8);
    free(s->planes);
    free(s->fvec16);
    free(s->fvec);
    free(s->plan);
    for (int a = 0; a < 3; a++) {
        free(s->term[a]);
        s->term[a] = NULL;
    }
    s->targets = NULL;
    s->segs = NULL;
    s->lines = NULL;
    s->fvec8 = NULL;
    s->planes = NULL;
    s->fvec16 = NULL;
    s->fvec = NULL;
    s->plan = NULL;
    s->grouped = 0;
    s->planned = 0;
}

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return (x > y) - (x < y);
}

/* The entries of position p, grouped by target block (the home block,
 * offset 0 on every axis, is cell 0); 0 if an axis needs more than LG_AXIS
 * block offsets. */
static int group_position(lrk_lattice_shared *s, unsigned p, uint64_t *keys, uint32_t *n_groups, uint32_t *n_entries)
{
    lg_position *P = &s->pos[p];
    const long pc[3] = {(long)(p & 3), (long)((p >> 2) & 3), (long)(p >> 4)};
    P->first_group = *n_groups;
    for (int a = 0; a < 3; a++) {
        P->n[a] = 1;
        P->off[a][0] = 0;
    }
    for (size_t o = 0; o < s->count; o++) {
        const long d[3] = {s->dx[o], s->dy[o], s->dz[o]};
        unsigned cell[3], slot = 0;
        for (int a = 0; a < 3; a++) {
            long t = pc[a] + d[a];
            uint16_t g = (uint16_t)((t >> 2) % s->nb[a]);
            unsigned i = 0;
            while (i < P->n[a] && P->off[a][i] != g)
                i++;
            if (i == P->n[a]) {
                if (P->n[a] == LG_AXIS)
                    return 0;
                P->off[a][P->n[a]++] = g;
            }
            cell[a] = i;
            slot |= (unsigned)(t & 3) << (2 * a);
        }
        uint64_t key = ((uint64_t)(cell[0] + LG_AXIS * (cell[1] + LG_AXIS * cell[2])) << 6) | slot;
        keys[o] = key << 32 | (uint64_t)o;
    }
    qsort(keys, s->count, sizeof *keys, cmp_u64);
    for (size_t e = 0; e < s->count; e++) {
        uint32_t o = (uint32_t)keys[e], cell = (uint32_t)(keys[e] >> 38);
        if (e == 0 || cell != (uint32_t)(keys[e - 1] >> 38)) {
            lg_group *G = s->groups + (*n_groups)++;
            G->first = *n_entries + (uint32_t)e;
            G->count = 0;
            G->cell[0] = (uint8_t)(cell % LG_AXIS);
            G->cell[1] = (uint8_t)(cell / LG_AXIS % LG_AXIS);
            G->cell[2] = (uint8_t)(cell / (LG_AXIS * LG_AXIS));
        }
        s->groups[*n_groups - 1].count++;
        s->gslot[*n_entries + e] = (uint8_t)((keys[e] >> 32) & 63);
        s->gfac[*n_entries + e] = s->factor[o];
    }
    *n_entries += (uint32_t)s->count;
    P->groups = *n_groups - P->first_group;
    return 1;
}

/* Distinct factor vectors: an open-addressing hash over their bytes. */
typedef struct fv_set {
    double *v;            /* 4 per vector */
    uint32_t n, cap;      /* vectors, capacity (LG_MAX_FVEC) */
    uint32_t *slot;       /* hash table of 2 cap entries, UINT32_MAX = free */
} fv_set;

static uint32_t fv_index(fv_set *f, const double v[4])
{
    uint64_t h = 1469598103934665603ULL;
    const unsigned char *b = (const unsigned char *)v;
    for (int i = 0; i < 32; i++)
        h = (h ^ b[i]) * 1099511628211ULL;
    const uint32_t mask = 2 * f->cap - 1;
    for (uint32_t i = (uint32_t)h & mask;; i = (i + 1) & mask) {
        if (f->slot[i] == UINT32_MAX) {
            if (f->n == f->cap)
                return UINT32_MAX;
            memcpy(f->v + 4 * (size_t)f->n, v, 32);
            f->slot[i] = f->n;
            return f->n++;
        }
        if (memcmp(f->v + 4 * (size_t)f->slot[i], v, 32) == 0)
            return f->slot[i];
    }
}

/* The lazy update's lines (lattice_engine_internal.h's lg_line) from the
 * row segments: 1 on success, -1 out of memory. */
static int build_lines(lrk_lattice_shared *s)
{
    const size_t max = s->segs_count; /* a line has at least one segment */
    s->lines = malloc((max + 1) * sizeof *s->lines);
    double *v8 = malloc((max + 1) * 8 * sizeof *v8);
    if (s->lines == NULL || v8 == NULL) {
        free(v8);
        return -1;
    }
    uint32_t n = 0;
    for (unsigned p = 0; p < LT_BLOCK; p++) {
        s->line_first[p] = n;
        for (uint32_t t = 0; t < s->pos[p].targets; t++) {
            const lg_target *T = s->targets + s->pos[p].first_target + t;
            for (uint32_t k = T->first; k < T->first + T->count; k++) {
                const unsigned row = s->segs[k].row / 32, line = row >> 1;
                /* a target's segments come by increasing row: a line's two rows are adjacent */
                if (n == s->line_first[p] || s->lines[n - 1].t != t || s->lines[n - 1].off != 64 * line) {
                    s->lines[n] = (lg_line){.off = (uint16_t)(64 * line), .t = (uint8_t)t};
                    for (int i = 0; i < 8; i++)
                        v8[8 * (size_t)n + (size_t)i] = 1.0;
                    n++;
                }
                memcpy(v8 + 8 * (size_t)(n - 1) + 4 * (row & 1), s->fvec + s->segs[k].fv / sizeof(double), 32);
            }
        }
    }
    s->line_first[LT_BLOCK] = n;
    /* the distinct vectors, by a linear search (a few hundred, once) */
    s->fvec8 = aligned_alloc(64, ((size_t)n + 1) * 64);
    if (s->fvec8 == NULL) {
        free(v8);
        return -1;
    }
    uint32_t nf = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = 0;
        while (j < nf && memcmp(s->fvec8 + 8 * (size_t)j, v8 + 8 * (size_t)i, 64) != 0)
            j++;
        if (j == nf) {
            memcpy(s->fvec8 + 8 * (size_t)nf++, v8 + 8 * (size_t)i, 64);
        }
        s->lines[i].fv = 64 * j;
    }
    s->fvec8_count = nf;
    free(v8);
    return 1;
}

/* The float path's planes (lattice_engine_internal.h) from the row
 * segments, the factors rounded up by s->f32_margin (lattice_f32_up):
 * 1 on success, 0 out of memory.  Rebuilt when a test changes the margin. */
int lattice_groups_build_planes(lrk_lattice_shared *s)
{
    free(s->planes);
    free(s->fvec16);
    s->fvec16 = NULL;
    const size_t max = s->segs_count;
    s->planes = malloc((max + 1) * sizeof *s->planes);
    float *v16 = malloc((max + 1) * 16 * sizeof *v16);
    if (s->planes == NULL || v16 == NULL) {
        free(v16);
        return 0;
    }
    uint32_t n = 0;
    for (unsigned p = 0; p < LT_BLOCK; p++) {
        s->plane_first[p] = n;
        for (uint32_t t = 0; t < s->pos[p].targets; t++) {
            const lg_target *T = s->targets + s->pos[p].first_target + t;
            for (uint32_t k = T->first; k < T->first + T->count; k++) {
                const unsigned row = s->segs[k].row / 32, plane = row >> 2;
                /* a target's segments come by increasing row: a plane's rows are adjacent */
                if (n == s->plane_first[p] || s->planes[n - 1].t != t || s->planes[n - 1].off != 64 * plane) {
                    s->planes[n] = (lg_line){.off = (uint16_t)(64 * plane), .t = (uint8_t)t};
                    for (int i = 0; i < 16; i++)
                        v16[16 * (size_t)n + (size_t)i] = 1.0f;
                    n++;
                }
                const double *f = s->fvec + s->segs[k].fv / sizeof(double);
                for (int x = 0; x < 4; x++)
                    v16[16 * (size_t)(n - 1) + 4 * (row & 3) + (size_t)x] = lattice_f32_up(f[x], s->f32_margin);
            }
        }
    }
    s->plane_first[LT_BLOCK] = n;
    s->fvec16 = aligned_alloc(64, ((size_t)n + 1) * 64);
    if (s->fvec16 == NULL) {
        free(v16);
        return 0;
    }
    uint32_t nf = 0;
    for (uint32_t i = 0; i < n; i++) {
        uint32_t j = 0;
        while (j < nf && memcmp(s->fvec16 + 16 * (size_t)j, v16 + 16 * (size_t)i, 64) != 0)
            j++;
        if (j == nf)
            memcpy(s->fvec16 + 16 * (size_t)nf++, v16 + 16 * (size_t)i, 64);
        s->planes[i].fv = 64 * j;
    }
    s->fvec16_count = nf;
    free(v16);
    return 1;
}

/* The union of the positions' block offsets per axis (0 first) and the
 * block terms of every coordinate; 0 if more than LG_UNION offsets. */
static int build_terms(lrk_lattice_shared *s)
{
    for (int a = 0; a < 3; a++) {
        s->nu[a] = 1;
        s->uoff[a][0] = 0;
        for (unsigned p = 0; p < LT_BLOCK; p++)
            for (unsigned i = 0; i < s->pos[p].n[a]; i++) {
                unsigned k = 0;
                while (k < s->nu[a] && s->uoff[a][k] != s->pos[p].off[a][i])
                    k++;
                if (k == s->nu[a]) {
                    if (k == LG_UNION)
                        return 0;
                    s->uoff[a][s->nu[a]++] = s->pos[p].off[a][i];
                }
            }
        s->term[a] = calloc((size_t)s->nb[a] * LG_UNION, sizeof *s->term[a]);
        if (s->term[a] == NULL)
            return 0;
        for (long u = 0; u < s->nb[a]; u++)
            for (unsigned k = 0; k < s->nu[a]; k++) {
                s->term[a][(size_t)u * LG_UNION + k] =
                    (uint64_t)LT_BLOCK * s->br[a][u + s->uoff[a][k]] | (uint64_t)s->bm[a][u + s->uoff[a][k]] << 32;
            }
    }
    return 1;
}

/* Position p's target blocks and their row segments, from its groups; 0 if
 * a table would overflow. */
static int segment_position(lrk_lattice_shared *s, unsigned p, fv_set *f, uint32_t *n_targets, uint32_t *n_segs)
{
    lg_position *P = &s->pos[p];
    P->first_target = *n_targets;
    const lg_group *G = s->groups + P->first_group;
    uint32_t g = 0;
    /* the home block (cell 0) comes first, with the fired site's lane */
    const int home_listed = P->groups > 0 && G[0].cell[0] == 0 && G[0].cell[1] == 0 && G[0].cell[2] == 0;
    for (int t = home_listed ? 0 : -1; g < P->groups; t++) {
        const int home = t == (home_listed ? 0 : -1);
        double v[16][4];
        for (int r = 0; r < 16; r++)
            v[r][0] = v[r][1] = v[r][2] = v[r][3] = 1.0;
        uint32_t used = 0;
        lg_target *T = s->targets + (*n_targets)++;
        if (t < 0) {
            for (int a = 0; a < 3; a++)
                T->cell[a] = (uint8_t)(a * LG_UNION);
        } else {
            for (int a = 0; a < 3; a++) {
                unsigned k = 0;
                while (s->uoff[a][k] != P->off[a][G[g].cell[a]])
                    k++;
                T->cell[a] = (uint8_t)(a * LG_UNION + k);
            }
            for (uint32_t e = G[g].first; e < G[g].first + G[g].count; e++) {
                unsigned sl = s->gslot[e];
                v[sl >> 2][sl & 3] = s->gfac[e];
                used |= 1u << (sl >> 2);
            }
            g++;
        }
        if (home) {
            v[p >> 2][p & 3] = 0.0;
            used |= 1u << (p >> 2);
        }
        T->first = *n_segs;
        T->count = 0;
        T->lines = 0;
        for (unsigned r = 0; r < 16; r++) {
            if (!(used >> r & 1))
                continue;
            uint32_t i = fv_index(f, v[r]);
            if (i == UINT32_MAX)
                return 0;
            T->lines |= (uint8_t)(1u << (r >> 1));
            s->segs[*n_segs].row = (uint16_t)(32 * r);
            s->segs[*n_segs].fv = (uint16_t)(32 * i);
            (*n_segs)++;
            T->count++;
        }
        if (T->lines != 0) {
            T->pf[0] = (uint8_t)(64 * __builtin_ctz(T->lines) / 8);
            T->pf[1] = (uint8_t)(64 * (31 - __builtin_clz(T->lines)) / 8);
            /* z-planes are pairs of lines (rows 4z ... 4z + 3) */
            const unsigned planes = (T->lines & 3u ? 1u : 0u) | (T->lines & 12u ? 2u : 0u) |
                                    (T->lines & 48u ? 4u : 0u) | (T->lines & 192u ? 8u : 0u);
            T->ppf[0] = (uint8_t)(16 * __builtin_ctz(planes));
            T->ppf[1] = (uint8_t)(16 * (31 - __builtin_clz(planes)));
        }
    }
    for (uint32_t t = P->first_target; t < *n_targets; t++)
        s->targets[t].rounds = (double)s->targets[t].count + 1.0;
    P->targets = *n_targets - P->first_target;
    return 1;
}

/* The level-1 merge plans (see the top), when every axis has an even
 * number of blocks or one. */
static lrk_status build_plans(lrk_lattice_shared *s, uint32_t n_targets, lrk_error *err)
{
    s->planned = 0;
    if (s->shape.depth == 0)
        return LRK_OK;
    for (int a = 0; a < 3; a++)
        if (s->nb[a] > 1 && s->nb[a] % 2)
            return LRK_OK;
    s->plan = malloc(8 * (size_t)n_targets);
    if (s->plan == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the merge plans");
    uint32_t at = 0;
    for (unsigned p = 0; p < LT_BLOCK; p++) {
        const lg_position *P = &s->pos[p];
        for (unsigned c = 0; c < 8; c++) {
            uint32_t b[3], parent[LG_CELLS], n1 = 0;
            for (int a = 0; a < 3; a++)
                b[a] = s->nb[a] > 1 ? (c >> a) & 1 : 0;
            s->plan_at[p][c] = at;
            for (uint32_t t = 0; t < P->targets; t++) {
                const lg_target *T = s->targets + P->first_target + t;
                uint32_t m = 0;
                for (int a = 0; a < 3; a++)
                    m += (uint32_t)(s->term[a][b[a] * LG_UNION + T->cell[a] - a * LG_UNION] >> 32);
                m >>= s->shape.bits[0];
                uint32_t j = 0;
                while (j < n1 && parent[j] != m)
                    j++;
                if (j == n1)
                    parent[n1++] = m;
                s->plan[at++] = (uint8_t)j;
            }
            s->plan_n1[p][c] = (uint8_t)n1;
        }
    }
    s->planned = 1;
    return LRK_OK;
}

lrk_status lattice_groups_build(lrk_lattice_shared *s, lrk_error *err)
{
    s->grouped = 0;
    s->planned = 0;
    if (s->count == 0 || s->count > LG_MAX_COUNT || s->Lx % 4 || s->Ly % 4 || s->Lz % 4)
        return LRK_OK;
    /* segments: at most one per entry, plus the fired site's */
    const size_t max_segs = LT_BLOCK * (s->count + 1);
    s->groups = malloc(LT_BLOCK * LG_CELLS * sizeof *s->groups);
    s->gslot = malloc(LT_BLOCK * s->count);
    s->gfac = malloc(LT_BLOCK * s->count * sizeof *s->gfac);
    s->targets = malloc(LT_BLOCK * LG_CELLS * sizeof *s->targets);
    s->segs = malloc(max_segs * sizeof *s->segs);
    uint64_t *keys = malloc(s->count * sizeof *keys);
    fv_set f = {.cap = LG_MAX_FVEC};
    f.v = aligned_alloc(32, (size_t)f.cap * 4 * sizeof(double));
    f.slot = malloc(2 * (size_t)f.cap * sizeof *f.slot);
    if (!s->groups || !s->gslot || !s->gfac || !s->targets || !s->segs || !keys || !f.v || !f.slot) {
        free(keys);
        free(f.v);
        free(f.slot);
        lattice_groups_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the grouped stencil");
    }
    memset(f.slot, 0xff, 2 * (size_t)f.cap * sizeof *f.slot);
    uint32_t n_groups = 0, n_entries = 0, n_targets = 0, n_segs = 0;
    int ok = 1;
    for (unsigned p = 0; p < LT_BLOCK && ok; p++)
        ok = group_position(s, p, keys, &n_groups, &n_entries);
    ok = ok && build_terms(s);
    for (unsigned p = 0; p < LT_BLOCK && ok; p++)
        ok = segment_position(s, p, &f, &n_targets, &n_segs);
    free(keys);
    free(f.slot);
    free_entries(s);
    s->fvec = f.v;
    if (!ok) {
        lattice_groups_free(s);
        return LRK_OK;
    }
    s->fvec_count = f.n;
    s->segs_count = n_segs;
    ok = build_lines(s);
    if (ok < 0) {
        lattice_groups_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the grouped stencil");
    }
    lrk_status st = build_plans(s, n_targets, err);
    if (st != LRK_OK) {
        lattice_groups_free(s);
        return st;
    }
    s->grouped = 1;
    s->prefetch = s->slots * sizeof(double) > ((size_t)1 << 20);
    s->simd = lattice_avx2_available();
    return LRK_OK;
}
