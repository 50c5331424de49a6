/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_master.c - the two-class master equation of bimodal disorder
 * (disorder_master.h): the exact law of n(t) on the triangle of unrelaxed
 * counts (u, v) of the two classes, by windowed uniformization.
 *
 * Why uniformization, and why windowed (as master.c, in one dimension more).
 * The generator is triangular (a DAG in n), so exact alternatives either sum
 * exponentials, which cancels catastrophically for equal or near-equal rates,
 * or build matrix exponentials of (N^2/2)^2 entries.  Uniformization only
 * adds non-negative numbers.  One global rate Lambda would make the cost
 * Lambda t_max, hopeless when the two classes' rates differ by e^(2w/T); a
 * sub-step of SUBSTEP_JUMPS expected jumps with Lambda bounding only the
 * states it can reach keeps the number of jumps close to the number of real
 * events, and dropping edges of negligible mass lets a relaxed class leave
 * the region (then its rate no longer sets Lambda).
 *
 * Why the local Lambda is allowed.  From (u, v) the chain only reaches
 * (u', v') with u' <= u, v' <= v, and a sub-step of J terms only reaches
 * n' <= n + J.  So u' k+(n') + v' k-(n') <= u K+(n) + v K-(n), K+-(n) the
 * maximum of k+- over [n, n + J] (a sparse table), and Lambda = the largest
 * such bound over the states that carry mass bounds every rate the sub-step
 * meets.  States below 1e-30 are dropped first (counted as lost), so a fast
 * state with a mass of 1e-200 does not set Lambda.  On one diagonal n the
 * bound is linear in u, so its maximum is at the smallest or largest u with
 * mass; a relative margin of 16 ulp covers the rounding, so every stay
 * probability (Lambda - rate)/Lambda is >= 0.  The sub-step length (128, 64,
 * ... 0.5 expected jumps) is chosen per sub-step for the least cost per unit
 * time, (J + 1) Lambda_J / mu: when rates rise steeply with n (CER) a short
 * reach pays.
 */
#include "lrekmc/disorder_master.h"

#include <float.h>
#include <gsl/gsl_randist.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "disorder_master_internal.h"
#include "lrekmc/disorder.h"
#include "lrekmc/grid.h"

/* Expected uniformized jumps of the longest sub-step.  In two dimensions the
 * region a sub-step can reach grows by J rows, J columns and J diagonals, so
 * shorter sub-steps than master.c's 256 pay; counted cell updates with one
 * fixed length (N = 200, 400, SER and CER, 100-point grids): 16 and 32 cost
 * 5-40 % more than 128, 64 within a few %, 256 up to 20 % more except in a
 * strong CER avalanche (a = -6, 12 % less). */
#define SUBSTEP_JUMPS 128.0
#define TAIL_MASS 1e-20
#define DROP_MASS 1e-20
#define TERM_SLACK 4
/* The fixed cost of one jump (its weight, the rows' set-up) in cell
 * updates, so that the budget bounds CPU time for tiny packets too (N = 3,
 * strong CER: 1e9 counted cells took 6 s instead of ~2). */
#define JUMP_COST 32.0
/* A state below this mass is dropped (and counted as lost) before each
 * sub-step: at most (N + 1)^2 / 2 <= 2e6 of them, <= 2e-24 per sub-step.
 * Without it a fast state that keeps a mass of 1e-200 would set Lambda. */
#define CELL_DROP 1e-30
/* Sub-step lengths tried, SUBSTEP_JUMPS / 2^c expected jumps: a shorter one
 * reaches fewer levels, so when the rates rise steeply with n (strong CER
 * coupling) its Lambda is smaller by more than its Poisson overhead costs. */
#define CANDIDATES 9
/* Sparse-table levels of the windowed rate maxima: windows up to 2^LEVELS. */
#define LEVELS 10
/* Relative margin on Lambda for the rounding of a linear bound. */
#define LAMBDA_MARGIN (1.0 + 16.0 * DBL_EPSILON)

typedef struct region {
    long ulo, uhi, vlo, vhi, nlo, nhi;
} region;

typedef struct tc_state {
    long N, S;        /* S = N + 2: row stride (one zero row and column of padding) */
    double *kp, *km;  /* per-LRE rate of class + and - by i = N - n = u + v, i = 0..N + 1 */
    double *p, *x, *y; /* S * S: p the distribution, x the uniformized chain, y its next jump */
    double *weight;   /* Poisson weights of one sub-step */
    double *sum;      /* N + 1: row, column or diagonal sums */
    region r;         /* p and x vanish outside it */
    long *umin, *umax; /* by n: the u range of the states with mass (umin > umax: none) */
    double *table;    /* 2 LEVELS (N + 1): max of k+ (first half) and k- over [n, n + 2^l) */
    double cand_mu[CANDIDATES];
    long cand_terms[CANDIDATES];
    double now, lost, work, max_work;
    long max_terms, substeps;
} tc_state;

/* The number of Poisson terms J with tail mass beyond J at most TAIL_MASS
 * (geometric bound, as master.c); fills weight[0..J] when not NULL. */
static long poisson_terms(double mu, double *weight, long capacity)
{
    double w = exp(-mu);
    long j = 0;
    for (;;) {
        if (weight != NULL && j < capacity)
            weight[j] = w;
        double next = w * mu / (double)(j + 1);
        if ((double)(j + 2) > mu && next / (1.0 - mu / (double)(j + 2)) <= TAIL_MASS)
            return j;
        w = next;
        j++;
    }
}

static long lmax(long a, long b)
{
    return a > b ? a : b;
}

static long lmin(long a, long b)
{
    return a < b ? a : b;
}

/* Columns [*a, *b] of row u inside region r (empty when *a > *b). */
static void row_bounds(const tc_state *s, const region *r, long u, long *a, long *b)
{
    *a = lmax(r->vlo, s->N - r->nhi - u);
    *b = lmin(r->vhi, s->N - r->nlo - u);
}

static region extend(const tc_state *s, region r, long jumps)
{
    r.ulo = lmax(r.ulo - jumps, 0);
    r.vlo = lmax(r.vlo - jumps, 0);
    r.nhi = lmin(r.nhi + jumps, s->N);
    return r;
}

static void tc_free(tc_state *s)
{
    free(s->kp);
    free(s->km);
    free(s->p);
    free(s->x);
    free(s->y);
    free(s->weight);
    free(s->sum);
    free(s->umin);
    free(s->umax);
    free(s->table);
}

static lrk_status rate_tables(tc_state *s, const lrk_model *m, lrk_error *err)
{
    const double w = lrk_disorder_active(m) ? m->disorder.width : 0.0;
    for (long n = 0; n < s->N; n++) {
        double V = lrk_model_barrier(m, n);
        double lp = -(V + w) / m->T, lm = -(V - w) / m->T;
        double kp = exp(lp), km = exp(lm);
        s->kp[s->N - n] = kp;
        s->km[s->N - n] = km;
        if (!(kp >= DBL_MIN && kp <= DBL_MAX) || !(km >= DBL_MIN && km <= DBL_MAX))
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "two-class master equation: per-LRE log-rates %g (class +w) and %g (class -w) at "
                                 "n = %ld: expected within +-708 (finite normal doubles)",
                                 lp, lm, n);
    }
    /* i = 0 (n = N): no unrelaxed LRE left; i = N + 1 (n = -1): outside */
    s->kp[0] = s->km[0] = s->kp[s->N + 1] = s->km[s->N + 1] = 0.0;
    /* sparse tables by n: level l holds the max over [n, n + 2^l) within [0, N] */
    const long n1 = s->N + 1;
    for (long n = 0; n <= s->N; n++) {
        s->table[n] = s->kp[s->N - n];
        s->table[LEVELS * n1 + n] = s->km[s->N - n];
    }
    for (int half = 0; half < 2; half++)
        for (int l = 1; l < LEVELS; l++) {
            const double *prev = s->table + (half * LEVELS + l - 1) * n1;
            double *cur = s->table + (half * LEVELS + l) * n1;
            long step = 1L << (l - 1);
            for (long n = 0; n <= s->N; n++)
                cur[n] = n + step <= s->N ? fmax(prev[n], prev[n + step]) : prev[n];
        }
    return LRK_OK;
}

static void trim(tc_state *s);

static lrk_status tc_init(tc_state *s, const lrk_model *m, double max_work, int variant, lrk_error *err)
{
    memset(s, 0, sizeof *s);
    lrk_status st = lrk_model_validate(m, err);
    if (st != LRK_OK)
        return st;
    if (lrk_disorder_active(m) && m->disorder.kind != LRK_DISORDER_BIMODAL)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "two-class master equation: model.disorder.distribution is %s: expected bimodal",
                             lrk_disorder_name(m->disorder.kind));
    if (!lrk_disorder_master_mean_field_coupling(m))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "two-class master equation: model.space.kernel r3: the barriers depend on which LREs "
                             "relaxed, not on n alone (only the uniform kernel or no lattice)");
    if (m->N > LRK_DISORDER_MASTER_MAX_N)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "two-class master equation: model.N = %ld: expected at most %ld (its tables hold "
                             "3 (N + 2)^2 doubles)",
                             m->N, LRK_DISORDER_MASTER_MAX_N);
    if (!(max_work > 0))
        return lrk_error_set(err, LRK_ERR_INVALID, "two-class master equation: max_work = %g: expected > 0",
                             max_work);
    s->N = m->N;
    s->S = m->N + 2;
    s->max_work = max_work;
    for (int c = 0; c < CANDIDATES; c++) {
        s->cand_mu[c] = ldexp(SUBSTEP_JUMPS, -c);
        s->cand_terms[c] = poisson_terms(s->cand_mu[c], NULL, 0) + TERM_SLACK;
    }
    s->max_terms = s->cand_terms[0];
    if (s->max_terms + 1 > (1L << (LEVELS - 1))) /* window_max covers reaches up to 2^LEVELS - 1 */
        return lrk_error_set(err, LRK_ERR_NUMERIC, "two-class master equation: internal: sub-step reach %ld "
                             "exceeds the rate tables", s->max_terms);
    size_t cells = (size_t)s->S * (size_t)s->S, n1 = (size_t)s->N + 1;
    s->kp = malloc((n1 + 1) * sizeof *s->kp);
    s->km = malloc((n1 + 1) * sizeof *s->km);
    s->p = calloc(cells, sizeof *s->p);
    s->x = calloc(cells, sizeof *s->x);
    s->y = calloc(cells, sizeof *s->y);
    s->weight = malloc(((size_t)s->max_terms + 1) * sizeof *s->weight);
    s->sum = malloc(n1 * sizeof *s->sum);
    s->umin = malloc(n1 * sizeof *s->umin);
    s->umax = malloc(n1 * sizeof *s->umax);
    s->table = malloc(2 * LEVELS * n1 * sizeof *s->table);
    if (!s->kp || !s->km || !s->p || !s->x || !s->y || !s->weight || !s->sum || !s->umin || !s->umax || !s->table) {
        tc_free(s);
        return lrk_error_set(err, LRK_ERR_NOMEM, "two-class master equation: out of memory (N = %ld)", m->N);
    }
    st = rate_tables(s, m, err);
    if (st != LRK_OK) {
        tc_free(s);
        return st;
    }
    /* n = 0: u = number of LREs that drew +w, Binomial(N, 1/2) */
    const long N = s->N;
    if (variant == DISORDER_MASTER_BROKEN_FIXED_SPLIT)
        s->p[(N / 2) * s->S + (N - N / 2)] = 1.0;
    else
        for (long u = 0; u <= N; u++)
            s->p[u * s->S + (N - u)] = gsl_ran_binomial_pdf((unsigned)u, 0.5, (unsigned)N);
    s->r = (region){0, N, 0, N, 0, 0};
    trim(s);
    return LRK_OK;
}

