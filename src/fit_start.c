/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_start.c - starting values for the model fits (fit_internal.h).
 *
 * LM finds the minimum it starts near, so the start is read off the data:
 *   KWW: amplitude from the first points, then the straight line of fit.h
 *        (lrk_kww_fit_points on the estimated q);
 *   LRE: for each a on a grid from strong CER to strong SER, the time scale
 *        that puts the model's 1/e point on the KWW tau, and the a of least
 *        chi^2 (the curves differ in shape, not only in scale);
 *   joint: per-curve LRE fits, then ln k_j = -ln tau0 - V0 / T_j by a
 *        straight line in 1/T_j and a_j = c_j V1 / T_j by least squares
 *        (for the crossover over a grid of T0 and A).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "lrekmc/closed_form.h"
#include "lrekmc/fit.h"

#define EULER_E 2.718281828459045235

/* Amplitude and plateau starts: B = 0, A from the largest of the first points. */
static void amplitude_start(const fit_setup *s, const lrk_fit_curve *c, double *A, double *B)
{
    *B = 0.0;
    *A = 1.0;
    if (s->free_amplitude) {
        double top = c->y[0];
        for (size_t k = 1; k < c->count && k < 3; k++)
            top = fmax(top, c->y[k]);
        if (top > 0 && isfinite(top))
            *A = top;
    }
}

static void kww_start(const fit_setup *s, const lrk_fit_curve *c, double A, double B, double *ln_tau,
                      double *ln_beta)
{
    double *q = malloc(c->count * sizeof *q);
    lrk_kww_fit fit;
    int ok = 0;
    if (q != NULL) {
        for (size_t k = 0; k < c->count; k++)
            q[k] = 1.0 - (c->y[k] - B) / A;
        ok = lrk_kww_fit_points(c->t, q, s->weighted ? c->sigma : NULL, c->count, &fit, NULL) == LRK_OK;
        free(q);
    }
    if (ok && fit.beta > 0.05 && fit.beta < 20) {
        *ln_tau = log(fit.tau);
        *ln_beta = log(fit.beta);
        return;
    }
    /* the time where phi crosses A/e + B, else the middle time */
    double level = A / EULER_E + B, tau = c->t[c->count / 2];
    for (size_t k = 1; k < c->count; k++)
        if ((c->y[k - 1] - level) * (c->y[k] - level) <= 0 && c->t[k] > 0) {
            tau = c->t[k];
            break;
        }
    *ln_tau = log(tau > 0 ? tau : 1.0);
    *ln_beta = 0.0;
}

static void write_amplitude(const fit_setup *s, double *block, size_t at, double A, double B)
{
    if (s->free_amplitude)
        block[at++] = A;
    if (s->free_plateau)
        block[at] = B;
}

/* chi^2 over at most GRID_POINTS points spread over the curve: enough to
 * rank the shapes of the grid, at a fraction of the solves. */
#define GRID_POINTS 24

static double weighted_cost(const fit_setup *s, const double *theta, const lrk_fit_curve *c)
{
    double cost = 0, y = -1.0; /* times increase: the last root starts the next search */
    size_t stride = c->count > GRID_POINTS ? c->count / GRID_POINTS : 1;
    for (size_t k = 0; k < c->count; k += stride) {
        double phi;
        if (fit_phi_warm(s, theta, 0, c, c->t[k], &y, &phi, NULL) != LRK_OK || !isfinite(phi))
            return INFINITY;
        double r = phi - c->y[k], w = s->weighted ? 1.0 / (c->sigma[k] * c->sigma[k]) : 1.0;
        cost += w * r * r;
    }
    return cost;
}

/* s(q = 1 - 1/e; a): the model's 1/e point in units of 1/k. */
static double one_over_e_time(double a)
{
    lrk_model m = {.mode = a >= 0 ? LRK_MODE_SER : LRK_MODE_CER, .V0 = 0.0, .V1 = fabs(a), .T = 1.0, .A = 0.0, .T0 = 1.0, .N = 1};
    double t = NAN;
    if (lrk_closed_form_time(&m, 1.0 - 1.0 / EULER_E, &t, NULL) != LRK_OK)
        return NAN;
    return t;
}

static void lre_start(const fit_setup *s, const lrk_fit_curve *c, double *block)
{
    static const double grid[] = {-8, -6, -4, -3, -2, -1.5, -1, -0.5, 0, 0.5, 1, 1.5, 2,
                                  2.5, 3, 4, 5, 6, 8, 10, 13, 16, 20};
    double A, B, ln_tau_kww, ln_beta;
    amplitude_start(s, c, &A, &B);
    kww_start(s, c, A, B, &ln_tau_kww, &ln_beta);
    double best = INFINITY, trial[4] = {0};
    block[0] = ln_tau_kww;
    block[1] = 0.0;
    write_amplitude(s, block, 2, A, B);
    for (size_t g = 0; g < sizeof grid / sizeof *grid; g++) {
        double se = one_over_e_time(grid[g]);
        if (!(se > 0) || !isfinite(se))
            continue;
        trial[0] = ln_tau_kww - log(se); /* tau = 1/k, t_e = s_e tau */
        trial[1] = grid[g];
        write_amplitude(s, trial, 2, A, B);
        double cost = weighted_cost(s, trial, c);
        if (cost < best) {
            best = cost;
            memcpy(block, trial, fit_block_count(s) * sizeof *block);
        }
    }
}

