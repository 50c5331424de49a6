/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice_master.c - the exact master equation over the 2^N relaxed sets of
 * a tiny box (lattice_master.h).
 *
 * Uniformization only adds non-negative terms (I + Q/L has non-negative
 * entries when L >= every exit rate), so it keeps relative accuracy where
 * an eigen-decomposition of a DAG generator with near-equal rates would
 * cancel.  States are visited in increasing mask order: every predecessor
 * S \ {i} of S is a smaller number, which is all the DAG order needs.
 */
#include "lrekmc/lattice_master.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/lattice.h"

#define MAX_POISSON 20.0
#define TAIL_MASS 1e-17

typedef struct chain {
    int N;
    size_t states;
    double *rate;   /* states x N: r_i(S), 0 for i in S */
    double *exit;   /* states: Lambda(S) */
    double lambda;  /* max exit rate */
} chain;

static void chain_free(chain *c)
{
    free(c->rate);
    free(c->exit);
}

static lrk_status chain_build(const lrk_model *m, chain *c, lrk_error *err)
{
    memset(c, 0, sizeof *c);
    const lrk_space *sp = &m->space;
    const int N = (int)m->N;
    lrk_stencil st;
    lrk_status status = lrk_stencil_build(sp, &st, err);
    if (status != LRK_OK)
        return status;
    double *Jd = calloc((size_t)N, sizeof *Jd); /* J by row-major displacement */
    double *J = malloc((size_t)N * (size_t)N * sizeof *J);
    double *coupling = malloc((st.count + 1) * sizeof *coupling);
    c->N = N;
    c->states = (size_t)1 << N;
    c->rate = malloc(c->states * (size_t)N * sizeof *c->rate);
    c->exit = malloc(c->states * sizeof *c->exit);
    if (!Jd || !J || !coupling || !c->rate || !c->exit) {
        free(Jd);
        free(J);
        free(coupling);
        lrk_stencil_free(&st);
        chain_free(c);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice master equation: out of memory (N = %d)", N);
    }
    lrk_stencil_coupling(m, &st, coupling);
    for (size_t o = 0; o < st.count; o++)
        Jd[st.dx[o] + sp->Lx * (st.dy[o] + sp->Ly * st.dz[o])] = coupling[o];
    for (int i = 0; i < N; i++)
        for (int j = 0; j < N; j++) {
            long xi = i % sp->Lx, yi = i / sp->Lx % sp->Ly, zi = i / (sp->Lx * sp->Ly);
            long xj = j % sp->Lx, yj = j / sp->Lx % sp->Ly, zj = j / (sp->Lx * sp->Ly);
            long d = (xj - xi + sp->Lx) % sp->Lx + sp->Lx * ((yj - yi + sp->Ly) % sp->Ly + sp->Ly * ((zj - zi + sp->Lz) % sp->Lz));
            J[(size_t)i * (size_t)N + (size_t)j] = i == j ? 0.0 : Jd[d];
        }
    const double cpl = lrk_model_coupling(m);
    for (size_t S = 0; S < c->states; S++) {
        double total = 0.0;
        for (int i = 0; i < N; i++) {
            double r = 0.0;
            if (!(S >> i & 1)) {
                double V = m->V0;
                for (int j = 0; j < N; j++)
                    if (S >> j & 1)
                        V += cpl * J[(size_t)i * (size_t)N + (size_t)j];
                r = exp(-V / m->T);
            }
            c->rate[S * (size_t)N + (size_t)i] = r;
            total += r;
        }
        c->exit[S] = total;
        if (total > c->lambda)
            c->lambda = total;
    }
    free(Jd);
    free(J);
    free(coupling);
    lrk_stencil_free(&st);
    return LRK_OK;
}

/* out = P (I + Q / L) */
static void step(const chain *c, const double *P, double *out)
{
    const int N = c->N;
    const double inv = 1.0 / c->lambda;
    for (size_t S = 0; S < c->states; S++) {
        double v = P[S] * (1.0 - c->exit[S] * inv);
        for (int i = 0; i < N; i++)
            if (S >> i & 1) {
                size_t from = S & ~((size_t)1 << i);
                v += P[from] * c->rate[from * (size_t)N + (size_t)i] * inv;
            }
        out[S] = v;
    }
}

/* Advance P by dt (uniformization, sub-steps with L dt <= MAX_POISSON). */
static void advance(const chain *c, double *P, double dt, double *v, double *w, double *acc)
{
    if (!(dt > 0))
        return;
    int pieces = (int)ceil(c->lambda * dt / MAX_POISSON);
    if (pieces < 1)
        pieces = 1;
    const double x = c->lambda * dt / pieces;
    for (int p = 0; p < pieces; p++) {
        memcpy(v, P, c->states * sizeof *v);
        double weight = exp(-x);
        for (size_t S = 0; S < c->states; S++)
            acc[S] = weight * v[S];
        /* Past m > x the Poisson terms fall at least geometrically with
         * ratio x / (m + 1), which bounds the mass left out. */
        for (int m = 1; !(m > x && weight * x / (m + 1 - x) < TAIL_MASS); m++) {
            step(c, v, w);
            double *tmp = v;
            v = w;
            w = tmp;
            weight *= x / m;
            for (size_t S = 0; S < c->states; S++)
                acc[S] += weight * v[S];
        }
        memcpy(P, acc, c->states * sizeof *P);
    }
}

