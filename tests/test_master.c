/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_master.c - the exact master equation (master.h) against closed forms
 * (N = 1, N = 2 with distinct, equal and near-equal rates), a direct GSL
 * integration of the full probability vector, probability conservation,
 * the O(1/N) bias with respect to the mean-field ODE, and argument checks.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/master.h"

static lrk_model model(lrk_mode mode, double V0, double V1, double T, long N)
{
    return (lrk_model){.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 0.0, .T0 = 1.0, .N = N};
}

static void solve_ok(const lrk_model *m, const double *t, size_t count, double *mean, double *std)
{
    lrk_error err = {{0}};
    lrk_status st = lrk_master_solve(m, t, count, mean, std, &err);
    cr_assert_eq(st, LRK_OK, "lrk_master_solve: %s", err.message);
}

Test(master, one_event_is_exponential)
{
    lrk_model m = model(LRK_MODE_SER, 0.7, 1.3, 0.9, 1);
    double lambda0 = exp(-0.7 / 0.9);
    double t[] = {0.0, 1e-9, 0.01, 0.5, 1.0, 3.0, 10.0, 60.0};
    size_t count = sizeof t / sizeof t[0];
    double mean[8], std[8];
    solve_ok(&m, t, count, mean, std);
    for (size_t i = 0; i < count; i++) {
        double p = -expm1(-lambda0 * t[i]), p0 = exp(-lambda0 * t[i]);
        cr_assert_float_eq(mean[i], p, 1e-13, "t = %g: mean %.17g vs %.17g", t[i], mean[i], p);
        cr_assert_float_eq(std[i], sqrt(p * p0), 1e-13, "t = %g: std %.17g", t[i], std[i]);
    }
    /* Near t = 0 the std is tiny; it must still be relatively accurate. */
    cr_assert(fabs(std[1] / sqrt(lambda0 * 1e-9) - 1.0) < 1e-8, "std at t = 1e-9: %.17g", std[1]);
}

/* P_0, P_1, P_2 of the two-step chain with rates l0, l1.  The hypoexponential
 * P_1 = l0 (e^{-l0 t} - e^{-l1 t}) / (l1 - l0) is written with expm1 so that
 * it stays accurate for l1 -> l0, where it becomes the Erlang l0 t e^{-l0 t}. */
static void two_step(double l0, double l1, double t, double P[3])
{
    double delta = l1 - l0;
    P[0] = exp(-l0 * t);
    double ratio = delta * t == 0.0 ? 1.0 : -expm1(-delta * t) / (delta * t);
    P[1] = l0 * t * exp(-l0 * t) * ratio;
    P[2] = 1.0 - P[0] - P[1];
}

static void check_two_step(const lrk_model *m)
{
    double l0 = lrk_model_rate(m, 0), l1 = lrk_model_rate(m, 1);
    double t[] = {0.0, 0.05, 0.3, 1.0, 2.0, 4.0, 8.0, 20.0};
    size_t count = sizeof t / sizeof t[0];
    double mean[8], std[8];
    solve_ok(m, t, count, mean, std);
    for (size_t i = 0; i < count; i++) {
        double P[3];
        two_step(l0, l1, t[i], P);
        /* 1 - E q = P_0 + P_1 / 2 without cancellation; centred variance. */
        double gap = P[0] + 0.5 * P[1], mq = 1.0 - gap;
        double sq = sqrt(P[0] * (1 - gap) * (1 - gap) + P[1] * (0.5 - gap) * (0.5 - gap) + P[2] * gap * gap);
        cr_assert_float_eq(mean[i], mq, 1e-12, "l0 = %g l1 = %g t = %g: mean %.17g vs %.17g", l0, l1, t[i],
                           mean[i], mq);
        cr_assert_float_eq(std[i], sq, 1e-12, "l0 = %g l1 = %g t = %g: std %.17g vs %.17g", l0, l1, t[i],
                           std[i], sq);
    }
}

Test(master, two_events_distinct_rates)
{
    lrk_model ser = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 2);
    check_two_step(&ser);
    lrk_model cer = model(LRK_MODE_CER, 0.4, 0.5, 0.8, 2);
    check_two_step(&cer);
}

Test(master, two_events_equal_rates_erlang)
{
    /* CER with N = 2: lambda_0 = 2 k, lambda_1 = k e^{V1/(2T)}; equal for
     * V1/T = 2 ln 2.  The rates then agree to rounding, the worst case for a
     * sum of exponentials. */
    lrk_model m = model(LRK_MODE_CER, 0.5, 2.0 * log(2.0), 1.0, 2);
    double l0 = lrk_model_rate(&m, 0), l1 = lrk_model_rate(&m, 1);
    cr_assert(fabs(l1 / l0 - 1.0) < 1e-14, "rates %.17g %.17g", l0, l1);
    check_two_step(&m);
    /* The exact Erlang form with one rate, as a direct check. */
    double t = 1.7, mean, std, lt = l0 * t;
    solve_ok(&m, &t, 1, &mean, &std);
    double P1 = lt * exp(-lt), P2 = 1.0 - exp(-lt) - P1;
    cr_assert_float_eq(mean, (P1 + 2.0 * P2) / 2.0, 1e-12);
}

