/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_tree_f32.c - level 0 of the upper-bound tree (lattice_tree.h)
 * when the lazy mode stores float upper bounds (lattice_engine.c): a
 * block's bound from its 64 floats, the pick inside a block (which also
 * returns the offset that the exact acceptance reads), and the tests'
 * check.  Everything above level 0 is the double upper-bound tree's.
 */
#include <stdlib.h>
#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define LT_F32_X86 1
#endif

#include "lattice_tree.h"

void lt_upper_block_f(const lt_shape *sh, lt_tree *t, size_t idx, const float *rate, const uint32_t *leaf_block)
{
    const uint32_t b = leaf_block[idx];
    t->sum[sh->offset[0] + idx] = b == UINT32_MAX ? 0.0 : lt_block_sum_f(rate + (size_t)b * LT_BLOCK) * LT_UP;
}

void lt_upper_repair_f(const lt_shape *sh, lt_tree *t, unsigned level, size_t idx, const float *rate,
                       const uint32_t *leaf_block)
{
    if (level == 0) { /* the block's value and its group's running sums (lt_upper_node) */
        lt_upper_block_f(sh, t, idx, rate, leaf_block);
        if (sh->depth == 0)
            return;
        lt_upper_group(sh, t, 0, idx & ~(((size_t)1 << sh->bits[0]) - 1));
        idx >>= sh->bits[0];
        level = 1;
    }
    /* above level 0 nothing reads the rates */
    lt_upper_repair(sh, t, level, idx, NULL, leaf_block);
}

void lt_build_upper_f(const lt_shape *sh, lt_tree *t, const float *rate, const uint32_t *leaf_block)
{
    for (unsigned l = 0; l <= sh->depth; l++) { /* as lt_build_upper */
        for (size_t idx = 0; idx < sh->size[l]; idx++)
            if (l == 0)
                lt_upper_block_f(sh, t, idx, rate, leaf_block);
            else
                lt_upper_value(sh, t, l, idx, NULL, leaf_block);
        if (l < sh->depth)
            for (size_t first = 0; first < sh->size[l]; first += (size_t)1 << sh->bits[l])
                lt_upper_group(sh, t, l, first);
    }
}

/* Among 4 entries a0 ... a3 (a0 + ... in order), the one whose interval
 * of running sums holds x: 4 when x is beyond them; *u becomes the offset
 * inside it.  Branch-free.  The interval [s_k, s_k+1) of the one chosen is
 * non-empty, so its entry is positive (a rounded sum of non-negative terms
 * grows only with a positive term). */
static inline __attribute__((always_inline)) int running4(double a0, double a1, double a2, double a3, double *u)
{
    const double x = *u, s1 = a0, s2 = s1 + a1, s3 = s2 + a2, s4 = s3 + a3;
    const int below = (s1 <= x) + (s2 <= x) + (s3 <= x) + (s4 <= x);
    /* the largest running sum <= x (the sums never decrease) by an index,
     * not by a chain of conditionals, which compiles to branches that the
     * random x mispredicts */
    const double before[4] = {0.0, s1, s2, s3};
    *u = x - before[below & 3];
    return below;
}

/* Inside the plane that holds u: the rows by running sums of their totals
 * ((x0 + x1) + (x2 + x3)), then the row's rates by running sums.  When
 * rounding leaves u beyond them (the plane's total is another
 * association), the plane's last positive rate with the offset at its
 * interval's end, which the acceptance rejects (a rounding-level choice,
 * like the double tree's fallback). */
static inline __attribute__((always_inline)) size_t in_plane(const float *plane, size_t first, double u, double *off)
{
    double r0, r1, r2, r3;
#ifdef LT_F32_X86
    __m128d lo[4], hi[4], rs[2];
    for (int y = 0; y < 4; y++) {
        const __m128 f = _mm_loadu_ps(plane + 4 * y);
        lo[y] = _mm_cvtps_pd(f);
        hi[y] = _mm_cvtps_pd(_mm_movehl_ps(f, f));
    }
    for (int y = 0; y < 4; y += 2) { /* rows y, y + 1 side by side */
        const __m128d a = _mm_add_pd(_mm_unpacklo_pd(lo[y], lo[y + 1]), _mm_unpackhi_pd(lo[y], lo[y + 1]));
        const __m128d c = _mm_add_pd(_mm_unpacklo_pd(hi[y], hi[y + 1]), _mm_unpackhi_pd(hi[y], hi[y + 1]));
        rs[y / 2] = _mm_add_pd(a, c);
    }
    r0 = _mm_cvtsd_f64(rs[0]);
    r1 = _mm_cvtsd_f64(_mm_unpackhi_pd(rs[0], rs[0]));
    r2 = _mm_cvtsd_f64(rs[1]);
    r3 = _mm_cvtsd_f64(_mm_unpackhi_pd(rs[1], rs[1]));
#else
    double rs[4];
    for (int y = 0; y < 4; y++) {
        const float *row = plane + 4 * y;
        rs[y] = ((double)row[0] + (double)row[1]) + ((double)row[2] + (double)row[3]);
    }
    r0 = rs[0];
    r1 = rs[1];
    r2 = rs[2];
    r3 = rs[3];
#endif
    const int y = running4(r0, r1, r2, r3, &u);
    if (y < 4) {
        const float *row = plane + 4 * y;
        const int x = running4(row[0], row[1], row[2], row[3], &u);
        if (x < 4) {
            *off = u;
            return first + 4 * (size_t)y + (size_t)x;
        }
    }
    for (int k = 15; k >= 0; k--)
        if (plane[k] > 0.0f) {
            *off = (double)plane[k];
            return first + (size_t)k;
        }
    return SIZE_MAX;
}

