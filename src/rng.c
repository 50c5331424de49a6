/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rng.c - PCG generators (rng.h), transcribed from the reference pcg-c.
 *
 * pcg32 outputs a function of the state *before* its step, pcg64 of the state
 * *after* it; this asymmetry is the reference's and is kept so that outputs
 * match pcg-c and pcg-cpp exactly.
 */
#include "lrekmc/rng.h"

#include <math.h>

#include "rng_inline.h"

#define PCG32_MULTIPLIER 6364136223846793005ULL
#define PCG64_MULTIPLIER \
    (((lrk_uint128)2549297995355413924ULL << 64) + 4865540595714422341ULL)

static inline uint32_t rotate_right32(uint32_t value, unsigned rot)
{
    return (value >> rot) | (value << ((-rot) & 31u));
}

static inline uint64_t rotate_right64(uint64_t value, unsigned rot)
{
    return (value >> rot) | (value << ((-rot) & 63u));
}

void lrk_pcg32_seed(lrk_pcg32 *g, uint64_t seed, uint64_t stream)
{
    g->state = 0u;
    g->increment = (stream << 1u) | 1u;
    lrk_pcg32_next(g);
    g->state += seed;
    lrk_pcg32_next(g);
}

uint32_t lrk_pcg32_next(lrk_pcg32 *g)
{
    uint64_t old = g->state;
    g->state = old * PCG32_MULTIPLIER + g->increment;
    uint32_t xorshifted = (uint32_t)(((old >> 18u) ^ old) >> 27u);
    return rotate_right32(xorshifted, (unsigned)(old >> 59u));
}

/* Brown's algorithm, "Random number generation with arbitrary strides":
 * compose the affine step x -> m x + c with itself by repeated squaring. */
void lrk_pcg32_advance(lrk_pcg32 *g, uint64_t delta)
{
    uint64_t cur_mult = PCG32_MULTIPLIER, cur_plus = g->increment;
    uint64_t acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    g->state = acc_mult * g->state + acc_plus;
}

void lrk_pcg64_seed(lrk_pcg64 *g, uint64_t seed, uint64_t stream)
{
    lrk_pcg64_seed128(g, seed, stream);
}

void lrk_pcg64_seed128(lrk_pcg64 *g, lrk_uint128 initstate, lrk_uint128 initseq)
{
    g->state = 0u;
    g->increment = (initseq << 1u) | 1u;
    g->state = g->state * PCG64_MULTIPLIER + g->increment;
    g->state += initstate;
    g->state = g->state * PCG64_MULTIPLIER + g->increment;
}

uint64_t lrk_pcg64_next(lrk_pcg64 *g)
{
    g->state = g->state * PCG64_MULTIPLIER + g->increment;
    uint64_t folded = (uint64_t)(g->state >> 64u) ^ (uint64_t)g->state;
    return rotate_right64(folded, (unsigned)(g->state >> 122u));
}

void lrk_pcg64_advance(lrk_pcg64 *g, lrk_uint128 delta)
{
    lrk_uint128 cur_mult = PCG64_MULTIPLIER, cur_plus = g->increment;
    lrk_uint128 acc_mult = 1u, acc_plus = 0u;
    while (delta > 0) {
        if (delta & 1u) {
            acc_mult *= cur_mult;
            acc_plus = acc_plus * cur_mult + cur_plus;
        }
        cur_plus = (cur_mult + 1u) * cur_plus;
        cur_mult *= cur_mult;
        delta >>= 1u;
    }
    g->state = acc_mult * g->state + acc_plus;
}

double lrk_pcg64_uniform(lrk_pcg64 *g)
{
    /* 52 bits, not 53: (2^53 - 1/2) / 2^53 would round to exactly 1.0, while
     * (2^52 - 1/2) / 2^52 = 1 - 2^-53 is a double. */
    return ((double)(lrk_pcg64_next(g) >> 12) + 0.5) * 0x1.0p-52;
}

double lrk_pcg64_exponential(lrk_pcg64 *g)
{
    return -log(lrk_pcg64_uniform(g));
}

/* Outside the rectangle of its layer: layer 0 draws from the tail beyond r,
 * other layers accept x under the density exp(-x) by a uniform height in the
 * wedge between f[layer] and f[layer - 1], and otherwise start afresh. */
double lrk_ziggurat_exp_slow(lrk_pcg64 *g, unsigned layer, double x)
{
    for (;;) {
        if (layer == 0)
            return LRK_ZIGGURAT_EXP_R - log(lrk_pcg64_uniform(g));
        double height = lrk_ziggurat_exp_f[layer]
                        + lrk_pcg64_uniform(g) * (lrk_ziggurat_exp_f[layer - 1] - lrk_ziggurat_exp_f[layer]);
        if (height < exp(-x))
            return x;
        uint64_t bits = lrk_pcg64_next(g) >> 3;
        layer = (unsigned)(bits & 0xffu);
        bits >>= 8;
        x = (double)bits * lrk_ziggurat_exp_w[layer];
        if (bits < lrk_ziggurat_exp_k[layer])
            return x;
    }
}

double lrk_pcg64_exponential_ziggurat(lrk_pcg64 *g)
{
    return lrk_pcg64_exponential_ziggurat_inline(g);
}
