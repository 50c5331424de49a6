/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * model.h - the local-relaxation-event model of Trachenko & Zaccone.
 *
 * A system holds N local relaxation events (LREs); n of them have relaxed and
 * q = n/N.  The barrier of the next event is V(n) = V0 + c*V1*n/N, with
 *   c = +1            for stretched relaxation (mode SER, paper Eq. 5-6),
 *   c = -1            for compressed relaxation (mode CER, Eq. 9),
 *   c = 1 - 2 f(T)    for the SER-CER crossover (Eq. 10), where
 *   f(T) = 1 / (exp(-A (1/T - 1/T0)) + 1).
 * Each unrelaxed LRE fires at rate exp(-V(n)/T), so the total rate is
 *   lambda_n = (N - n) exp(-V(n)/T),   n = 0 .. N-1.
 * Time is dimensionless (t/tau0) and k_B = 1.  The mean-field limit is
 *   dq/dt = k (1 - q) exp(-a q),  k = exp(-V0/T),  a = c V1 / T.
 */
#ifndef LREKMC_MODEL_H
#define LREKMC_MODEL_H

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_mode {
    LRK_MODE_SER = 0,
    LRK_MODE_CER,
    LRK_MODE_CROSSOVER
} lrk_mode;

/* LREs in space (DESIGN.md section 7; lattice.h builds the stencil).
 * lattice NONE is the mean-field chain of this header and ignores the rest.
 * CUBIC: one LRE per site of a periodic Lx x Ly x Lz simple-cubic lattice of
 * spacing d0 = 1, N = Lx Ly Lz.  An unrelaxed LRE i has the barrier
 *   V_i = V0 + c sum_j J_ij s_j      (s_j = 1 once j relaxed),
 * with J_ij = V1 W_ij / S for kernel R3 (W_ij = sum over the periodic images
 * of the separation r, 0 < r <= d_el, of (1/(2r))^3; S = sum_j W_ij, the same
 * for every site), so a fully relaxed neighbourhood adds exactly c V1; and
 * J_ij = V1 / N for kernel UNIFORM, which is the mean-field chain exactly.
 * (model.elastic resolves V1 to q0 dp0 S: see lattice.h.) */
typedef enum lrk_lattice {
    LRK_LATTICE_NONE = 0,
    LRK_LATTICE_CUBIC
} lrk_lattice;

typedef enum lrk_kernel {
    LRK_KERNEL_R3 = 0,
    LRK_KERNEL_UNIFORM
} lrk_kernel;

typedef struct lrk_space {
    lrk_lattice lattice;
    long Lx, Ly, Lz;   /* sites along each axis, each in [1, LRK_SPACE_MAX_L] */
    double d_el;       /* elasticity length in lattice spacings, in (0, LRK_SPACE_MAX_D_EL] */
    lrk_kernel kernel;
} lrk_space;

#define LRK_SPACE_MAX_L 512L
#define LRK_SPACE_MAX_D_EL 64.0

typedef struct lrk_model {
    lrk_mode mode;
    double V0;   /* barrier of the first event, units of k_B */
    double V1;   /* interaction strength, >= 0 */
    double T;    /* temperature, > 0 */
    double A;    /* crossover only: sharpness of f(T) */
    double T0;   /* crossover only: temperature where f = 1/2, > 0 */
    long N;      /* number of LREs n_r, >= 1 (Lx Ly Lz with a lattice) */
    lrk_space space; /* all zero: no lattice (mean field) */
} lrk_model;

/* Largest N accepted anywhere (tables of N doubles stay below 8 GiB). */
#define LRK_MODEL_MAX_N 1000000000L

/* The names of the modes, indexed by lrk_mode, NULL-terminated: the one
 * list behind lrk_mode_name, lrk_mode_parse and the model.mode key. */
extern const char *const lrk_mode_names[];

/* "ser", "cer", "crossover"; NULL for an unknown mode. */
const char *lrk_mode_name(lrk_mode mode);
/* Parse a mode name; returns LRK_ERR_INVALID for an unknown one. */
lrk_status lrk_mode_parse(const char *name, lrk_mode *mode);

/* Check ranges (finite values, T > 0, V1 >= 0, N in [1, LRK_MODEL_MAX_N],
 * T0 > 0 for crossover; with a lattice: L's in [1, LRK_SPACE_MAX_L],
 * d_el in (0, LRK_SPACE_MAX_D_EL], N = Lx Ly Lz); the message names the
 * parameter and its range. */
lrk_status lrk_model_validate(const lrk_model *m, lrk_error *err);

/* The barrier bound of a whole point (lrk_point_compute, and so `check`
 * and `run`): every time's square stays representable, because the
 * variance of first-passage times sums e^(2V/T) (<= pi^2/6 e^(2 max V/T))
 * and the KMC sums squared deviations over up to ~10^12 trajectories:
 * (|V0| + V1) / T < LRK_MODEL_POINT_MAX_EXPONENT.  The single references
 * (ODE, closed form, mean first passage) work up to 700 on their own. */
#define LRK_MODEL_POINT_MAX_EXPONENT 340.0

/* lrk_model_validate, then the point's bound above (the message names it). */
lrk_status lrk_model_validate_point(const lrk_model *m, lrk_error *err);

double lrk_model_crossover_f(const lrk_model *m); /* f(T); 0 for SER, 1 for CER */
double lrk_model_coupling(const lrk_model *m);    /* c */
double lrk_model_a(const lrk_model *m);           /* a = c V1 / T */
double lrk_model_k(const lrk_model *m);           /* k = exp(-V0 / T) */
double lrk_model_barrier(const lrk_model *m, long n); /* V(n) */
double lrk_model_rate(const lrk_model *m, long n);    /* lambda_n, 0 <= n < N */

/* V1 from the physical inputs of Eq. 5:
 *   V1 = 3 n_r q0 dp0 ln(2 d_el / d0), and 0 when d_el <= d0 / 2
 * (stress does not reach beyond the nearest neighbours: the Debye limit). */
double lrk_elastic_V1(double n_r, double q0, double dp0, double d0, double d_el);

/* Number of events n at which the level q in (0, 1] is first reached:
 * the smallest n with n / N >= q (guarded against rounding, so q = j/N
 * gives exactly j).  Always in [1, N].  KMC and the exact references use
 * this same definition. */
long lrk_level_event_count(double q, long N);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_MODEL_H */
