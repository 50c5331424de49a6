/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_model.h - fit the LRE model (and KWW) to measured relaxation curves:
 * the library behind `lrekmc fit` and the Python `lrekmc.fit_model`.
 * docs/fit-data.md is the user's description; this header is the contract.
 *
 * Data: curves j of points (t_i, y_i[, sigma_i]), y the decaying observable
 * phi (q inputs are stored as phi = 1 - q), optionally a temperature T_j.
 * Every model is fitted to
 *   phi(t) = A_j (1 - q_j(t)) + B_j,
 * with the amplitude A_j = 1 and the plateau B_j = 0 unless freed
 * (per curve).  The forms of q_j:
 *   KWW        q = 1 - exp(-(t / tau_j)^beta_j)                   (per curve)
 *   LRE        the mean-field curve dq/dt = (1 - q) e^(-a_j q) / tau_j,
 *              a_j sign free (a > 0 SER, a < 0 CER)               (per curve)
 *   SER, CER   the same with 1 / tau_j = e^(-V0 / T_j) / tau0, a_j = +-V1 / T_j,
 *              V0, V1, tau0 shared by all curves                  (joint)
 *   crossover  a_j = (1 - 2 f(T_j)) V1 / T_j, f of model.h with A, T0 (joint)
 * Time is in the data's unit (tau, tau0 too), temperature in the unit of
 * V0, V1 and T0 (k_B = 1).  q_j(t) comes from the closed form
 * (closed_form.h: lrk_closed_form_solve), the minimum from GSL's
 * Levenberg-Marquardt with analytic Jacobians (residuals (y - model)/sigma).
 *
 * Errors: the covariance (J^T W J)^-1 at the minimum; when sigma is given it
 * is used as is (sigma are absolute: chi2_dof and its p-value then test the
 * model), without sigma it is scaled by chi2 / dof (the residual variance
 * estimates the noise).  Positive parameters fitted through their logarithm
 * (tau, beta, tau0) get sigma_x = x sigma_(ln x).  A bootstrap over points
 * (within each curve) or over whole curves (joint models) gives a second
 * error on request.
 */
#ifndef LREKMC_FIT_MODEL_H
#define LREKMC_FIT_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_fit_kind {
    LRK_FIT_KWW = 0,
    LRK_FIT_LRE,
    LRK_FIT_SER,
    LRK_FIT_CER,
    LRK_FIT_CROSSOVER
} lrk_fit_kind;

/* "kww", "lre", "ser", "cer", "crossover"; NULL if unknown. */
const char *lrk_fit_kind_name(lrk_fit_kind kind);
/* LRK_ERR_INVALID (message lists the names) for an unknown name. */
lrk_status lrk_fit_kind_parse(const char *name, lrk_fit_kind *kind, lrk_error *err);
/* 1 for SER, CER and crossover (shared parameters, T needed per curve). */
int lrk_fit_kind_is_joint(lrk_fit_kind kind);

/* ---- data ---------------------------------------------------------------- */

typedef struct lrk_fit_curve {
    char *label;     /* the `curve` field, else the T field's text, else "1" */
    double T;        /* NaN when the data have no T */
    size_t count;
    double *t;       /* strictly increasing, finite, >= 0 */
    double *y;       /* phi (1 - q for q inputs) */
    double *sigma;   /* NULL when the data have no sigma; else > 0 */
    size_t *line;    /* source line of each point (its index for arrays) */
    size_t *column;  /* column of its phi/q field (0 for arrays) */
} lrk_fit_curve;

typedef struct lrk_fit_data {
    char *source;       /* file path, or the name given to lrk_fit_data_from_arrays */
    int from_file;      /* locations are "source:line:column" (else "source point i") */
    int input_is_q;     /* the column was q: outputs convert back to q */
    int has_sigma, has_T, has_curve;
    size_t curve_count, point_count;
    lrk_fit_curve *curves;
} lrk_fit_data;

