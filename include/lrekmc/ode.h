/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ode.h - the mean-field rate equation of the paper (Eq. 6, 9, 10),
 *   dq/dt = k (1 - q) exp(-a q),  q(0) = 0,
 * integrated with GSL's adaptive odeiv2 driver (the paper's own route).
 * k and a come from the model (model.h); the ODE does not depend on N.
 * Internally the state is -ln(1 - q) and time is k t (see ode.c); results
 * agree with the closed form (closed_form.h) to ~1e-11 absolute in q.
 */
#ifndef LREKMC_ODE_H
#define LREKMC_ODE_H

#include <stddef.h>

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* q at each time t[0..count-1] (non-decreasing, finite, t >= 0) into q_out;
 * the integrator is driven to each time in turn (dense output on the grid). */
lrk_status lrk_ode_solve(const lrk_model *m, const double *t, size_t count, double *q_out,
                         lrk_error *err);

/* The time at which the ODE solution reaches q_target in (0, 1), from the
 * inverse equation dt/dq = e^(a q) / (k (1 - q)) by adaptive quadrature
 * (relative accuracy ~1e-13). */
lrk_status lrk_ode_time_to_reach(const lrk_model *m, double q_target, double *t_out, lrk_error *err);

/* The same for levels q[0..count-1] (non-decreasing, each in (0, 1)) into
 * t_out, in one pass: each level costs only the piece from the previous one. */
lrk_status lrk_ode_times_to_reach(const lrk_model *m, const double *q, size_t count, double *t_out,
                                  lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_ODE_H */