Test(master, two_events_near_equal_rates)
{
    double shifts[] = {1e-12, 1e-8, 1e-4, -1e-6};
    for (size_t i = 0; i < sizeof shifts / sizeof shifts[0]; i++) {
        lrk_model m = model(LRK_MODE_CER, 0.5, 2.0 * log(2.0) + shifts[i], 1.0, 2);
        check_two_step(&m);
    }
}

Test(master, probability_is_conserved_and_nonnegative)
{
    lrk_model ms[] = {model(LRK_MODE_SER, 1.0, 1.0, 1.0, 300), model(LRK_MODE_CER, 1.5, 1.5, 1.0, 300),
                      model(LRK_MODE_SER, 0.0, 0.0, 1.0, 300)};
    double times[] = {0.0, 0.1, 1.0, 4.0, 30.0, 1e4};
    double *p = malloc(301 * sizeof *p);
    cr_assert_not_null(p);
    for (size_t k = 0; k < 3; k++) {
        for (size_t i = 0; i < sizeof times / sizeof times[0]; i++) {
            lrk_error err = {{0}};
            double lost = -1.0;
            cr_assert_eq(lrk_master_distribution(&ms[k], times[i], p, &lost, &err), LRK_OK, "%s", err.message);
            double sum = 0.0, first = 0.0;
            for (long n = 0; n <= 300; n++) {
                cr_assert(p[n] >= 0.0 && p[n] <= 1.0 + 1e-13, "P_%ld = %.17g", n, p[n]);
                sum += p[n];
                first += (double)n * p[n];
            }
            cr_assert(lost >= 0.0 && lost <= LRK_MASTER_MAX_LOST, "lost = %g", lost);
            cr_assert_float_eq(sum, 1.0, 1e-13, "model %zu t = %g: sum P = %.17g", k, times[i], sum);
            double mean, std;
            solve_ok(&ms[k], &times[i], 1, &mean, &std);
            cr_assert_float_eq(mean, first / sum / 300.0, 1e-14);
        }
    }
    /* Long after relaxation every P_n but P_N is gone (up to rounding). */
    cr_assert_float_eq(p[300], 1.0, 1e-13);
    free(p);
}

/* ---- the full probability vector by GSL odeiv2 (independent reference) --- */

typedef struct chain {
    long N;
    double *rate;
} chain;

static int chain_rhs(double t, const double P[], double dPdt[], void *params)
{
    (void)t;
    const chain *c = params;
    dPdt[0] = -c->rate[0] * P[0];
    for (long n = 1; n <= c->N; n++)
        dPdt[n] = c->rate[n - 1] * P[n - 1] - (n < c->N ? c->rate[n] * P[n] : 0.0);
    return GSL_SUCCESS;
}

static void check_against_odeiv2(const lrk_model *m, const double *t, size_t count, double tol)
{
    long N = m->N;
    chain c = {N, malloc((size_t)N * sizeof(double))};
    double *P = calloc((size_t)N + 1, sizeof *P);
    cr_assert(c.rate != NULL && P != NULL);
    for (long n = 0; n < N; n++)
        c.rate[n] = lrk_model_rate(m, n);
    P[0] = 1.0;
    gsl_set_error_handler_off();
    gsl_odeiv2_system sys = {chain_rhs, NULL, (size_t)N + 1, &c};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-4, 1e-15, 1e-13);
    cr_assert_not_null(d);
    double *mean = malloc(count * sizeof *mean), *std = malloc(count * sizeof *std);
    cr_assert(mean != NULL && std != NULL);
    solve_ok(m, t, count, mean, std);
    double now = 0.0;
    for (size_t i = 0; i < count; i++) {
        if (t[i] > now) {
            int gst = gsl_odeiv2_driver_apply(d, &now, t[i], P);
            cr_assert_eq(gst, GSL_SUCCESS, "odeiv2: %s", gsl_strerror(gst));
        }
        double m1 = 0.0, m2 = 0.0;
        for (long n = 0; n <= N; n++)
            m1 += (double)n / (double)N * P[n];
        for (long n = 0; n <= N; n++)
            m2 += pow((double)n / (double)N - m1, 2) * P[n];
        cr_assert(fabs(mean[i] - m1) <= tol, "mode %d t = %g: mean %.15g vs odeiv2 %.15g", m->mode, t[i],
                  mean[i], m1);
        cr_assert(fabs(std[i] - sqrt(m2)) <= tol, "mode %d t = %g: std %.15g vs odeiv2 %.15g", m->mode, t[i],
                  std[i], sqrt(m2));
    }
    gsl_odeiv2_driver_free(d);
    free(mean);
    free(std);
    free(P);
    free(c.rate);
}

