/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rng_inline.h - inline copies of the pcg64 step and the ziggurat exponential
 * for the KMC inner loop (one variate per event, where a call costs as much as
 * the work).  Internal to the library.  They produce exactly the sequence of
 * lrk_pcg64_next and lrk_pcg64_exponential_ziggurat: rng.c defines the public
 * ziggurat with them, and tests/test_kmc.c replays trajectories with the public
 * functions and compares bit for bit.
 */
#ifndef LREKMC_RNG_INLINE_H
#define LREKMC_RNG_INLINE_H

#include <math.h>

#include "lrekmc/rng.h"

#define LRK_PCG64_MULTIPLIER \
    (((lrk_uint128)2549297995355413924ULL << 64) + 4865540595714422341ULL)

static inline uint64_t lrk_pcg64_next_inline(lrk_pcg64 *g)
{
    g->state = g->state * LRK_PCG64_MULTIPLIER + g->increment;
    uint64_t folded = (uint64_t)(g->state >> 64u) ^ (uint64_t)g->state;
    unsigned rot = (unsigned)(g->state >> 122u);
    return (folded >> rot) | (folded << ((-rot) & 63u));
}

/* The rare branch: tail or wedge rejection; defined in rng.c. */
double lrk_ziggurat_exp_slow(lrk_pcg64 *g, unsigned layer, double x);

static inline double lrk_pcg64_exponential_ziggurat_inline(lrk_pcg64 *g)
{
    uint64_t bits = lrk_pcg64_next_inline(g) >> 3;
    unsigned layer = (unsigned)(bits & 0xffu);
    bits >>= 8; /* 53 bits left */
    double x = (double)bits * lrk_ziggurat_exp_w[layer];
    if (__builtin_expect(bits < lrk_ziggurat_exp_k[layer], 1))
        return x;
    return lrk_ziggurat_exp_slow(g, layer, x);
}

/* The same step and variate on a generator split into a state the caller
 * keeps in a local variable (so the compiler can hold it in registers across
 * the loop) and its increment; only the rare slow path rebuilds an
 * lrk_pcg64. */
static inline uint64_t lrk_pcg64_next_split(lrk_uint128 *state, lrk_uint128 increment)
{
    const lrk_uint128 s = *state * LRK_PCG64_MULTIPLIER + increment;
    *state = s;
    const uint64_t folded = (uint64_t)(s >> 64u) ^ (uint64_t)s;
    const unsigned rot = (unsigned)(s >> 122u);
    return (folded >> rot) | (folded << ((-rot) & 63u));
}

static inline double lrk_exponential_ziggurat_split(lrk_uint128 *state, lrk_uint128 increment)
{
    uint64_t bits = lrk_pcg64_next_split(state, increment) >> 3;
    unsigned layer = (unsigned)(bits & 0xffu);
    bits >>= 8;
    double x = (double)bits * lrk_ziggurat_exp_w[layer];
    if (__builtin_expect(bits < lrk_ziggurat_exp_k[layer], 1))
        return x;
    lrk_pcg64 g = {*state, increment};
    x = lrk_ziggurat_exp_slow(&g, layer, x);
    *state = g.state;
    return x;
}

#endif /* LREKMC_RNG_INLINE_H */