static void q_moments(const chain *c, const double *P, double *mean, double *std)
{
    double m1 = 0.0, m2 = 0.0;
    for (size_t S = 0; S < c->states; S++) {
        double n = (double)__builtin_popcountll((unsigned long long)S) / c->N;
        m1 += P[S] * n;
        m2 += P[S] * n * n;
    }
    double var = m2 - m1 * m1;
    *mean = m1;
    *std = var > 0 ? sqrt(var) : 0.0;
}

static lrk_status solve_grid(const chain *c, const double *t, size_t t_count, double *q_mean, double *q_std,
                             lrk_error *err)
{
    double *P = calloc(c->states, sizeof *P), *v = malloc(c->states * sizeof *v),
           *w = malloc(c->states * sizeof *w), *acc = malloc(c->states * sizeof *acc);
    if (!P || !v || !w || !acc) {
        free(P);
        free(v);
        free(w);
        free(acc);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice master equation: out of memory");
    }
    P[0] = 1.0;
    double now = 0.0;
    for (size_t k = 0; k < t_count; k++) {
        advance(c, P, t[k] - now, v, w, acc);
        now = t[k] > now ? t[k] : now;
        q_moments(c, P, &q_mean[k], &q_std[k]);
    }
    free(P);
    free(v);
    free(w);
    free(acc);
    return LRK_OK;
}

static lrk_status solve_levels(const chain *c, const long *level_events, size_t level_count, double *t_mean,
                               double *t_std, lrk_error *err)
{
    double *pi = calloc(c->states, sizeof *pi), *a = calloc(c->states, sizeof *a), *b = calloc(c->states, sizeof *b);
    double *m1 = calloc((size_t)c->N + 1, sizeof *m1), *m2 = calloc((size_t)c->N + 1, sizeof *m2);
    if (!pi || !a || !b || !m1 || !m2) {
        free(pi);
        free(a);
        free(b);
        free(m1);
        free(m2);
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice master equation: out of memory");
    }
    pi[0] = 1.0;
    const int N = c->N;
    for (size_t S = 0; S < c->states; S++) {
        int n = __builtin_popcountll((unsigned long long)S);
        m1[n] += a[S];
        m2[n] += b[S];
        if (n == N)
            continue;
        const double L = c->exit[S];
        /* departure time D = arrival + Exp(L): its moments times 1{visit S} */
        const double d0 = pi[S], d1 = a[S] + pi[S] / L, d2 = b[S] + 2.0 * a[S] / L + 2.0 * pi[S] / (L * L);
        for (int i = 0; i < N; i++) {
            double r = c->rate[S * (size_t)N + (size_t)i];
            if (r == 0.0)
                continue;
            size_t to = S | ((size_t)1 << i);
            double p = r / L;
            pi[to] += p * d0;
            a[to] += p * d1;
            b[to] += p * d2;
        }
    }
    for (size_t j = 0; j < level_count; j++) {
        long n = level_events[j];
        if (n < 1 || n > N) {
            free(pi);
            free(a);
            free(b);
            free(m1);
            free(m2);
            return lrk_error_set(err, LRK_ERR_INVALID, "lattice master equation: level event count %ld outside [1, %d]",
                                 n, N);
        }
        double var = m2[n] - m1[n] * m1[n];
        t_mean[j] = m1[n];
        t_std[j] = var > 0 ? sqrt(var) : 0.0;
    }
    free(pi);
    free(a);
    free(b);
    free(m1);
    free(m2);
    return LRK_OK;
}

lrk_status lrk_lattice_master_solve(const lrk_model *m, const double *t, size_t t_count, double *q_mean,
                                    double *q_std, const long *level_events, size_t level_count, double *t_mean,
                                    double *t_std, lrk_error *err)
{
    lrk_status status = lrk_model_validate(m, err);
    if (status != LRK_OK)
        return status;
    if (m->space.lattice != LRK_LATTICE_CUBIC || m->N > LRK_LATTICE_MASTER_MAX_N)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "lattice master equation: needs a cubic lattice with N <= %d sites (N = %ld)",
                             LRK_LATTICE_MASTER_MAX_N, m->N);
    for (size_t k = 1; k < t_count; k++)
        if (!(t[k] >= t[k - 1]) || !(t[0] >= 0))
            return lrk_error_set(err, LRK_ERR_INVALID, "lattice master equation: grid times must be >= 0, nondecreasing");
    chain c;
    status = chain_build(m, &c, err);
    if (status != LRK_OK)
        return status;
    if (t_count > 0)
        status = solve_grid(&c, t, t_count, q_mean, q_std, err);
    if (status == LRK_OK && level_count > 0)
        status = solve_levels(&c, level_events, level_count, t_mean, t_std, err);
    chain_free(&c);
    return status;
}
