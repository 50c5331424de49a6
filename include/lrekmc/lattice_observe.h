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
 * adjacency, found by union-find over runs along x: recorded are their number, the mean size
 * n_s / clusters and the largest cluster's size / N.
 *
 * Avalanches.  A maximal run of consecutive events each within d_el
 * (minimal-image distance, same tolerance as the stencil) of the previous
 * one.  Per trajectory: the number of avalanches, their mean size N / count,
 * and counts in size bins [2^b, 2^(b+1)), b = 0 .. avalanche_bins - 1.
 * The uniform kernel's sites are uniform among the unrelaxed: the same
 * statistic there is the mean-field null.
 *
 * Local q.  Eq. 4 of the paper sums the stress of the relaxed LREs around
 * the next one; mean field replaces that local sum by the global q.  The
 * engine records the local sum itself at the LREs that fire: for the site
 * i of event n, just before it relaxes,
 *   psi_n = sum_o W_o s_(i+o) / S
 * over the r3 stencil's displacements o within d_el (W and S of
 * lrk_stencil_build, whatever the kernel: with the r3 kernel and model.V1
 * the barrier of the LRE that fires is V0 + c V1 psi_n, and mean field
 * puts q there).  Its null is exact: when the sites fire in a uniformly
 * random order (independent LREs, the uniform kernel), the m = n - 1 sites
 * relaxed before an event are a uniform m-subset of the other N - 1, so
 * E psi_n = m / (N - 1) whatever the weights.  Facilitation (CER: a relaxed
 * LRE lowers its neighbours' barriers) makes LREs fire where more of their
 * surroundings has relaxed, psi above the null: domains that grow; SER
 * below it: relaxation avoids what has relaxed.  (The avalanche statistic
 * does not see many domains growing at once: consecutive events lie in
 * different domains.)  The scan reads |stencil| sites, so it is done at
 * every local_stride-th event of a bin (the bin's first, then every
 * stride-th; stride max(1, round(d_el^3 / 4)): ~17 sites an event on
 * average, a few per cent of an event's cost).  Per trajectory: the mean
 * excess of psi over its null over the sampled events of the first half
 * of the bins (q < 1/2 when local_bins is even), the same over the second
 * half (the two differ in sign: at the end, CER's last LREs are the
 * isolated ones, SER's the ones whose surroundings relaxed), then per bin
 * of m (local_bins bins, bin g holding m in [lrk_lattice_local_start(l, g),
 * lrk_lattice_local_start(l, g + 1))) the mean psi of its sampled events;
 * the bin's null is lrk_lattice_local_null.
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
#define LRK_LATTICE_LOCAL_BINS 20

typedef struct lrk_lattice_layout {
    size_t snapshots;                        /* LRK_LATTICE_SNAPSHOTS */
    double snapshot_q[LRK_LATTICE_SNAPSHOTS];
    long snapshot_events[LRK_LATTICE_SNAPSHOTS];
    size_t radial_bins;                      /* C at k = 1 .. radial_bins */
    size_t per_snapshot;                     /* radial_bins + LRK_LATTICE_SNAPSHOT_STATS */
    size_t avalanche_offset;                 /* snapshots x per_snapshot */
    size_t avalanche_bins;                   /* floor(log2 N) + 1 */
    size_t local_offset;                     /* avalanche_offset + 2 + avalanche_bins: early, late, bins */
    size_t local_bins;                       /* min(LRK_LATTICE_LOCAL_BINS, N) */
    long local_stride;                       /* max(1, round(d_el^3 / 4)) */
    long N;
    size_t count;                            /* all extras */
} lrk_lattice_layout;

/* The layout for a model with a cubic lattice.  Extra e of snapshot s,
 * radial bin k (1-based) is at s * per_snapshot + k - 1; the stats follow at
 * s * per_snapshot + radial_bins + {0, 1, 2}; then the avalanches: count,
 * mean size, then avalanche_bins counts; then the local q: the mean
 * excess over the null early and late, then local_bins means. */
void lrk_lattice_layout_of(const lrk_model *m, lrk_lattice_layout *out);

/* A column name for extra e ("C_q0.25_r3", "clusters_q0.5",
 * "cluster_mean_q0.5", "largest_fraction_q0.75", "avalanches",
 * "avalanche_mean", "avalanche_bin_4", "local_q_excess_early", "local_q_bin_3") into buf. */
void lrk_lattice_extra_name(const lrk_lattice_layout *l, size_t e, char *buf, size_t size);

/* First relaxed count m of local-q bin g, 0 <= g <= local_bins:
 * ceil(g N / local_bins) (g = local_bins gives N). */
long lrk_lattice_local_start(const lrk_lattice_layout *l, long g);

/* Whether the event after m relaxed LREs, in bin g, is sampled. */
int lrk_lattice_local_sampled(const lrk_lattice_layout *l, long g, long m);

/* The exact random-order null of bin g: the mean of m / (N - 1) over the
 * bin's sampled m (0 when N = 1). */
double lrk_lattice_local_null(const lrk_lattice_layout *l, long g);

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
