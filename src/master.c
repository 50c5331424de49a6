/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * master.c - the exact finite-N master equation of the pure-birth chain
 * (master.h), solved by windowed, piecewise uniformization.
 *
 * Why this method.  Plain uniformization with one rate Lambda = max lambda_n
 * over the whole run needs about Lambda * t_max matrix-vector steps; for the
 * slow (SER, low T) curves that is hundreds of times N, each step O(N).  The
 * chain only moves upwards and its distribution is a narrow packet of width
 * O(sqrt N), so we instead advance the packet in short sub-steps, each with
 * its own rate Lambda = the largest lambda_n the packet can reach during that
 * sub-step.  Then the number of uniformized jumps tracks the number of real
 * events (about N in all), and each jump touches only the packet.  Exact
 * methods that use the bidiagonal structure differently either build
 * exp(Q dt) (O(N^2) per grid step) or sum exponentials, which cancels
 * catastrophically for equal or near-equal rates; uniformization only adds
 * non-negative numbers, so every P_n keeps its relative accuracy.
 *
 * Error control (rigorous in exact arithmetic).  Only two things lose mass:
 * the Poisson sum of a sub-step is cut after J terms (geometric tail bound,
 * below), and states at the bottom and top edge of the packet are dropped
 * once their summed mass is below LRK_DROP_MASS.  Every operation adds
 * non-negative terms, so the computed vector P~ satisfies 0 <= P~ <= P
 * elementwise, and the lost mass D is at most the sum of the per-sub-step
 * bounds (2e-20 each).  As q lies in [0, 1], mean and second moment are off
 * by at most D, far below the 1e-9 promised.  Rounding is relative (about
 * 1e-16 per addition), so even tiny standard deviations keep their relative
 * accuracy; the kept Poisson weights are normalised so that the total mass
 * does not drift.
 *
 * Why the local Lambda is allowed: with a pure-birth chain P_n(t) depends on
 * lambda_0..lambda_n only, and a J-term uniformization sum starting from a
 * packet on [lo, hi] never touches states above hi + J.  So Lambda needs to
 * dominate lambda_n on [lo, hi + J] only (replace the rates above by
 * min(lambda_n, Lambda): the states we keep are unchanged).
 */
#include "lrekmc/master.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/grid.h"

/* Expected uniformized jumps per sub-step: large enough that the Poisson
 * tail overhead (~ 10 sqrt(L)) is small, small enough that the window the
 * packet can reach (and so Lambda) stays close to the packet.  Counted cell
 * updates: 32 -> 256 saves 15-45 % on long runs (N = 1e5, strong CER),
 * 1024 is worse again; 400-point grids are grid-bound and do not care. */
#define LRK_SUBSTEP_JUMPS 256.0
/* Poisson tail and dropped edge mass per sub-step. */
#define LRK_TAIL_MASS 1e-20
#define LRK_DROP_MASS 1e-20
/* Allowed slack between the window estimate and the actual number of terms. */
#define LRK_TERM_SLACK 4
/* The fixed cost of one Poisson term of a sub-step (its weight, the
 * normalisation, the jump's loop set-up) in cell updates: ~25 ns against
 * ~0.7 ns per cell, measured with a packet of 4 states (N = 3, strong CER,
 * where it is all the cost: the budget then meant 17 s of CPU, not 3). */
#define LRK_TERM_COST 32.0

typedef struct master_state {
    long N;
    double *rate;    /* lambda_n, n = 0..N, with lambda_N = 0 */
    double *p;       /* the current distribution, nonzero on [lo, hi] only */
    double *v;       /* uniformized chain after j jumps */
    double *stay;    /* 1 - lambda_n / Lambda on the window */
    double *move;    /* lambda_n / Lambda on the window */
    double *weight;  /* Poisson weights of one sub-step */
    long lo, hi;
    double now;      /* time of p */
    long max_terms;  /* J for a sub-step of LRK_SUBSTEP_JUMPS expected jumps */
    double lost;     /* bound on the total mass lost so far */
    double work;     /* cell updates done so far */
    double max_work; /* give up beyond this many */
} master_state;

/* The number of Poisson terms J such that the mass beyond J is at most
 * LRK_TAIL_MASS; fills weight[0..J] when weight is not NULL.  For j > mu the
 * ratio of successive weights mu / (j + 1) decreases, so the tail after J is
 * at most w_{J+1} / (1 - mu / (J + 2)), a geometric bound. */
