/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_observe.h - what LREs in space show and mean field cannot: the
 * spatial correlation of the relaxed field, clusters of relaxed LREs and
 * avalanches (docs/space.md).  The spatial engine (lattice_engine.h) records
 * them per trajectory into its `extra` vector, laid out as below; the run
 * averages the vector over trajectories with errors like q(t).
 *
 * Snapshots.  At the events n_s = lrk_level_event_count(q_s, N),
 * q_s = 0.25, 0.5, 0.75, the field s_i (1 relaxed, 0 not; q = n_s/N exactly)
 * gives
 *   C(r) = (1/N) sum_i s_i s_{i+r} - q^2,
 * computed for all displacements r at once by FFT (FFTW; the periodic
 * autocorrelation is exact, not an estimate of it), then averaged over the
 * displacements whose minimal-image length rounds to k, for
 * k = 1 .. radial_bins (every nonzero displacement falls in one bin, so
 * sum_k count_k C(k) = -q(1 - q): a built-in check).  Clusters are the
 * connected sets of relaxed sites under nearest-neighbour (6, periodic)
 * adjacency, found by union-find: recorded are their number, the mean size
 * n_s / clusters and the largest cluster's size / N.
 *
 * Avalanches.  A maximal run of consecutive events each within d_el
 * (minimal-image distance, same tolerance as the stencil) of the previous
 * one.  Per trajectory: the number of avalanches, their mean size N / count,
 * and counts in size bins [2^b, 2^(b+1)), b = 0 .. avalanche_bins - 1.
 * The uniform kernel's sites are uniform among the unrelaxed: the same
 * statistic there is the mean-field null.
 *
 * Correlation length: xi = sum_{k >= 1} C(k) / C(0), C(0) = q(1 - q), from
 * the averaged C (an exponential C(r) ~ e^{-r/xi'} gives xi ~ xi' for
 * xi' >> 1; independent sites give 0).
 */
#ifndef LREKMC_LATTICE_OBSERVE_H
#define LREKMC_LATTICE_OBSERVE_H

#include <stddef.h>

#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

#define LRK_LATTICE_SNAPSHOTS 3
#define LRK_LATTICE_SNAPSHOT_STATS 3 /* clusters, mean cluster size, largest fraction */

typedef struct lrk_lattice_layout {
    size_t snapshots;                        /* LRK_LATTICE_SNAPSHOTS */
    double snapshot_q[LRK_LATTICE_SNAPSHOTS];
    long snapshot_events[LRK_LATTICE_SNAPSHOTS];
    size_t radial_bins;                      /* C at k = 1 .. radial_bins */
    size_t per_snapshot;                     /* radial_bins + LRK_LATTICE_SNAPSHOT_STATS */
    size_t avalanche_offset;                 /* snapshots x per_snapshot */
    size_t avalanche_bins;                   /* floor(log2 N) + 1 */
    size_t count;                            /* all extras */
} lrk_lattice_layout;

/* The layout for a model with a cubic lattice.  Extra e of snapshot s,
 * radial bin k (1-based) is at s * per_snapshot + k - 1; the stats follow at
 * s * per_snapshot + radial_bins + {0, 1, 2}; then the avalanches: count,
 * mean size, then avalanche_bins counts. */
void lrk_lattice_layout_of(const lrk_model *m, lrk_lattice_layout *out);

/* A column name for extra e ("C_q0.25_r3", "clusters_q0.5",
 * "cluster_mean_q0.5", "largest_fraction_q0.75", "avalanches",
 * "avalanche_mean", "avalanche_bin_4") into buf. */
void lrk_lattice_extra_name(const lrk_lattice_layout *l, size_t e, char *buf, size_t size);

/* Number of displacements whose minimal-image length rounds to k, for
 * k = 0 .. radial_bins (count[0] = 1), into count. */
void lrk_lattice_radial_counts(const lrk_space *s, const lrk_lattice_layout *l, double *count);

/* One field's statistics, for tests and the engine.  field is 0/1 over the
 * N sites in row-major order. */
typedef struct lrk_lattice_probe lrk_lattice_probe;
lrk_status lrk_lattice_probe_create(const lrk_model *m, lrk_lattice_probe **out, lrk_error *err);
void lrk_lattice_probe_free(lrk_lattice_probe *p);
/* C(k), k = 1 .. radial_bins, into C. */
void lrk_lattice_correlation(lrk_lattice_probe *p, const unsigned char *field, double *C);
/* clusters, mean size (relaxed / clusters, 0 when none) and largest / N. */
void lrk_lattice_clusters(lrk_lattice_probe *p, const unsigned char *field, double out[3]);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_LATTICE_OBSERVE_H */
