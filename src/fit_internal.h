/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_internal.h - what the files of the model fit share (fit_model.c: the
 * model and the solver; fit_start.c: starting values; fit_bootstrap.c;
 * fit_report.c: the comparison and the output files).
 *
 * Parameter vector theta: the shared parameters first, then one block per
 * curve of the same length:
 *   KWW        block (ln tau, ln beta[, amplitude][, plateau])
 *   LRE        block (ln tau, a[, amplitude][, plateau])
 *   SER, CER   shared (ln tau0, V0, V1),         block ([amplitude][, plateau])
 *   crossover  shared (ln tau0, V0, V1, A, T0),  block ([amplitude][, plateau])
 * A per-curve form is solved one curve at a time (its blocks are
 * independent), a joint form as one problem.
 */
#ifndef LREKMC_FIT_INTERNAL_H
#define LREKMC_FIT_INTERNAL_H

#include <stddef.h>

#include "lrekmc/fit_model.h"

#define FIT_MAX_SHARED 5

typedef struct fit_setup {
    lrk_fit_kind kind;
    int free_amplitude, free_plateau;
    int weighted;
    int numeric_jacobian;
} fit_setup;

fit_setup fit_setup_from(const lrk_fit_options *o, const lrk_fit_data *d);
size_t fit_shared_count(lrk_fit_kind kind);
size_t fit_block_count(const fit_setup *s);
size_t fit_total_count(const fit_setup *s, size_t curves);
/* Name of parameter k (shared, or of a block) and whether it is fitted as a logarithm. */
const char *fit_parameter_name(const fit_setup *s, size_t k, int shared, int *is_log);

typedef struct fit_solution {
    size_t p;
    double *theta;   /* p */
    double *covar;   /* p x p, already scaled (see fit_model.h); NULL if not asked */
    double chi2;
    size_t iterations, function_evaluations, jacobian_evaluations;
} fit_solution;

/* Least squares from theta0 over `count` curves (a joint problem when the
 * kind is joint; for per-curve kinds count must be 1). */
lrk_status fit_solve(const fit_setup *s, const lrk_fit_curve *curves, size_t count, const double *theta0,
                     int want_covariance, fit_solution *out, lrk_error *err);
void fit_solution_free(fit_solution *s);

/* Model phi at time t of curve j (of a theta for `count` curves). */
lrk_status fit_phi(const fit_setup *s, const double *theta, size_t j, const lrk_fit_curve *curve, double t,
                   double *phi, lrk_error *err);

/* The same with a Newton start y_start (in: a root -ln(1 - q) at a nearby
 * t or theta, <= 0 for none; out: this root). */
lrk_status fit_phi_warm(const fit_setup *s, const double *theta, size_t j, const lrk_fit_curve *curve, double t,
                        double *y_start, double *phi, lrk_error *err);

/* Starting values (fit_start.c) for the same problem. */
lrk_status fit_start(const fit_setup *s, const lrk_fit_curve *curves, size_t count, double *theta0,
                     lrk_error *err);

/* Bootstrap standard deviations of the reported parameters (fit_bootstrap.c),
 * starting every replicate at the best fit theta (all curves' layout). */
lrk_status fit_bootstrap(const fit_setup *s, const lrk_fit_data *d, const lrk_fit_options *o,
                         const double *theta, lrk_fit_result *r, lrk_error *err);

/* Reported value of parameter k of a theta (exp of a logarithm). */
double fit_reported(const fit_setup *s, const double *theta, size_t k, size_t count);

#endif /* LREKMC_FIT_INTERNAL_H */
