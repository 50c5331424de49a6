/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_observe.c - correlation by FFT, clusters by union-find over runs
 * of relaxed sites along x, and the extras layout of the spatial engine
 * (lattice_observe.h).
 *
 * FFTW plans are made once per probe with FFTW_ESTIMATE (no timing, so the
 * same plan, hence the same bits, on every run) under a lock: FFTW's planner
 * is not thread-safe, fftw_execute of an existing plan is.
 */
#include "lrekmc/lattice_observe.h"

#include <fftw3.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct lrk_lattice_probe {
    long Lx, Ly, Lz, N;
    lrk_lattice_layout layout;
    double *in;
    fftw_complex *out;
    fftw_plan forward, backward;
    unsigned short *bin;   /* N: radial bin of each displacement */
    double *count;         /* radial_bins + 1 */
    double *acc;           /* radial_bins + 1 */
    int *parent;           /* N: union-find over the runs (numbered in row order) */
    uint64_t *mask;        /* Ly Lz rows of words: the relaxed field by bit (clusters) */
    size_t words;          /* words a row: ceil(Lx / 64) */
};

static long image(long d, long L)
{
    return d <= L - d ? d : L - d;
}

static size_t radial_bin(long dx, long dy, long dz, const lrk_space *s)
{
    long x = image(dx, s->Lx), y = image(dy, s->Ly), z = image(dz, s->Lz);
    return (size_t)floor(sqrt((double)(x * x + y * y + z * z)) + 0.5);
}

void lrk_lattice_layout_of(const lrk_model *m, lrk_lattice_layout *l)
{
    const lrk_space *s = &m->space;
    memset(l, 0, sizeof *l);
    l->snapshots = LRK_LATTICE_SNAPSHOTS;
    const double q[LRK_LATTICE_SNAPSHOTS] = {0.25, 0.5, 0.75};
    for (size_t i = 0; i < l->snapshots; i++) {
        l->snapshot_q[i] = q[i];
        l->snapshot_events[i] = lrk_level_event_count(q[i], m->N);
    }
    l->radial_bins = radial_bin(s->Lx / 2, s->Ly / 2, s->Lz / 2, s);
    l->per_snapshot = l->radial_bins + LRK_LATTICE_SNAPSHOT_STATS;
    l->avalanche_offset = l->snapshots * l->per_snapshot;
    size_t bins = 1;
    while (((long)1 << bins) <= m->N)
        bins++;
    l->avalanche_bins = bins;
    l->local_offset = l->avalanche_offset + 2 + bins;
    l->local_bins = m->N < LRK_LATTICE_LOCAL_BINS ? (size_t)m->N : LRK_LATTICE_LOCAL_BINS;
    const double stride = floor(s->d_el * s->d_el * s->d_el / 4.0 + 0.5);
    l->local_stride = stride > 1 ? (long)stride : 1;
    l->N = m->N;
    l->count = l->local_offset + 2 + l->local_bins;
}

long lrk_lattice_local_start(const lrk_lattice_layout *l, long g)
{
    const long long G = (long long)l->local_bins;
    return (long)(((long long)g * l->N + G - 1) / G);
}

int lrk_lattice_local_sampled(const lrk_lattice_layout *l, long g, long m)
{
    return (m - lrk_lattice_local_start(l, g)) % l->local_stride == 0;
}

double lrk_lattice_local_null(const lrk_lattice_layout *l, long g)
{
    const long from = lrk_lattice_local_start(l, g), to = lrk_lattice_local_start(l, g + 1);
    double sum = 0.0, count = 0.0;
    for (long m = from; m < to; m += l->local_stride) {
        sum += (double)m;
        count += 1.0;
    }
    return l->N > 1 && count > 0 ? sum / count / (double)(l->N - 1) : 0.0;
}

void lrk_lattice_extra_name(const lrk_lattice_layout *l, size_t e, char *buf, size_t size)
{
    static const char *const stats[LRK_LATTICE_SNAPSHOT_STATS] = {"clusters", "cluster_mean", "largest_fraction"};
    if (e < l->avalanche_offset) {
        size_t s = e / l->per_snapshot, k = e % l->per_snapshot;
        if (k < l->radial_bins)
            snprintf(buf, size, "C_q%g_r%zu", l->snapshot_q[s], k + 1);
        else
            snprintf(buf, size, "%s_q%g", stats[k - l->radial_bins], l->snapshot_q[s]);
    } else if (e == l->avalanche_offset) {
        snprintf(buf, size, "avalanches");
    } else if (e == l->avalanche_offset + 1) {
        snprintf(buf, size, "avalanche_mean");
    } else if (e < l->local_offset) {
        snprintf(buf, size, "avalanche_bin_%zu", e - l->avalanche_offset - 2);
    } else if (e < l->local_offset + 2) {
        snprintf(buf, size, e == l->local_offset ? "local_q_excess_early" : "local_q_excess_late");
    } else {
        snprintf(buf, size, "local_q_bin_%zu", e - l->local_offset - 2);
    }
}

