/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * ode.h - the mean-field rate equation of the paper (Eq. 6, 9, 10),
 *   dq/dt = k (1 - q) exp(-a q),  q(0) = 0,
 * integrated with GSL's adaptive odeiv2 driver (the paper's own route).
 * k and a come from the model (model.h); the ODE does not depend on N.
 */
#ifndef LREKMC_ODE_H
#define LREKMC_ODE_H

#include <stddef.h>

#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* q at each time t[0..count-1] (ascending, t >= 0) into q_out. */
lrk_status lrk_ode_solve(const lrk_model *m, const double *t, size_t count, double *q_out,
                         lrk_error *err);

/* The time at which the ODE solution reaches q_target in (0, 1). */
lrk_status lrk_ode_time_to_reach(const lrk_model *m, double q_target, double *t_out, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_ODE_H */