/* ---- dropping edges of negligible mass ---------------------------------- */

static void zero_row(tc_state *s, long u)
{
    long a, b;
    row_bounds(s, &s->r, u, &a, &b);
    for (long v = a; v <= b; v++)
        s->p[u * s->S + v] = 0.0;
}

static void zero_column(tc_state *s, long v)
{
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        if (v >= a && v <= b)
            s->p[u * s->S + v] = 0.0;
    }
}

static void zero_diagonal(tc_state *s, long n)
{
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b, v = s->N - n - u;
        row_bounds(s, &s->r, u, &a, &b);
        if (v >= a && v <= b)
            s->p[u * s->S + v] = 0.0;
    }
}

/* Sums of p over the region by row (kind 0), column (1) or diagonal n (2),
 * into s->sum indexed by u, v or n. */
static void edge_sums(tc_state *s, int kind)
{
    memset(s->sum, 0, ((size_t)s->N + 1) * sizeof *s->sum);
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        for (long v = a; v <= b; v++) {
            double x = s->p[u * s->S + v];
            s->sum[kind == 0 ? u : kind == 1 ? v : s->N - u - v] += x;
        }
    }
}

/* Move *lo up and *hi down past edge lines whose summed mass is at most
 * DROP_MASS at each end; zero what was dropped and count it as lost. */
