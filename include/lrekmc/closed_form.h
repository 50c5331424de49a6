/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * closed_form.h - the exact solution of the mean-field equation (not in the
 * paper).  It is separable, so t(q) is explicit through exponential integrals:
 *   a = 0:          t(q) = -ln(1 - q) / k
 *   a > 0:          t(q) = (e^a / k) [E1(a (1 - q)) - E1(a)]
 *   a < 0, b = -a:  t(q) = (e^-b / k) [Ei(b) - Ei(b (1 - q))]
 * and q(t) is its inverse, found by a bracketed root search.
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

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_CLOSED_FORM_H */