Test(master, matches_direct_integration_N50)
{
    double t_ser[] = {0.0, 0.2, 1.0, 2.5, 5.0, 10.0, 20.0, 28.0};
    lrk_model ser = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 50);
    check_against_odeiv2(&ser, t_ser, sizeof t_ser / sizeof t_ser[0], 1e-9);

    double t_cer[] = {0.1, 0.5, 1.0, 2.0, 3.0, 4.5, 7.0};
    lrk_model cer = model(LRK_MODE_CER, 1.5, 1.5, 1.0, 50);
    check_against_odeiv2(&cer, t_cer, sizeof t_cer / sizeof t_cer[0], 1e-9);

    /* Crossover, paper Fig. 3 barriers; at T = 0.05 with A = 0.5, T0 = 0.07
     * the coupling is c ~ -0.89 (CER side). */
    double t_x[] = {5.0, 25.0, 60.0, 120.0, 250.0, 450.0};
    lrk_model x = {.mode = LRK_MODE_CROSSOVER, .V0 = 0.3, .V1 = 0.115, .T = 0.05, .A = 0.5, .T0 = 0.07,
                   .N = 50};
    check_against_odeiv2(&x, t_x, sizeof t_x / sizeof t_x[0], 1e-9);
}

Test(master, matches_direct_integration_N1000)
{
    /* At N = 50 the packet always spans the whole chain; at N = 1000 the
     * moving window, the local Lambda and the edge trimming all act.  The
     * two agree to ~1e-15 here, so 1e-11 leaves room only for odeiv2's own
     * error, and catches any leak far below the promised 1e-9. */
    double t_ser[] = {0.05, 1.0, 4.0, 10.0, 28.0};
    lrk_model ser = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 1000);
    check_against_odeiv2(&ser, t_ser, sizeof t_ser / sizeof t_ser[0], 1e-11);
    double t_slow[] = {1.0, 50.0, 200.0, 460.0};
    lrk_model slow = model(LRK_MODE_SER, 2.5, 2.5, 1.0, 1000);
    check_against_odeiv2(&slow, t_slow, sizeof t_slow / sizeof t_slow[0], 1e-11);
    double t_cer[] = {0.5, 2.0, 4.0, 6.9};
    lrk_model cer = model(LRK_MODE_CER, 1.5, 1.5, 1.0, 1000);
    check_against_odeiv2(&cer, t_cer, sizeof t_cer / sizeof t_cer[0], 1e-11);
}

/* ---- O(1/N) bias against the mean-field ODE ------------------------------ */

/* q, s = N Var(q) and d = N (E q - q) from the system-size expansion:
 * dq = w, ds = 2 w' s + w, dd = w' d + w'' s / 2 (written out here, not
 * taken from lna.c, so the two are independent). */
static int expansion_rhs(double t, const double y[], double dydt[], void *params)
{
    (void)t;
    const double *ka = params;
    double k = ka[0], a = ka[1], q = y[0];
    double e = k * exp(-a * q);
    double w = e * (1 - q), w1 = -e * (1 + a * (1 - q)), w2 = e * a * (2 + a * (1 - q));
    dydt[0] = w;
    dydt[1] = 2 * w1 * y[1] + w;
    dydt[2] = w1 * y[2] + 0.5 * w2 * y[1];
    return GSL_SUCCESS;
}

