/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * resources.h - what a point needs in memory, known before it starts, so
 * that `check` refuses what `run` could not finish and `run` refuses it
 * before writing anything (both call lrk_campaign_check_memory).
 *
 * The estimate counts the large arrays of a point: the time grid and its
 * references, the KMC result (curves, per-batch means, the occupation
 * histograms of t_count x bins), the shared rate table (N), the scratch of
 * every KMC thread (its own histograms: t_count x bins 32-bit counts), the
 * per-batch rows of output.trajectories and the master equation's vectors,
 * plus a fixed allowance for the program.  It is an upper bound to within a
 * few percent for large grids, where memory matters.
 */
#ifndef LREKMC_RESOURCES_H
#define LREKMC_RESOURCES_H

#include <stddef.h>

#include "lrekmc/config.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_memory_estimate {
    double bytes;                /* total */
    double thread_bytes;         /* scratch of one KMC thread (included in bytes) */
    int threads;                 /* KMC threads counted */
    char keys[256];              /* the keys whose parts dominate, largest first, e.g.
                                    "grid.points, kmc.threads" */
} lrk_memory_estimate;

/* Estimate one point's memory (c describes one point; its sweep is
 * ignored) with `threads` KMC threads (0: c's kmc.threads; 0 there: all
 * cores; never more than fit.batches). */
void lrk_point_memory(const lrk_config *c, int threads, lrk_memory_estimate *out);

/* Bytes this process may use: the smallest of physical memory and the
 * address-space and data limits (ulimit -v, -d). */
double lrk_memory_available(void);

/* Refuse (LRK_ERR_INVALID, naming the keys to lower, the estimated size and
 * what is available) a campaign one of whose points cannot fit.  Over a sweep
 * the estimate takes every key at its largest swept value. */
lrk_status lrk_campaign_check_memory(const lrk_config *base, int threads, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_RESOURCES_H */
