/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_observe.c - the observables of LREs in space
 * (lattice_observe.h): C(r) by FFT against a field with known correlations
 * (planes) and against a direct O(N^2) sum on random fields; the sum rule
 * sum_k count_k C(k) = -q(1 - q); clusters on hand-made fields (periodic
 * wrap, diagonals not connected); the layout and names; the engine's
 * extras against a recomputation from the recorded event sequence; the
 * local q's null E psi = m / (N - 1) over all orders of a small box, and
 * the engine's local q against it (independent LREs) and away from it in
 * the directions the physics says (CER above, SER below, early on).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/lattice.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/lattice_observe.h"
#include "lrekmc/rng.h"
#include "lattice_flood.h"

static lrk_model make(long Lx, long Ly, long Lz, double d_el, lrk_kernel kernel)
{
    lrk_model m = {.mode = LRK_MODE_CER, .V0 = 1, .V1 = 2, .T = 1, .N = Lx * Ly * Lz};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = kernel};
    return m;
}

/* C(k) by the definition: average over displacements of round(|r|) = k. */
static void direct_C(const lrk_model *m, const unsigned char *f, size_t R, double *C)
{
    const lrk_space *s = &m->space;
    double *sum = calloc(R + 1, sizeof *sum), *cnt = calloc(R + 1, sizeof *cnt);
    long n = 0;
    for (long i = 0; i < m->N; i++)
        n += f[i];
    double q = (double)n / (double)m->N;
    for (long dz = 0; dz < s->Lz; dz++)
        for (long dy = 0; dy < s->Ly; dy++)
            for (long dx = 0; dx < s->Lx; dx++) {
                double a = 0;
                for (long z = 0; z < s->Lz; z++)
                    for (long y = 0; y < s->Ly; y++)
                        for (long x = 0; x < s->Lx; x++)
                            a += f[x + s->Lx * (y + s->Ly * z)]
                                 * f[(x + dx) % s->Lx + s->Lx * ((y + dy) % s->Ly + s->Ly * ((z + dz) % s->Lz))];
                long ix = dx < s->Lx - dx ? dx : s->Lx - dx, iy = dy < s->Ly - dy ? dy : s->Ly - dy,
                     iz = dz < s->Lz - dz ? dz : s->Lz - dz;
                size_t k = (size_t)floor(sqrt((double)(ix * ix + iy * iy + iz * iz)) + 0.5);
                cr_assert_leq(k, R);
                sum[k] += a / (double)m->N - q * q;
                cnt[k] += 1;
            }
    for (size_t k = 1; k <= R; k++)
        C[k - 1] = cnt[k] > 0 ? sum[k] / cnt[k] : 0;
    free(sum);
    free(cnt);
}

Test(lattice_observe, correlation_of_planes)
{
    lrk_model m = make(8, 8, 8, 1, LRK_KERNEL_R3);
    lrk_lattice_probe *p;
    cr_assert_eq(lrk_lattice_probe_create(&m, &p, NULL), LRK_OK);
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&m, &l);
    cr_assert_eq(l.radial_bins, 7, "max minimal image (4,4,4): |r| = 6.93 -> 7");
    unsigned char f[512];
    for (int i = 0; i < 512; i++)
        f[i] = (i % 8) % 2 == 0; /* planes x even: C = +1/4 for dx even, -1/4 for dx odd */
    double C[7], D[7];
    lrk_lattice_correlation(p, f, C);
    /* bin 1: |r| = 1 (2 with dx odd, 4 even) and sqrt 2 (8 odd, 4 even) */
    cr_assert_float_eq(C[0], (8 * 0.25 - 10 * 0.25) / 18, 1e-14, "C(1) = %.17g", C[0]);
    direct_C(&m, f, 7, D);
    for (int k = 0; k < 7; k++)
        cr_assert_float_eq(C[k], D[k], 1e-13, "k=%d: %.17g vs %.17g", k + 1, C[k], D[k]);
    lrk_lattice_probe_free(p);
}

