/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_space.h - internal: the spatial observables of a point with a lattice
 * (lattice_observe.h), from the KMC extras' means and errors: the files
 * points/<k>/correlation.csv, snapshots.csv and avalanches.csv, and the
 * summary values.  Everything is NaN / not written without a lattice or KMC.
 */
#ifndef LREKMC_POINT_SPACE_H
#define LREKMC_POINT_SPACE_H

#include "lrekmc/point.h"

/* 1 when the point has a lattice and KMC extras. */
int point_space_has(const lrk_point *p);

/* chi4 = N q_std^2 at grid time i (NaN without KMC). */
double point_chi4(const lrk_point *p, size_t i);
/* Height and time (into *t_peak unless NULL) of the chi4 peak over the
 * grid, the first grid time of the largest value (NaN without KMC). */
double point_chi4_peak(const lrk_point *p, double *t_peak);
double point_chi4_peak_time(const lrk_point *p);
/* xi(q_s) = sum_k C(k) / (q (1 - q)) of snapshot s (NaN without a lattice). */
double point_xi(const lrk_point *p, size_t s);
/* Mean avalanche size (the trajectory average of N / avalanches). */
double point_avalanche_mean(const lrk_point *p);
/* The largest-cluster fraction at snapshot s. */
double point_largest_fraction(const lrk_point *p, size_t s);

/* Write the three files into dir (nothing without a lattice and KMC). */
lrk_status point_space_write(const lrk_point *p, const char *dir, lrk_error *err);

#endif /* LREKMC_POINT_SPACE_H */
