/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * grid.c - output time grids and q-levels (grid.h).
 */
#include "lrekmc/grid.h"

#include <math.h>
#include <string.h>

const char *const lrk_spacing_names[] = {"linear", "log", NULL};

lrk_status lrk_time_grid_fill(double *t, size_t points, double t_max, lrk_spacing spacing,
                              lrk_error *err)
{
    if (points < 2)
        return lrk_error_set(err, LRK_ERR_INVALID, "grid.points = %zu: expected >= 2", points);
    if (!isfinite(t_max) || !(t_max > 0))
        return lrk_error_set(err, LRK_ERR_INVALID, "grid.t_max = %g: expected a finite number > 0", t_max);
    double last = (double)(points - 1);
    for (size_t k = 0; k < points; k++) {
        double x = (double)k / last;
        t[k] = spacing == LRK_SPACING_LOG ? t_max * pow(10.0, -LRK_GRID_LOG_DECADES * (1.0 - x))
                                          : t_max * x;
    }
    t[points - 1] = t_max; /* exact, whatever pow() rounds to */
    return LRK_OK;
}

lrk_status lrk_q_levels_fill(double *q, size_t count, double from, double to, lrk_error *err)
{
    if (count < 1)
        return lrk_error_set(err, LRK_ERR_INVALID, "fit.q_levels.count = %zu: expected >= 1", count);
    if (!(from > 0) || !(from <= to) || !(to <= 1))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "fit.q_levels: from = %g, to = %g: expected 0 < from <= to <= 1", from, to);
    for (size_t j = 0; j < count; j++)
        q[j] = count == 1 ? from : from + (to - from) * (double)j / (double)(count - 1);
    return LRK_OK;
}

lrk_status lrk_check_times(const double *t, size_t count, const char *who, lrk_error *err)
{
    for (size_t i = 0; i < count; i++) {
        if (!isfinite(t[i]) || !(t[i] >= 0.0))
            return lrk_error_set(err, LRK_ERR_INVALID, "%s: t[%zu] = %g: expected a finite time >= 0", who, i, t[i]);
        if (i > 0 && t[i] < t[i - 1])
            return lrk_error_set(err, LRK_ERR_INVALID, "%s: t[%zu] = %g < t[%zu] = %g: expected ascending times",
                                 who, i, t[i], i - 1, t[i - 1]);
    }
    return LRK_OK;
}

lrk_status lrk_check_levels(const double *q, size_t count, int below_one, const char *who, lrk_error *err)
{
    for (size_t j = 0; j < count; j++) {
        if (!(q[j] > 0.0 && (below_one ? q[j] < 1.0 : q[j] <= 1.0)))
            return lrk_error_set(err, LRK_ERR_INVALID, "%s: q[%zu] = %g: expected a level in (0, 1%s", who, j, q[j],
                                 below_one ? ")" : "]");
        if (j > 0 && q[j] < q[j - 1])
            return lrk_error_set(err, LRK_ERR_INVALID, "%s: q[%zu] = %g < q[%zu] = %g: expected ascending levels",
                                 who, j, q[j], j - 1, q[j - 1]);
    }
    return LRK_OK;
}