Test(lattice_observe, correlation_matches_direct_sum_and_sum_rule)
{
    const long dims[3][3] = {{6, 5, 4}, {7, 7, 7}, {1, 3, 4}};
    unsigned seed = 12345;
    for (int c = 0; c < 3; c++) {
        lrk_model m = make(dims[c][0], dims[c][1], dims[c][2], 1, LRK_KERNEL_R3);
        lrk_lattice_probe *p;
        cr_assert_eq(lrk_lattice_probe_create(&m, &p, NULL), LRK_OK);
        lrk_lattice_layout l;
        lrk_lattice_layout_of(&m, &l);
        unsigned char *f = malloc((size_t)m.N);
        long n = 0;
        for (long i = 0; i < m.N; i++) {
            seed = seed * 1103515245u + 12345u;
            f[i] = (seed >> 16) % 3 == 0;
            n += f[i];
        }
        double C[64], D[64], count[65];
        lrk_lattice_correlation(p, f, C);
        direct_C(&m, f, l.radial_bins, D);
        lrk_lattice_radial_counts(&m.space, &l, count);
        cr_assert_eq(count[0], 1);
        double q = (double)n / (double)m.N, rule = 0;
        for (size_t k = 0; k < l.radial_bins; k++) {
            cr_assert_float_eq(C[k], D[k], 1e-13, "box %d k=%zu: %.17g vs %.17g", c, k + 1, C[k], D[k]);
            rule += count[k + 1] * C[k];
        }
        cr_assert_float_eq(rule, -q * (1 - q), 1e-12, "sum rule %.17g vs %.17g", rule, -q * (1 - q));
        free(f);
        lrk_lattice_probe_free(p);
    }
}

static void clusters_of(const lrk_model *m, const unsigned char *f, double out[3])
{
    lrk_lattice_probe *p;
    cr_assert_eq(lrk_lattice_probe_create(m, &p, NULL), LRK_OK);
    lrk_lattice_clusters(p, f, out);
    lrk_lattice_probe_free(p);
}

#define AT(x, y, z) ((x) + 6 * ((y) + 6 * (z)))

Test(lattice_observe, clusters_on_hand_made_fields)
{
    lrk_model m = make(6, 6, 6, 1, LRK_KERNEL_R3);
    unsigned char f[216];
    double out[3];
    memset(f, 0, sizeof f);
    clusters_of(&m, f, out);
    cr_assert(out[0] == 0 && out[1] == 0 && out[2] == 0);
    f[AT(0, 0, 0)] = f[AT(5, 0, 0)] = 1; /* neighbours through the periodic boundary */
    f[AT(2, 2, 2)] = f[AT(3, 3, 2)] = 1; /* a diagonal pair: two clusters */
    clusters_of(&m, f, out);
    cr_assert_eq(out[0], 3);
    cr_assert_float_eq(out[1], 4.0 / 3.0, 1e-15);
    cr_assert_float_eq(out[2], 2.0 / 216, 1e-15);
    memset(f, 0, sizeof f);
    for (int x = 0; x < 2; x++) /* a 2x2x2 cube, a ring around z, an isolated site */
        for (int y = 0; y < 2; y++)
            for (int z = 0; z < 2; z++)
                f[AT(x + 2, y + 2, z + 2)] = 1;
    for (int z = 0; z < 6; z++)
        f[AT(0, 5, z)] = 1;
    f[AT(5, 2, 3)] = 1;
    clusters_of(&m, f, out);
    cr_assert_eq(out[0], 3);
    cr_assert_float_eq(out[1], 15.0 / 3.0, 1e-15);
    cr_assert_float_eq(out[2], 8.0 / 216, 1e-15);
    for (int i = 0; i < 216; i++) { /* checkerboard: no face contacts */
        int x = i % 6, y = i / 6 % 6, z = i / 36;
        f[i] = (x + y + z) % 2 == 0;
    }
    clusters_of(&m, f, out);
    cr_assert_eq(out[0], 108);
    cr_assert_eq(out[1], 1);
    memset(f, 1, sizeof f);
    clusters_of(&m, f, out);
    cr_assert(out[0] == 1 && out[1] == 216 && out[2] == 1);
}

/* The clusters of f by a flood fill over the 6 periodic neighbours (an
 * algorithm unlike the engine's runs and unions): count, mean size,
 * largest / N. */
