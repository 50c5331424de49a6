/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_point.c - which exact references of disorder.h apply to a model,
 * and computing them into the columns the point pipeline writes
 * (lrk_disorder_references), also for disorder in space (model.space).  One place decides, so `run`, the tests and the
 * docs agree on the range of use of each reference.
 */
#include "lrekmc/disorder.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrekmc/config.h"
#include "lrekmc/disorder_master.h"

/* The bimodal recursion is O(N^2): 4e8 steps at this N, about a second. */
#define BIMODAL_MAX_N 20000
/* Cell-update budget of the two-class master equation under `auto` (a few
 * seconds; a strong CER avalanche at N = 400 needs more and is left out). */
#define MASTER_AUTO_WORK 1e9

unsigned lrk_disorder_reference_set(const lrk_model *m)
{
    unsigned set = LRK_DISORDER_REF_MEAN_FIELD;
    /* in space (kernel r3) with coupling, the barrier of an LRE depends on
     * which neighbours relaxed, not on n: no exact reference; the multi-class
     * mean field with the same V1 is shown beside the run.  (Without a
     * neighbour in range the caller passes V1 = 0: point_space.h.)  The
     * uniform kernel is the mean-field disorder model itself. */
    if (m->space.lattice != LRK_LATTICE_NONE && m->space.kernel == LRK_KERNEL_R3
        && lrk_model_coupling(m) * m->V1 != 0)
        return set;
    if (lrk_model_coupling(m) * m->V1 == 0)
        set |= LRK_DISORDER_REF_BINOMIAL | LRK_DISORDER_REF_ORDER_STATISTICS;
    if (m->disorder.kind == LRK_DISORDER_BIMODAL && m->N <= BIMODAL_MAX_N) {
        set |= LRK_DISORDER_REF_BIMODAL_LEVELS;
        set &= ~(unsigned)LRK_DISORDER_REF_ORDER_STATISTICS; /* the same numbers, cheaper */
    }
    /* (mean-field coupling only: a lattice with the r^-3 kernel is not a chain in n) */
    if (m->disorder.kind == LRK_DISORDER_BIMODAL && !(set & LRK_DISORDER_REF_BINOMIAL)
        && m->N <= LRK_DISORDER_MASTER_AUTO_MAX_N && lrk_disorder_master_mean_field_coupling(m))
        set |= LRK_DISORDER_REF_BIMODAL_MASTER;
    return set;
}

static void drop(double **x)
{
    free(*x);
    *x = NULL;
}

int lrk_disorder_master_wanted(const lrk_model *m, int master_equation)
{
    if (master_equation == LRK_SWITCH_OFF || !lrk_disorder_active(m))
        return 0;
    if (master_equation == LRK_SWITCH_ON)
        return m->disorder.kind == LRK_DISORDER_BIMODAL && lrk_model_coupling(m) * m->V1 != 0
               && m->N <= LRK_DISORDER_MASTER_MAX_N && lrk_disorder_master_mean_field_coupling(m);
    return (lrk_disorder_reference_set(m) & LRK_DISORDER_REF_BIMODAL_MASTER) != 0;
}

/* The two-class master equation into q_exact_*; a solve over its budget
 * leaves the columns out (under `on`, saying why in master_left_out: what
 * check accepts, run runs). */
static lrk_status two_class(const lrk_model *m, const double *t, size_t t_count, lrk_disorder_columns *out,
                            lrk_error *err)
{
    int on = out->master_equation == LRK_SWITCH_ON;
    lrk_status st = lrk_disorder_bimodal_master_full(m, t, t_count, out->q_exact_mean, out->q_exact_std, NULL,
                                                     on ? LRK_DISORDER_MASTER_MAX_WORK : MASTER_AUTO_WORK, NULL, err);
    if (st == LRK_ERR_INVALID) {
        if (on && err != NULL)
            snprintf(out->master_left_out, sizeof out->master_left_out, "%.250s", err->message);
        drop(&out->q_exact_mean);
        drop(&out->q_exact_std);
        st = LRK_OK;
    }
    return st;
}

lrk_status lrk_disorder_references(const lrk_model *m, const double *t, size_t t_count, const double *q_levels,
                                   const long *level_events, size_t level_count, lrk_disorder_columns *out,
                                   lrk_error *err)
{
    unsigned set = lrk_disorder_reference_set(m);
    lrk_status st = LRK_OK;
    out->master_left_out[0] = '\0';
    if (out->q_ode != NULL || out->t_ode != NULL) {
        st = lrk_disorder_mean_field(m, t, t_count, out->q_ode, q_levels, level_count, out->t_ode, NULL, err);
        if (st == LRK_ERR_NOCONVERGE) { /* too wide for the nodes: left out, not a failure */
            drop(&out->q_ode);
            drop(&out->t_ode);
            st = LRK_OK;
        }
    }
    if (st == LRK_OK && (set & LRK_DISORDER_REF_BINOMIAL) && out->q_exact_mean != NULL)
        st = lrk_disorder_binomial(m, t, t_count, out->q_exact_mean, out->q_exact_std, err);
    else if (st == LRK_OK && out->q_exact_mean != NULL && lrk_disorder_master_wanted(m, out->master_equation))
        st = two_class(m, t, t_count, out, err);
    else {
        drop(&out->q_exact_mean);
        drop(&out->q_exact_std);
    }
    if (st != LRK_OK || out->t_exact_mean == NULL)
        return st;
    if (set & LRK_DISORDER_REF_BIMODAL_LEVELS)
        st = lrk_disorder_bimodal_levels(m, level_events, level_count, out->t_exact_mean, out->t_exact_var, err);
    else if (set & LRK_DISORDER_REF_ORDER_STATISTICS)
        st = lrk_disorder_order_statistics(m, level_events, level_count, out->t_exact_mean, out->t_exact_var, err);
    else
        st = LRK_ERR_INVALID;
    if (st == LRK_ERR_INVALID) {
        /* no exact level times for this model (or their variance is not a
         * double): the columns stay empty */
        drop(&out->t_exact_mean);
        drop(&out->t_exact_var);
        st = LRK_OK;
    }
    return st;
}