/* The plane whose interval holds u, given the 4 planes' totals: the
 * offsets u_z = (((u - acc_0) - acc_1) ...) and the first z with u_z <
 * acc_z, as the plane-by-plane loop would find them, but without its
 * branch on a random z; 4 when u is beyond them all. */
static inline __attribute__((always_inline)) int select_plane(const double acc[4], double *u)
{
    const double u0 = *u, u1 = u0 - acc[0], u2 = u1 - acc[1], u3 = u2 - acc[2];
    const unsigned in = (unsigned)(u0 < acc[0]) | (unsigned)(u1 < acc[1]) << 1 | (unsigned)(u2 < acc[2]) << 2 |
                        (unsigned)(u3 < acc[3]) << 3 | 16u;
    const int z = __builtin_ctz(in);
    const double at[4] = {u0, u1, u2, u3};
    *u = at[z & 3];
    return z;
}

static inline __attribute__((always_inline)) size_t pick_plane(const float *r, uint32_t b, const double acc[4],
                                                               double u, double *off)
{
    const int z = select_plane(acc, &u);
    if (z == 4)
        return SIZE_MAX; /* beyond the block's rates: its slack */
    return in_plane(r + 16 * z, (size_t)b * LT_BLOCK + 16 * (size_t)z, u, off);
}

/* The pick (lattice_tree.h).  A plane's total: its rows R_y as 4-double
 * vectors, P = (R0 + R1) + (R2 + R3) elementwise, then (P0 + P2) + (P1 +
 * P3): the same IEEE additions in the SSE2 baseline (two 2-double halves)
 * and in the AVX2 clone (one register), so both give the same bits. */
#ifdef LT_F32_X86
size_t lt_in_block_upper_f(const float *rate, uint32_t b, double u, double *off)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const float *r = rate + (size_t)b * LT_BLOCK;
    double acc[4];
    for (int z = 0; z < 4; z++) {
        const float *plane = r + 16 * z;
        __m128d lo[4], hi[4];
        for (int y = 0; y < 4; y++) {
            const __m128 f = _mm_loadu_ps(plane + 4 * y);
            lo[y] = _mm_cvtps_pd(f);
            hi[y] = _mm_cvtps_pd(_mm_movehl_ps(f, f));
        }
        const __m128d pl = _mm_add_pd(_mm_add_pd(lo[0], lo[1]), _mm_add_pd(lo[2], lo[3]));
        const __m128d ph = _mm_add_pd(_mm_add_pd(hi[0], hi[1]), _mm_add_pd(hi[2], hi[3]));
        const __m128d q = _mm_add_pd(pl, ph);
        acc[z] = _mm_cvtsd_f64(q) + _mm_cvtsd_f64(_mm_unpackhi_pd(q, q));
    }
    return pick_plane(r, b, acc, u, off);
}

__attribute__((target("avx2"))) size_t lt_in_block_upper_f_avx2(const float *rate, uint32_t b, double u,
                                                                 double *off)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const float *r = rate + (size_t)b * LT_BLOCK;
    double acc[4];
    for (int z = 0; z < 4; z++) {
        const float *plane = r + 16 * z;
        const __m256d R0 = _mm256_cvtps_pd(_mm_loadu_ps(plane)), R1 = _mm256_cvtps_pd(_mm_loadu_ps(plane + 4)),
                      R2 = _mm256_cvtps_pd(_mm_loadu_ps(plane + 8)), R3 = _mm256_cvtps_pd(_mm_loadu_ps(plane + 12));
        const __m256d P = _mm256_add_pd(_mm256_add_pd(R0, R1), _mm256_add_pd(R2, R3));
        const __m128d q = _mm_add_pd(_mm256_castpd256_pd128(P), _mm256_extractf128_pd(P, 1));
        acc[z] = _mm_cvtsd_f64(q) + _mm_cvtsd_f64(_mm_unpackhi_pd(q, q));
    }
    return pick_plane(r, b, acc, u, off);
}

#else
/* Other targets: the same additions in scalars. */
size_t lt_in_block_upper_f(const float *rate, uint32_t b, double u, double *off)
{
    if (b == UINT32_MAX)
        return SIZE_MAX;
    const float *r = rate + (size_t)b * LT_BLOCK;
    double acc[4];
    for (int z = 0; z < 4; z++) {
        const float *p = r + 16 * z;
        double P[4];
        for (int x = 0; x < 4; x++)
            P[x] = ((double)p[x] + (double)p[4 + x]) + ((double)p[8 + x] + (double)p[12 + x]);
        acc[z] = (P[0] + P[2]) + (P[1] + P[3]);
    }
    return pick_plane(r, b, acc, u, off);
}

size_t lt_in_block_upper_f_avx2(const float *rate, uint32_t b, double u, double *off)
{
    return lt_in_block_upper_f(rate, b, u, off);
}
#endif

void lt_prefetch_block_f(const float *rate, uint32_t b)
{
    if (b == UINT32_MAX)
        return;
    const float *r = rate + (size_t)b * LT_BLOCK;
    for (int j = 0; j < 4; j++)
        __builtin_prefetch(r + 16 * j);
}

void lt_verify_upper_f(const lt_shape *sh, const lt_tree *t, const float *rate, const uint32_t *leaf_block,
                       double *worst_bound, double *worst_tight)
{
    lt_verify_upper_any(sh, t, NULL, rate, leaf_block, worst_bound, worst_tight);
}