static void trim_pair(tc_state *s, long *lo, long *hi, void (*zero)(tc_state *, long))
{
    double acc = 0.0;
    while (*lo < *hi && acc + s->sum[*lo] <= DROP_MASS) {
        acc += s->sum[*lo];
        zero(s, *lo);
        ++*lo;
    }
    s->lost += acc;
    acc = 0.0;
    while (*hi > *lo && acc + s->sum[*hi] <= DROP_MASS) {
        acc += s->sum[*hi];
        zero(s, *hi);
        --*hi;
    }
    s->lost += acc;
}

static void trim(tc_state *s)
{
    edge_sums(s, 0);
    trim_pair(s, &s->r.ulo, &s->r.uhi, zero_row);
    edge_sums(s, 1);
    trim_pair(s, &s->r.vlo, &s->r.vhi, zero_column);
    edge_sums(s, 2);
    trim_pair(s, &s->r.nlo, &s->r.nhi, zero_diagonal);
}

/* ---- one sub-step -------------------------------------------------------- */

/* max of k+ (half 0) or k- (half 1) over n' in [n, n + reach] within [0, N]:
 * two overlapping power-of-two windows of the sparse table. */
static double window_max(const tc_state *s, int half, long n, long reach)
{
    long len = reach + 1, hi = n + reach < s->N ? n + reach : s->N;
    int l = 0;
    while (l + 1 < LEVELS && (2L << l) <= len)
        l++;
    const double *t = s->table + (size_t)(half * LEVELS + l) * (size_t)(s->N + 1);
    long second = hi - (1L << l) + 1;
    return fmax(t[n], t[second > n ? second : n]);
}

