/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_rng_oracle.cpp - lrekmc's PCG (rng.h) against the reference C++
 * implementation pcg-cpp (pcg_random.hpp), output for output: seeding with
 * edge-case seeds and streams, millions of outputs, advance() by small,
 * huge and wrapping deltas, and backstep.  Built only when a C++ compiler
 * and the header are found (tests/rng_oracle.cmake).  Also: trajectory
 * generators (streams.h) rebuilt with pcg-cpp from their documented seeds.
 */
#include <criterion/criterion.h>

#include <cstdint>

#include <pcg_random.hpp>

#include "lrekmc/rng.h"
#include "lrekmc/streams.h"

namespace {

const uint64_t edge_values[] = {0u, 1u, 42u, 54u, uint64_t(1) << 63, ~uint64_t(0)};
const size_t edge_count = sizeof edge_values / sizeof edge_values[0];

const size_t long_run = size_t(1) << 22;  /* 4 M outputs */
const size_t short_run = size_t(1) << 14; /* per (seed, stream) pair */

/* Compare `count` outputs; report the first mismatch only. */
template <typename Ours, typename Theirs, typename Next>
void compare_outputs(Ours &ours, Theirs &theirs, Next next, size_t count, const char *what,
                     uint64_t seed, uint64_t stream)
{
    for (size_t i = 0; i < count; i++) {
        uint64_t a = next(&ours), b = theirs();
        if (a != b)
            cr_assert_fail("%s seed %llu stream %llu: output %zu is %llx, pcg-cpp %llx", what,
                           (unsigned long long)seed, (unsigned long long)stream, i,
                           (unsigned long long)a, (unsigned long long)b);
    }
}

uint64_t next32(lrk_pcg32 *g) { return lrk_pcg32_next(g); }
uint64_t next64(lrk_pcg64 *g) { return lrk_pcg64_next(g); }

} // namespace

Test(rng_oracle, pcg32_four_million_outputs)
{
    lrk_pcg32 ours;
    lrk_pcg32_seed(&ours, 20261125u, 7u);
    pcg32 theirs(20261125u, 7u);
    compare_outputs(ours, theirs, next32, long_run, "pcg32", 20261125u, 7u);
}

Test(rng_oracle, pcg64_four_million_outputs)
{
    lrk_pcg64 ours;
    lrk_pcg64_seed(&ours, 20261125u, 7u);
    pcg64 theirs(20261125u, 7u);
    compare_outputs(ours, theirs, next64, long_run, "pcg64", 20261125u, 7u);
}

Test(rng_oracle, pcg32_edge_seeds_and_streams)
{
    for (size_t s = 0; s < edge_count; s++)
        for (size_t k = 0; k < edge_count; k++) {
            lrk_pcg32 ours;
            lrk_pcg32_seed(&ours, edge_values[s], edge_values[k]);
            pcg32 theirs(edge_values[s], edge_values[k]);
            compare_outputs(ours, theirs, next32, short_run, "pcg32", edge_values[s], edge_values[k]);
        }
}

Test(rng_oracle, pcg64_edge_seeds_and_streams)
{
    for (size_t s = 0; s < edge_count; s++)
        for (size_t k = 0; k < edge_count; k++) {
            lrk_pcg64 ours;
            lrk_pcg64_seed(&ours, edge_values[s], edge_values[k]);
            pcg64 theirs(edge_values[s], edge_values[k]);
            compare_outputs(ours, theirs, next64, short_run, "pcg64", edge_values[s], edge_values[k]);
        }
}

namespace {

const uint64_t deltas64[] = {0u, 1u, 2u, 12345u, (uint64_t(1) << 40) + 7u, uint64_t(1) << 63,
                             ~uint64_t(0) - 1u, ~uint64_t(0)};
const size_t delta_count = sizeof deltas64 / sizeof deltas64[0];

/* 128-bit deltas for pcg64: beyond 2^64, and the wrapping ones (2^128 - d
 * steps back by d). */
lrk_uint128 big_delta(size_t i)
{
    const lrk_uint128 one = 1u;
    switch (i) {
    case 0: return (one << 64);
    case 1: return (one << 100) + 12345u;
    case 2: return ((one << 127) | (one << 64)) + 987654321u;
    case 3: return ~(lrk_uint128)0;        /* back by one */
    default: return ~(lrk_uint128)0 - 99u; /* back by 100 */
    }
}
const size_t big_delta_count = 5;

} // namespace

/* Advance a fresh generator and a partly used one; then the next outputs
 * must agree. */
