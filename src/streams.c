/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * streams.c - trajectory generators from (seed, point key, index) by NumPy's
 * SeedSequence (streams.h has the derivation).  The constants and the order
 * of the hash steps are those of numpy/random/bit_generator.pyx (itself after
 * M. E. O'Neill's seed_seq alternative, pcg-random.org, 2015); any change
 * here changes every trajectory, and tests/streams_numpy.py compares the
 * words with NumPy's.
 */
#include "lrekmc/streams.h"

#include "lrekmc/disorder.h"

#include <string.h>

#define POOL_SIZE 4
#define INIT_A 0x43b0d7e5u
#define MULT_A 0x931e8875u
#define INIT_B 0x8b51f9ddu
#define MULT_B 0x58f38dedu
#define MIX_MULT_L 0xca01f9ddu
#define MIX_MULT_R 0x4973f715u
#define XSHIFT 16

/* The multiplier moves on with every word hashed: hash_const is in-out. */
static uint32_t hashmix(uint32_t value, uint32_t *hash_const)
{
    value ^= *hash_const;
    *hash_const *= MULT_A;
    value *= *hash_const;
    return value ^ (value >> XSHIFT);
}

static uint32_t mix(uint32_t x, uint32_t y)
{
    uint32_t result = MIX_MULT_L * x - MIX_MULT_R * y;
    return result ^ (result >> XSHIFT);
}

/* SeedSequence's "remaining entropy" loop: each word enters every pool word. */
static void mix_word(lrk_stream_key *key, uint32_t word)
{
    for (int dst = 0; dst < POOL_SIZE; dst++)
        key->pool[dst] = mix(key->pool[dst], hashmix(word, &key->hash_const));
}

const char *const lrk_streams_names[] = {"independent", "common", NULL};

const char *lrk_streams_name(lrk_streams s)
{
    return (int)s >= 0 && (int)s < 2 ? lrk_streams_names[s] : NULL;
}

static size_t put_u64(uint32_t *words, size_t n, uint64_t value)
{
    words[n] = (uint32_t)value;
    words[n + 1] = (uint32_t)(value >> 32);
    return n + 2;
}

/* -0 and +0 give the same rates, hence the same law: one bit pattern. */
static size_t put_double(uint32_t *words, size_t n, double value)
{
    uint64_t bits;
    if (value == 0)
        value = 0;
    memcpy(&bits, &value, sizeof bits);
    return put_u64(words, n, bits);
}

size_t lrk_stream_entropy(uint64_t seed, const lrk_model *m, lrk_streams streams, uint32_t *words)
{
    size_t n = put_u64(words, 0, seed);
    if (streams == LRK_STREAMS_COMMON)
        return n;
    words[n++] = (uint32_t)m->mode;
    n = put_double(words, n, m->V0);
    n = put_double(words, n, m->V1);
    n = put_double(words, n, m->T);
    n = put_u64(words, n, (uint64_t)m->N);
    if (m->mode == LRK_MODE_CROSSOVER) {
        n = put_double(words, n, m->A);
        n = put_double(words, n, m->T0);
    }
    if (lrk_disorder_active(m)) {
        words[n++] = LRK_STREAM_TAG_DISORDER;
        words[n++] = (uint32_t)m->disorder.kind;
        n = put_double(words, n, m->disorder.width);
    }
    if (m->space.lattice != LRK_LATTICE_NONE) {
        /* the box and the kernel fix which sites fire; d_el enters the
         * trajectories only through the r3 couplings (for uniform it is the
         * avalanche criterion, an observation) */
        words[n++] = LRK_STREAM_TAG_SPACE;
        words[n++] = (uint32_t)m->space.lattice;
        words[n++] = (uint32_t)m->space.kernel;
        words[n++] = (uint32_t)m->space.Lx;
        words[n++] = (uint32_t)m->space.Ly;
        words[n++] = (uint32_t)m->space.Lz;
        if (m->space.kernel == LRK_KERNEL_R3)
            n = put_double(words, n, m->space.d_el);
    }
    return n;
}

void lrk_stream_key_from_entropy(const uint32_t *words, size_t count, lrk_stream_key *key)
{
    memset(key, 0, sizeof *key);
    key->hash_const = INIT_A;
    for (size_t i = 0; i < POOL_SIZE; i++)
        key->pool[i] = hashmix(i < count ? words[i] : 0u, &key->hash_const);
    /* Every pool word into every other, so late words reach early ones. */
    for (int src = 0; src < POOL_SIZE; src++)
        for (int dst = 0; dst < POOL_SIZE; dst++)
            if (src != dst)
                key->pool[dst] = mix(key->pool[dst], hashmix(key->pool[src], &key->hash_const));
    for (size_t i = POOL_SIZE; i < count; i++)
        mix_word(key, words[i]);
}

void lrk_stream_key_init(lrk_stream_key *key, uint64_t seed, const lrk_model *m, lrk_streams streams)
{
    uint32_t words[LRK_STREAM_ENTROPY_MAX];
    size_t count = lrk_stream_entropy(seed, m, streams, words);
    lrk_stream_key_from_entropy(words, count, key);
    key->seed = seed;
}

void lrk_trajectory_state_words(const lrk_stream_key *key, uint64_t i, uint64_t words[4])
{
    lrk_stream_key child = *key;
    /* The spawn key (i,) as NumPy splits an integer: low word first, as many
     * words as it needs, at least one. */
    mix_word(&child, (uint32_t)i);
    if (i >> 32)
        mix_word(&child, (uint32_t)(i >> 32));
    uint32_t hash_const = INIT_B, state[2 * 4];
    for (int d = 0; d < 2 * 4; d++) {
        uint32_t value = child.pool[d % POOL_SIZE] ^ hash_const;
        hash_const *= MULT_B;
        value *= hash_const;
        state[d] = value ^ (value >> XSHIFT);
    }
    for (int k = 0; k < 4; k++)
        words[k] = (uint64_t)state[2 * k] | (uint64_t)state[2 * k + 1] << 32;
}

void lrk_trajectory_seed(const lrk_stream_key *key, uint64_t i, lrk_uint128 *initstate, lrk_uint128 *initseq)
{
    uint64_t w[4];
    lrk_trajectory_state_words(key, i, w);
    *initstate = (lrk_uint128)w[0] << 64 | w[1];
    *initseq = (lrk_uint128)w[2] << 64 | w[3];
}

#ifdef LREKMC_TEST_HOOKS
/* Test builds only (tests/streams.cmake compiles this file again into the
 * tests that need it): nonzero brings back the seeding before issue 10,
 * PCG64 (seed, stream i), so that the tests can show they detect it. */
extern int streams_test_legacy;
int streams_test_legacy;
#endif

void lrk_trajectory_rng(const lrk_stream_key *key, long i, lrk_pcg64 *out)
{
#ifdef LREKMC_TEST_HOOKS
    if (streams_test_legacy) {
        lrk_pcg64_seed(out, key->seed, (uint64_t)i);
        return;
    }
#endif
    lrk_uint128 initstate, initseq;
    lrk_trajectory_seed(key, (uint64_t)i, &initstate, &initseq);
    lrk_pcg64_seed128(out, initstate, initseq);
}