static void flood_of(long Lx, long Ly, long Lz, const unsigned char *f, double out[3])
{
    const long N = Lx * Ly * Lz;
    long *stack = malloc((size_t)N * sizeof *stack);
    unsigned char *seen = malloc((size_t)N);
    cr_assert(stack && seen);
    flood_clusters(Lx, Ly, Lz, f, stack, seen, out);
    free(stack);
    free(seen);
}

/* Random fields on boxes whose rows span word boundaries (Lx = 63, 64, 65,
 * 130), are one site long or wide (1 or 2 along an axis: self- and double
 * neighbours), at densities around the percolation threshold and beyond:
 * the same three numbers as the flood fill, exactly. */
Test(lattice_observe, clusters_agree_with_a_flood_fill_on_random_fields)
{
    const long box[][3] = {{63, 3, 4}, {64, 2, 3}, {65, 3, 2}, {130, 2, 2}, {1, 5, 7}, {2, 1, 9},
                           {13, 11, 1}, {7, 7, 7}, {1, 1, 1}, {5, 2, 1}};
    const double density[] = {0.05, 0.2, 0.31, 0.5, 0.8, 0.97};
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, 2026, 12);
    long compared = 0;
    for (size_t b = 0; b < sizeof box / sizeof box[0]; b++)
        for (size_t d = 0; d < sizeof density / sizeof density[0]; d++) {
            lrk_model m = make(box[b][0], box[b][1], box[b][2], 1, LRK_KERNEL_R3);
            unsigned char *f = malloc((size_t)m.N);
            cr_assert_not_null(f);
            for (long i = 0; i < m.N; i++)
                f[i] = (unsigned char)(lrk_pcg64_uniform(&rng) < density[d]);
            double got[3], want[3];
            clusters_of(&m, f, got);
            flood_of(box[b][0], box[b][1], box[b][2], f, want);
            for (int k = 0; k < 3; k++)
                cr_assert_eq(got[k], want[k], "%ldx%ldx%ld at density %g: statistic %d = %.17g, flood fill %.17g",
                             box[b][0], box[b][1], box[b][2], density[d], k, got[k], want[k]);
            compared++;
            free(f);
        }
    cr_assert_eq(compared, 60);
    /* any nonzero byte is a relaxed site */
    lrk_model m = make(70, 5, 3, 1, LRK_KERNEL_R3);
    unsigned char *f = malloc((size_t)m.N), *g = malloc((size_t)m.N);
    for (long i = 0; i < m.N; i++) {
        const uint64_t r = lrk_pcg64_next(&rng);
        f[i] = (unsigned char)((r & 1) ? 0 : 1 + ((r >> 1) % 255));
        g[i] = f[i] != 0;
    }
    double got[3], want[3];
    clusters_of(&m, f, got);
    clusters_of(&m, g, want);
    for (int k = 0; k < 3; k++)
        cr_assert_eq(got[k], want[k], "bytes 1 ... 255 as relaxed: statistic %d", k);
    free(f);
    free(g);
}

Test(lattice_observe, layout_and_names)
{
    lrk_model m = make(16, 16, 16, 3, LRK_KERNEL_R3);
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&m, &l);
    cr_assert_eq(l.snapshot_events[1], 2048);
    cr_assert_eq(l.avalanche_bins, 13, "sizes up to 4096 = 2^12");
    cr_assert_eq(l.local_offset, 3 * l.per_snapshot + 2 + 13);
    cr_assert_eq(l.local_bins, 20);
    cr_assert_eq(l.local_stride, 7, "round(27 / 4)");
    cr_assert_eq(l.count, l.local_offset + 2 + 20);
    cr_assert_eq(lrk_lattice_local_start(&l, 1), 205, "ceil(4096 / 20)");
    cr_assert_eq(lrk_lattice_local_start(&l, 20), 4096);
    char name[64];
    lrk_lattice_extra_name(&l, 2, name, sizeof name);
    cr_assert_str_eq(name, "C_q0.25_r3");
    lrk_lattice_extra_name(&l, l.per_snapshot + l.radial_bins + 2, name, sizeof name);
    cr_assert_str_eq(name, "largest_fraction_q0.5");
    lrk_lattice_extra_name(&l, l.avalanche_offset + 1, name, sizeof name);
    cr_assert_str_eq(name, "avalanche_mean");
    lrk_lattice_extra_name(&l, l.local_offset - 1, name, sizeof name);
    cr_assert_str_eq(name, "avalanche_bin_12");
    lrk_lattice_extra_name(&l, l.local_offset + 1, name, sizeof name);
    cr_assert_str_eq(name, "local_q_excess_late");
    lrk_lattice_extra_name(&l, l.count - 1, name, sizeof name);
    cr_assert_str_eq(name, "local_q_bin_19");
}

