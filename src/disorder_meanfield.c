/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_meanfield.c - the N -> infinity limit of the disorder model
 * (disorder.h): the multi-class mean-field ODE over Gauss nodes of the offset
 * distribution.  The ODE is never stepped: the time change d sigma =
 * exp(-a q) dt decouples the classes (q_k = 1 - exp(-k_k sigma)), which
 * leaves the one quadrature t(sigma) = int exp(a p(sigma')) d sigma'.  This
 * is exact for any spread of the k_k (no stiffness) and is what the
 * operational-time KMC engine does per trajectory.
 */
#include "lrekmc/disorder.h"

#include <gsl/gsl_errno.h>
#include <gsl/gsl_integration.h>
#include <gsl/gsl_math.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/grid.h"

#define QUAD_LIMIT 1000
#define QUAD_EPS_REL 1e-13
#define FIRST_NODES 16
#define MAX_NODES 2048
#define CONVERGED 1e-8

typedef struct classes {
    size_t n;
    double *k, *w;    /* rate e^(-(V0 + delta_k)/T) and weight of class k */
    double a;
    gsl_integration_workspace *work;
    int failed;
} classes;

static void classes_free(classes *c)
{
    free(c->k);
    free(c->w);
    gsl_integration_workspace_free(c->work);
}

/* Gauss nodes of the offset law: nodes[i], weights summing to 1. */
static lrk_status gauss_nodes(const lrk_disorder *d, size_t n, double *delta, double *weight, lrk_error *err)
{
    const gsl_integration_fixed_type *type = d->kind == LRK_DISORDER_NORMAL    ? gsl_integration_fixed_hermite
                                             : d->kind == LRK_DISORDER_UNIFORM ? gsl_integration_fixed_legendre
                                                                               : gsl_integration_fixed_laguerre;
    double lo = d->kind == LRK_DISORDER_UNIFORM ? -1.0 : 0.0;
    gsl_integration_fixed_workspace *fw = gsl_integration_fixed_alloc(type, n, lo, 1.0, 0.0, 0.0);
    if (fw == NULL)
        return lrk_error_set(err, LRK_ERR_NUMERIC, "mean field: %zu Gauss nodes (%s) could not be computed", n,
                             lrk_disorder_name(d->kind));
    const double *x = gsl_integration_fixed_nodes(fw), *wt = gsl_integration_fixed_weights(fw);
    double scale = d->kind == LRK_DISORDER_NORMAL ? sqrt(2.0) : 1.0;
    double norm = d->kind == LRK_DISORDER_NORMAL ? 1.0 / sqrt(M_PI) : d->kind == LRK_DISORDER_UNIFORM ? 0.5 : 1.0;
    for (size_t i = 0; i < n; i++) {
        delta[i] = d->width * scale * x[i];
        weight[i] = wt[i] * norm;
    }
    gsl_integration_fixed_free(fw);
    return LRK_OK;
}

static lrk_status classes_init(classes *c, const lrk_model *m, size_t nodes, lrk_error *err)
{
    memset(c, 0, sizeof *c);
    const lrk_disorder *d = &m->disorder;
    if (!lrk_disorder_active(m))
        nodes = 1;
    else if (d->kind == LRK_DISORDER_BIMODAL)
        nodes = 2;
    c->n = nodes;
    c->a = lrk_model_coupling(m) * m->V1 / m->T;
    c->k = malloc(nodes * sizeof(double));
    c->w = malloc(nodes * sizeof(double));
    c->work = gsl_integration_workspace_alloc(QUAD_LIMIT);
    if (!c->k || !c->w || !c->work) {
        classes_free(c);
        return lrk_error_set(err, LRK_ERR_NOMEM, "mean field: out of memory (%zu nodes)", nodes);
    }
    lrk_status st = LRK_OK;
    if (nodes == 1) {
        c->k[0] = 0;
        c->w[0] = 1;
    } else if (d->kind == LRK_DISORDER_BIMODAL) {
        c->k[0] = -d->width;
        c->k[1] = d->width;
        c->w[0] = c->w[1] = 0.5;
    } else {
        st = gauss_nodes(d, nodes, c->k, c->w, err);
    }
    for (size_t i = 0; i < nodes; i++)
        c->k[i] = exp(-(m->V0 + c->k[i]) / m->T); /* k[] held the offsets */
    if (st != LRK_OK)
        classes_free(c);
    return st;
}

/* q(sigma) = sum_k w_k (1 - e^(-k_k sigma)); 0 at sigma = 0 even for a
 * class whose rate overflowed to inf (a far Gauss node of a wide offset
 * law: inf * 0 would make the whole sum NaN). */
static double relaxed(const classes *c, double sigma)
{
    if (!(sigma > 0))
        return 0.0;
    double q = 0;
    for (size_t i = 0; i < c->n; i++)
        q += c->w[i] * -expm1(-c->k[i] * sigma);
    return q;
}

static double clock_integrand(double sigma, void *data)
{
    const classes *c = data;
    return exp(c->a * relaxed(c, sigma));
}

static double piece(classes *c, double s0, double s1)
{
    gsl_function f = {clock_integrand, c};
    double value, abserr;
    int status = gsl_integration_qag(&f, s0, s1, 0.0, QUAD_EPS_REL, QUAD_LIMIT, GSL_INTEG_GAUSS41, c->work, &value,
                                     &abserr);
    if (status != GSL_SUCCESS && !(status == GSL_EROUND && abserr <= 1e-11 * fabs(value)))
        c->failed = 1;
    return value;
}

/* t(s1) - t(s0).  The classes relax at sigma ~ 1/k_k, which for a wide
 * offset law spans tens of decades: one adaptive rule over [0, s1] then
 * runs out of subintervals (or of precision) resolving steps it cannot
 * see.  So the interval is cut where nothing has happened yet (sigma below
 * 1e-3 / k_max: every class still linear) and then at factors of 16, each
 * piece smooth on its own scale. */
static double elapsed(classes *c, double s0, double s1)
{
    if (s1 == s0)
        return 0;
    double k_max = 0;
    for (size_t i = 0; i < c->n; i++)
        k_max = c->k[i] > k_max ? c->k[i] : k_max;
    double start = k_max > 0 && isfinite(k_max) ? 1e-3 / k_max : s1;
    double total = 0, a = s0;
    if (a < start) {
        double b = fmin(start, s1);
        total += piece(c, a, b);
        a = b;
    }
    while (a < s1 && !c->failed) {
        double b = fmin(16.0 * a, s1);
        total += piece(c, a, b);
        a = b;
    }
    return total;
}

/* q at each grid time: Newton on sigma from the previous grid point (t(sigma)
 * is convex for a > 0 and concave for a < 0, so the iteration is monotone). */
static lrk_status solve_grid(classes *c, const double *t, size_t count, double *q, lrk_error *err)
{
    double s_anchor = 0, t_anchor = 0;
    for (size_t i = 0; i < count; i++) {
        double target = t[i] - t_anchor, sigma = s_anchor + target * exp(-c->a * relaxed(c, s_anchor));
        double reached = 0;
        for (int it = 0; it < 100; it++) {
            reached = elapsed(c, s_anchor, sigma);
            double r = reached - target;
            if (fabs(r) <= 1e-14 * t[i] || c->failed)
                break;
            double next = sigma - r * exp(-c->a * relaxed(c, sigma));
            sigma = next > s_anchor ? next : 0.5 * (s_anchor + sigma);
        }
        if (c->failed)
            return lrk_error_set(err, LRK_ERR_NUMERIC, "mean field: the clock quadrature failed near t = %g", t[i]);
        q[i] = relaxed(c, sigma);
        t_anchor += reached;
        s_anchor = sigma;
    }
    return LRK_OK;
}

/* t at each q-level: sigma from q(sigma) = q_j by bisection in ln sigma. */
static lrk_status solve_levels(classes *c, const double *q, size_t count, double *t_out, lrk_error *err)
{
    double s_prev = 0, t_prev = 0;
    for (size_t j = 0; j < count; j++) {
        double lo = -800, hi = 800;
        for (int it = 0; it < 200 && hi - lo > 1e-15 * fabs(hi); it++) {
            double mid = 0.5 * (lo + hi);
            if (relaxed(c, exp(mid)) < q[j])
                lo = mid;
            else
                hi = mid;
        }
        double sigma = exp(0.5 * (lo + hi));
        if (!(relaxed(c, sigma) > 0.5 * q[j]) || sigma < s_prev)
            sigma = fmax(sigma, s_prev);
        t_prev += elapsed(c, s_prev, sigma);
        s_prev = sigma;
        if (c->failed || !isfinite(t_prev))
            return lrk_error_set(err, LRK_ERR_NUMERIC, "mean field: no finite time for q = %g", q[j]);
        t_out[j] = t_prev;
    }
    return LRK_OK;
}

lrk_status lrk_disorder_mean_field_nodes(const lrk_model *m, size_t nodes, const double *t, size_t t_count,
                                         double *q, const double *q_levels, size_t level_count,
                                         double *t_levels, lrk_error *err)
{
    lrk_gsl_quiet();
    lrk_status st = lrk_model_validate(m, err);
    if (st == LRK_OK)
        st = lrk_disorder_validate(m, err);
    if (st == LRK_OK && t != NULL)
        st = lrk_check_times(t, t_count, "mean field", err);
    if (st == LRK_OK && q_levels != NULL)
        st = lrk_check_levels(q_levels, level_count, 1, "mean field", err);
    if (st != LRK_OK)
        return st;
    if (nodes < 1 || nodes > MAX_NODES)
        return lrk_error_set(err, LRK_ERR_INVALID, "mean field: %zu nodes: expected in [1, %d]", nodes, MAX_NODES);
    classes c;
    st = classes_init(&c, m, nodes, err);
    if (st != LRK_OK)
        return st;
    if (q != NULL && t != NULL)
        st = solve_grid(&c, t, t_count, q, err);
    if (st == LRK_OK && t_levels != NULL && q_levels != NULL)
        st = solve_levels(&c, q_levels, level_count, t_levels, err);
    classes_free(&c);
    return st;
}

static double max_difference(const double *a, const double *b, size_t count, int relative)
{
    double worst = 0;
    for (size_t i = 0; i < count; i++) {
        double d = fabs(a[i] - b[i]);
        if (relative)
            d /= fmax(fabs(b[i]), 1e-300);
        worst = d > worst ? d : worst;
    }
    return worst;
}

static lrk_status gauss_mean_field(const lrk_model *m, const double *t, size_t t_count, double *q,
                                   const double *q_levels, size_t level_count, double *t_levels,
                                   size_t *nodes_used, lrk_error *err)
{
    int exact = !lrk_disorder_active(m) || m->disorder.kind == LRK_DISORDER_BIMODAL;
    size_t n = exact ? 2 : FIRST_NODES;
    size_t K = q != NULL ? t_count : 0, L = t_levels != NULL ? level_count : 0;
    double *q_prev = malloc((K + 1) * sizeof(double)), *t_prev = malloc((L + 1) * sizeof(double));
    if (!q_prev || !t_prev) {
        free(q_prev);
        free(t_prev);
        return lrk_error_set(err, LRK_ERR_NOMEM, "mean field: out of memory");
    }
    lrk_status st = lrk_disorder_mean_field_nodes(m, n, t, t_count, q, q_levels, level_count, t_levels, err);
    while (st == LRK_OK && !exact) {
        if (K > 0)
            memcpy(q_prev, q, K * sizeof(double));
        if (L > 0)
            memcpy(t_prev, t_levels, L * sizeof(double));
        if (2 * n > MAX_NODES) {
            st = lrk_error_set(err, LRK_ERR_NOCONVERGE,
                               "mean field: not converged with %d Gauss nodes (model.disorder.width / T = %g too "
                               "large for this reference)", MAX_NODES, m->disorder.width / m->T);
            break;
        }
        n *= 2;
        st = lrk_disorder_mean_field_nodes(m, n, t, t_count, q, q_levels, level_count, t_levels, err);
        if (st == LRK_OK && max_difference(q, q_prev, K, 0) <= CONVERGED
            && max_difference(t_levels, t_prev, L, 1) <= CONVERGED)
            break;
    }
    free(q_prev);
    free(t_prev);
    if (st == LRK_ERR_NUMERIC) /* the clock quadrature gave up at these widths: not computable here */
        st = lrk_error_set(err, LRK_ERR_NOCONVERGE,
                           "mean field: not computable with %zu Gauss nodes (model.disorder.width / T = %g too "
                           "large for this reference)", n, m->disorder.width / m->T);
    if (st == LRK_OK && nodes_used != NULL)
        *nodes_used = n;
    return st;
}

/* Without coupling the mean field is p(t) itself, which the exact
 * quadrature of lrk_disorder_relaxed_fraction gives at any width; the
 * level times by bisection in ln t (p is increasing).  Used where the Gauss
 * nodes do not converge (very wide offsets). */
static lrk_status uncoupled(const lrk_model *m, const double *t, size_t t_count, double *q, const double *q_levels,
                            size_t level_count, double *t_levels, lrk_error *err)
{
    double one_minus;
    lrk_status st = LRK_OK;
    for (size_t i = 0; st == LRK_OK && q != NULL && i < t_count; i++)
        st = lrk_disorder_relaxed_fraction(m, t[i], &q[i], &one_minus, err);
    for (size_t j = 0; st == LRK_OK && t_levels != NULL && j < level_count; j++) {
        double lo = -745, hi = 709, p = 0;
        for (int it = 0; st == LRK_OK && it < 200 && hi - lo > 1e-14 * fmax(fabs(hi), 1.0); it++) {
            double mid = 0.5 * (lo + hi);
            st = lrk_disorder_relaxed_fraction(m, exp(mid), &p, &one_minus, err);
            if (p < q_levels[j])
                lo = mid;
            else
                hi = mid;
        }
        t_levels[j] = exp(0.5 * (lo + hi));
        if (st == LRK_OK && !(hi < 709))
            st = lrk_error_set(err, LRK_ERR_NUMERIC, "mean field: no finite time for q = %g", q_levels[j]);
    }
    return st;
}

lrk_status lrk_disorder_mean_field(const lrk_model *m, const double *t, size_t t_count, double *q,
                                   const double *q_levels, size_t level_count, double *t_levels,
                                   size_t *nodes_used, lrk_error *err)
{
    lrk_status st = gauss_mean_field(m, t, t_count, q, q_levels, level_count, t_levels, nodes_used,
                                                  err);
    if (st == LRK_ERR_NOCONVERGE && lrk_model_coupling(m) * m->V1 == 0) {
        st = uncoupled(m, t, t_count, q, q_levels, level_count, t_levels, err);
        if (st == LRK_OK && nodes_used != NULL)
            *nodes_used = 0; /* none: the exact quadrature */
    }
    return st;
}
