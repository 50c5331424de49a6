/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * grid_end.c - where `grid.t_max: auto` ends the grid (grid_end.h): the ODE's
 * t(q_max), pushed out to a time by which the ensemble mean has provably
 * (Chernoff bound on exact rates, or the exact mean of a slower uncoupled
 * model) or statistically (pilot run) reached q_max.
 */
#include "lrekmc/grid_end.h"

#include "lrekmc/disorder.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/engine.h"
#include "lrekmc/kmc.h"
#include "lrekmc/lattice.h"
#include "lrekmc/ode.h"

const char *const lrk_grid_end_rule_names[] = {"auto", "ode", "moments", "pilot", NULL};

const char *lrk_grid_end_rule_name(lrk_grid_end_rule rule)
{
    if (rule == LRK_GRID_END_FIXED)
        return "fixed";
    return (int)rule >= 0 && rule < LRK_GRID_END_FIXED ? lrk_grid_end_rule_names[rule] : "ode";
}

/* LREs in space (r3, a neighbour in range, no disorder) whose barriers only
 * rise (c >= 0): every unrelaxed site's barrier is at most V0 + c V1 (a
 * site's coupling sum is <= V1, lattice.h), so its rate is at least
 * k_min = e^(-(V0 + c V1)/T) and with i sites relaxed the total rate is at
 * least (N - i) k_min.  Event by event the lattice is then stochastically
 * faster than the chain of N independent LREs of rate k_min: T_n <=_st
 * sum_{i<n} E_i / ((N - i) k_min), and the Chernoff bound of that chain
 * bounds the lattice's tail.  For c < 0 the same argument needs k = e^(-V0/T),
 * loose by e^(|c| V1/T): the pilot is used there. */
static int slowest_chain_bounds(const lrk_model *m)
{
    return m->space.lattice == LRK_LATTICE_CUBIC && m->space.kernel == LRK_KERNEL_R3 && !lrk_disorder_active(m)
           && lrk_model_coupling(m) >= 0 && m->V1 > 0 && lrk_stencil_sum(&m->space) > 0;
}

static lrk_model slowest_chain(const lrk_model *m)
{
    lrk_model slow = *m;
    slow.V0 = m->V0 + lrk_model_coupling(m) * m->V1;
    slow.V1 = 0;
    slow.space.lattice = LRK_LATTICE_NONE;
    return slow;
}

/* Disorder whose barriers only rise (c V1 > 0), mean field or in space (any
 * kernel: a site's coupling sum is <= V1): LRE i's rate is at least
 * k_i e^(-c V1/T), k_i = e^(-(V0 + delta_i)/T), as long as it is unrelaxed.
 * Give every LRE a unit exponential E_i and let it relax when its integrated
 * rate reaches E_i: it then relaxes no later than E_i e^(c V1/T) / k_i, its
 * time among the independent LREs of the slowest barriers V0 + c V1 +
 * delta_i.  So pathwise n(t) >= n_slow(t), and E q(t) >= p_slow(t), the
 * exact relaxed fraction of that uncoupled model (disorder.h: quadrature,
 * relative 1e-11).  No Chernoff bound is needed: the bound is on the mean
 * itself.  The CER side would need e^(-V0/T), loose by e^(|c| V1/T): the
 * pilot is used there. */
static int slowest_uncoupled_bounds(const lrk_model *m)
{
    return lrk_disorder_active(m) && lrk_model_coupling(m) > 0 && m->V1 > 0;
}

/* Disorder or LREs in space (r3, a neighbour in range) whose barriers only
 * fall (c V1 < 0): every unrelaxed LRE's rate is at least its initial rate
 * k_i = e^(-(V0 + delta_i)/T), and the argument above gives E q(t) >=
 * p_init(t), the relaxed fraction of the uncoupled LREs at their initial
 * barriers (without disorder 1 - e^(-k t)).  Loose by up to e^(|c| V1/T),
 * so `auto` takes it only when its t(q_max) is within
 * LRK_GRID_END_BOUND_SLACK t_ode (weak CER), and the pilot otherwise. */
static int initial_rates_bound(const lrk_model *m)
{
    if (!(lrk_model_coupling(m) < 0 && m->V1 > 0))
        return 0;
    if (lrk_disorder_active(m))
        return 1;
    return m->space.lattice == LRK_LATTICE_CUBIC && m->space.kernel == LRK_KERNEL_R3 && lrk_stencil_sum(&m->space) > 0;
}

