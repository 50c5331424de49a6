/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_ode.c - the numerical ODE solution against the closed form on
 * 400-point grids over a matrix of (a, V0/T) in all three modes, the time to
 * reach a level against the closed form, and argument checks.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lrekmc/closed_form.h"
#include "lrekmc/ode.h"

#define COUNT(x) (sizeof(x) / sizeof((x)[0]))
#define GRID 400

/* SER or CER with a = c V1 / T equal to `a`, at T = 0.7 so that T enters. */
static lrk_model model_with(double a, double v0_over_t)
{
    const double T = 0.7;
    return (lrk_model){.mode = a < 0 ? LRK_MODE_CER : LRK_MODE_SER, .V0 = v0_over_t * T, .V1 = fabs(a) * T,
                       .T = T, .A = 1.0, .T0 = 1.0, .N = 1000};
}

static const double a_values[] = {-6, -3, -1, -0.1, -1e-6, 0, 1e-6, 0.1, 1, 3, 6};
static const double v0_values[] = {0, 1, 2.5, 5, 10};

/* max |q_ode - q_closed| on a 400-point grid up to the time of q = q_max. */
static double max_deviation(const lrk_model *m, double q_max, int log_grid)
{
    double t[GRID], q[GRID], t_max;
    lrk_error err;
    cr_assert_eq(lrk_closed_form_time(m, q_max, &t_max, &err), LRK_OK, "%s", err.message);
    for (int i = 0; i < GRID; i++)
        t[i] = log_grid ? t_max * pow(10.0, -6.0 * (1.0 - i / (GRID - 1.0))) : t_max * i / (GRID - 1.0);
    cr_assert_eq(lrk_ode_solve(m, t, GRID, q, &err), LRK_OK, "%s", err.message);
    double worst = 0.0;
    for (int i = 0; i < GRID; i++) {
        double exact;
        cr_assert_eq(lrk_closed_form_q(m, t[i], &exact, &err), LRK_OK, "%s", err.message);
        worst = fmax(worst, fabs(q[i] - exact));
    }
    return worst;
}

Test(ode, matches_closed_form_ser_cer)
{
    double worst = 0.0;
    for (size_t i = 0; i < COUNT(a_values); i++) {
        for (size_t v = 0; v < COUNT(v0_values); v++) {
            lrk_model m = model_with(a_values[i], v0_values[v]);
            for (int log_grid = 0; log_grid <= 1; log_grid++) {
                double d = max_deviation(&m, 0.999, log_grid);
                cr_assert(d <= 1e-9, "a = %g, V0/T = %g, %s grid: max |q_ode - q_exact| = %g", a_values[i],
                          v0_values[v], log_grid ? "log" : "linear", d);
                worst = fmax(worst, d);
            }
        }
    }
    cr_log_info("ODE vs closed form (SER/CER matrix): max |dq| = %g", worst);
}

Test(ode, matches_closed_form_crossover)
{
    /* f(T) = 1 / (exp(-A (1/T - 1/T0)) + 1) sweeps c = 1 - 2f from ~+1 to ~-1. */
    double worst = 0.0;
    for (double T = 0.05; T <= 0.6; T += 0.05) {
        lrk_model m = {.mode = LRK_MODE_CROSSOVER, .V0 = 0.3, .V1 = 0.115, .T = T, .A = 0.5, .T0 = 0.2,
                       .N = 1000};
        double d = max_deviation(&m, 0.999, 0);
        cr_assert(d <= 1e-9, "crossover T = %g (a = %g): max |dq| = %g", T, lrk_model_a(&m), d);
        worst = fmax(worst, d);
    }
    cr_log_info("ODE vs closed form (crossover): max |dq| = %g", worst);
}

/* For strong CER, q(t) is ill-conditioned (dq/dt ~ e^|a| during the
 * avalanche), so the sharp comparison is backward: the exact time at which
 * q_ode is reached, against the grid time; max relative difference. */
static double max_backward_deviation(const lrk_model *m, double q_max)
{
    double t[GRID], q[GRID], t_max;
    lrk_error err;
    cr_assert_eq(lrk_closed_form_time(m, q_max, &t_max, &err), LRK_OK, "%s", err.message);
    for (int i = 0; i < GRID; i++)
        t[i] = t_max * (i + 1.0) / GRID;
    cr_assert_eq(lrk_ode_solve(m, t, GRID, q, &err), LRK_OK, "%s", err.message);
    double worst = 0.0;
    for (int i = 0; i < GRID; i++) {
        cr_assert(q[i] > 0.0 && q[i] <= 1.0 && (i == 0 || q[i] >= q[i - 1]), "q[%d] = %.17g", i, q[i]);
        double t_back, q_eval = q[i] < 1.0 ? q[i] : nextafter(1.0, 0.0);
        cr_assert_eq(lrk_closed_form_time(m, q_eval, &t_back, &err), LRK_OK, "%s", err.message);
        worst = fmax(worst, fabs(t_back - t[i]) / t[i]);
    }
    return worst;
}

