/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_sink.c - a lane's output around its trajectory (lattice_sink.h):
 * opening and closing it, and the observables of each event (the relaxed
 * field and its halo copy, the local q, avalanches, the snapshots'
 * correlation and clusters), which lattice_engine.c calls only when a run
 * asks for them, so the event loop's file holds the event loop.
 */
#include "lattice_sink.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/lattice_observe.h"


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

/* Index of site (x, y, z) in the halo field. */
static inline size_t halo_index(const lrk_lattice_shared *s, long x, long y, long z)
{
    const long *R = s->reach, *H = s->halo;
    return (size_t)((x + R[0]) + H[0] * ((y + R[1]) + H[1] * (z + R[2])));
}

/* psi of site (x, y, z), about to relax (lattice_observe.h). */
static double local_q(const lrk_lattice_shared *s, const unsigned char *halo, long x, long y, long z)
{
    const long at = (long)halo_index(s, x, y, z);
    double psi = 0.0; /* the field is 0 or 1: a product, not a branch on a coin flip */
    for (size_t o = 0; o < s->near_count; o++) {
        const long h = at + s->near_off[o];
        psi += s->near_w[o] * (double)((halo[h >> 3] >> (h & 7)) & 1);
    }
    return psi;
}

/* The halo holds a bit a site (8 times fewer lines for the scan). */
static inline void halo_set(unsigned char *halo, size_t h)
{
    halo[h >> 3] |= (unsigned char)(1u << (h & 7));
}

/* Mark site (x, y, z) relaxed at each of its images in the halo field
 * (one in the interior; the axes' image tables, lattice_setup.c). */
static void halo_mark(const lrk_lattice_shared *s, unsigned char *halo, long x, long y, long z)
{
    const int32_t *ix = s->halo_img[0] + 4 * x, *iy = s->halo_img[1] + 4 * y, *iz = s->halo_img[2] + 4 * z;
    for (int32_t c = 1; c <= iz[0]; c++)
        for (int32_t b = 1; b <= iy[0]; b++)
            for (int32_t a = 1; a <= ix[0]; a++)
                halo_set(halo, (size_t)(iz[c] + iy[b] + ix[a]));
}

/* The halo byte of site (x, y, z)'s first image asked for, and the mark
 * done one event later (mark_pending), when the line has arrived: from
 * L = 128 the rates' traffic evicts the halo's lines between two events
 * near each other (docs/space.md, round 13: +2-4 % with the observables at
 * L = 32-128, in one process, the same bytes). */
static inline void halo_ask(const lrk_lattice_shared *s, const unsigned char *halo, long x, long y, long z)
{
    const int32_t *ix = s->halo_img[0] + 4 * x, *iy = s->halo_img[1] + 4 * y, *iz = s->halo_img[2] + 4 * z;
    __builtin_prefetch(halo + ((size_t)(iz[1] + iy[1] + ix[1]) >> 3), 1);
}

/* The previous event's mark, before anything reads the halo: the local q
 * of the next event and the snapshots see every earlier event marked. */
static inline void mark_pending(const lrk_lattice_shared *s, sink *o)
{
    if (o->pending) {
        halo_mark(s, o->ln->halo, o->px, o->py, o->pz);
        o->pending = 0;
    }
}

/* The local q of event n when it is sampled: sums per bin, turned into
 * means by sink_close. */
static inline void count_local(const lrk_lattice_shared *s, sink *o, long n, long x, long y, long z)
{
    const lrk_lattice_layout *l = &s->layout;
    const long m = n - 1;
    while (m >= o->local_next) { /* a bin starts with a sampled event */
        o->local_bin++;
        o->local_next = lrk_lattice_local_start(l, (long)o->local_bin + 1);
        o->local_wait = 0;
    }
    if (o->local_wait-- > 0)
        return;
    o->local_wait = l->local_stride - 1;
    const double psi = local_q(s, o->ln->halo, x, y, z);
    const int late = o->local_bin >= l->local_bins / 2;
    o->extra[l->local_offset + late] += psi - (s->N > 1 ? (double)m / (double)(s->N - 1) : 0.0);
    o->extra[l->local_offset + 2 + o->local_bin] += psi;
    o->local_samples[late] += 1.0;
}

#define EXPAND1(b)                                                                                              \
    ((uint64_t)((b) & 1) | (uint64_t)((b) >> 1 & 1) << 8 | (uint64_t)((b) >> 2 & 1) << 16 |                      \
     (uint64_t)((b) >> 3 & 1) << 24 | (uint64_t)((b) >> 4 & 1) << 32 | (uint64_t)((b) >> 5 & 1) << 40 |          \
     (uint64_t)((b) >> 6 & 1) << 48 | (uint64_t)((b) >> 7 & 1) << 56)
