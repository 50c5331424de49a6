/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * closed_form.h - the exact solution of the mean-field equation (not in the
 * paper).  It is separable, so t(q) is explicit through exponential integrals:
 *   a = 0:          t(q) = -ln(1 - q) / k
 *   a > 0:          t(q) = (e^a / k) [E1(a (1 - q)) - E1(a)]
 *   a < 0, b = -a:  t(q) = (e^-b / k) [Ei(b) - Ei(b (1 - q))]
 * and q(t) is its inverse, found by a bracketed (safeguarded Newton) root
 * search; lrk_closed_form_solve adds the derivatives a fit needs.
 */
#ifndef LREKMC_CLOSED_FORM_H
#define LREKMC_CLOSED_FORM_H

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* t(q) for q in [0, 1). */
lrk_status lrk_closed_form_time(const lrk_model *m, double q, double *t_out, lrk_error *err);

/* q(t) for t >= 0. */
lrk_status lrk_closed_form_q(const lrk_model *m, double t, double *q_out, lrk_error *err);

/* The curve in the variables of a fit (fit_model.h): time s = k t in units of
 * 1/k, and a.  q(s; a) by the same safeguarded Newton search in
 * y = -ln(1 - q) (bisection whenever a step leaves the bracket), started at
 * y_start when that lies inside the bracket (a fit passes its previous
 * solution at nearby parameters; y_start <= 0 means none), with the analytic
 * derivatives of the implicit function s(q; a) = s:
 *   dq/d ln s = s (1 - q) e^(-a q),
 *   dq/da     = -(1 - q) e^(-a q) integral_0^q u e^(a u) / (1 - u) du.
 * p = 1 - q is accurate to full relative precision near q = 1.  Beyond
 * y = 40 (1 - q < 4.3e-18) q is 1, p 0 and both derivatives 0. */
typedef struct lrk_closed_form_point {
    double q, p;     /* q and 1 - q */
    double y;        /* -ln(1 - q): pass it back as the next y_start */
    double dq_dlns;  /* dq / d ln s at fixed a */
    double dq_da;    /* dq / da at fixed s */
} lrk_closed_form_point;

/* a finite, s >= 0 (s = +inf gives q = 1). */
lrk_status lrk_closed_form_solve(double a, double s, double y_start, lrk_closed_form_point *out,
                                 lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_CLOSED_FORM_H */