/* The smallest t (to 1e-12 relative) with 1 - p(t) <= (1 - q_max)
 * (1 - 1e-9) for the uncoupled disorder model u (V1 = 0): the margin covers
 * the quadrature's relative 1e-11, so p(t) >= q_max for the exact p. */
static lrk_status uncoupled_time(const lrk_model *u, double q_max, double *t_out, lrk_error *err)
{
    const lrk_model slow = *u;
    const double target = (1.0 - q_max) * (1.0 - 1e-9);
    double lo = 0.0, hi = 1.0 / lrk_model_k(&slow), p, rest;
    lrk_status s = LRK_OK;
    for (int i = 0; s == LRK_OK && i < 4000; i++) {
        s = lrk_disorder_relaxed_fraction(&slow, hi, &p, &rest, err);
        if (s != LRK_OK || rest <= target)
            break;
        lo = hi;
        hi *= 2.0;
    }
    if (s == LRK_OK && !(rest <= target))
        return lrk_error_set(err, LRK_ERR_NUMERIC, "grid end: the slowest uncoupled model does not reach q_max = %g",
                             q_max);
    while (s == LRK_OK && hi - lo > 1e-12 * hi) {
        const double mid = 0.5 * (lo + hi);
        s = lrk_disorder_relaxed_fraction(&slow, mid, &p, &rest, err);
        if (rest <= target)
            hi = mid;
        else
            lo = mid;
    }
    if (s == LRK_OK)
        *t_out = hi;
    return s;
}

static lrk_status slowest_uncoupled_time(const lrk_model *m, double q_max, double *t_out, lrk_error *err)
{
    const lrk_model slow = slowest_chain(m);
    return uncoupled_time(&slow, q_max, t_out, err);
}

/* t(q_max) of the uncoupled LREs at their initial barriers (the CER bound
 * above); 1 - e^(-k t) >= q_max exactly without disorder (the 1e-12 covers
 * the rounding of the logarithm and the division). */
static lrk_status initial_rates_time(const lrk_model *m, double q_max, double *t_out, lrk_error *err)
{
    lrk_model initial = *m;
    initial.V1 = 0;
    initial.space.lattice = LRK_LATTICE_NONE;
    if (lrk_disorder_active(m))
        return uncoupled_time(&initial, q_max, t_out, err);
    *t_out = -log1p(-q_max) / lrk_model_k(&initial) * (1.0 + 1e-12);
    return LRK_OK;
}

/* t(q_max) of the model's mean field: the chain's ODE, or with disorder the
 * multi-class mean field (disorder.h), which may not converge for very wide
 * offsets: then NaN, and only a pilot can end the grid. */
static lrk_status mean_field_time(const lrk_model *m, double q_max, lrk_grid_end_rule rule, double *t,
                                  lrk_error *err)
{
    if (!lrk_disorder_active(m))
        return lrk_ode_time_to_reach(m, q_max, t, err);
    lrk_status s = lrk_disorder_mean_field(m, NULL, 0, NULL, &q_max, 1, t, NULL, err);
    if (s == LRK_ERR_NOCONVERGE && rule != LRK_GRID_END_ODE) {
        *t = NAN;
        return LRK_OK;
    }
    if (s == LRK_ERR_NOCONVERGE) {
        char why[sizeof err->message] = "";
        if (err != NULL) /* err->message is both the cause and the destination */
            memcpy(why, err->message, sizeof why);
        return lrk_error_set(err, LRK_ERR_INVALID, "grid.t_max: auto with rule ode needs the mean field, which "
                             "does not converge for this disorder (%s): give grid.t_max or kmc.trajectories > 0",
                             why);
    }
    return s;
}

/* CER in space or with disorder: the initial rates' bound when it is within
 * LRK_GRID_END_BOUND_SLACK of the mean field's t(q_max), else the pilot
 * (also when the mean field does not converge). */
static lrk_grid_end_rule falling_barriers_rule(const lrk_model *m, double q_max)
{
    double t_ode, t_init;
    lrk_error err;
    if (mean_field_time(m, q_max, LRK_GRID_END_PILOT, &t_ode, &err) != LRK_OK || !isfinite(t_ode)
        || initial_rates_time(m, q_max, &t_init, &err) != LRK_OK)
        return LRK_GRID_END_PILOT;
    return t_init <= LRK_GRID_END_BOUND_SLACK * t_ode ? LRK_GRID_END_MOMENTS : LRK_GRID_END_PILOT;
}

