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

#include "disorder_sort.h"

#define DISORDER_METHOD_BROKEN ((lrk_disorder_method)99)

/* The trajectory's operational times E_i exp((V0 + delta_i)/T), drawn from
 * g as lrk_disorder_simulate does, put into `out` (disorder_sort.h; its
 * disorder_buckets_sort then gives them sorted). */
void disorder_operational_times(const lrk_disorder_engine *e, lrk_pcg64 *g, disorder_buckets *out);

#endif /* LREKMC_DISORDER_INTERNAL_H */