void lrk_lattice_radial_counts(const lrk_space *s, const lrk_lattice_layout *l, double *count)
{
    for (size_t k = 0; k <= l->radial_bins; k++)
        count[k] = 0;
    for (long z = 0; z < s->Lz; z++)
        for (long y = 0; y < s->Ly; y++)
            for (long x = 0; x < s->Lx; x++)
                count[radial_bin(x, y, z, s)] += 1;
}

void lrk_lattice_probe_free(lrk_lattice_probe *p)
{
    if (p == NULL)
        return;
#pragma omp critical(lrk_fftw_planner)
    {
        if (p->forward)
            fftw_destroy_plan(p->forward);
        if (p->backward)
            fftw_destroy_plan(p->backward);
    }
    fftw_free(p->in);
    fftw_free(p->out);
    free(p->bin);
    free(p->count);
    free(p->acc);
    free(p->parent);
    free(p->mask);
    free(p);
}

lrk_status lrk_lattice_probe_create(const lrk_model *m, lrk_lattice_probe **out, lrk_error *err)
{
    *out = NULL;
    if (m->space.lattice != LRK_LATTICE_CUBIC)
        return lrk_error_set(err, LRK_ERR_INVALID, "lattice: observables need a cubic lattice");
    lrk_lattice_probe *p = calloc(1, sizeof *p);
    if (p == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory");
    const lrk_space *s = &m->space;
    p->Lx = s->Lx;
    p->Ly = s->Ly;
    p->Lz = s->Lz;
    p->N = m->N;
    lrk_lattice_layout_of(m, &p->layout);
    size_t half = (size_t)(s->Lz * s->Ly) * (size_t)(s->Lx / 2 + 1);
    p->in = fftw_malloc((size_t)p->N * sizeof(double));
    p->out = fftw_malloc(half * sizeof(fftw_complex));
    p->bin = malloc((size_t)p->N * sizeof *p->bin);
    p->count = malloc((p->layout.radial_bins + 1) * sizeof(double));
    p->acc = malloc((p->layout.radial_bins + 1) * sizeof(double));
    p->parent = malloc((size_t)p->N * sizeof(int));
    p->words = (size_t)(s->Lx + 63) / 64;
    p->mask = malloc((size_t)(s->Ly * s->Lz) * p->words * sizeof *p->mask);
    if (p->in && p->out) {
#pragma omp critical(lrk_fftw_planner)
        {
            p->forward = fftw_plan_dft_r2c_3d((int)s->Lz, (int)s->Ly, (int)s->Lx, p->in, p->out, FFTW_ESTIMATE);
            p->backward = fftw_plan_dft_c2r_3d((int)s->Lz, (int)s->Ly, (int)s->Lx, p->out, p->in, FFTW_ESTIMATE);
        }
    }
    if (!p->in || !p->out || !p->bin || !p->count || !p->acc || !p->parent || !p->mask || !p->forward || !p->backward) {
        lrk_lattice_probe_free(p);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for the observables (N = %ld)", m->N);
    }
    for (long z = 0; z < s->Lz; z++)
        for (long y = 0; y < s->Ly; y++)
            for (long x = 0; x < s->Lx; x++)
                p->bin[x + s->Lx * (y + s->Ly * z)] = (unsigned short)radial_bin(x, y, z, s);
    lrk_lattice_radial_counts(s, &p->layout, p->count);
    *out = p;
    return LRK_OK;
}

void lrk_lattice_correlation(lrk_lattice_probe *p, const unsigned char *field, double *C)
{
    const long N = p->N;
    long n = 0;
    for (long i = 0; i < N; i++) {
        p->in[i] = field[i];
        n += field[i];
    }
    fftw_execute_dft_r2c(p->forward, p->in, p->out);
    size_t half = (size_t)(p->Lz * p->Ly) * (size_t)(p->Lx / 2 + 1);
    for (size_t i = 0; i < half; i++) {
        double re = p->out[i][0], im = p->out[i][1];
        p->out[i][0] = re * re + im * im;
        p->out[i][1] = 0.0;
    }
    fftw_execute_dft_c2r(p->backward, p->out, p->in); /* N sum_i s_i s_{i+r} */
    const size_t R = p->layout.radial_bins;
    for (size_t k = 0; k <= R; k++)
        p->acc[k] = 0.0;
    const double q = (double)n / (double)N, norm = 1.0 / ((double)N * (double)N);
    for (long r = 0; r < N; r++)
        p->acc[p->bin[r]] += p->in[r] * norm - q * q;
    for (size_t k = 1; k <= R; k++)
        C[k - 1] = p->count[k] > 0 ? p->acc[k] / p->count[k] : 0.0;
}

static int find(int *parent, int i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]]; /* path halving */
        i = parent[i];
    }
    return i;
}

static void unite(int *parent, int a, int b)
{
    a = find(parent, a);
    b = find(parent, b);
    if (a != b) {
        if (a < b)
            parent[b] = a;
        else
            parent[a] = b;
    }
}

/* The first set (want = 1) or clear (want = 0) bit at or after x in a row
 * of W words whose bits from Lx on are 0; Lx when there is none. */