#define EXPAND4(b) EXPAND1(b), EXPAND1((b) + 1), EXPAND1((b) + 2), EXPAND1((b) + 3)
#define EXPAND16(b) EXPAND4(b), EXPAND4((b) + 4), EXPAND4((b) + 8), EXPAND4((b) + 12)
#define EXPAND64(b) EXPAND16(b), EXPAND16((b) + 16), EXPAND16((b) + 32), EXPAND16((b) + 48)
/* 8 bits to 8 bytes of 0 or 1, bit k to byte k (in memory order on a
 * little-endian machine) */
static const uint64_t expand_bits[256] = {EXPAND64(0), EXPAND64(64), EXPAND64(128), EXPAND64(192)};

/* The relaxed field, row-major, from its halo copy's central image, for
 * the snapshots (3 a trajectory), instead of a random byte written at
 * every event. */
static void field_from_halo(const lrk_lattice_shared *s, lattice_lane *ln)
{
    unsigned char *f = ln->field;
    for (long z = 0; z < s->Lz; z++)
        for (long y = 0; y < s->Ly; y++, f += s->Lx) {
            const size_t h0 = halo_index(s, 0, y, z);
            long x = 0;
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
            for (; x + 8 <= s->Lx; x += 8) { /* 8 sites from one unaligned load (the halo has 8 spare bytes) */
                const size_t h = h0 + (size_t)x;
                uint64_t word;
                memcpy(&word, ln->halo + (h >> 3), sizeof word);
                const uint64_t bytes = expand_bits[(word >> (h & 7)) & 0xff];
                memcpy(f + x, &bytes, sizeof bytes);
            }
#endif
            for (; x < s->Lx; x++) {
                const size_t h = h0 + (size_t)x;
                f[x] = (unsigned char)((ln->halo[h >> 3] >> (h & 7)) & 1);
            }
        }
}

/* The observables of event n (site x, y, z): out of record(), so that
 * the path without them stays as it was. */
void lattice_record_extras(const lrk_lattice_shared *s, lrk_lattice_worker *w, sink *o, long n, long x, long y, long z)
{
    lattice_lane *ln = o->ln;
    mark_pending(s, o);
    count_local(s, o, n, x, y, z);
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
    o->pending = 1;
    if (o->snap < l->snapshots && l->snapshot_events[o->snap] == n) {
        mark_pending(s, o);
        field_from_halo(s, ln);
    } else {
        halo_ask(s, ln->halo, x, y, z);
    }
    while (o->snap < l->snapshots && l->snapshot_events[o->snap] == n) {
        double *e = o->extra + o->snap * l->per_snapshot;
        lrk_lattice_correlation(w->probe, ln->field, e);
        lrk_lattice_clusters(w->probe, ln->field, e + l->radial_bins);
        o->snap++;
    }
}

/* A lane's output before its trajectory. */
void lattice_sink_open(const lrk_lattice_shared *s, sink *o, lattice_lane *ln, uint32_t *n_at, double *first_passage,
                      double *extra)
{
    *o = (sink){.ln = ln, .n_at = n_at, .first_passage = first_passage, .extra = extra,
                .local_next = lrk_lattice_local_start(&s->layout, 1)};
    if (extra != NULL) {
        memset(extra, 0, s->layout.count * sizeof *extra);
        memset(ln->halo, 0, lattice_halo_bytes(s));
    }
}

/* ... and after it. */
void lattice_sink_close(const lrk_lattice_shared *s, sink *o)
{
    for (; o->k < s->t_count; o->k++)
        o->n_at[o->k] = (uint32_t)s->N;
    if (o->extra != NULL) {
        mark_pending(s, o);
        close_avalanche(s, o);
        o->extra[s->layout.avalanche_offset] = o->avalanches;
        o->extra[s->layout.avalanche_offset + 1] = (double)s->N / o->avalanches;
        const lrk_lattice_layout *l = &s->layout;
        for (int h = 0; h < 2; h++) /* no sample (N = 1): NAN */
            o->extra[l->local_offset + h] /= o->local_samples[h];
        for (size_t g = 0; g < l->local_bins; g++) {
            const long size = lrk_lattice_local_start(l, (long)g + 1) - lrk_lattice_local_start(l, (long)g);
            o->extra[l->local_offset + 2 + g] /= (double)((size + l->local_stride - 1) / l->local_stride);
        }
    }
}

