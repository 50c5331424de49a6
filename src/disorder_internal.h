/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_internal.h - a test hook of the disorder engine, internal to the
 * library and its tests: a deliberately broken variant of the operational-time
 * engine (each gap is mapped to real time with h(n + 1) instead of h(n)), so
 * that tests/test_disorder.c can show its equality-in-distribution test
 * rejects a wrong engine.  Never selected by configuration.  And the first
 * phase of the operational-time engine on its own, for the benchmark's
 * per-phase timing (bench/bench_disorder.c).
 */
#ifndef LREKMC_DISORDER_INTERNAL_H
#define LREKMC_DISORDER_INTERNAL_H

#include "lrekmc/disorder.h"

#define DISORDER_METHOD_BROKEN ((lrk_disorder_method)99)

/* s[0..N) = the trajectory's operational times E_i exp((V0 + delta_i)/T),
 * drawn from g as lrk_disorder_simulate does; bins[0..disorder_sort_bin_size(N))
 * = their coarse counts for disorder_sort_binned (disorder_sort.h); lo and
 * hi = bits with the coarse keys of the smallest and the largest of them
 * (all that disorder_sort_binned reads of its lo and hi). */
void disorder_operational_times(const lrk_disorder_engine *e, lrk_pcg64 *g, double *s, uint32_t *bins, uint64_t *lo,
                                uint64_t *hi);

#endif /* LREKMC_DISORDER_INTERNAL_H */