static long poisson_terms(double mu, double *weight, long capacity)
{
    double w = exp(-mu);
    long j = 0;
    for (;;) {
        if (weight != NULL && j < capacity)
            weight[j] = w;
        double next = w * mu / (double)(j + 1);
        if ((double)(j + 2) > mu) {
            double tail = next / (1.0 - mu / (double)(j + 2));
            if (tail <= LRK_TAIL_MASS)
                return j;
        }
        w = next;
        j++;
    }
}

static void master_free(master_state *s)
{
    free(s->rate);
    free(s->p);
    free(s->v);
    free(s->stay);
    free(s->move);
    free(s->weight);
}

static lrk_status master_init(master_state *s, const lrk_model *m, double max_work, lrk_error *err)
{
    memset(s, 0, sizeof *s);
    s->max_work = max_work;
    lrk_status st = lrk_model_validate(m, err);
    if (st != LRK_OK)
        return st;
    if (m->N > LRK_MASTER_MAX_N)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "master equation: model.N = %ld: expected at most %ld "
                             "(set references.master_equation: off for larger N)",
                             m->N, LRK_MASTER_MAX_N);
    s->N = m->N;
    s->max_terms = poisson_terms(LRK_SUBSTEP_JUMPS, NULL, 0) + LRK_TERM_SLACK;
    size_t n1 = (size_t)m->N + 1;
    s->rate = malloc(n1 * sizeof *s->rate);
    s->p = calloc(n1, sizeof *s->p);
    s->v = calloc(n1, sizeof *s->v);
    s->stay = malloc(n1 * sizeof *s->stay);
    s->move = malloc(n1 * sizeof *s->move);
    s->weight = malloc(((size_t)s->max_terms + 1) * sizeof *s->weight);
    if (!s->rate || !s->p || !s->v || !s->stay || !s->move || !s->weight) {
        master_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "master equation: out of memory for N = %ld", m->N);
    }
    for (long n = 0; n < m->N; n++) {
        s->rate[n] = lrk_model_rate(m, n);
        if (!isfinite(s->rate[n])) {
            master_free(s);
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "master equation: rate lambda_%ld overflows (N = %ld, V0/T = %g, V1/T = %g)",
                                 n, m->N, m->V0 / m->T, m->V1 / m->T);
        }
    }
    s->rate[m->N] = 0.0;
    s->p[0] = 1.0;
    s->lo = s->hi = 0;
    return LRK_OK;
}

/* Drop the bottom and top states of the packet whose summed mass is at most
 * LRK_DROP_MASS each; they cannot change any moment by more than that. */
static void trim_packet(master_state *s)
{
    double sum = 0.0;
    while (s->lo < s->hi && sum + s->p[s->lo] <= LRK_DROP_MASS) {
        sum += s->p[s->lo];
        s->p[s->lo++] = 0.0;
    }
    s->lost += sum;
    sum = 0.0;
    while (s->hi > s->lo && sum + s->p[s->hi] <= LRK_DROP_MASS) {
        sum += s->p[s->hi];
        s->p[s->hi--] = 0.0;
    }
    s->lost += sum;
}

/* One uniformized jump v <- (I + Q / Lambda) v on [lo, top], support grows to
 * top + 1 (at most N); accumulates w * v into p.  Descending n lets the update
 * run in place. */
static long jump_and_accumulate(master_state *s, long top, double w)
{
    long new_top = top < s->N ? top + 1 : top;
    double *v = s->v, *p = s->p;
    /* v[top + 1] is zero on entry (v is cleared after every sub-step). */
    for (long n = new_top; n > s->lo; n--) {
        v[n] = v[n] * s->stay[n] + v[n - 1] * s->move[n - 1];
        p[n] += w * v[n];
    }
    v[s->lo] *= s->stay[s->lo];
    p[s->lo] += w * v[s->lo];
    return new_top;
}