/* Read a CSV file (the contract of docs/fit-data.md): a header naming
 * columns among t, phi | q, sigma, T, curve (each at most once), then one
 * point a row; '#' comment lines and blank lines are skipped.  Points group
 * into curves by `curve` if present, else by T, in order of first
 * appearance.  Checks every value (finite numbers, t >= 0 strictly
 * increasing within a curve, sigma > 0, T > 0 and constant within a curve,
 * at least one row).  On error returns LRK_ERR_INVALID (LRK_ERR_IO if the
 * file cannot be read) with a message "PATH:LINE:COLUMN: ..." and leaves
 * *out empty.  Free with lrk_fit_data_free. */
lrk_status lrk_fit_data_read(const char *path, lrk_fit_data *out, lrk_error *err);

/* The same from memory: text of `length` bytes, `source` names it in messages. */
lrk_status lrk_fit_data_parse(const char *text, size_t length, const char *source,
                              lrk_fit_data *out, lrk_error *err);

/* From arrays (the Python binding): n points; y is phi, or q when input_is_q;
 * sigma, T and curve_id may be NULL (curve_id: points with equal ids form a
 * curve, in order of first appearance; without it points group by T).  The
 * same checks as a file, locations "source point I" (I from 0). */
lrk_status lrk_fit_data_from_arrays(size_t n, const double *t, const double *y, int input_is_q,
                                    const double *sigma, const double *T, const long *curve_id,
                                    const char *source, lrk_fit_data *out, lrk_error *err);

/* Give curve j the label `label` (non-empty, no comma, quote or control
 * character, so that the CSV outputs stay readable): a binding with string
 * labels maps them to curve_id, then names the curves. */
lrk_status lrk_fit_data_relabel(lrk_fit_data *data, size_t curve, const char *label, lrk_error *err);

void lrk_fit_data_free(lrk_fit_data *data);

/* More curves than this is refused (almost always a T that varies from row
 * to row, which would make every point a curve). */
#define LRK_FIT_MAX_CURVES 10000

/* ---- options and results ------------------------------------------------- */

typedef enum lrk_fit_bootstrap_over {
    LRK_FIT_BOOTSTRAP_POINTS = 0,  /* resample points within each curve */
    LRK_FIT_BOOTSTRAP_CURVES       /* resample whole curves (joint models only) */
} lrk_fit_bootstrap_over;

typedef struct lrk_fit_options {
    lrk_fit_kind kind;
    int free_amplitude;       /* A_j fitted (else 1) */
    int free_plateau;         /* B_j fitted (else 0) */
    size_t bootstrap;         /* replicates; 0 = none; at most LRK_FIT_MAX_BOOTSTRAP */
    lrk_fit_bootstrap_over bootstrap_over;
    uint64_t seed;            /* replicate r draws from the SeedSequence child r of
                                 (seed_lo, seed_hi, 0x66697462) (streams.h) */
    int numeric_jacobian;     /* 1: GSL's finite differences (benchmark reference) */
} lrk_fit_options;

#define LRK_FIT_MAX_BOOTSTRAP 100000

/* Defaults: LRE, A = 1 and B = 0 fixed, no bootstrap, seed 1, analytic J. */
lrk_fit_options lrk_fit_options_default(void);

/* Check data against options before fitting: range of phi (|phi - 1/2| <= 1,
 * i.e. -0.5 <= phi <= 1.5, unless the amplitude is free), enough points per
 * curve (more than its per-curve parameters of both per-curve forms), a T
 * for every curve and enough distinct T for a joint model (2 for SER/CER,
 * 3 for crossover), a bootstrap the model allows.  LRK_ERR_INVALID with a
 * located message (or naming the option and its allowed values). */
lrk_status lrk_fit_check(const lrk_fit_data *data, const lrk_fit_options *options, lrk_error *err);

typedef struct lrk_fit_parameter {
    long curve;              /* curve index, -1 for a shared parameter */
    const char *name;        /* static: tau, beta, a, V0, V1, tau0, A, T0, amplitude, plateau */
    double value, error;     /* error from the Jacobian (see the top) */
    double bootstrap_error;  /* standard deviation over the replicates; NaN if none */
} lrk_fit_parameter;

