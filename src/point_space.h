/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_space.h - internal: the spatial observables of a point with a lattice
 * (lattice_observe.h), from the KMC extras' means and errors: the files
 * points/<k>/correlation.csv, snapshots.csv and avalanches.csv, and the
 * summary values.  Everything is NaN / not written without a lattice or KMC.
 */
#ifndef LREKMC_POINT_SPACE_H
#define LREKMC_POINT_SPACE_H

#include "lrekmc/config.h"
#include "lrekmc/point.h"

/* ---- which exact references describe a lattice run (docs/space.md) ------ */

/* 1 when model m has a lattice with kernel r3 whose LREs interact:
 * c V1 != 0 and at least one neighbour within d_el (S > 0).  Then no
 * closed-form reference is exact; the mean field is shown beside the run. */
int point_space_coupled(const lrk_model *m);

/* The model whose exact references describe a run of m: m itself, except
 * that a lattice with no neighbour in range (S = 0: d_el < 1, or a 1x1x1
 * box) has independent LREs whatever V1, so ref->V1 = 0. */
void point_space_reference_model(const lrk_model *m, lrk_model *ref);

/* Largest boxes whose master equation over the 2^N relaxed sets a run
 * computes: references.master_equation auto up to N = 12 (~0.5 s a point),
 * on up to 16 (~20 s: O(2^N N) memory and time per uniformization step). */
#define POINT_SPACE_MASTER_AUTO_MAX_N 12
#define POINT_SPACE_MASTER_MAX_N 16

/* 1 when a run of m gets the tiny-box master equation as its exact
 * reference: coupled r3 lattice, no disorder, and N within the limit of
 * references.master_equation (sw: LRK_SWITCH_*; off: never). */
int point_space_master_applies(const lrk_model *m, lrk_switch sw);

/* Most state updates the master equation may cost (~14 ns each: ~30 s);
 * beyond it (a grid of very many fastest-relaxation times, strong CER
 * coupling) the reference is left out and its columns stay empty. */
#define POINT_SPACE_MASTER_MAX_WORK 2e9

/* Fill p->q_exact_mean / q_exact_std (grid) and p->t_exact_mean /
 * t_exact_var (levels) from lattice_master.h (allocating what is NULL),
 * unless its work bound exceeds POINT_SPACE_MASTER_MAX_WORK. */
lrk_status point_space_master(lrk_point *p, lrk_error *err);

/* 1 when the point has a lattice and KMC extras. */
int point_space_has(const lrk_point *p);

/* chi4 = N q_std^2 at grid time i (NaN without KMC). */
double point_chi4(const lrk_point *p, size_t i);
/* Height and time (into *t_peak unless NULL) of the chi4 peak over the
 * grid, the first grid time of the largest value (NaN without KMC). */
double point_chi4_peak(const lrk_point *p, double *t_peak);
double point_chi4_peak_time(const lrk_point *p);
/* The batch-means error of chi4 at grid time i: chi4 of each batch (N times
 * its sample variance of q, batches of >= 2 trajectories) and their standard
 * error; NAN without KMC or with fewer than 2 such batches.  And the same at
 * the peak's grid time. */
double point_chi4_err(const lrk_point *p, size_t i);
double point_chi4_peak_err(const lrk_point *p);
/* xi(q_s) = sum_k C(k) / (q (1 - q)) of snapshot s (NaN without a lattice). */
double point_xi(const lrk_point *p, size_t s);
/* Mean avalanche size (the trajectory average of N / avalanches). */
double point_avalanche_mean(const lrk_point *p);
/* The largest-cluster fraction at snapshot s. */
double point_largest_fraction(const lrk_point *p, size_t s);
/* The local q (lattice_observe.h): the mean excess of psi over its exact
 * random-order null at the sampled events of the first (late = 0) or the
 * second half of the bins, and that excess / its sem over trajectories;
 * NAN without spatial extras. */
double point_local_excess(const lrk_point *p, int late);
double point_local_excess_z(const lrk_point *p, int late);

/* Write the three files into dir (nothing without a lattice and KMC). */
lrk_status point_space_write(const lrk_point *p, const char *dir, lrk_error *err);

#endif /* LREKMC_POINT_SPACE_H */
