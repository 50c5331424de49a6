/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * grid.h - the output time grid and the q-levels at which first-passage
 * times are recorded.  Both are plain arrays the caller owns.
 *
 *   linear grid: t_k = t_max * k / (points - 1),            k = 0 .. points-1
 *   log grid:    t_k = t_max * 10^(-decades * (1 - k / (points - 1)))
 *                (starts at t_max / 10^decades, LRK_GRID_LOG_DECADES = 4)
 *   q-levels:    q_j = from + (to - from) * j / (count - 1), j = 0 .. count-1
 *                (count = 1 gives just `from`)
 */
#ifndef LREKMC_GRID_H
#define LREKMC_GRID_H

#include <stddef.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_spacing {
    LRK_SPACING_LINEAR = 0,
    LRK_SPACING_LOG
} lrk_spacing;

#define LRK_GRID_LOG_DECADES 4.0

/* "linear", "log": indexed by lrk_spacing, NULL-terminated (the grid.spacing key). */
extern const char *const lrk_spacing_names[];

/* t must hold `points` (>= 2) doubles; t_max finite and > 0. */
lrk_status lrk_time_grid_fill(double *t, size_t points, double t_max, lrk_spacing spacing,
                              lrk_error *err);

/* q must hold `count` (>= 1) doubles; 0 < from <= to < 1 (to = 1 allowed). */
lrk_status lrk_q_levels_fill(double *q, size_t count, double from, double to, lrk_error *err);

/* Check times given to a reference or the KMC: each t[i] finite and >= 0,
 * ascending (equal neighbours allowed).  `who` starts the message
 * ("ode: t[3] = -1: expected a finite time >= 0"). */
lrk_status lrk_check_times(const double *t, size_t count, const char *who, lrk_error *err);

/* Check q-levels: each in (0, 1], or in (0, 1) when below_one, ascending. */
lrk_status lrk_check_levels(const double *q, size_t count, int below_one, const char *who, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_GRID_H */