/* Drop the states of negligible mass (counted as lost) and record, by n, the
 * u range of the states that keep some. */
static void support(tc_state *s)
{
    for (long n = s->r.nlo; n <= s->r.nhi; n++) {
        s->umin[n] = s->N + 1;
        s->umax[n] = -1;
    }
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        double *pr = s->p + u * s->S;
        for (long v = a; v <= b; v++) {
            if (pr[v] == 0.0)
                continue;
            if (pr[v] < CELL_DROP) {
                s->lost += pr[v];
                pr[v] = 0.0;
                continue;
            }
            long n = s->N - u - v;
            s->umin[n] = lmin(s->umin[n], u);
            s->umax[n] = lmax(s->umax[n], u);
        }
    }
}

/* Lambda for a sub-step of at most `terms` jumps (see the top): from a state
 * (u, v) at n the states reached have u' <= u, v' <= v and n' <= n + terms,
 * so u K+(n) + v K-(n), with K the windowed maxima, bounds their rates; on
 * one diagonal that bound is linear in u, so its maximum over the states with
 * mass is at umin or umax (LAMBDA_MARGIN covers the rounding). */
static double sub_step_rate(const tc_state *s, long terms)
{
    double Lambda = 0.0;
    for (long n = s->r.nlo; n <= s->r.nhi; n++) {
        if (s->umin[n] > s->umax[n])
            continue;
        double A = window_max(s, 0, n, terms), B = window_max(s, 1, n, terms);
        long ends[2] = {s->umin[n], s->umax[n]};
        for (int e = 0; e < 2; e++)
            Lambda = fmax(Lambda, (double)ends[e] * A + (double)(s->N - n - ends[e]) * B);
    }
    return Lambda * LAMBDA_MARGIN;
}