/* Advance the packet by at most `remaining` time; returns the time used. */
static double substep(master_state *s, double remaining)
{
    long window_top = s->hi + s->max_terms;
    if (window_top > s->N)
        window_top = s->N;
    double Lambda = 0.0;
    for (long n = s->lo; n <= window_top; n++)
        if (s->rate[n] > Lambda)
            Lambda = s->rate[n];
    if (Lambda == 0.0) /* all the mass sits in the absorbing state N */
        return remaining;
    double dt = fmin(remaining, LRK_SUBSTEP_JUMPS / Lambda);
    double mu = fmin(Lambda * dt, LRK_SUBSTEP_JUMPS);
    long terms = poisson_terms(mu, s->weight, s->max_terms + 1);
    if (terms > s->max_terms) /* rounding at the edge; the tail grows with mu */
        terms = s->max_terms;
    /* The kept weights sum to 1 - tail, tail <= 1e-20: normalise them so that
     * the rounding of exp(-mu) and of the recurrence does not make the total
     * mass drift over thousands of sub-steps. */
    double total = 0.0;
    for (long j = 0; j <= terms; j++)
        total += s->weight[j];
    for (long j = 0; j <= terms; j++)
        s->weight[j] /= total;

    for (long n = s->lo; n <= window_top; n++) {
        s->move[n] = s->rate[n] / Lambda;
        s->stay[n] = (Lambda - s->rate[n]) / Lambda;
    }
    long top = s->hi;
    for (long n = s->lo; n <= top; n++) {
        s->v[n] = s->p[n];
        s->p[n] *= s->weight[0];
    }
    for (long j = 1; j <= terms; j++) {
        s->work += (double)(top - s->lo + 2) + LRK_TERM_COST;
        top = jump_and_accumulate(s, top, s->weight[j]);
    }
    for (long n = s->lo; n <= top; n++)
        s->v[n] = 0.0;
    s->hi = top;
    s->lost += LRK_TAIL_MASS;
    trim_packet(s);
    return dt;
}

/* Mean and std of q from the packet, normalised by its mass (two passes, so
 * the variance is a sum of non-negative terms). */
static void packet_moments(const master_state *s, double *mean, double *std)
{
    double mass = 0.0, first = 0.0;
    for (long n = s->lo; n <= s->hi; n++) {
        mass += s->p[n];
        first += (double)n * s->p[n];
    }
    double mean_n = first / mass, second = 0.0;
    for (long n = s->lo; n <= s->hi; n++) {
        double d = (double)n - mean_n;
        second += d * d * s->p[n];
    }
    *mean = mean_n / (double)s->N;
    *std = sqrt(second / mass) / (double)s->N;
}

static lrk_status advance_to(master_state *s, double target, lrk_error *err)
{
    double remaining = target - s->now;
    while (remaining > 0.0) {
        double used = substep(s, remaining);
        remaining = used >= remaining ? 0.0 : remaining - used;
        if (s->work > s->max_work)
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "master equation: more than %.3g cell updates needed (N = %ld, "
                                 "stopped at t = %g of %g): reduce model.N or grid.t_max, or set "
                                 "references.master_equation: off",
                                 s->max_work, s->N, target - remaining, target);
    }
    s->now = target;
    if (!(s->lost <= LRK_MASTER_MAX_LOST))
        return lrk_error_set(err, LRK_ERR_NUMERIC,
                             "master equation: lost probability mass %g exceeds %g (N = %ld)", s->lost,
                             LRK_MASTER_MAX_LOST, s->N);
    return LRK_OK;
}

lrk_status lrk_master_solve(const lrk_model *m, const double *t, size_t count, double *q_mean,
                            double *q_std, lrk_error *err)
{
    return lrk_master_solve_limited(m, t, count, q_mean, q_std, LRK_MASTER_MAX_WORK, err);
}

lrk_status lrk_master_solve_limited(const lrk_model *m, const double *t, size_t count, double *q_mean,
                                    double *q_std, double max_work, lrk_error *err)
{
    if (m == NULL || (count > 0 && (t == NULL || q_mean == NULL || q_std == NULL)))
        return lrk_error_set(err, LRK_ERR_INVALID, "master equation: NULL argument");
    lrk_status st = lrk_check_times(t, count, "master equation", err);
    if (st != LRK_OK)
        return st;
    if (!(max_work > 0))
        return lrk_error_set(err, LRK_ERR_INVALID, "master equation: max_work = %g: expected > 0", max_work);
    master_state s;
    st = master_init(&s, m, max_work, err);
    if (st != LRK_OK)
        return st;
    for (size_t i = 0; i < count && st == LRK_OK; i++) {
        st = advance_to(&s, t[i], err);
        if (st == LRK_OK)
            packet_moments(&s, &q_mean[i], &q_std[i]);
    }
    master_free(&s);
    return st;
}

lrk_status lrk_master_distribution(const lrk_model *m, double t, double *p, double *lost, lrk_error *err)
{
    if (m == NULL || p == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "master equation: NULL argument");
    lrk_status st = lrk_check_times(&t, 1, "master equation", err);
    if (st != LRK_OK)
        return st;
    master_state s;
    st = master_init(&s, m, LRK_MASTER_MAX_WORK, err);
    if (st != LRK_OK)
        return st;
    st = advance_to(&s, t, err);
    if (st == LRK_OK) {
        memcpy(p, s.p, ((size_t)s.N + 1) * sizeof *p);
        if (lost != NULL)
            *lost = s.lost;
    }
    master_free(&s);
    return st;
}