/* psi of site i under field f, by the definition: the r3 stencil's
 * W_o / S over the relaxed i + o, in the stencil's order. */
static double direct_psi(const lrk_space *sp, const lrk_stencil *st, const unsigned char *f, long i)
{
    long x = i % sp->Lx, y = i / sp->Lx % sp->Ly, z = i / (sp->Lx * sp->Ly);
    double psi = 0.0;
    for (size_t o = 0; o < st->count; o++) {
        long j = (x + st->dx[o]) % sp->Lx + sp->Lx * ((y + st->dy[o]) % sp->Ly + sp->Ly * ((z + st->dz[o]) % sp->Lz));
        psi += st->W[o] / st->S * (double)f[j];
    }
    return psi;
}

/* The local q's extras from the sequence: sampled events, bins, halves. */
static void expect_local(const lrk_model *m, const lrk_lattice_layout *l, const long *sites, double *expect)
{
    lrk_space geometry = m->space;
    geometry.kernel = LRK_KERNEL_R3;
    lrk_stencil st;
    cr_assert_eq(lrk_stencil_build(&geometry, &st, NULL), LRK_OK);
    unsigned char *f = calloc((size_t)m->N, 1);
    const long N = m->N, G = (long)l->local_bins;
    double samples[2] = {0, 0}, *bin_samples = calloc((size_t)G, sizeof *bin_samples);
    for (long k = 0; k < N; k++) {
        long g = k * G / N, first = (g * N + G - 1) / G; /* m = k relaxed: bin floor(m G / N) */
        if ((k - first) % l->local_stride == 0) {
            double psi = direct_psi(&m->space, &st, f, sites[k]);
            int late = g >= G / 2;
            expect[l->local_offset + late] += psi - (double)k / (double)(N - 1);
            samples[late] += 1;
            expect[l->local_offset + 2 + (size_t)g] += psi;
            bin_samples[g] += 1;
        }
        f[sites[k]] = 1;
    }
    for (int h = 0; h < 2; h++)
        expect[l->local_offset + h] /= samples[h];
    for (long g = 0; g < G; g++)
        expect[l->local_offset + 2 + (size_t)g] /= bin_samples[g];
    free(bin_samples);
    free(f);
    lrk_stencil_free(&st);
}

