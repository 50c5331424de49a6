/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rng.h - PCG random number generators (M. E. O'Neill, pcg-random.org).
 *
 *   lrk_pcg32: 64-bit state LCG with XSH-RR output, 32-bit values.
 *   lrk_pcg64: 128-bit state LCG with XSL-RR output, 64-bit values.
 *
 * Both take a seed and a stream; distinct streams are independent sequences.
 * Seeding matches the reference pcg-c `pcg32_srandom_r` / `pcg64_srandom_r`
 * and the pcg-cpp constructors `pcg32 rng(seed, stream)` and
 * `pcg64 rng(seed, stream)` bit for bit, so outputs can be checked against
 * them.  lrekmc gives trajectory i of a run the stream i of the run's seed.
 *
 * The generators are plain structs: copy them freely, no allocation.
 */
#ifndef LREKMC_RNG_H
#define LREKMC_RNG_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* 128-bit arithmetic is a GCC/Clang extension; __extension__ keeps
 * -Wpedantic quiet for exactly this one declaration. */
__extension__ typedef unsigned __int128 lrk_uint128;

typedef struct lrk_pcg32 {
    uint64_t state;
    uint64_t increment; /* odd; selects the stream */
} lrk_pcg32;

typedef struct lrk_pcg64 {
    lrk_uint128 state;
    lrk_uint128 increment; /* odd; selects the stream */
} lrk_pcg64;

void lrk_pcg32_seed(lrk_pcg32 *g, uint64_t seed, uint64_t stream);
uint32_t lrk_pcg32_next(lrk_pcg32 *g);
/* Jump ahead by delta outputs (delta may wrap: 2^64 - 1 steps back by one). */
void lrk_pcg32_advance(lrk_pcg32 *g, uint64_t delta);

void lrk_pcg64_seed(lrk_pcg64 *g, uint64_t seed, uint64_t stream);
uint64_t lrk_pcg64_next(lrk_pcg64 *g);
/* Jump ahead by delta outputs in O(log delta) steps. */
void lrk_pcg64_advance(lrk_pcg64 *g, lrk_uint128 delta);

/* Uniform double strictly inside (0, 1): (k + 1/2) / 2^52 for the top 52
 * bits k of one output, so it lies in [2^-53, 1 - 2^-53]. */
double lrk_pcg64_uniform(lrk_pcg64 *g);

/* Exponential variate of mean 1, -log(uniform): always finite and > 0,
 * at most 53 ln 2 ~ 36.7. */
double lrk_pcg64_exponential(lrk_pcg64 *g);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_RNG_H */
