/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_campaign_start.c - what a campaign of many points costs before its
 * first point: the configuration hash of every point (needed to match a
 * resumed or grown campaign's finished points), by the fast per-point form
 * (point_hash.h) against building and hashing each point in full, the
 * reference, in the same process.
 *
 *   build/bench/bench_campaign_start [POINTS]   (default 10^6, at most 10^7)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "../src/point_hash.h"
#include "lrekmc/campaign.h"

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

int main(int argc, char **argv)
{
    long points = argc > 1 ? atol(argv[1]) : 1000000;
    if (points < 100 || points > 10000000) {
        fprintf(stderr, "usage: bench_campaign_start [POINTS in 100..10^7]\n");
        return 2;
    }
    long a = 100;
    while (a * a < points)
        a++;
    char yaml[512];
    snprintf(yaml, sizeof yaml,
             "kmc: {trajectories: 0}\nsweep:\n  model.T: {linspace: [0.5, 2, %ld]}\n"
             "  model.V0: {linspace: [0.5, 2, %ld]}\n", points / a, a);
    lrk_config base;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&base);
    if (lrk_config_load_string(&base, "bench", yaml, strlen(yaml), &d) != LRK_OK
        || lrk_config_validate(&base, &d) != LRK_OK) {
        lrk_diagnostics_print(&d, stderr);
        return 1;
    }
    size_t count = lrk_config_sweep_point_count(&base);
    double t0 = now();
    point_hasher *h = NULL;
    if (point_hasher_create(&base, &h, NULL) != LRK_OK)
        return 1;
    uint64_t mix = 0;
    for (size_t k = 0; k < count; k++)
        mix ^= point_hasher_hash(h, k);
    double fast = now() - t0;
    /* the reference on a sample (it is ~10^3 times slower) */
    size_t sample = count < 20000 ? count : 20000, step = count / sample;
    uint64_t check = 0;
    t0 = now();
    for (size_t i = 0; i < sample; i++) {
        lrk_config point;
        uint64_t full = 0;
        lrk_config_sweep_point(&point, &base, i * step, &d);
        lrk_config_hash(&point, 1, &full, NULL);
        check |= full != point_hasher_hash(h, i * step);
        lrk_config_free(&point);
    }
    double full = (now() - t0) / (double)sample * (double)count;
    printf("%zu points: fast hashes %.3f s (%.3g points/s); full points + hash %.1f s (from %zu); ratio %.0fx%s\n",
           count, fast, (double)count / fast, full, sample, full / fast, check ? "  MISMATCH" : "");
    printf("(xor %016llx)\n", (unsigned long long)mix);
    point_hasher_free(h);
    lrk_config_free(&base);
    lrk_diagnostics_free(&d);
    return check ? 1 : 0;
}
