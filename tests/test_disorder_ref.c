/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_disorder_ref.c - the exact references of the disorder model, each
 * against an independent computation: p(t) against closed forms (uniform:
 * E1; exponential: incomplete gamma) and a brute-force Simpson sum (normal);
 * order statistics at N = 1 against moments of e^((V0 + delta)/T) and at
 * width 0 against the chain's first-passage sums; the bimodal recursion
 * against the order statistics (c V1 = 0) and against a brute-force
 * recursion over all 2^N relaxed sets (any coupling); the mean field against
 * the chain's ODE (width 0), against the exact p(t) (V1 = 0) and against the
 * class ODEs stepped by GSL's rk8pd.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_errno.h>
#include <gsl/gsl_math.h>
#include <gsl/gsl_odeiv2.h>
#include <gsl/gsl_sf_expint.h>
#include <gsl/gsl_sf_gamma.h>

#include "lrekmc/disorder.h"
#include "lrekmc/first_passage.h"
#include "lrekmc/ode.h"

static lrk_model model(lrk_mode mode, double V0, double V1, double T, long N, lrk_disorder_kind kind, double w)
{
    return (lrk_model){.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 1, .T0 = 1, .N = N,
                       .disorder = {.kind = kind, .width = w}};
}

static double survival(const lrk_model *m, double t)
{
    double p, s;
    lrk_error err;
    cr_assert_eq(lrk_disorder_relaxed_fraction(m, t, &p, &s, &err), LRK_OK, "%s", err.message);
    cr_assert_float_eq(p + s, 1.0, 1e-12);
    return s;
}

Test(disorder_ref, uniform_against_exponential_integral)
{
    const double widths[] = {0.3, 2.0, 8.0}, times[] = {0.01, 0.7, 3.0, 40.0, 2000.0};
    for (int i = 0; i < 3; i++) {
        lrk_model m = model(LRK_MODE_SER, 0.5, 0, 0.8, 10, LRK_DISORDER_UNIFORM, widths[i]);
        for (int j = 0; j < 5; j++) {
            double t = times[j], w = widths[i], T = 0.8;
            double ylo = t * exp(-(0.5 + w) / T), yhi = t * exp(-(0.5 - w) / T);
            double expected = T / (2 * w) * (gsl_sf_expint_E1(ylo) - gsl_sf_expint_E1(yhi));
            double got = survival(&m, t);
            cr_assert_float_eq(got, expected, 1e-10 * expected + 1e-300, "w %g t %g: %.17g vs %.17g", w, t, got,
                               expected);
        }
    }
}

Test(disorder_ref, exponential_against_incomplete_gamma)
{
    const double widths[] = {0.2, 1.0, 3.0}, times[] = {0.05, 1.0, 10.0, 300.0};
    for (int i = 0; i < 3; i++) {
        double w = widths[i], T = 1.1, V0 = 0.4, k0 = exp(-V0 / T), s = T / w;
        lrk_model m = model(LRK_MODE_CER, V0, 0, T, 10, LRK_DISORDER_EXPONENTIAL, w);
        for (int j = 0; j < 4; j++) {
            double x = times[j] * k0;
            double expected = s * pow(x, -s) * gsl_sf_gamma(s) * gsl_sf_gamma_inc_P(s, x);
            double got = survival(&m, times[j]);
            /* the sampler stops at 44.5 w (disorder.h), the closed form does
             * not: they differ by at most e^-44.5 ~ 5e-20 */
            cr_assert_float_eq(got, expected, 1e-10 * expected + 1e-19, "w %g t %g: %.17g vs %.17g", w, times[j], got,
                               expected);
        }
    }
}