/* One row of a uniformized jump (below).  Index i = N - n = u + v, so the
 * rate tables run forwards along the row; slot N + 1 (n = -1) holds 0, so
 * the states on n = 0 need no branch (their sources lie outside the triangle
 * and are 0).  Written over a counter j with int-to-double conversions so
 * that the compiler vectorises it (x86-64 has no packed int64 conversion);
 * the rows are at most N + 1 <= 2001 long. */
static void jump_row(double *restrict yr, const double *restrict xr, const double *restrict xn, double *restrict pr,
                     const double *restrict kp, const double *restrict km, long u, long a, long b,
                     double Lambda, double inv, double w)
{
    const double du = (double)u, du1 = (double)(u + 1);
    const int len = (int)(b - a + 1), first = (int)a;
    yr += a;
    xr += a;
    xn += a;
    pr += a;
    kp += u + a;
    km += u + a;
    for (int j = 0; j < len; j++) {
        double dv = (double)(j + first);
        double rate = du * kp[j] + dv * km[j];
        double val = xr[j] * ((Lambda - rate) * inv)
                     + (xn[j] * (du1 * kp[j + 1]) + xr[j + 1] * ((dv + 1.0) * km[j + 1])) * inv;
        yr[j] = val;
        pr[j] += w * val;
    }
}

/* One uniformized jump x <- x (I + Q / Lambda) on the region, into y and
 * swapped (in place, the reads of x[v + 1] would overlap the stores of the
 * previous vector and stall; y is zero outside the previous region, which
 * the current one contains); accumulates w x into p. */
static void jump(tc_state *s, double Lambda, double w)
{
    const long S = s->S;
    const double inv = 1.0 / Lambda;
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        if (a > b)
            continue;
        jump_row(s->y + u * S, s->x + u * S, s->x + (u + 1) * S, s->p + u * S, s->kp, s->km, u, a, b, Lambda, inv,
                 w);
        s->work += (double)(b - a + 1);
    }
    s->work += JUMP_COST;
    double *swap = s->x;
    s->x = s->y;
    s->y = swap;
}

/* The sub-step length of least cost per unit time, (J + 1) Lambda_J / mu_J:
 * each of its J jumps sweeps the packet once. */
static double choose_rate(const tc_state *s, int *chosen)
{
    double best_cost = INFINITY, best = 0.0;
    *chosen = 0;
    for (int c = 0; c < CANDIDATES; c++) {
        double Lambda = sub_step_rate(s, s->cand_terms[c]);
        double cost = (double)(s->cand_terms[c] + 1) * Lambda / s->cand_mu[c];
        if (cost < best_cost) {
            best_cost = cost;
            best = Lambda;
            *chosen = c;
        }
    }
    return best;
}

static double sub_step(tc_state *s, double remaining)
{
    support(s);
    int c;
    double Lambda = choose_rate(s, &c);
    if (Lambda == 0.0) /* all the mass sits in (0, 0): nothing moves */
        return remaining;
    double dt = fmin(remaining, s->cand_mu[c] / Lambda);
    double mu = fmin(Lambda * dt, s->cand_mu[c]);
    long terms = poisson_terms(mu, s->weight, s->max_terms + 1);
    while (terms > s->cand_terms[c]) { /* not expected (the count rises with mu): shorten, never truncate */
        dt *= 0.5;
        mu *= 0.5;
        terms = poisson_terms(mu, s->weight, s->max_terms + 1);
    }
    double total = 0.0; /* normalised: the total mass must not drift */
    for (long j = 0; j <= terms; j++)
        total += s->weight[j];
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        for (long v = a; v <= b; v++) {
            s->x[u * s->S + v] = s->p[u * s->S + v];
            s->p[u * s->S + v] *= s->weight[0] / total;
        }
    }
    for (long j = 1; j <= terms; j++) {
        s->r = extend(s, s->r, 1);
        jump(s, Lambda, s->weight[j] / total);
    }
    for (long u = s->r.ulo; u <= s->r.uhi; u++) {
        long a, b;
        row_bounds(s, &s->r, u, &a, &b);
        for (long v = a; v <= b; v++)
            s->x[u * s->S + v] = s->y[u * s->S + v] = 0.0;
    }
    s->lost += TAIL_MASS;
    s->substeps++;
    trim(s);
    return dt;
}

