/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * compare.c - z-scores and chi-square of KMC against exact references
 * (compare.h explains the statistics).
 */
#include "lrekmc/compare.h"

#include <math.h>

#include <gsl/gsl_cdf.h>

/* Below this expected spread of the sample (M Var n), a normal z-score is meaningless. */
#define MIN_SAMPLE_VARIANCE 25.0

void lrk_comparison_init(lrk_comparison *out)
{
    *out = (lrk_comparison){.z_max_grid = NAN, .z_max_levels = NAN, .z_max = NAN,
                            .chi2 = 0.0, .chi2_dof = 0, .chi2_p = NAN};
}

static double max_ignoring_nan(double a, double b)
{
    if (isnan(a))
        return b;
    if (isnan(b))
        return a;
    return a > b ? a : b;
}

void lrk_compare_grid(const double *q_mean, const double *q_exact_mean, const double *q_exact_std,
                      size_t t_count, long N, long trajectories, lrk_comparison *out)
{
    if (q_exact_mean == NULL || q_exact_std == NULL || trajectories < 1)
        return;
    double M = (double)trajectories;
    for (size_t k = 0; k < t_count; k++) {
        double sd_n = q_exact_std[k] * (double)N;
        if (!(M * sd_n * sd_n >= MIN_SAMPLE_VARIANCE))
            continue;
        double z = (q_mean[k] - q_exact_mean[k]) / (q_exact_std[k] / sqrt(M));
        out->z_max_grid = max_ignoring_nan(out->z_max_grid, fabs(z));
        out->grid_compared++;
    }
}

void lrk_compare_levels(const double *t_mean, const double *t_exact_mean, const double *t_exact_var,
                        const long *level_event, size_t level_count, long trajectories,
                        lrk_comparison *out)
{
    if (t_exact_mean == NULL || t_exact_var == NULL || trajectories < 1)
        return;
    double M = (double)trajectories;
    double previous_mean = 0.0, previous_exact = 0.0, previous_var = 0.0;
    long previous_event = 0;
    for (size_t j = 0; j < level_count; j++) {
        if (!(t_exact_var[j] > 0))
            continue;
        double z = (t_mean[j] - t_exact_mean[j]) / sqrt(t_exact_var[j] / M);
        out->z_max_levels = max_ignoring_nan(out->z_max_levels, fabs(z));
        out->levels_compared++;
        if (level_event[j] == previous_event)
            continue; /* the same event as the last level: no new increment */
        double increment_var = t_exact_var[j] - previous_var;
        if (increment_var > 0) {
            double dz = ((t_mean[j] - previous_mean) - (t_exact_mean[j] - previous_exact))
                        / sqrt(increment_var / M);
            out->chi2 += dz * dz;
            out->chi2_dof++;
        }
        previous_mean = t_mean[j];
        previous_exact = t_exact_mean[j];
        previous_var = t_exact_var[j];
        previous_event = level_event[j];
    }
}

void lrk_comparison_finish(lrk_comparison *out)
{
    out->z_max = max_ignoring_nan(out->z_max_grid, out->z_max_levels);
    out->chi2_p = out->chi2_dof > 0 ? gsl_cdf_chisq_Q(out->chi2, (double)out->chi2_dof) : NAN;
}