Test(disorder_ref, normal_against_simpson)
{
    const double widths[] = {0.5, 3.0}, times[] = {0.1, 2.0, 50.0};
    for (int i = 0; i < 2; i++) {
        lrk_model m = model(LRK_MODE_SER, 1.0, 0, 1.0, 10, LRK_DISORDER_NORMAL, widths[i]);
        for (int j = 0; j < 3; j++) {
            const int n = 400000;
            const double h = 24.0 / n;
            double sum = 0;
            for (int k = 0; k <= n; k++) {
                double z = -12 + k * h, weight = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
                sum += weight * exp(-0.5 * z * z) / sqrt(2 * M_PI) * exp(-times[j] * exp(-(1.0 + widths[i] * z)));
            }
            double expected = sum * h / 3, got = survival(&m, times[j]);
            cr_assert_float_eq(got, expected, 1e-10, "w %g t %g: %.17g vs %.17g", widths[i], times[j], got, expected);
        }
    }
}

/* A narrow step on a Gaussian tail (w/T = 4): qagp's extrapolation reported
 * round-off at t = 0.00149 and aborted a run that check had accepted (found
 * on configs/space-disorder.yaml with width 2); the piecewise fallback must
 * give the Simpson value at every t of a wide grid. */
Test(disorder_ref, normal_narrow_step_on_the_tail_at_every_time)
{
    lrk_model m = model(LRK_MODE_SER, 1.0, 0, 0.5, 3072, LRK_DISORDER_NORMAL, 2.0);
    for (int j = 0; j <= 32; j++) {
        double t = j == 32 ? 0.0014894103136656124 : pow(10.0, -8 + 0.5 * j);
        const int n = 400000;
        const double h = 24.0 / n;
        double sum = 0;
        for (int k = 0; k <= n; k++) {
            double z = -12 + k * h, weight = (k == 0 || k == n) ? 1 : (k % 2 ? 4 : 2);
            sum += weight * exp(-0.5 * z * z) / sqrt(2 * M_PI) * exp(-t * exp(-(1.0 + 2.0 * z) / 0.5));
        }
        double expected = sum * h / 3, got = survival(&m, t);
        cr_assert_float_eq(got, expected, 1e-10, "t %g: %.17g vs %.17g", t, got, expected);
    }
}

/* N = 1: E[T] = E[e^x], Var T = 2 E[e^(2x)] - E[e^x]^2, x = (V0 + delta)/T. */
static void moments_of_exp(lrk_disorder_kind kind, double s, double *e1, double *e2)
{
    switch (kind) {
    case LRK_DISORDER_NORMAL: *e1 = exp(s * s / 2); *e2 = exp(2 * s * s); return;
    case LRK_DISORDER_UNIFORM: *e1 = sinh(s) / s; *e2 = sinh(2 * s) / (2 * s); return;
    case LRK_DISORDER_EXPONENTIAL: {
        /* the sampler (and so the reference) stops at U = 44.5 w: with the
         * heavy tail of e^(2 delta/T) at w/T = 1/3 that is visible (4e-7) */
        double U = LRK_DISORDER_EXPONENTIAL_MAX;
        *e1 = -expm1((s - 1) * U) / (1 - s);
        *e2 = -expm1((2 * s - 1) * U) / (1 - 2 * s);
        return;
    }
    default: *e1 = cosh(s); *e2 = cosh(2 * s); return;
    }
}

Test(disorder_ref, order_statistics_single_lre)
{
    const lrk_disorder_kind kinds[] = {LRK_DISORDER_NORMAL, LRK_DISORDER_UNIFORM, LRK_DISORDER_EXPONENTIAL,
                                       LRK_DISORDER_BIMODAL};
    for (int i = 0; i < 4; i++) {
        double V0 = 0.7, T = 0.9, w = 0.3;
        lrk_model m = model(LRK_MODE_SER, V0, 0, T, 1, kinds[i], w);
        long n = 1;
        double mean, var, e1, e2;
        lrk_error err;
        cr_assert_eq(lrk_disorder_order_statistics(&m, &n, 1, &mean, &var, &err), LRK_OK, "%s", err.message);
        moments_of_exp(kinds[i], w / T, &e1, &e2);
        double mu = exp(V0 / T) * e1, v = 2 * exp(2 * V0 / T) * e2 - mu * mu;
        cr_assert_float_eq(mean, mu, 1e-9 * mu, "%s: %.15g vs %.15g", lrk_disorder_name(kinds[i]), mean, mu);
        cr_assert_float_eq(var, v, 1e-8 * v, "%s: %.15g vs %.15g", lrk_disorder_name(kinds[i]), var, v);
    }
}