Test(ode, matches_closed_form_at_extremes)
{
    double worst_q = 0.0, worst_t = 0.0;
    const double a_far[] = {-50, -20, 20, 50};
    for (size_t i = 0; i < COUNT(a_far); i++) {
        for (double v0 = 0; v0 <= 50; v0 += 50) {
            lrk_model m = model_with(a_far[i], v0);
            if (a_far[i] > 0) {
                double d = max_deviation(&m, 0.999, 0);
                cr_assert(d <= 1e-9, "a = %g, V0/T = %g: max |dq| = %g", a_far[i], v0, d);
                worst_q = fmax(worst_q, d);
            }
            double b = max_backward_deviation(&m, 0.999);
            cr_assert(b <= 1e-10, "a = %g, V0/T = %g: max |t(q_ode) - t| / t = %g", a_far[i], v0, b);
            worst_t = fmax(worst_t, b);
        }
    }
    /* |a| + V0/T close to the model's limit of 700 */
    const double a_edge[] = {-650, 650};
    for (size_t i = 0; i < COUNT(a_edge); i++) {
        lrk_model m = model_with(a_edge[i], 40.0);
        double b = max_backward_deviation(&m, 0.99);
        cr_assert(b <= 1e-10, "a = %g: max |t(q_ode) - t| / t = %g", a_edge[i], b);
        worst_t = fmax(worst_t, b);
    }
    lrk_model strong_ser = model_with(650, 40.0);
    double d = max_deviation(&strong_ser, 0.99, 0);
    cr_assert(d <= 1e-9, "a = 650: max |dq| = %g", d);
    worst_q = fmax(worst_q, d);
    cr_log_info("extremes: max |dq| (SER) %g, max |t(q_ode) - t| / t %g", worst_q, worst_t);
}

Test(ode, long_times_saturate_at_one)
{
    lrk_model m = model_with(3.0, 1.0);
    double t[] = {0.0, 0.0, 1e3, 1e6, 1e12, 1e300}, q[COUNT(t)];
    lrk_error err;
    cr_assert_eq(lrk_ode_solve(&m, t, COUNT(t), q, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(q[0], 0.0);
    cr_assert_eq(q[1], 0.0);
    for (size_t i = 3; i < COUNT(t); i++)
        cr_assert_eq(q[i], 1.0, "t = %g: q = %.17g", t[i], q[i]);
}

Test(ode, time_to_reach_matches_closed_form)
{
    const double levels[] = {1e-9, 1e-4, 0.01, 0.1, 0.3, 0.5, 0.7, 0.9, 0.99, 0.999, 0.999999};
    const double a_more[] = {-50, -6, -1, -1e-6, 0, 1e-6, 1, 6, 50};
    double worst = 0.0;
    for (size_t i = 0; i < COUNT(a_more); i++) {
        for (size_t v = 0; v < COUNT(v0_values); v++) {
            lrk_model m = model_with(a_more[i], v0_values[v]);
            double t_vector[COUNT(levels)];
            lrk_error err;
            cr_assert_eq(lrk_ode_times_to_reach(&m, levels, COUNT(levels), t_vector, &err), LRK_OK, "%s",
                         err.message);
            for (size_t j = 0; j < COUNT(levels); j++) {
                double t_one, exact;
                cr_assert_eq(lrk_ode_time_to_reach(&m, levels[j], &t_one, &err), LRK_OK, "%s", err.message);
                cr_assert_eq(lrk_closed_form_time(&m, levels[j], &exact, &err), LRK_OK, "%s", err.message);
                double rel = fabs(t_one - exact) / exact, rel_vector = fabs(t_vector[j] - exact) / exact;
                worst = fmax(worst, fmax(rel, rel_vector));
                cr_assert(rel <= 1e-10 && rel_vector <= 1e-10,
                          "a = %g, V0/T = %g, q = %g: t_ode = %.17g / %.17g, exact %.17g", a_more[i],
                          v0_values[v], levels[j], t_one, t_vector[j], exact);
            }
        }
    }
    cr_log_info("time to reach vs closed form: worst relative difference %g", worst);
}

Test(ode, rejects_bad_arguments)
{
    lrk_model m = model_with(1.0, 1.0);
    lrk_error err;
    double q[3], t;
    double descending[] = {0.0, 2.0, 1.0};
    cr_assert_eq(lrk_ode_solve(&m, descending, 3, q, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "t[2]") && strstr(err.message, "ascending"));
    double negative[] = {-1.0, 0.0, 1.0};
    cr_assert_eq(lrk_ode_solve(&m, negative, 3, q, &err), LRK_ERR_INVALID);
    double not_finite[] = {0.0, NAN, 1.0};
    cr_assert_eq(lrk_ode_solve(&m, not_finite, 3, q, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_ode_solve(&m, NULL, 0, NULL, &err), LRK_OK);
    cr_assert_eq(lrk_ode_time_to_reach(&m, 1.0, &t, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "(0, 1)"));
    cr_assert_eq(lrk_ode_time_to_reach(&m, 0.0, &t, &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_ode_time_to_reach(&m, NAN, &t, &err), LRK_ERR_INVALID);
    double levels[] = {0.5, 0.4};
    cr_assert_eq(lrk_ode_times_to_reach(&m, levels, 2, q, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "ascending"));
    m.N = 0;
    cr_assert_eq(lrk_ode_solve(&m, descending, 1, q, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.N"));
}
