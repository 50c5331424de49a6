/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * first_passage.c - exact mean and variance of the time at which the
 * finite-N process first reaches each q-level (first_passage.h): the sums
 * E[T_n] = sum_{i<n} 1/lambda_i and Var[T_n] = sum_{i<n} 1/lambda_i^2 over
 * one pass of i = 0 .. n_last - 1, O(N) time and O(1) memory.
 */
#include "lrekmc/first_passage.h"

#include <math.h>

#include "lrekmc/grid.h"

/* Neumaier's compensated sum.  N can be 10^8 and the terms grow from 1/N to
 * ~1 (times e^(V/T)): plain summation would lose up to ~N eps ~ 1e-8 relative,
 * which is the size of the O(1/N) finite-size effects these sums are meant
 * to resolve; the compensation keeps the error at a few ulps regardless of N. */
typedef struct compensated_sum {
    double sum, correction;
} compensated_sum;

static void compensated_add(compensated_sum *acc, double x)
{
    double t = acc->sum + x;
    if (fabs(acc->sum) >= fabs(x))
        acc->correction += (acc->sum - t) + x;
    else
        acc->correction += (x - t) + acc->sum;
    acc->sum = t;
}

static double compensated_value(const compensated_sum *acc)
{
    return acc->sum + acc->correction;
}

lrk_status lrk_first_passage_exact(const lrk_model *m, const double *q, size_t count, double *mean_out,
                                   double *var_out, lrk_error *err)
{
    if (m == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "first passage: model is NULL");
    lrk_status status = lrk_model_validate(m, err);
    if (status != LRK_OK)
        return status;
    if (count == 0)
        return LRK_OK;
    if (q == NULL || mean_out == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "first passage: q and mean_out must not be NULL");
    if ((status = lrk_check_levels(q, count, 0, "first passage", err)) != LRK_OK)
        return status;

    /* 1/lambda_i = e^(V(i)/T) / (N - i), with V(i) as in lrk_model_barrier;
     * the coupling is hoisted out of the loop.  model_validate keeps
     * |V(i)/T| < 700, so each term is finite (its square may not be). */
    const long N = m->N;
    const double c_V1 = lrk_model_coupling(m) * m->V1;
    compensated_sum mean = {0.0, 0.0}, var = {0.0, 0.0};
    long i = 0;
    for (size_t j = 0; j < count; j++) {
        long n = lrk_level_event_count(q[j], N);
        for (; i < n; i++) {
            double inverse_rate = exp((m->V0 + c_V1 * (double)i / (double)N) / m->T) / (double)(N - i);
            compensated_add(&mean, inverse_rate);
            compensated_add(&var, inverse_rate * inverse_rate);
        }
        mean_out[j] = compensated_value(&mean);
        if (var_out != NULL) {
            var_out[j] = compensated_value(&var);
            if (!isfinite(var_out[j]))
                return lrk_error_set(err, LRK_ERR_NUMERIC,
                                     "first passage: Var[T] at q = %g overflows a double (V0/T = %g, V1/T = %g); "
                                     "pass var_out = NULL for the mean alone",
                                     q[j], m->V0 / m->T, m->V1 / m->T);
        }
    }
    return LRK_OK;
}
