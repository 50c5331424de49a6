/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * streams.h - the random stream of every trajectory: one PCG64 per
 * trajectory, its state *and* increment derived from (seed, point key,
 * trajectory index) by NumPy's SeedSequence (O'Neill's seed_seq design,
 * numpy/random/bit_generator.pyx), reproduced word for word.
 *
 * Why.  Before, trajectory i used PCG64 (seed, stream i): one state seed and
 * increments 2i + 1 that differ in a few low bits.  Such streams are
 * correlated (the LCGs differ by an affine map with a small offset), and it
 * showed: at N = 50 the mean chi2 over 1200 seeds was 2.5 % low (-4.3 sigma)
 * and block means of consecutive trajectories were 10 % too variable.  A
 * hash that avalanches every input bit into all 256 bits of (state,
 * increment) removes that structure; SeedSequence is a published, studied
 * such hash, and following it exactly lets anyone rebuild a trajectory's
 * generator with NumPy alone.
 *
 * The derivation, exactly (all words uint32, little end first):
 *  1. Entropy words E (lrk_stream_entropy):
 *       seed_lo, seed_hi                                (kmc.seed, 64 bits)
 *     and, for LRK_STREAMS_INDEPENDENT only, the point key, the resolved
 *     model that fixes the trajectories' law:
 *       mode (ser 0, cer 1, crossover 2),
 *       V0, V1, T as IEEE-754 binary64 bit patterns, 2 words each (-0 as +0),
 *       N as 64 bits (2 words),
 *       and for mode crossover only: A, T0 (2 words each).
 *     A model field added later (disorder, space) is appended, as a tag word
 *     and its value, only when it is not at its neutral value (no disorder,
 *     no lattice), so existing points keep their streams:
 *       disorder (lrk_disorder_active): LRK_STREAM_TAG_DISORDER, the kind
 *       (normal 1, uniform 2, exponential 3, bimodal 4), width (2 words);
 *       then space (model.space.lattice != none): LRK_STREAM_TAG_SPACE, the
 *       lattice (cubic 1), the kernel (r3 0, uniform 1), Lx, Ly, Lz (one
 *       word each), and for r3 only d_el (2 words).
 *  2. Trajectory i is the SeedSequence child with that entropy and spawn key
 *     (i,) - in NumPy, np.random.SeedSequence(E, spawn_key=(i,)), which is
 *     also np.random.SeedSequence(E).spawn(n)[i]:
 *     the pool of 4 words mixes E padded with zeros to 4 words, then the words
 *     of i (one word when i < 2^32, else two).
 *  3. w = generate_state(4, uint64):  initstate = w[0] 2^64 + w[1],
 *                                     initseq   = w[2] 2^64 + w[3].
 *  4. PCG64 is seeded as pcg-cpp's pcg64(initstate, initseq), pcg-c's
 *     pcg64_srandom_r and NumPy's PCG64(SeedSequence) do: increment =
 *     2 initseq + 1 (mod 2^128, so always odd), state = 0, one step,
 *     state += initstate, one step.  Hence the generator is exactly
 *     np.random.PCG64(np.random.SeedSequence(E, spawn_key=(i,))), and its
 *     random_raw() outputs are lrk_pcg64_next's.
 * docs/kmc.md has a Python example; tests/streams_numpy.py checks all of it
 * against NumPy, tests/test_rng_oracle.cpp against pcg-cpp.
 *
 * Cost: the seed and point words are mixed once per run into a key; a
 * trajectory costs the mixing of its index and 8 output words, about 60
 * 32-bit multiplies (tens of nanoseconds: bench/bench_kmc).
 *
 * Determinism: the generator depends on (seed, model, i) only: not on the
 * thread, batch, rank, the number of trajectories, the grid, the fit, the
 * sweep the point belongs to or its place in it.
 */
#ifndef LREKMC_STREAMS_H
#define LREKMC_STREAMS_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/model.h"
#include "lrekmc/rng.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_streams {
    /* Each point has its own streams, keyed by its model (the default). */
    LRK_STREAMS_INDEPENDENT = 0,
    /* Every point uses the streams of the seed alone: common random numbers
     * across points, for differences between points (a beta(T) curve, a
     * derivative in V1); their errors are then correlated between points. */
    LRK_STREAMS_COMMON
} lrk_streams;

/* "independent", "common": indexed by lrk_streams, NULL-terminated (the one
 * list behind lrk_streams_name and the kmc.streams key). */
extern const char *const lrk_streams_names[];

/* "independent", "common"; NULL for an unknown value. */
const char *lrk_streams_name(lrk_streams s);

/* A run's SeedSequence state after its entropy words: the 4-word pool and the
 * running hash constant.  Plain data; trajectory generators come from it. */
typedef struct lrk_stream_key {
    uint32_t pool[4];
    uint32_t hash_const;
    uint64_t seed;       /* kmc.seed, kept for the record */
} lrk_stream_key;

/* Most entropy words lrk_stream_entropy writes. */
#define LRK_STREAM_ENTROPY_MAX 32
/* The tag word before the disorder words of the entropy ("DSOR"). */
#define LRK_STREAM_TAG_DISORDER 0x44534f52u
/* The tag word before the space words ("SPAC"). */
#define LRK_STREAM_TAG_SPACE 0x53504143u

/* The entropy words E of step 1 into words[LRK_STREAM_ENTROPY_MAX]; returns
 * their count.  The model must be valid (lrk_model_validate). */
size_t lrk_stream_entropy(uint64_t seed, const lrk_model *m, lrk_streams streams, uint32_t *words);

/* Mix `count` entropy words into a key (SeedSequence's mix_entropy up to the
 * spawn key; E is padded with zeros to 4 words). */
void lrk_stream_key_from_entropy(const uint32_t *words, size_t count, lrk_stream_key *key);

/* lrk_stream_entropy then lrk_stream_key_from_entropy (key->seed = seed;
 * lrk_stream_key_from_entropy leaves key->seed at 0). */
void lrk_stream_key_init(lrk_stream_key *key, uint64_t seed, const lrk_model *m, lrk_streams streams);

/* Step 3: generate_state(4, uint64) of trajectory i's SeedSequence, and the
 * (initstate, initseq) pair built from it. */
void lrk_trajectory_state_words(const lrk_stream_key *key, uint64_t i, uint64_t words[4]);
void lrk_trajectory_seed(const lrk_stream_key *key, uint64_t i, lrk_uint128 *initstate,
                         lrk_uint128 *initseq);

/* Trajectory i's generator (i >= 0): steps 2 to 4. */
void lrk_trajectory_rng(const lrk_stream_key *key, long i, lrk_pcg64 *out);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_STREAMS_H */
