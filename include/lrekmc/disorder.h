/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder.h - quenched barrier disorder (docs/design.md section 7): the
 * distributions of the barrier offsets, the exact per-LRE engine, and its
 * exact references (disorder_ref.c).
 *
 * Model.  Each trajectory draws, once per LRE, an offset delta_i from the
 * distribution of model.disorder (model.h); LRE i fires with rate
 *   k_i g(n),   k_i = exp(-(V0 + delta_i)/T),   g(n) = exp(-c V1 n / (N T)).
 *
 * Engine: operational time.  g depends only on n, which all LREs share, so in
 * the operational time s with ds = g(n(t)) dt every LRE fires at its own
 * constant rate k_i, independently of the others (a random time change of a
 * Markov chain whose rates share one factor).  Hence:
 *   1. s_i = E_i / k_i = E_i exp((V0 + delta_i)/T), E_i unit exponentials;
 *   2. sort: s_(1) <= ... <= s_(N) are the operational times of the events;
 *   3. between the n-th and (n+1)-th event the state is n, so real time
 *      advances by (s_(n+1) - s_(n)) / g(n):  t_(n+1) = t_(n) + gap h(n),
 *      h(n) = 1/g(n) = exp(c V1 n / (N T)) (a table).  With c V1 = 0, h = 1 and
 *      t_(n) = s_(n) exactly (no sum is formed).
 * This samples the law of the chain exactly: no time step, no clamping.  One
 * offset, one exponential and one exp() per LRE (a vector exp over the
 * array; none for bimodal), then an exact two-level counting sort keyed by
 * the bits of s (a positive double's bits order like its value), finished by
 * insertion (a bucket whose insertion moves more than 32 values per value
 * goes to qsort, so no input is quadratic); src/disorder_sort.c.  Memory: two
 * arrays of N doubles and 8 N + 2050 counts per worker.
 * Real times accumulate positive terms: relative rounding <= N 2^-53.
 *
 * Representability.  Every draw of the samplers below lies in a known range
 * (lrk_disorder_support): normal |z| <= 12.23 (256-layer ziggurat; its tail
 * by Marsaglia's method on 52-bit uniforms), exponential <= 44.5 (ziggurat),
 * uniform and bimodal <= width.
 * lrk_disorder_validate demands that the log-rates (V0 + delta)/T stay in
 * [-LRK_DISORDER_MAX_LOG_RATE, LRK_DISORDER_MAX_LOG_RATE] over that range, and
 * that the largest real time stays finite: then every s_i and t is a normal
 * double, rates may span up to ~560 decades, and anything beyond is refused
 * with a message naming model.disorder.width (nothing is clamped).
 *
 * Determinism.  All randomness comes from the generator g passed in (results
 * version 3): four outputs of g seed a second PCG64 (lrk_pcg64_seed128 with
 * initstate = w0 2^64 + w1, initseq = w2 2^64 + w3); then g gives the N
 * offsets in LRE order, the same numbers as lrk_disorder_draw, and the second
 * generator the N unit exponentials in LRE order.  Two generators so that
 * their two LCG chains overlap in the CPU (one chain serialised two 128-bit
 * multiplies per LRE).  The sum-tree method and the spatial engine draw only
 * from g (lrk_disorder_draw).  The same generator gives the same bytes on any
 * thread.  exp() of the log-rates is the engine's own (fixed double and
 * integer operations, a fixed table; two SSE2 lanes doing exactly the scalar
 * operations), so the bytes do not depend on the CPU, its vector units or
 * the libm (docs/disorder.md).
 *
 * A straightforward direct simulation (LRK_DISORDER_SUM_TREE) is kept as an
 * independent implementation for the tests and the benchmark: the next LRE is
 * chosen among the unrelaxed with weight k_i from a sum tree whose nodes are
 * recomputed from their children on every update (no running-sum drift; a
 * zero-weight branch is never entered), the clock runs at g(n) sum k_i.
 */
#ifndef LREKMC_DISORDER_H
#define LREKMC_DISORDER_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/model.h"
#include "lrekmc/rng.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Largest |(V0 + delta)/T| accepted (e^650 ~ 1e282). */
#define LRK_DISORDER_MAX_LOG_RATE 650.0
/* With model.space (kernel r3) lrk_disorder_validate applies the lattice
 * engine's rule too (lrk_lattice_validate, LRK_LATTICE_MAX_LOG_RATE). */
/* Bounds of the samplers' standardised draws (see the top of disorder.c). */
#define LRK_DISORDER_NORMAL_ZMAX 12.23
#define LRK_DISORDER_EXPONENTIAL_MAX 44.5

/* The names in the order of lrk_disorder_kind, NULL-terminated. */
extern const char *const lrk_disorder_names[];
/* "none", "normal", "uniform", "exponential", "bimodal"; NULL if unknown. */
const char *lrk_disorder_name(lrk_disorder_kind kind);
lrk_status lrk_disorder_parse(const char *name, lrk_disorder_kind *kind);

/* Nonzero when the model has disorder that changes anything: kind != NONE
 * and width > 0 (width 0 is the mean-field chain, run by its engine). */
int lrk_disorder_active(const lrk_model *m);

/* The closed range [lo, hi] of the offsets the sampler can return. */
void lrk_disorder_support(const lrk_disorder *d, double *lo, double *hi);

/* Mean and variance of the offset distribution (the untruncated law). */
void lrk_disorder_moments(const lrk_disorder *d, double *mean, double *variance);

/* Check kind, width (finite, >= 0) and representability (above); with a
 * lattice (model.space, kernel r3) also that the lattice engine's relative
 * rates exp(-(delta_i + c sum_j J_ij s_j)/T) and their sum are normal
 * doubles: ln N + (V1 + max(-lo, 0))/T < 700 and (V1 + max(hi, 0))/T < 700
 * over the support [lo, hi].  The message names the parameter and the
 * allowed range. */
lrk_status lrk_disorder_validate(const lrk_model *m, lrk_error *err);

/* Fill delta[0..N) with one trajectory's offsets, in the order the engine
 * draws them (bimodal takes 64 offsets from one output). */
void lrk_disorder_draw(const lrk_disorder *d, lrk_pcg64 *g, long N, double *delta);

typedef enum lrk_disorder_method {
    LRK_DISORDER_OPERATIONAL = 0, /* the fast exact engine above */
    LRK_DISORDER_SUM_TREE         /* direct simulation, O(N log N), for checks */
} lrk_disorder_method;

/* Read-only tables of one run (O(N)), shared by all threads. */
typedef struct lrk_disorder_engine lrk_disorder_engine;
/* One thread's scratch (O(N)). */
typedef struct lrk_disorder_scratch lrk_disorder_scratch;

/* t[0..t_count) nondecreasing grid times (no sentinel needed), level_events
 * nondecreasing event counts in [1, N] (lrk_level_event_count).  The model is
 * validated (lrk_model_validate and lrk_disorder_validate). */
lrk_status lrk_disorder_engine_create(const lrk_model *m, const double *t, size_t t_count,
                                      const long *level_events, size_t level_count,
                                      lrk_disorder_engine **out, lrk_error *err);
void lrk_disorder_engine_free(lrk_disorder_engine *e);
/* The shape the engine was created with. */
size_t lrk_disorder_engine_t_count(const lrk_disorder_engine *e);
size_t lrk_disorder_engine_level_count(const lrk_disorder_engine *e);
/* A scratch holds what one method needs and only that: the operational-time
 * engine's times, buckets and counts (about 60 bytes an LRE), or the sum
 * tree's offsets and 2 P nodes (P the power of two >= N); a production
 * worker so never carries the check method's tree. */
lrk_status lrk_disorder_scratch_create(const lrk_disorder_engine *e, lrk_disorder_method method,
                                       lrk_disorder_scratch **out, lrk_error *err);
void lrk_disorder_scratch_free(lrk_disorder_scratch *w);

/* One trajectory from generator g by the scratch's method: n(t_k) (events
 * at times <= t_k) into n_at[0..t_count), the time of event
 * level_events[j] into first_passage[j].  n_at must hold t_count + 1
 * entries (the last is scratch). */
void lrk_disorder_simulate(const lrk_disorder_engine *e, lrk_disorder_scratch *w, lrk_pcg64 *g, uint32_t *n_at,
                           double *first_passage);

/* ---- exact references (disorder_ref.c) ----------------------------------
 *
 * p(t) = 1 - E_delta[exp(-t k(delta))], the probability that one LRE has
 * relaxed by operational time t, by adaptive Gauss-Kronrod quadrature over
 * delta (GSL qagp, breakpoints around t k(delta) = 1; relative 1e-11) on the
 * sampler's support (the mass outside it is < 1e-19).  p and 1 - p are
 * returned separately so neither loses digits to cancellation. */
lrk_status lrk_disorder_relaxed_fraction(const lrk_model *m, double t, double *p, double *one_minus_p,
                                         lrk_error *err);

/* c V1 = 0 only (SER/CER with V1 = 0, or the crossover at f = 1/2): the LREs
 * are i.i.d., n(t) ~ Binomial(N, p(t)): mean p, std sqrt(p (1 - p) / N) of q. */
lrk_status lrk_disorder_binomial(const lrk_model *m, const double *t, size_t count, double *q_mean,
                                 double *q_std, lrk_error *err);

/* c V1 = 0 only: the time of event n is the n-th order statistic of N i.i.d.
 * times with CDF p(t): P(T_(n) > t) = P(Binomial(N, p(t)) <= n - 1).  Mean
 * and variance by quadrature of the survival function (the variance as
 * int 2 (t - mu) [S - 1{t < mu}] dt, free of cancellation). */
lrk_status lrk_disorder_order_statistics(const lrk_model *m, const long *level_events, size_t count,
                                         double *mean, double *variance, lrk_error *err);

/* Bimodal, any c V1: exact mean and variance of the time of event n.  The
 * embedded jump chain over (n, u) (u = unrelaxed LREs of the fast class,
 * Binomial(N, 1/2) at n = 0) does not depend on g; the holding time in a
 * state is Exp(g(n) (u k_fast + (N - n - u) k_slow)).  A forward recursion
 * carries P, E[T | state] P and E[T^2 | state] P: O(N^2) work. */
lrk_status lrk_disorder_bimodal_levels(const lrk_model *m, const long *level_events, size_t count,
                                       double *mean, double *variance, lrk_error *err);

/* Mean field, N -> infinity, any distribution and c V1:
 *   dq_k/dt = k_k (1 - q_k) exp(-a q),  q = sum_k w_k q_k
 * over Gauss nodes delta_k (Hermite / Legendre / Laguerre by distribution,
 * gsl_integration_fixed; bimodal: its two points).  Solved exactly through the
 * time change d sigma = exp(-a q) dt: q_k = 1 - exp(-k_k sigma), so
 * t(sigma) = int_0^sigma exp(a p_n(sigma')) d sigma' (p_n the node sum), a
 * one-dimensional quadrature, and q(t) by inverting t(sigma).  The node count
 * doubles from 16 until q on the grid and t at the levels change by less than
 * 1e-8 (absolute in q, relative in t: far below any O(1/N) effect); *nodes_used reports it (NULL allowed).  Either
 * output may be NULL.  LRK_ERR_NOCONVERGE beyond 2048 nodes (or when the clock
 * quadrature fails on offsets that wide), except without
 * coupling (c V1 = 0), where the mean field is p(t) and is then taken from
 * lrk_disorder_relaxed_fraction (exact quadrature, any width; *nodes_used = 0). */
lrk_status lrk_disorder_mean_field(const lrk_model *m, const double *t, size_t t_count, double *q,
                                   const double *q_levels, size_t level_count, double *t_levels,
                                   size_t *nodes_used, lrk_error *err);

/* The same with a fixed node count (for the convergence study and tests). */
lrk_status lrk_disorder_mean_field_nodes(const lrk_model *m, size_t nodes, const double *t,
                                         size_t t_count, double *q, const double *q_levels,
                                         size_t level_count, double *t_levels, lrk_error *err);

/* ---- which references apply (disorder_point.c) ---------------------------
 *   MEAN_FIELD          always (N -> infinity; the KMC mean differs by O(1/N));
 *   BINOMIAL            c V1 = 0: exact mean and std of q(t) at any N;
 *   ORDER_STATISTICS    c V1 = 0: exact mean and variance of level times;
 *   BIMODAL_LEVELS      bimodal, any c V1, N <= 20000: exact level times
 *                       (replaces ORDER_STATISTICS when both apply);
 *   BIMODAL_MASTER      bimodal, c V1 != 0, N <= LRK_DISORDER_MASTER_AUTO_MAX_N
 *                       (disorder_master.h): exact mean and std of q(t) from
 *                       the two-class master equation (with c V1 = 0 the
 *                       binomial law gives the same numbers, cheaper).
 * With model.space, kernel r3 and c V1 != 0: MEAN_FIELD only (shown beside
 * the run, not expected to agree); kernel r3 without coupling has all of the
 * above (the LREs are independent; a box with no neighbour within d_el is
 * passed with V1 = 0 by the point pipeline); kernel uniform is the
 * mean-field disorder model itself and has all of them.
 * The other distributions with c V1 != 0 have the mean field only.  The
 * level-time increments of a disordered ensemble are not independent (the
 * order statistics of non-exponential times are correlated, and so are the
 * bimodal class counts along a path, also under the two-class master
 * equation, which is Markov in (u, v) but not in n): no chi2 is formed. */
enum {
    LRK_DISORDER_REF_MEAN_FIELD = 1u << 0,
    LRK_DISORDER_REF_BINOMIAL = 1u << 1,
    LRK_DISORDER_REF_ORDER_STATISTICS = 1u << 2,
    LRK_DISORDER_REF_BIMODAL_LEVELS = 1u << 3,
    LRK_DISORDER_REF_BIMODAL_MASTER = 1u << 4
};
unsigned lrk_disorder_reference_set(const lrk_model *m);

/* Whether the point pipeline solves the two-class master equation for m
 * under references.master_equation = master_equation (an lrk_switch of
 * config.h: auto, on, off; see lrk_disorder_columns below).  resources.c
 * counts its memory, 3 (N + 2)^2 doubles, by the same rule. */
int lrk_disorder_master_wanted(const lrk_model *m, int master_equation);

/* Output columns, each malloc'ed by the caller (t_count or level_count
 * doubles) or NULL (not wanted).  A reference that does not apply, or the
 * mean field when it does not converge, is freed and set to NULL.
 * master_equation is references.master_equation (an lrk_switch of config.h:
 * 0 = auto, the BIMODAL_MASTER range above, left out when it would take more
 * than 1e9 cell updates; on = any N <= LRK_DISORDER_MASTER_MAX_N with the full
 * budget LRK_DISORDER_MASTER_MAX_WORK, a solve over it left out too, with its
 * reason in master_left_out, as the chain's is; larger N is left out, as the
 * memory is N^2; off = never). */
typedef struct lrk_disorder_columns {
    double *q_ode, *t_ode;               /* mean field */
    double *q_exact_mean, *q_exact_std;  /* binomial or two-class master equation */
    double *t_exact_mean, *t_exact_var;  /* order statistics or bimodal */
    int master_equation;
    char master_left_out[256];           /* out: why `on` got no master equation ("" if it did) */
} lrk_disorder_columns;

lrk_status lrk_disorder_references(const lrk_model *m, const double *t, size_t t_count, const double *q_levels,
                                   const long *level_events, size_t level_count, lrk_disorder_columns *out,
                                   lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_DISORDER_H */