/* Least squares z = alpha + slope x; returns 0 if x does not vary. */
static int line_fit(const double *x, const double *z, size_t n, double *alpha, double *slope)
{
    double mx = 0, mz = 0, sxx = 0, sxz = 0;
    for (size_t i = 0; i < n; i++) {
        mx += x[i] / n;
        mz += z[i] / n;
    }
    for (size_t i = 0; i < n; i++) {
        sxx += (x[i] - mx) * (x[i] - mx);
        sxz += (x[i] - mx) * (z[i] - mz);
    }
    if (!(sxx > 0))
        return 0;
    *slope = sxz / sxx;
    *alpha = mz - *slope * mx;
    return 1;
}

/* V1 minimizing sum (a_j - c_j V1 / T_j)^2, and that sum. */
static double coupling_fit(const double *a, const double *z, size_t n, double *V1)
{
    double szz = 0, sza = 0, cost = 0;
    for (size_t j = 0; j < n; j++) {
        szz += z[j] * z[j];
        sza += z[j] * a[j];
    }
    *V1 = szz > 0 ? sza / szz : 0.0;
    for (size_t j = 0; j < n; j++)
        cost += (a[j] - *V1 * z[j]) * (a[j] - *V1 * z[j]);
    return cost;
}

static void crossover_start(const double *a, const double *T, size_t n, double *theta)
{
    double *z = malloc(n * sizeof *z);
    if (z == NULL)
        return;
    double t_min = T[0], t_max = T[0], best = INFINITY;
    for (size_t j = 1; j < n; j++) {
        t_min = fmin(t_min, T[j]);
        t_max = fmax(t_max, T[j]);
    }
    theta[2] = 0.0;
    theta[3] = 1.0;
    theta[4] = sqrt(t_min * t_max);
    static const double sharpness[] = {0.5, 1, 2, 4, 8, 16, 32};
    for (int i = 0; i <= 20; i++) {
        double T0 = t_min * pow(t_max / t_min, i / 20.0);
        for (size_t m = 0; m < sizeof sharpness / sizeof *sharpness; m++) {
            double A = sharpness[m] / (1.0 / t_min - 1.0 / t_max), V1;
            for (size_t j = 0; j < n; j++) {
                double f = 1.0 / (exp(-A * (1.0 / T[j] - 1.0 / T0)) + 1.0);
                z[j] = (1.0 - 2.0 * f) / T[j];
            }
            double cost = coupling_fit(a, z, n, &V1);
            if (cost < best && V1 > 0) {
                best = cost;
                theta[2] = V1;
                theta[3] = A;
                theta[4] = T0;
            }
        }
    }
    free(z);
}

static lrk_status joint_start(const fit_setup *s, const lrk_fit_curve *curves, size_t count, double *theta,
                              lrk_error *err)
{
    fit_setup lre = *s;
    lre.kind = LRK_FIT_LRE;
    size_t nb = fit_block_count(&lre), ns = fit_shared_count(s->kind);
    double *a = malloc(count * sizeof *a), *g = malloc(count * sizeof *g), *x = malloc(count * sizeof *x),
           *T = malloc(count * sizeof *T), *block = malloc(nb * sizeof *block);
    if (a == NULL || g == NULL || x == NULL || T == NULL || block == NULL) {
        free(a), free(g), free(x), free(T), free(block);
        return lrk_error_set(err, LRK_ERR_NOMEM, "fit: out of memory");
    }
    for (size_t j = 0; j < count; j++) {
        lre_start(&lre, &curves[j], block);
        fit_solution sol;
        if (fit_solve(&lre, &curves[j], 1, block, 0, &sol, NULL) == LRK_OK) {
            memcpy(block, sol.theta, nb * sizeof *block);
            fit_solution_free(&sol);
        }
        g[j] = -block[0];
        a[j] = block[1];
        T[j] = curves[j].T;
        x[j] = 1.0 / T[j];
        memcpy(theta + ns + j * fit_block_count(s), block + 2, (nb - 2) * sizeof *block);
    }
    double alpha = 0, slope = 0;
    if (!line_fit(x, g, count, &alpha, &slope)) {
        alpha = g[0];
        slope = 0;
    }
    theta[0] = -alpha;
    theta[1] = -slope;
    if (s->kind == LRK_FIT_CROSSOVER) {
        crossover_start(a, T, count, theta);
    } else {
        double c = s->kind == LRK_FIT_CER ? -1.0 : 1.0;
        for (size_t j = 0; j < count; j++)
            x[j] = c / T[j];
        coupling_fit(a, x, count, &theta[2]);
    }
    free(a), free(g), free(x), free(T), free(block);
    return LRK_OK;
}

lrk_status fit_start(const fit_setup *s, const lrk_fit_curve *curves, size_t count, double *theta,
                     lrk_error *err)
{
    if (lrk_fit_kind_is_joint(s->kind))
        return joint_start(s, curves, count, theta, err);
    for (size_t j = 0; j < count; j++) {
        double *block = theta + j * fit_block_count(s);
        if (s->kind == LRK_FIT_LRE) {
            lre_start(s, &curves[j], block);
        } else {
            double A, B;
            amplitude_start(s, &curves[j], &A, &B);
            kww_start(s, &curves[j], A, B, &block[0], &block[1]);
            write_amplitude(s, block, 2, A, B);
        }
    }
    return LRK_OK;
}