Test(master, mean_bias_is_order_one_over_N)
{
    /* V0/T = V1/T = 1, t = 4.  docs/design.md quotes a bias of 0.105/N; the sign
     * is + (the rate w(q) is convex for a > 0, so E[w(q)] > w(E q)). */
    double ka[2] = {exp(-1.0), 1.0}, y[3] = {0, 0, 0}, now = 0.0;
    gsl_set_error_handler_off();
    gsl_odeiv2_system sys = {expansion_rhs, NULL, 3, ka};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-4, 1e-14, 1e-13);
    cr_assert_not_null(d);
    cr_assert_eq(gsl_odeiv2_driver_apply(d, &now, 4.0, y), GSL_SUCCESS);
    gsl_odeiv2_driver_free(d);
    double q_ode = y[0], shift = y[2];
    cr_assert(fabs(shift - 0.105) < 0.001, "expansion gives N (E q - q) = %g", shift);

    long Ns[] = {500, 1000, 2000, 4000};
    double c[4];
    for (size_t i = 0; i < 4; i++) {
        lrk_model m = model(LRK_MODE_SER, 1.0, 1.0, 1.0, Ns[i]);
        double t = 4.0, mean, std;
        solve_ok(&m, &t, 1, &mean, &std);
        c[i] = (double)Ns[i] * (mean - q_ode);
        cr_assert(c[i] > 0.0, "N = %ld: bias %g must be positive", Ns[i], c[i]);
    }
    /* c(N) = shift + O(1/N): the remainder halves as N doubles, and the
     * Richardson extrapolation 2 c(2N) - c(N) matches the shift closely. */
    for (size_t i = 0; i + 1 < 4; i++) {
        double r0 = c[i] - shift, r1 = c[i + 1] - shift;
        cr_assert(fabs(r1 / r0 - 0.5) < 0.01, "N = %ld: remainders %g %g", Ns[i], r0, r1);
    }
    double extrapolated = 2.0 * c[3] - c[2];
    cr_assert(fabs(extrapolated - shift) < 1e-7, "extrapolated %.8f vs expansion %.8f", extrapolated, shift);
}

/* ---- arguments and limits ------------------------------------------------- */

Test(master, rejects_bad_arguments)
{
    lrk_error err = {{0}};
    lrk_model m = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 10);
    double mean[3], std[3];
    double descending[] = {0.0, 2.0, 1.0};
    cr_assert_eq(lrk_master_solve(&m, descending, 3, mean, std, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "ascending") != NULL, "%s", err.message);
    double negative[] = {-1.0};
    cr_assert_eq(lrk_master_solve(&m, negative, 1, mean, std, &err), LRK_ERR_INVALID);
    double nan_t[] = {NAN};
    cr_assert_eq(lrk_master_solve(&m, nan_t, 1, mean, std, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_master_solve(&m, NULL, 1, mean, std, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_master_solve(&m, NULL, 0, NULL, NULL, &err), LRK_OK);
    lrk_model big = model(LRK_MODE_SER, 1.0, 1.0, 1.0, LRK_MASTER_MAX_N + 1);
    double t = 1.0;
    cr_assert_eq(lrk_master_solve(&big, &t, 1, mean, std, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.N") != NULL, "%s", err.message);
    lrk_model bad = model(LRK_MODE_SER, 1.0, -1.0, 1.0, 10);
    cr_assert_eq(lrk_master_solve(&bad, &t, 1, mean, std, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "V1") != NULL, "%s", err.message);
    cr_assert_eq(lrk_master_solve_limited(&m, &t, 1, mean, std, 0.0, &err), LRK_ERR_INVALID);
}

Test(master, gives_up_on_unreasonable_work)
{
    /* Strong CER coupling: the avalanche onset time fluctuates so much that
     * the distribution spans almost all states.  With a small work limit
     * the solve must stop with a clear message instead of running on. */
    lrk_model m = model(LRK_MODE_CER, 20.0, 20.0, 1.0, 5000);
    double t[] = {1e3, 2.6e7};
    double mean[2], std[2];
    lrk_error err = {{0}};
    cr_assert_eq(lrk_master_solve_limited(&m, t, 2, mean, std, 1e7, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "master_equation: off") != NULL, "%s", err.message);
}

Test(master, equal_times_and_time_zero)
{
    lrk_model m = model(LRK_MODE_CER, 1.0, 0.5, 1.0, 100);
    double t[] = {0.0, 0.0, 1.0, 1.0, 2.0};
    double mean[5], std[5];
    solve_ok(&m, t, 5, mean, std);
    cr_assert_eq(mean[0], 0.0);
    cr_assert_eq(std[0], 0.0);
    cr_assert_eq(mean[2], mean[3]);
    cr_assert_eq(std[2], std[3]);
    double single;
    double one = 2.0, s1;
    solve_ok(&m, &one, 1, &single, &s1);
    cr_assert_float_eq(single, mean[4], 1e-13, "restarting at grid points must not change the result");
}

Test(master, far_times_are_fully_relaxed)
{
    lrk_model m = model(LRK_MODE_SER, 1.0, 1.0, 1.0, 200);
    double t[] = {4.0, 1e4, 1e300}, mean[3], std[3];
    solve_ok(&m, t, 3, mean, std);
    cr_assert(mean[0] > 0.5 && mean[0] < 0.7);
    cr_assert_float_eq(mean[1], 1.0, 1e-14);
    cr_assert(std[1] < 1e-12, "std = %g", std[1]);
    cr_assert_eq(mean[2], 1.0);
    cr_assert_eq(std[2], 0.0);
}