static long next_bit(const uint64_t *m, size_t W, long Lx, long x, int want)
{
    if (x >= Lx)
        return Lx;
    size_t w = (size_t)x / 64;
    uint64_t bits = (want ? m[w] : ~m[w]) & (~(uint64_t)0 << (x % 64));
    while (bits == 0) {
        if (++w == W)
            return Lx;
        bits = want ? m[w] : ~m[w];
    }
    const long at = (long)(w * 64) + __builtin_ctzll(bits);
    return at < Lx ? at : Lx;
}

/* Join the runs of rows ra and rb (site offsets) that touch: each run of
 * their common bits lies in one run of each, so one union per run, at
 * its first site (a common bit whose predecessor, across the words, is
 * not common). */
static void link_rows(const lrk_lattice_probe *p, const int *label, const uint64_t *a, const uint64_t *b, long ra,
                      long rb)
{
    uint64_t carry = 0; /* the previous word's last common bit (without it a run across
                           the words would be joined twice: the same union) */
    for (size_t w = 0; w < p->words; w++) {
        const uint64_t both = a[w] & b[w];
        for (uint64_t first = both & ~(both << 1 | carry); first != 0; first &= first - 1) {
            const long x = (long)(w * 64) + __builtin_ctzll(first);
            unite(p->parent, label[ra + x], label[rb + x]);
        }
        carry = both >> 63;
    }
}

/* Row `row`'s bit mask from the field (nonzero = relaxed): 8 sites a
 * step on a little-endian machine (each byte's nonzero-ness moved to its
 * low bit, the 8 low bits gathered by one product). */
static void row_mask(const unsigned char *f, long Lx, size_t W, uint64_t *m)
{
    memset(m, 0, W * sizeof *m);
    long x = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
    for (; x + 8 <= Lx; x += 8) {
        uint64_t w;
        memcpy(&w, f + x, sizeof w);
        w |= w >> 4;
        w |= w >> 2;
        w |= w >> 1;
        w &= 0x0101010101010101u;
        m[x / 64] |= ((w * 0x0102040810204080u) >> 56) << (x % 64);
    }
#endif
    for (; x < Lx; x++)
        m[x / 64] |= (uint64_t)(f[x] != 0) << (x % 64);
}

/* Clusters by runs: each row's maximal runs of relaxed sites are one node
 * each (numbered in order; every site labelled with its run), joined
 * across the x wrap and with the runs of the +y and +z rows they touch,
 * found from the rows' bit masks (no branch per site on the random field,
 * no division per neighbour).  Which sites form a cluster does not depend
 * on the order of the unions, so the statistics are those of a
 * site-by-site union-find. */
void lrk_lattice_clusters(lrk_lattice_probe *p, const unsigned char *field, double out[3])
{
    const long Lx = p->Lx, Ly = p->Ly, Lz = p->Lz, N = p->N, rows = Ly * Lz;
    const size_t W = p->words;
    int *const parent = p->parent;
    int *const label = (int *)(void *)p->in; /* the FFT's input, free here: N labels, then N run lengths */
    int *const length = label + N;
    long n = 0;
    int runs = 0;
    for (long row = 0; row < rows; row++) {
        const unsigned char *f = field + row * Lx;
        uint64_t *m = p->mask + (size_t)row * W;
        row_mask(f, Lx, W, m);
        for (long a = next_bit(m, W, Lx, 0, 1); a < Lx;) {
            const long b = next_bit(m, W, Lx, a, 0);
            parent[runs] = runs;
            length[runs] = (int)(b - a);
            for (long x = a; x < b; x++)
                label[row * Lx + x] = runs;
            runs++;
            n += b - a;
            a = next_bit(m, W, Lx, b, 1);
        }
        if (Lx > 1 && f[0] && f[Lx - 1])
            unite(parent, label[row * Lx], label[row * Lx + Lx - 1]);
    }
    for (long z = 0; z < Lz; z++)
        for (long y = 0; y < Ly; y++) {
            const long row = y + Ly * z, up_y = (y + 1) % Ly + Ly * z, up_z = y + Ly * ((z + 1) % Lz);
            const uint64_t *m = p->mask + (size_t)row * W;
            if (up_y != row)
                link_rows(p, label, m, p->mask + (size_t)up_y * W, row * Lx, up_y * Lx);
            if (up_z != row)
                link_rows(p, label, m, p->mask + (size_t)up_z * W, row * Lx, up_z * Lx);
        }
    /* sizes at the roots (the labels are free again), then the roots, each a cluster */
    int *const size = label;
    for (int r = 0; r < runs; r++)
        size[r] = 0;
    for (int r = 0; r < runs; r++)
        size[find(parent, r)] += length[r];
    long clusters = 0, largest = 0;
    for (int r = 0; r < runs; r++)
        if (parent[r] == r) {
            clusters++;
            largest = size[r] > largest ? size[r] : largest;
        }
    out[0] = (double)clusters;
    out[1] = clusters > 0 ? (double)n / (double)clusters : 0.0;
    out[2] = (double)largest / (double)N;
}