static lrk_status advance_to(tc_state *s, double target, lrk_error *err)
{
    double remaining = target - s->now;
    while (remaining > 0.0) {
        double used = sub_step(s, remaining);
        remaining = used >= remaining ? 0.0 : remaining - used;
        if (s->work > s->max_work)
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "two-class master equation: more than %.3g cell updates needed (N = %ld, stopped "
                                 "at t = %g of %g): reduce model.N or grid.t_max, or set "
                                 "references.master_equation: off",
                                 s->max_work, s->N, target - remaining, target);
    }
    s->now = target;
    if (!(s->lost <= LRK_DISORDER_MASTER_MAX_LOST))
        return lrk_error_set(err, LRK_ERR_NUMERIC,
                             "two-class master equation: lost probability mass %g exceeds %g (N = %ld)", s->lost,
                             LRK_DISORDER_MASTER_MAX_LOST, s->N);
    return LRK_OK;
}

/* P(n) into s->sum; mean and std of q from it, normalised by its mass (two
 * passes: the variance is a sum of non-negative terms). */
static void moments(tc_state *s, double *mean, double *std)
{
    edge_sums(s, 2);
    double mass = 0.0, first = 0.0;
    for (long n = s->r.nlo; n <= s->r.nhi; n++) {
        mass += s->sum[n];
        first += (double)n * s->sum[n];
    }
    double mean_n = first / mass, second = 0.0;
    for (long n = s->r.nlo; n <= s->r.nhi; n++) {
        double d = (double)n - mean_n;
        second += d * d * s->sum[n];
    }
    *mean = mean_n / (double)s->N;
    *std = sqrt(second / mass) / (double)s->N;
}

int lrk_disorder_master_mean_field_coupling(const lrk_model *m)
{
    return m->space.lattice == LRK_LATTICE_NONE || m->space.kernel == LRK_KERNEL_UNIFORM;
}

lrk_status disorder_master_solve(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                 double *q_std, double *p_n, double max_work, int variant,
                                 lrk_disorder_master_info *info, lrk_error *err)
{
    if (m == NULL || (t_count > 0 && t == NULL))
        return lrk_error_set(err, LRK_ERR_INVALID, "two-class master equation: NULL argument");
    lrk_status st = lrk_check_times(t, t_count, "two-class master equation", err);
    if (st != LRK_OK)
        return st;
    tc_state s;
    st = tc_init(&s, m, max_work, variant, err);
    if (st != LRK_OK)
        return st;
    const size_t n1 = (size_t)s.N + 1;
    for (size_t k = 0; k < t_count && st == LRK_OK; k++) {
        st = advance_to(&s, t[k], err);
        if (st != LRK_OK)
            break;
        double mean, std;
        moments(&s, &mean, &std);
        if (q_mean != NULL)
            q_mean[k] = mean;
        if (q_std != NULL)
            q_std[k] = std;
        if (p_n != NULL)
            memcpy(p_n + k * n1, s.sum, n1 * sizeof *p_n);
    }
    if (info != NULL)
        *info = (lrk_disorder_master_info){.work = s.work, .lost = s.lost, .substeps = s.substeps};
    tc_free(&s);
    return st;
}

lrk_status lrk_disorder_bimodal_master_full(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                            double *q_std, double *p_n, double max_work,
                                            lrk_disorder_master_info *info, lrk_error *err)
{
    return disorder_master_solve(m, t, t_count, q_mean, q_std, p_n, max_work, DISORDER_MASTER_EXACT, info, err);
}

lrk_status lrk_disorder_bimodal_master(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                       double *q_std, lrk_error *err)
{
    if (t_count > 0 && (q_mean == NULL || q_std == NULL))
        return lrk_error_set(err, LRK_ERR_INVALID, "two-class master equation: NULL argument");
    return disorder_master_solve(m, t, t_count, q_mean, q_std, NULL, LRK_DISORDER_MASTER_MAX_WORK,
                                 DISORDER_MASTER_EXACT, NULL, err);
}