/* Whether lrk_grid_end_rule_for reaches falling_barriers_rule. */
static int falling_barriers_case(const lrk_model *m)
{
    if (lrk_disorder_active(m) && lrk_model_coupling(m) * m->V1 == 0)
        return 0;
    return !(slowest_chain_bounds(m) || slowest_uncoupled_bounds(m)) && initial_rates_bound(m);
}

lrk_grid_end_rule lrk_grid_end_rule_for(const lrk_model *m, double q_max)
{
    /* the Chernoff bound needs the exact rates behind the first-passage
     * moments, or rates that bound them (slowest_chain_bounds); disorder
     * without coupling has its mean field p(t) as the exact ensemble mean
     * (disorder.h) */
    if (lrk_disorder_active(m) && lrk_model_coupling(m) * m->V1 == 0)
        return LRK_GRID_END_ODE;
    if (slowest_chain_bounds(m) || slowest_uncoupled_bounds(m))
        return LRK_GRID_END_MOMENTS;
    if (falling_barriers_case(m))
        return falling_barriers_rule(m, q_max);
    return (lrk_engine_references(NULL, m) & LRK_REF_FIRST_PASSAGE) ? LRK_GRID_END_MOMENTS : LRK_GRID_END_PILOT;
}

uint64_t lrk_grid_pilot_seed(uint64_t seed)
{
    uint64_t z = seed + 0x9e3779b97f4a7c15ull * 0x70696c6f74ull; /* "pilot" */
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

static size_t candidate_events(long N, double q_max, long *n, size_t capacity);

/* ---- rule `moments`: Chernoff bound on T_n' ------------------------------- */

static double log_rate(const lrk_model *m, double c_V1, long i)
{
    return log((double)(m->N - i)) - (m->V0 + c_V1 * (double)i / (double)m->N) / m->T;
}

/* psi(u) = -sum_i log(1 - u r_i) and its first two derivatives, where
 * r_i = a / lambda_i in (0, 1] and a = min lambda_i: the log-MGF of T_n' at
 * s = u a.  No O(N) table (N may be 1e9): r_i = e^(b + g i) / (N - i) with
 * e^(g i) by a running product, restarted exactly every 256 terms so that
 * rounding never accumulates past ~256 ulps. */
typedef struct mgf {
    double psi, d1, d2;
} mgf;

static mgf log_mgf(const lrk_model *m, double c_V1, long n, double log_a, double u)
{
    const double b = log_a + m->V0 / m->T, gamma = c_V1 / ((double)m->N * m->T), step = exp(gamma);
    mgf g = {0, 0, 0};
    double growth = 1.0;
    for (long i = 0; i < n; i++) {
        if ((i & 255) == 0)
            growth = exp(b + gamma * (double)i);
        double r = growth / (double)(m->N - i);
        growth *= step;
        double x = r / (1.0 - u * r);
        g.psi -= log1p(-u * r);
        g.d1 += x;
        g.d2 += x * x;
    }
    return g;
}

/* The smallest t (from Chernoff) with P(T_n > t) <= e^-L.  t a = (psi(u) + L)/u
 * is minimised where h(u) = u psi' - psi - L = 0; h' = u psi'' > 0 and
 * h(0) = -L < 0, h(1-) = +inf, so the root is unique.  Any u gives a valid
 * bound, and t is flat at the optimum (an error du costs ~du^2 in t), so
 * Newton stops at |du| < 1e-5 u (1 - u), starting from *u (the previous
 * candidate's optimum). */
static double chernoff_time(const lrk_model *m, double c_V1, long n, double L, double *u_io)
{
    /* log lambda_i is concave in i (log(N - i) plus a linear term): its
     * minimum over 0 <= i < n is at an end. */
    double log_a = fmin(log_rate(m, c_V1, 0), log_rate(m, c_V1, n - 1));
    double lo = 0.0, hi = 1.0, u = *u_io;
    mgf g = log_mgf(m, c_V1, n, log_a, u);
    for (int iteration = 0; iteration < 100; iteration++) {
        double h = u * g.d1 - g.psi - L;
        if (h > 0)
            hi = u;
        else
            lo = u;
        double next = u - h / (u * g.d2);
        if (!(next > lo && next < hi))
            next = 0.5 * (lo + hi);
        if (fabs(next - u) <= 1e-5 * u * (1.0 - u) || hi - lo <= 1e-14)
            break;
        u = next;
        g = log_mgf(m, c_V1, n, log_a, u);
    }
    *u_io = u;
    return (g.psi + L) / u * exp(-log_a);
}

lrk_status lrk_grid_end_moments(const lrk_model *m, double q_max, double *t_out, long *n_used, lrk_error *err)
{
    lrk_status s = lrk_model_validate(m, err);
    if (s != LRK_OK)
        return s;
    if (!(q_max > 0 && q_max < 1))
        return lrk_error_set(err, LRK_ERR_INVALID, "grid.q_max = %g: expected a number in (0, 1)", q_max);
    const long N = m->N;
    const double c_V1 = lrk_model_coupling(m) * m->V1;
    long candidates[64];
    size_t C = candidate_events(N, q_max, candidates, 64);
    double best = INFINITY, u = 0.5;
    long best_n = N;
    /* Candidates from n' = N down; t(n') has one minimum in practice, so the
     * search stops at the first rise (a stop too early only loosens the
     * bound: every candidate is valid). */
    for (size_t j = 0; j < C; j++) {
        long n = candidates[j];
        double t = chernoff_time(m, c_V1, n, -log(1.0 - q_max * (double)N / (double)n), &u);
        if (!(t < best))
            break;
        best = t;
        best_n = n;
    }
    if (!isfinite(best) || !(best > 0))
        return lrk_error_set(err, LRK_ERR_NUMERIC, "grid.t_max: auto: no finite time covers q_max = %g (N = %ld)",
                             q_max, N);
    *t_out = best;
    if (n_used != NULL)
        *n_used = best_n;
    return LRK_OK;
}

/* ---- rule `pilot` ----------------------------------------------------------- */

/* The candidate events n' of both rules: q_max N + D 4^-j, D = (1 - q_max) N,
 * each in (q_max N, N], ascending in j's reverse (returned descending). */
static size_t candidate_events(long N, double q_max, long *n, size_t capacity)
{
    const double base = q_max * (double)N, D = (1.0 - q_max) * (double)N;
    size_t count = 0;
    for (double gap = D; count < capacity; gap /= 4.0) {
        long e = (long)ceil(base + gap);
        if (e > N)
            e = N;
        if ((count == 0 || e != n[count - 1]) && (double)e > base)
            n[count++] = e;
        if (gap < 1.0)
            break;
    }
    return count;
}

/* The distribution-free upper confidence bound of the (1 - eps)-quantile of
 * T from M sorted samples: the r-th largest lies below it only if at most
 * r - 1 samples exceed it, probability P(Bin(M, eps) <= r - 1); r is the
 * largest with that <= alpha (the pmf from lgamma: no underflowing
 * recursion).  NaN when even the maximum is not enough. */
static long pilot_rank(long M, double eps, double alpha)
{
    long r = 0;
    double cdf = 0;
    for (; r < M; r++) {
        double log_pmf = lgamma((double)M + 1) - lgamma((double)r + 1) - lgamma((double)(M - r) + 1)
                         + (double)r * log(eps) + (double)(M - r) * log1p(-eps);
        cdf += exp(log_pmf);      /* now P(Bin <= r) */
        if (cdf > alpha)
            break;
    }
    return r;
}

static double quantile_upper_bound(const double *sorted, long M, double eps, double alpha)
{
    long r = pilot_rank(M, eps, alpha);
    return r > 0 ? sorted[M - r] : NAN;
}

/* The candidate levels of the pilot (ascending, what the engine times) and
 * their count. */
static size_t pilot_levels(long N, double q_max, double *q, size_t capacity)
{
    long n[64];
    size_t C = candidate_events(N, q_max, n, capacity < 64 ? capacity : 64);
    for (size_t j = 0; j < C; j++)
        q[j] = (double)n[C - 1 - j] / (double)N;
    return C;
}

/* eps(n') of candidate level q (the event the engine times for it). */
static double pilot_eps(long N, double q_max, double q)
{
    return 1.0 - q_max * (double)N / (double)lrk_level_event_count(q, N);
}

/* Whether some candidate has a rank r > 0: whatever the pilot's times, the
 * bound is then finite. */
static int pilot_can_bound(long N, double q_max)
{
    double q[64];
    size_t C = pilot_levels(N, q_max, q, 64);
    for (size_t j = 0; j < C; j++)
        if (pilot_rank(LRK_GRID_PILOT_TRAJECTORIES, pilot_eps(N, q_max, q[j]), LRK_GRID_PILOT_ALPHA / (double)C) > 0)
            return 1;
    return 0;
}

lrk_status lrk_grid_end_pilot_check(long N, double q_max, lrk_error *err)
{
    if (!(q_max > 0 && q_max < 1) || N < 1 || pilot_can_bound(N, q_max))
        return LRK_OK; /* the range of q_max and N is checked where they are parsed */
    double lo = 0.5, hi = q_max; /* the largest q_max that works, to say so */
    for (int i = 0; i < 60 && pilot_can_bound(N, lo); i++) {
        double mid = 0.5 * (lo + hi);
        if (pilot_can_bound(N, mid))
            lo = mid;
        else
            hi = mid;
    }
    return lrk_error_set(err, LRK_ERR_INVALID,
                         "grid.q_max = %g: the pilot that ends the grid (grid.t_max_rule: pilot, %d trajectories, "
                         "confidence %g) cannot bound it at N = %ld; expected grid.q_max <= %.4f, or give "
                         "grid.t_max as a number",
                         q_max, LRK_GRID_PILOT_TRAJECTORIES, 1.0 - LRK_GRID_PILOT_ALPHA, N,
                         floor(lo * 1e4) / 1e4);
}

/* The Chernoff bound is a bound for the chain whose rates it sums: with
 * disorder or LREs in space (r3) those are not the process's rates. */
static lrk_status moments_applies(const lrk_model *m, lrk_error *err)
{
    if (slowest_uncoupled_bounds(m) || initial_rates_bound(m)
        || (!lrk_disorder_active(m) && (slowest_chain_bounds(m) || (lrk_engine_references(NULL, m) & LRK_REF_FIRST_PASSAGE))))
        return LRK_OK;
    return lrk_error_set(err, LRK_ERR_INVALID, "grid.t_max_rule: moments needs the exact rates of the mean-field "
                         "chain, or a coupling whose rates bound the process (c V1 != 0 in space or with "
                         "disorder), which this %s without coupling does not have; use ode (exact there) or pilot "
                         "(or auto)",
                         lrk_disorder_active(m) ? "model.disorder" : "model.space");
}

lrk_status lrk_grid_end_rule_check(const lrk_model *m, lrk_grid_end_rule rule, double q_max, lrk_error *err)
{
    double t;
    lrk_status s = LRK_OK;
    if (rule == LRK_GRID_END_PILOT)
        s = lrk_grid_end_pilot_check(m->N, q_max, err);
    else if (rule == LRK_GRID_END_MOMENTS)
        s = moments_applies(m, err);
    else if (rule == LRK_GRID_END_ODE && lrk_disorder_active(m))
        s = mean_field_time(m, q_max, LRK_GRID_END_ODE, &t, err); /* solves it: ms, 0.2 s at worst */
    return s == LRK_ERR_NOMEM ? LRK_OK : s; /* memory is run's business, not the configuration's */
}

lrk_status lrk_grid_end_check(const lrk_model *m, lrk_grid_end_rule rule, long trajectories, double q_max,
                              lrk_error *err)
{
    /* auto on falling barriers picks the initial rates' bound or the pilot
     * by the mean field's t(q_max), which takes seconds for wide disorder:
     * when both can end the grid, which one it will be is run's business */
    if (rule == LRK_GRID_END_AUTO && trajectories > 0 && falling_barriers_case(m)
        && lrk_grid_end_rule_check(m, LRK_GRID_END_MOMENTS, q_max, NULL) == LRK_OK
        && lrk_grid_end_rule_check(m, LRK_GRID_END_PILOT, q_max, NULL) == LRK_OK)
        return LRK_OK;
    return lrk_grid_end_rule_check(m, lrk_grid_end_rule_resolve(m, rule, trajectories, q_max), q_max, err);
}

lrk_grid_end_rule lrk_grid_end_rule_resolve(const lrk_model *m, lrk_grid_end_rule rule, long trajectories,
                                            double q_max)
{
    if (rule != LRK_GRID_END_AUTO)
        return rule;
    return trajectories > 0 ? lrk_grid_end_rule_for(m, q_max) : LRK_GRID_END_ODE;
}

static int compare_doubles(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

lrk_status lrk_grid_end_pilot(const lrk_model *m, double q_max, uint64_t pilot_seed, int threads, double *t_out,
                              lrk_error *err)
{
    lrk_status s = lrk_model_validate(m, err);
    if (s != LRK_OK)
        return s;
    if (!(q_max > 0 && q_max < 1))
        return lrk_error_set(err, LRK_ERR_INVALID, "grid.q_max = %g: expected a number in (0, 1)", q_max);
    enum { CAPACITY = 64 };
    double q[CAPACITY];
    size_t C = pilot_levels(m->N, q_max, q, CAPACITY);
    const long M = LRK_GRID_PILOT_TRAJECTORIES;
    lrk_kmc_params params = {.model = m, .q_levels = q, .level_count = C, .seed = pilot_seed,
                             .trajectories = M, .batches = 8, .threads = threads, .keep_first_passage = 1};
    lrk_kmc_result *r = NULL;
    double *sorted = malloc((size_t)M * sizeof *sorted);
    if (sorted == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "grid pilot: out of memory");
    if (s == LRK_OK)
        s = lrk_kmc_run_all(&params, &r, err);
    double best = INFINITY;
    for (size_t j = 0; s == LRK_OK && j < C; j++) {
        double eps = pilot_eps(m->N, q_max, q[j]);
        for (long i = 0; i < M; i++)
            sorted[i] = r->first_passage[(size_t)i * C + j];
        qsort(sorted, (size_t)M, sizeof *sorted, compare_doubles);
        /* alpha / C per candidate: the minimum over C of them is then covered
         * with probability >= 1 - alpha (union bound). */
        double t = quantile_upper_bound(sorted, M, eps, LRK_GRID_PILOT_ALPHA / (double)C);
        if (t < best)
            best = t;
    }
    if (s == LRK_OK && !isfinite(best))
        s = lrk_error_set(err, LRK_ERR_NUMERIC,
                          "grid.t_max_rule: pilot: %ld pilot trajectories cannot bound the time of q_max = %g "
                          "(N = %ld); lower grid.q_max", M, q_max, m->N);
    if (s == LRK_OK)
        *t_out = best;
    lrk_kmc_result_free(r);
    free(sorted);
    return s;
}

lrk_status lrk_grid_end_compute(const lrk_model *m, double q_max, lrk_grid_end_rule rule, uint64_t seed,
                                int threads, lrk_grid_end *out, lrk_error *err)
{
    out->rule = rule;
    out->t_ensemble = NAN;
    out->level_event = m->N;
    if (rule == LRK_GRID_END_AUTO || rule == LRK_GRID_END_FIXED)
        return lrk_error_set(err, LRK_ERR_INVALID, "grid end: rule %s is not a rule to compute",
                             lrk_grid_end_rule_name(rule));
    lrk_status s = mean_field_time(m, q_max, rule, &out->t_ode, err);
    if (s == LRK_OK && rule == LRK_GRID_END_MOMENTS)
        s = moments_applies(m, err);
    if (s == LRK_OK && rule == LRK_GRID_END_MOMENTS && slowest_uncoupled_bounds(m)) {
        s = slowest_uncoupled_time(m, q_max, &out->t_ensemble, err);
    } else if (s == LRK_OK && rule == LRK_GRID_END_MOMENTS && initial_rates_bound(m)) {
        s = initial_rates_time(m, q_max, &out->t_ensemble, err);
    } else if (s == LRK_OK && rule == LRK_GRID_END_MOMENTS) {
        lrk_model slow = slowest_chain_bounds(m) ? slowest_chain(m) : *m;
        s = lrk_grid_end_moments(&slow, q_max, &out->t_ensemble, &out->level_event, err);
    } else if (s == LRK_OK && rule == LRK_GRID_END_PILOT)
        s = lrk_grid_end_pilot(m, q_max, lrk_grid_pilot_seed(seed), threads, &out->t_ensemble, err);
    if (s == LRK_OK)
        out->t_max = rule == LRK_GRID_END_ODE ? out->t_ode : fmax(out->t_ode, out->t_ensemble);
    return s;
}