/* Width 0: order statistics of i.i.d. Exp(k) are the chain's sums at V1 = 0. */
Test(disorder_ref, order_statistics_without_disorder)
{
    const long Ns[] = {40, 3000};
    for (int i = 0; i < 2; i++) {
        lrk_model m = model(LRK_MODE_SER, 0.8, 0, 1.2, Ns[i], LRK_DISORDER_NONE, 0);
        double q[] = {0.01, 0.3, 0.5, 0.9, 1.0}, mean[5], var[5], em[5], ev[5];
        long n[5];
        for (int j = 0; j < 5; j++)
            n[j] = lrk_level_event_count(q[j], Ns[i]);
        lrk_error err;
        cr_assert_eq(lrk_disorder_order_statistics(&m, n, 5, mean, var, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_first_passage_exact(&m, q, 5, em, ev, &err), LRK_OK, "%s", err.message);
        for (int j = 0; j < 5; j++) {
            cr_assert_float_eq(mean[j], em[j], 1e-9 * em[j], "N %ld q %g: %.15g vs %.15g", Ns[i], q[j], mean[j], em[j]);
            cr_assert_float_eq(var[j], ev[j], 1e-7 * ev[j], "N %ld q %g: %.15g vs %.15g", Ns[i], q[j], var[j], ev[j]);
        }
    }
}

Test(disorder_ref, bimodal_recursion_against_order_statistics)
{
    lrk_model m = model(LRK_MODE_SER, 1.0, 0, 0.7, 60, LRK_DISORDER_BIMODAL, 0.9);
    long n[] = {1, 7, 30, 59, 60};
    double mean[5], var[5], om[5], ov[5];
    lrk_error err;
    cr_assert_eq(lrk_disorder_bimodal_levels(&m, n, 5, mean, var, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_disorder_order_statistics(&m, n, 5, om, ov, &err), LRK_OK, "%s", err.message);
    for (int j = 0; j < 5; j++) {
        cr_assert_float_eq(mean[j], om[j], 1e-9 * om[j], "n %ld: %.15g vs %.15g", n[j], mean[j], om[j]);
        cr_assert_float_eq(var[j], ov[j], 1e-7 * ov[j], "n %ld: %.15g vs %.15g", n[j], var[j], ov[j]);
    }
}

/* Brute force: for every class assignment, E[T_n] and E[T_n^2] by a forward
 * recursion over the 2^N relaxed subsets, averaged over the 2^N assignments. */
static void brute_force(const lrk_model *m, int N, double *mean, double *second)
{
    double c = lrk_model_coupling(m), w = m->disorder.width;
    size_t S = (size_t)1 << N;
    double *P = calloc(S, sizeof(double)), *M1 = calloc(S, sizeof(double)), *M2 = calloc(S, sizeof(double));
    for (int n = 0; n <= N; n++)
        mean[n] = second[n] = 0;
    for (size_t assign = 0; assign < S; assign++) {
        double k[16];
        for (int i = 0; i < N; i++)
            k[i] = exp(-(m->V0 + ((assign >> i) & 1 ? w : -w)) / m->T);
        for (size_t s = 0; s < S; s++)
            P[s] = M1[s] = M2[s] = 0;
        P[0] = 1;
        for (size_t s = 0; s < S; s++) { /* subsets in increasing order: supersets come later */
            if (P[s] == 0)
                continue;
            int n = __builtin_popcountll(s);
            mean[n] += M1[s] / (double)S;
            second[n] += M2[s] / (double)S;
            if (n == N)
                continue;
            double g = exp(-c * m->V1 * n / ((double)N * m->T)), total = 0;
            for (int i = 0; i < N; i++)
                if (!((s >> i) & 1))
                    total += k[i];
            double inv = 1 / (g * total);
            for (int i = 0; i < N; i++)
                if (!((s >> i) & 1)) {
                    double pi = k[i] / total;
                    size_t next = s | ((size_t)1 << i);
                    P[next] += pi * P[s];
                    M1[next] += pi * (M1[s] + P[s] * inv);
                    M2[next] += pi * (M2[s] + 2 * M1[s] * inv + 2 * P[s] * inv * inv);
                }
        }
    }
    free(P);
    free(M1);
    free(M2);
}

Test(disorder_ref, bimodal_recursion_against_brute_force)
{
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (int i = 0; i < 2; i++) {
        const int N = 6;
        lrk_model m = model(modes[i], 0.5, 2.0, 0.8, N, LRK_DISORDER_BIMODAL, 0.6);
        long n[N];
        double mean[N], var[N], bm[N + 1], b2[N + 1];
        for (int j = 0; j < N; j++)
            n[j] = j + 1;
        lrk_error err;
        cr_assert_eq(lrk_disorder_bimodal_levels(&m, n, N, mean, var, &err), LRK_OK, "%s", err.message);
        brute_force(&m, N, bm, b2);
        for (int j = 0; j < N; j++) {
            double v = b2[j + 1] - bm[j + 1] * bm[j + 1];
            cr_assert_float_eq(mean[j], bm[j + 1], 1e-12 * bm[j + 1], "mode %d n %d", i, j + 1);
            cr_assert_float_eq(var[j], v, 1e-10 * v, "mode %d n %d", i, j + 1);
        }
    }
}

Test(disorder_ref, mean_field_without_disorder_is_the_chain_ode)
{
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (int i = 0; i < 2; i++) {
        lrk_model m = model(modes[i], 1.0, 1.5, 1.0, 100, LRK_DISORDER_NONE, 0);
        double t[50], q[50], qo[50], lev[] = {0.1, 0.5, 0.95}, tl[3], to[3];
        for (int k = 0; k < 50; k++)
            t[k] = 0.2 * k;
        lrk_error err;
        cr_assert_eq(lrk_disorder_mean_field(&m, t, 50, q, lev, 3, tl, NULL, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_ode_solve(&m, t, 50, qo, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_ode_times_to_reach(&m, lev, 3, to, &err), LRK_OK, "%s", err.message);
        for (int k = 0; k < 50; k++)
            cr_assert_float_eq(q[k], qo[k], 1e-9, "t %g: %.15g vs %.15g", t[k], q[k], qo[k]);
        for (int j = 0; j < 3; j++)
            cr_assert_float_eq(tl[j], to[j], 1e-9 * to[j]);
    }
}

Test(disorder_ref, mean_field_at_zero_coupling_is_the_exact_fraction)
{
    const lrk_disorder_kind kinds[] = {LRK_DISORDER_NORMAL, LRK_DISORDER_UNIFORM, LRK_DISORDER_EXPONENTIAL};
    for (int i = 0; i < 3; i++) {
        lrk_model m = model(LRK_MODE_SER, 1.0, 0, 1.0, 100, kinds[i], 1.5);
        double t[] = {0.1, 1, 5, 30, 200}, q[5];
        size_t nodes;
        lrk_error err;
        cr_assert_eq(lrk_disorder_mean_field(&m, t, 5, q, NULL, 0, NULL, &nodes, &err), LRK_OK, "%s", err.message);
        for (int k = 0; k < 5; k++) {
            double p, s;
            cr_assert_eq(lrk_disorder_relaxed_fraction(&m, t[k], &p, &s, &err), LRK_OK);
            cr_assert_float_eq(q[k], p, 1e-9, "%s (%zu nodes) t %g: %.15g vs %.15g", lrk_disorder_name(kinds[i]),
                               nodes, t[k], q[k], p);
        }
    }
}

/* Too wide for the Gauss nodes (normal w/T = 10, exponential w/T = 3): at
 * c V1 = 0 the mean field is still p(t), from the exact quadrature, and its
 * level times invert it (p(t_j) = q_j to 1e-12).  NOCONVERGE before. */
Test(disorder_ref, mean_field_at_zero_coupling_has_no_width_limit)
{
    const lrk_disorder_kind kinds[] = {LRK_DISORDER_NORMAL, LRK_DISORDER_EXPONENTIAL};
    const double widths[] = {10.0, 3.0}, levels[] = {0.01, 0.3, 0.5, 0.9, 0.99};
    for (int i = 0; i < 2; i++) {
        lrk_model m = model(LRK_MODE_SER, 1.0, 0, 1.0, 100, kinds[i], widths[i]);
        double t[] = {1e-3, 1, 1e3, 1e6}, q[4], tl[5];
        size_t nodes = 99;
        lrk_error err;
        cr_assert_eq(lrk_disorder_mean_field(&m, t, 4, q, levels, 5, tl, &nodes, &err), LRK_OK, "%s: %s",
                     lrk_disorder_name(kinds[i]), err.message);
        cr_expect_eq(nodes, 0u);
        for (int j = 0; j < 5; j++) {
            double p, s;
            cr_assert_eq(lrk_disorder_relaxed_fraction(&m, tl[j], &p, &s, &err), LRK_OK);
            cr_expect_float_eq(p, levels[j], 1e-12, "%s q = %g: p(t = %g) = %.15g", lrk_disorder_name(kinds[i]),
                               levels[j], tl[j], p);
        }
        for (int k = 0; k < 4; k++)
            cr_expect(q[k] > 0 && q[k] < 1 && (k == 0 || q[k] > q[k - 1]), "q(%g) = %g", t[k], q[k]);
    }
}

typedef struct class_ode {
    size_t n;
    double k[64], w[64], a;
} class_ode;

static int class_rhs(double t, const double *y, double *dy, void *data)
{
    (void)t;
    const class_ode *c = data;
    double q = 0;
    for (size_t i = 0; i < c->n; i++)
        q += c->w[i] * y[i];
    for (size_t i = 0; i < c->n; i++)
        dy[i] = c->k[i] * (1 - y[i]) * exp(-c->a * q);
    return GSL_SUCCESS;
}

/* Bimodal: the two class ODEs stepped by rk8pd against the time-change
 * solution (both exact for two classes). */
Test(disorder_ref, mean_field_against_stepped_class_odes)
{
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    for (int i = 0; i < 2; i++) {
        lrk_model m = model(modes[i], 1.0, 1.2, 0.9, 100, LRK_DISORDER_BIMODAL, 0.5);
        class_ode c = {.n = 2, .a = lrk_model_coupling(&m) * m.V1 / m.T};
        c.k[0] = exp(-(1.0 - 0.5) / 0.9);
        c.k[1] = exp(-(1.0 + 0.5) / 0.9);
        c.w[0] = c.w[1] = 0.5;
        gsl_odeiv2_system sys = {class_rhs, NULL, 2, &c};
        gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-6, 1e-13, 0);
        double y[2] = {0, 0}, t = 0, times[20], q[20];
        for (int k = 0; k < 20; k++)
            times[k] = 0.5 * k * k;
        lrk_error err;
        cr_assert_eq(lrk_disorder_mean_field(&m, times, 20, q, NULL, 0, NULL, NULL, &err), LRK_OK, "%s", err.message);
        for (int k = 0; k < 20; k++) {
            cr_assert_eq(gsl_odeiv2_driver_apply(d, &t, times[k], y), GSL_SUCCESS);
            double expected = 0.5 * (y[0] + y[1]);
            cr_assert_float_eq(q[k], expected, 1e-10, "mode %d t %g: %.15g vs %.15g", i, times[k], q[k], expected);
        }
        gsl_odeiv2_driver_free(d);
    }
}

/* Offsets spanning tens of decades of rate, SER and CER coupling: bimodal
 * w/T = 15 (two classes 13 decades apart) and uniform w/T = 30 (rates over
 * 26 decades; q(sigma) in closed form: with c = sigma e^-V0/T,
 * 1 - q = (E1(c e^-W) - E1(c e^W)) / 2W).  The level times
 * t(sigma_j) = int_0^sigma_j e^(a q) dsigma against an independent
 * quadrature: sigma_j by bisection on the closed form, the integral by
 * composite Simpson in u = ln sigma (2e5 panels from sigma = e^-80, where
 * q is still ~e^-49).  One adaptive rule over [0, sigma] found no finite time
 * for the uniform case (run aborted). */
typedef struct wide_law {
    lrk_disorder_kind kind;
    double width, k1, k2; /* bimodal: the two rates; uniform: k1 = e^-V0 */
} wide_law;

static double wide_q(const wide_law *l, double s)
{
    if (l->kind == LRK_DISORDER_BIMODAL)
        return 0.5 * -expm1(-l->k1 * s) + 0.5 * -expm1(-l->k2 * s);
    const double c = s * l->k1, W = l->width;
    return 1.0 - (gsl_sf_expint_E1(c * exp(-W)) - gsl_sf_expint_E1(c * exp(W))) / (2 * W);
}

static double wide_time(const wide_law *l, double a, double q)
{
    double lo = -80, hi = 80;
    for (int it = 0; it < 200; it++) {
        double mid = 0.5 * (lo + hi);
        if (wide_q(l, exp(mid)) < q)
            lo = mid;
        else
            hi = mid;
    }
    const double u0 = -80, u1 = 0.5 * (lo + hi), h = (u1 - u0) / 200000;
    double sum = 0;
    for (int n = 0; n <= 200000; n++) {
        double u = u0 + n * h, w = (n == 0 || n == 200000) ? 1 : (n % 2 ? 4 : 2);
        sum += w * exp(a * wide_q(l, exp(u))) * exp(u);
    }
    return exp(u0) + sum * h / 3;
}

Test(disorder_ref, mean_field_across_decades_of_rates)
{
    const lrk_mode modes[] = {LRK_MODE_SER, LRK_MODE_CER};
    const double levels[] = {0.1, 0.45, 0.55, 0.9};
    const wide_law laws[] = {{LRK_DISORDER_BIMODAL, 15.0, exp(-(1.0 - 15.0)), exp(-(1.0 + 15.0))},
                             {LRK_DISORDER_UNIFORM, 30.0, exp(-1.0), 0}};
    for (int i = 0; i < 2; i++)
        for (int d = 0; d < 2; d++) {
            lrk_model m = model(modes[i], 1.0, 0.3, 1.0, 100, laws[d].kind, laws[d].width);
            const double a = lrk_model_coupling(&m) * m.V1 / m.T;
            /* Legendre nodes stop at a change below 1e-8: so does the agreement */
            const double tol = laws[d].kind == LRK_DISORDER_BIMODAL ? 1e-9 : 1e-6;
            double t[4];
            lrk_error err;
            cr_assert_eq(lrk_disorder_mean_field(&m, NULL, 0, NULL, levels, 4, t, NULL, &err), LRK_OK, "%s %s: %s",
                         lrk_mode_name(m.mode), lrk_disorder_name(laws[d].kind), err.message);
            for (int j = 0; j < 4; j++) {
                double expected = wide_time(&laws[d], a, levels[j]);
                cr_expect_float_eq(t[j], expected, tol * expected, "%s %s q = %g: t %.15g vs %.15g",
                                   lrk_mode_name(m.mode), lrk_disorder_name(laws[d].kind), levels[j], t[j], expected);
            }
        }
}

Test(disorder_ref, refuses_what_it_cannot_do)
{
    lrk_model m = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 10, LRK_DISORDER_NORMAL, 1.0);
    long n = 5;
    double mean, var, q, t = 1;
    lrk_error err;
    cr_assert_eq(lrk_disorder_order_statistics(&m, &n, 1, &mean, &var, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "c V1 = 0") != NULL, "%s", err.message);
    cr_assert_eq(lrk_disorder_binomial(&m, &t, 1, &q, &var, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_disorder_bimodal_levels(&m, &n, 1, &mean, &var, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "normal") != NULL, "%s", err.message);
    m.disorder.width = 60; /* 12.1 * 60 = 726 > 650 */
    cr_assert_eq(lrk_disorder_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.disorder.width") != NULL, "%s", err.message);
    m.disorder.width = -1;
    cr_assert_eq(lrk_disorder_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.disorder.width = -1") != NULL, "%s", err.message);
}