/* The engine's extras equal what the recorded sequence of sites gives. */
static void check_extras(lrk_model m)
{
    double t[4] = {1, 2, 4, 8};
    long levels[1] = {m.N};
    lrk_lattice_grid g = {t, 4, levels, 1};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(&m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&m, &l);
    cr_assert_eq(lrk_lattice_extra_count(s), l.count);
    long *sites = malloc((size_t)m.N * sizeof *sites);
    double *times = malloc((size_t)m.N * sizeof *times), *extra = malloc(l.count * sizeof *extra);
    double *again = malloc(l.count * sizeof *again);
    lrk_lattice_worker_record(w, sites, times);
    uint32_t n_at[4], n_at2[4];
    double fp, fp2;
    lrk_pcg64 rng;
    lrk_pcg64_seed(&rng, 77, 1);
    lrk_lattice_simulate(s, w, &rng, n_at, &fp, extra);
    lrk_pcg64_seed(&rng, 77, 1);
    lrk_lattice_simulate(s, w, &rng, n_at2, &fp2, NULL);
    cr_assert(fp == fp2 && memcmp(n_at, n_at2, sizeof n_at) == 0, "observables change nothing");
    /* avalanches from the sequence */
    double *expect = calloc(l.count, sizeof *expect);
    long run = 0, count = 0, px = 0, py = 0, pz = 0;
    lrk_lattice_probe *p;
    cr_assert_eq(lrk_lattice_probe_create(&m, &p, NULL), LRK_OK);
    unsigned char *f = calloc((size_t)m.N, 1);
    size_t snap = 0;
    const lrk_space *sp = &m.space;
    for (long n = 0; n < m.N; n++) {
        long x = sites[n] % sp->Lx, y = sites[n] / sp->Lx % sp->Ly, z = sites[n] / (sp->Lx * sp->Ly);
        int near = 0;
        for (long a = -1; a <= 1; a++) /* any image within d_el */
            for (long b = -1; b <= 1; b++)
                for (long c = -1; c <= 1; c++) {
                    double vx = (double)(x - px + a * sp->Lx), vy = (double)(y - py + b * sp->Ly),
                           vz = (double)(z - pz + c * sp->Lz);
                    near |= vx * vx + vy * vy + vz * vz <= sp->d_el * sp->d_el * (1 + 1e-12);
                }
        if (n > 0 && near) {
            run++;
        } else {
            if (run > 0) {
                expect[l.avalanche_offset + 2 + (size_t)floor(log2((double)run))] += 1;
                count++;
            }
            run = 1;
        }
        px = x;
        py = y;
        pz = z;
        f[sites[n]] = 1;
        if (snap < l.snapshots && l.snapshot_events[snap] == n + 1) {
            lrk_lattice_correlation(p, f, expect + snap * l.per_snapshot);
            lrk_lattice_clusters(p, f, expect + snap * l.per_snapshot + l.radial_bins);
            snap++;
        }
    }
    expect[l.avalanche_offset + 2 + (size_t)floor(log2((double)run))] += 1;
    count++;
    expect[l.avalanche_offset] = (double)count;
    expect[l.avalanche_offset + 1] = (double)m.N / (double)count;
    expect_local(&m, &l, sites, expect);
    if (l.local_stride == 1) { /* every event sampled: sum_n psi_n = N / 2 (each neighbour pair once) */
        double half = (double)lrk_lattice_local_start(&l, (long)l.local_bins / 2);
        double total = extra[l.local_offset] * half + extra[l.local_offset + 1] * ((double)m.N - half);
        cr_assert_float_eq(total, 0.0, 1e-12 * (double)m.N, "sum of psi - m/(N - 1): %g", total);
    }
    for (size_t e = 0; e < l.count; e++) {
        char name[64];
        lrk_lattice_extra_name(&l, e, name, sizeof name);
        cr_assert_eq(extra[e], expect[e], "%s: %.17g vs %.17g", name, extra[e], expect[e]);
    }
    free(f);
    free(expect);
    free(sites);
    free(times);
    free(extra);
    free(again);
    lrk_lattice_probe_free(p);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

Test(lattice_observe, engine_extras_match_the_event_sequence)
{
    check_extras(make(10, 9, 8, 2, LRK_KERNEL_R3));
    check_extras(make(10, 9, 8, 1.5, LRK_KERNEL_UNIFORM));
    check_extras(make(3, 3, 3, 2, LRK_KERNEL_R3));
    check_extras(make(4, 5, 6, 3, LRK_KERNEL_R3));   /* images: reach = L / 2 along x */
    check_extras(make(12, 12, 12, 3, LRK_KERNEL_R3)); /* interior and faces, stride 7 */
}

/* E psi = m / (N - 1) under a uniformly random order, exactly: all 8!
 * orders of a 2 x 2 x 2 box whose stencil (d_el = 1.8: faces through two
 * images, face and body diagonals) has unequal weights. */
Test(lattice_observe, local_q_null_over_all_orders)
{
    lrk_model m = make(2, 2, 2, 1.8, LRK_KERNEL_R3);
    lrk_stencil st;
    cr_assert_eq(lrk_stencil_build(&m.space, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 7);
    cr_assert(st.W[0] != st.W[st.count - 1], "unequal weights");
    int perm[8] = {0, 1, 2, 3, 4, 5, 6, 7}, c[8] = {0};
    double sum[8] = {0};
    long orders = 0;
    for (int i = 0;;) { /* Heap's algorithm: every permutation once */
        unsigned char f[8] = {0};
        for (int k = 0; k < 8; k++) {
            sum[k] += direct_psi(&m.space, &st, f, perm[k]);
            f[perm[k]] = 1;
        }
        orders++;
        while (i < 8 && c[i] >= i) {
            c[i] = 0;
            i++;
        }
        if (i == 8)
            break;
        int j = i % 2 == 0 ? 0 : c[i], tmp = perm[j];
        perm[j] = perm[i];
        perm[i] = tmp;
        c[i]++;
        i = 0;
    }
    cr_assert_eq(orders, 40320);
    /* summing 40320 terms <= 1 rounds by at most 40319 u of the sum:
     * 4.5e-12 relative */
    for (int k = 0; k < 8; k++)
        cr_assert_float_eq(sum[k] / (double)orders, k / 7.0, 5e-12 * (k / 7.0), "m = %d: %.17g", k,
                           sum[k] / (double)orders);
    lrk_stencil_free(&st);
}

/* Mean and sem over `count` trajectories of every extra. */
static void extras_over(const lrk_model *m, int count, uint64_t seed, double *mean, double *sem)
{
    double t[2] = {1, 2};
    long levels[1] = {m->N};
    lrk_lattice_grid g = {t, 2, levels, 1};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_shared_create(m, &g, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_lattice_worker_create(s, &w, &err), LRK_OK, "%s", err.message);
    const size_t E = lrk_lattice_extra_count(s);
    double *x = malloc(E * sizeof *x), *sq = calloc(E, sizeof *sq);
    for (size_t e = 0; e < E; e++)
        mean[e] = 0;
    for (int k = 0; k < count; k++) {
        uint32_t n_at[2];
        double fp;
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, seed, (uint64_t)k);
        lrk_lattice_simulate(s, w, &rng, n_at, &fp, x);
        for (size_t e = 0; e < E; e++) {
            mean[e] += x[e];
            sq[e] += x[e] * x[e];
        }
    }
    for (size_t e = 0; e < E; e++) {
        mean[e] /= count;
        double var = (sq[e] - count * mean[e] * mean[e]) / (count - 1);
        sem[e] = sqrt(var > 0 ? var / count : 0);
    }
    free(x);
    free(sq);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
}

/* Independent LREs (V1 = 0: equal constant rates, a uniformly random
 * order) meet the exact null in every bin and in both halves: |z| < 5. */
Test(lattice_observe, local_q_of_independent_lres_is_the_null)
{
    lrk_model m = make(12, 12, 12, 2, LRK_KERNEL_R3);
    m.V1 = 0;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&m, &l);
    double *mean = malloc(l.count * sizeof *mean), *sem = malloc(l.count * sizeof *sem);
    extras_over(&m, 300, 5, mean, sem);
    for (int h = 0; h < 2; h++) {
        size_t e = l.local_offset + (size_t)h;
        cr_expect_lt(fabs(mean[e]) / sem[e], 5, "half %d: excess %g, sem %g", h, mean[e], sem[e]);
    }
    for (size_t g = 0; g < l.local_bins; g++) {
        size_t e = l.local_offset + 2 + g;
        double null = lrk_lattice_local_null(&l, (long)g);
        cr_expect_lt(fabs(mean[e] - null) / sem[e], 5, "bin %zu: %g vs %g, sem %g", g, mean[e], null, sem[e]);
    }
    free(mean);
    free(sem);
}

/* LREs in space fire where the local sum departs from q: early on CER's
 * above the null (facilitation), SER's below (z beyond 5 either way). */
Test(lattice_observe, local_q_departs_from_the_null_as_the_physics_says)
{
    const lrk_mode modes[2] = {LRK_MODE_CER, LRK_MODE_SER};
    for (int i = 0; i < 2; i++) {
        lrk_model m = make(16, 16, 16, 2, LRK_KERNEL_R3);
        m.mode = modes[i];
        m.V1 = 1;
        m.T = modes[i] == LRK_MODE_CER ? 0.6666666666666666 : 0.4;
        lrk_lattice_layout l;
        lrk_lattice_layout_of(&m, &l);
        double *mean = malloc(l.count * sizeof *mean), *sem = malloc(l.count * sizeof *sem);
        extras_over(&m, 48, 9, mean, sem);
        double z = mean[l.local_offset] / sem[l.local_offset];
        if (modes[i] == LRK_MODE_CER)
            cr_expect_gt(z, 5, "CER early excess %g, z %g", mean[l.local_offset], z);
        else
            cr_expect_lt(z, -5, "SER early excess %g, z %g", mean[l.local_offset], z);
        free(mean);
        free(sem);
    }
}