Test(rng_oracle, pcg32_advance)
{
    for (size_t k = 0; k < edge_count; k++)
        for (size_t d = 0; d < delta_count; d++) {
            lrk_pcg32 ours;
            lrk_pcg32_seed(&ours, 42u, edge_values[k]);
            pcg32 theirs(42u, edge_values[k]);
            compare_outputs(ours, theirs, next32, 1000, "pcg32 before advance", 42u, edge_values[k]);
            lrk_pcg32_advance(&ours, deltas64[d]);
            theirs.advance(deltas64[d]);
            compare_outputs(ours, theirs, next32, 1000, "pcg32 after advance", deltas64[d],
                            edge_values[k]);
        }
}

Test(rng_oracle, pcg64_advance)
{
    for (size_t k = 0; k < edge_count; k++) {
        for (size_t d = 0; d < delta_count + big_delta_count; d++) {
            lrk_uint128 delta = d < delta_count ? lrk_uint128(deltas64[d]) : big_delta(d - delta_count);
            lrk_pcg64 ours;
            lrk_pcg64_seed(&ours, 42u, edge_values[k]);
            pcg64 theirs(42u, edge_values[k]);
            compare_outputs(ours, theirs, next64, 1000, "pcg64 before advance", 42u, edge_values[k]);
            lrk_pcg64_advance(&ours, delta);
            theirs.advance(delta);
            compare_outputs(ours, theirs, next64, 1000, "pcg64 after advance",
                            (uint64_t)(delta >> 64) ^ (uint64_t)delta, edge_values[k]);
        }
    }
}

/* pcg-cpp's backstep(d) is advance(-d); ours is advance(2^w - d).  After
 * stepping back over n outputs both generators repeat them. */
Test(rng_oracle, pcg32_backstep)
{
    const uint64_t steps[] = {1u, 100u, 12345u};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        lrk_pcg32 ours;
        lrk_pcg32_seed(&ours, 7u, 3u);
        pcg32 theirs(7u, 3u);
        lrk_pcg32 start = ours;
        for (uint64_t n = 0; n < steps[i]; n++)
            lrk_pcg32_next(&ours);
        theirs.discard(steps[i]);
        lrk_pcg32_advance(&ours, uint64_t(0) - steps[i]);
        theirs.backstep(steps[i]);
        cr_assert_eq(ours.state, start.state, "back %llu", (unsigned long long)steps[i]);
        compare_outputs(ours, theirs, next32, 1000, "pcg32 after backstep", 7u, 3u);
    }
}

Test(rng_oracle, pcg64_backstep)
{
    const uint64_t steps[] = {1u, 100u, 12345u};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++) {
        lrk_pcg64 ours;
        lrk_pcg64_seed(&ours, 7u, 3u);
        pcg64 theirs(7u, 3u);
        lrk_pcg64 start = ours;
        for (uint64_t n = 0; n < steps[i]; n++)
            lrk_pcg64_next(&ours);
        theirs.discard(steps[i]);
        lrk_pcg64_advance(&ours, lrk_uint128(0) - steps[i]);
        theirs.backstep(steps[i]);
        cr_assert(ours.state == start.state, "back %llu", (unsigned long long)steps[i]);
        compare_outputs(ours, theirs, next64, 1000, "pcg64 after backstep", 7u, 3u);
    }
}

/* A trajectory's generator rebuilt with pcg-cpp alone from the documented
 * (initstate, initseq) of streams.h: pcg64(initstate, initseq) gives the
 * draws lrk_trajectory_rng's generator gives, and the KMC engine's
 * trajectory i consumes exactly those (tests/test_kmc.c replays it). */
Test(rng_oracle, trajectory_streams_replayed_by_pcg_cpp)
{
    lrk_model models[2] = {};
    models[0].mode = LRK_MODE_SER, models[0].V0 = 1.0, models[0].V1 = 2.0, models[0].T = 1.0, models[0].N = 50;
    models[1].mode = LRK_MODE_CROSSOVER, models[1].V0 = 0.3, models[1].V1 = 0.115, models[1].T = 0.25;
    models[1].A = 0.5, models[1].T0 = 0.07, models[1].N = 2000;
    const long indices[] = {0, 1, 2, 1023, 4294967296L};
    for (const lrk_model &m : models)
        for (lrk_streams s : {LRK_STREAMS_INDEPENDENT, LRK_STREAMS_COMMON}) {
            lrk_stream_key key;
            lrk_stream_key_init(&key, 42u, &m, s);
            for (long i : indices) {
                lrk_uint128 initstate, initseq;
                lrk_trajectory_seed(&key, uint64_t(i), &initstate, &initseq);
                pcg64 theirs(initstate, initseq);
                lrk_pcg64 ours;
                lrk_trajectory_rng(&key, i, &ours);
                compare_outputs(ours, theirs, next64, short_run, "trajectory", uint64_t(i), uint64_t(s));
            }
        }
}
