/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_sample.h - the fast samplers behind the disorder engine, internal
 * to the library and its tests (tests/test_disorder_sample.c):
 *  - the standard normal by a 256-layer ziggurat (Marsaglia & Tsang 2000,
 *    numpy's layout: one 64-bit output gives the layer (8 bits), the sign
 *    (1 bit) and a 52-bit magnitude; 98.8 % of the draws take one output and
 *    a multiply).  The table is a parameter so that the tests can show their
 *    statistics reject a broken one.
 *  - exp() of a whole array, our own (the same bits everywhere).
 * Support of the normal: the layers give |z| < r = 3.654; the tail (Marsaglia's
 * method, x = -ln(U1)/r accepted when 2(-ln U2) > x^2, U in [2^-53, 1 - 2^-53])
 * gives x < sqrt(2 * 53 ln 2) = 8.5717, so |z| < 12.2259 < LRK_DISORDER_NORMAL_ZMAX.
 */
#ifndef LREKMC_DISORDER_SAMPLE_H
#define LREKMC_DISORDER_SAMPLE_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "rng_inline.h"

typedef struct normal_ziggurat {
    double r;       /* right edge of the base layer, start of the tail */
    uint64_t k[256];/* fast-accept thresholds of the 52-bit magnitude */
    double w[256];  /* magnitude -> x scale */
    double f[256];  /* exp(-x_i^2 / 2) at the layer edges */
} normal_ziggurat;

/* src/disorder_normal_tables.c (scripts/gen_normal_ziggurat_tables.py) */
extern const normal_ziggurat disorder_normal_table;

/* A uniform in [2^-53, 1 - 2^-53] (never 0 or 1), 52 bits. */
static inline double disorder_uniform52(lrk_pcg64 *g)
{
    return ((double)(lrk_pcg64_next_inline(g) >> 12) + 0.5) * 0x1.0p-52;
}

/* The rare branch: layer 0 (tail) or a wedge; x >= 0, sign_bit is 0 or
 * 1 << 63.  Defined in disorder_sample.c. */
double disorder_normal_slow(lrk_pcg64 *g, const normal_ziggurat *z, unsigned layer, double x, uint64_t sign_bit);

/* A standard normal variate x >= r from the tail (Marsaglia's method). */
double disorder_normal_tail(lrk_pcg64 *g, double r);

/* One pcg64 step on a state the caller keeps in a local variable (so that
 * it stays in registers across a loop; rng_inline.h does the same). */
static inline uint64_t disorder_pcg64_step(lrk_uint128 *state, lrk_uint128 increment)
{
    lrk_uint128 s = *state * LRK_PCG64_MULTIPLIER + increment;
    *state = s;
    uint64_t folded = (uint64_t)(s >> 64u) ^ (uint64_t)s;
    unsigned rot = (unsigned)(s >> 122u);
    return (folded >> rot) | (folded << ((-rot) & 63u));
}

/* The common fast path of both normal samplers: one 64-bit output gives the
 * layer (8 bits), the sign (1 bit) and a 52-bit magnitude; 1 with the
 * variate in *x when it falls inside its layer's rectangle (the sign by its
 * bit, not a branch on a coin flip), else 0 with what the slow path needs. */
static inline int disorder_normal_fast(uint64_t bits, const normal_ziggurat *z, double *x, unsigned *layer,
                                       uint64_t *sign_bit)
{
    *layer = (unsigned)(bits & 0xffu);
    *sign_bit = (bits & 0x100u) << 55;
    uint64_t magnitude = bits >> 12;
    *x = (double)magnitude * z->w[*layer];
    if (__builtin_expect(magnitude >= z->k[*layer], 0))
        return 0;
    uint64_t b;
    memcpy(&b, x, sizeof b);
    b ^= *sign_bit;
    memcpy(x, &b, sizeof b);
    return 1;
}

/* The normal on a split generator: only the rare slow path rebuilds an
 * lrk_pcg64.  The same variates as disorder_normal_ziggurat. */
static inline double disorder_normal_split(lrk_uint128 *state, lrk_uint128 increment, const normal_ziggurat *z)
{
    double x;
    unsigned layer;
    uint64_t sign_bit;
    if (disorder_normal_fast(disorder_pcg64_step(state, increment), z, &x, &layer, &sign_bit))
        return x;
    lrk_pcg64 g = {*state, increment};
    x = disorder_normal_slow(&g, z, layer, x, sign_bit);
    *state = g.state;
    return x;
}

static inline double disorder_normal_ziggurat(lrk_pcg64 *g, const normal_ziggurat *z)
{
    double x;
    unsigned layer;
    uint64_t sign_bit;
    if (disorder_normal_fast(lrk_pcg64_next_inline(g), z, &x, &layer, &sign_bit))
        return x;
    return disorder_normal_slow(g, z, layer, x, sign_bit);
}

/* exp(x) for |x| <= 700 (the engine's log-rates stay within +-650), less
 * than one ulp from the exact value, computed by fixed double and integer
 * operations from x alone (disorder_sample.c): the same bits on every
 * machine, compiler flags within ISO C, and libm.  Outside that range the
 * result is not specified. */
double disorder_exp(double x);

/* out[i] = disorder_exp(x[i]) * f[i] for i < n (out may be x), two lanes at
 * a time with SSE2 (exactly the scalar operations: the bytes do not depend
 * on the CPU, on n or on the position of an element). */
void disorder_exp_times(const double *x, const double *f, double *out, size_t n);

/* Which path disorder_exp_times takes (for the benchmark's report). */
const char *disorder_exp_routine(void);

#endif /* LREKMC_DISORDER_SAMPLE_H */