typedef struct lrk_fit_result {
    lrk_fit_kind kind;
    int weighted;            /* sigma given: chi2 is sum ((y - model) / sigma)^2 */
    size_t point_count, parameter_count, curve_count;
    lrk_fit_parameter *parameters;
    double *fitted;          /* model phi at every point, curves in order */
    double *curve_chi2;      /* per curve: its part of chi2 */
    size_t *curve_parameters;/* per curve: its parameters (per-curve forms; 0 for joint) */
    double chi2;             /* weighted sum, or the residual sum of squares */
    size_t dof;              /* points - parameters */
    double chi2_dof;
    double chi2_p_value;     /* P(chi2_dof would be larger) under the model; NaN unweighted */
    double aic, bic;         /* weighted: chi2 + 2k, chi2 + k ln n; else n ln(RSS/n) + ... */
    size_t iterations;       /* LM iterations, summed over curves for per-curve forms */
    size_t function_evaluations, jacobian_evaluations;
    size_t bootstrap_done, bootstrap_failed;
    double *theta;           /* the fitted vector (logarithms where fitted so), */
    size_t theta_count;      /* for lrk_fit_evaluate */
    int numeric_jacobian;
    int free_amplitude, free_plateau;
} lrk_fit_result;

/* Fit one model.  The data should have passed lrk_fit_check (it is run again
 * here).  A fit that does not converge, or whose parameters the data do not
 * determine (singular J^T J), returns LRK_ERR_NOCONVERGE with a message
 * naming the curve; *out is then empty.  Free with lrk_fit_result_free. */
lrk_status lrk_fit_model(const lrk_fit_data *data, const lrk_fit_options *options,
                         lrk_fit_result *out, lrk_error *err);

void lrk_fit_result_free(lrk_fit_result *result);

/* The parameter `name` of curve (-1: shared); NULL if there is none. */
const lrk_fit_parameter *lrk_fit_find(const lrk_fit_result *r, long curve, const char *name);

/* Model phi of a fitted result at time t for curve j (any t >= 0). */
lrk_status lrk_fit_evaluate(const lrk_fit_result *r, const lrk_fit_data *data, size_t curve,
                            double t, double *phi, lrk_error *err);

/* ---- the whole comparison (`lrekmc fit`) --------------------------------- */

/* The requested model (with its bootstrap) plus, for the comparison, the
 * per-curve KWW and LRE forms (no bootstrap; the requested one is not fitted
 * twice), and for a joint model the beta it predicts per curve: the KWW fit
 * (fit.h) of its noise-free q(t) at that curve's times. */
typedef struct lrk_fit_report {
    lrk_fit_options options;
    lrk_fit_result kww, lre, joint;  /* joint empty (parameter_count 0) for per-curve kinds */
    double *beta_predicted;          /* per curve; NULL for per-curve kinds */
    /* A comparison form (not the requested one) that failed is left empty
     * (parameter_count 0) and the run goes on: the requested fit is the
     * result, the comparison is context.  Here is why it failed. */
    int kww_failed, lre_failed;
    lrk_error kww_error, lre_error;
} lrk_fit_report;

/* The result of the requested kind inside a report. */
const lrk_fit_result *lrk_fit_report_main(const lrk_fit_report *r);

lrk_status lrk_fit_run(const lrk_fit_data *data, const lrk_fit_options *options,
                       lrk_fit_report *out, lrk_error *err);
void lrk_fit_report_free(lrk_fit_report *r);

/* Write DIR/{fit.yaml, parameters.csv, curves.csv, comparison.csv, beta.csv}
 * (docs/fit-data.md), each complete or absent (output.h).  command_line is
 * recorded in fit.yaml (may be NULL). */
lrk_status lrk_fit_write(const char *dir, const lrk_fit_data *data, const lrk_fit_report *r,
                         const char *command_line, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_FIT_MODEL_H */
