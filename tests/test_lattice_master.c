/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice_master.c - the tiny-box master equation (lattice_master.h)
 * against brute force computed independently here: couplings by a direct sum
 * over periodic images, level-time moments by enumerating all N! relaxation
 * orders (each a product of jump probabilities, the time a sum of
 * independent exponentials), and q(t) by integrating dP/dt = P Q over the
 * 2^N states with GSL's rk8pd.  Also the uniform kernel against the
 * mean-field master equation, and argument checks.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_odeiv2.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/first_passage.h"
#include "lrekmc/lattice_master.h"
#include "lrekmc/master.h"

static lrk_model make(lrk_mode mode, double V0, double V1, double T, long Lx, long Ly, long Lz, double d_el,
                      lrk_kernel kernel)
{
    lrk_model m = {.mode = mode, .V0 = V0, .V1 = V1, .T = T, .A = 0.5, .T0 = 0.06, .N = Lx * Ly * Lz};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = kernel};
    return m;
}

typedef struct brute {
    int N;
    double J[16][16];
    double c, V0, T;
} brute;

static void brute_init(brute *b, const lrk_model *m)
{
    const lrk_space *s = &m->space;
    b->N = (int)m->N;
    b->c = m->mode == LRK_MODE_SER ? 1.0 : m->mode == LRK_MODE_CER ? -1.0 : 1.0 - 2.0 / (exp(-m->A * (1 / m->T - 1 / m->T0)) + 1);
    b->V0 = m->V0;
    b->T = m->T;
    double S = 0;
    for (int i = 0; i < b->N; i++)
        for (int j = 0; j < b->N; j++) {
            long xi = i % s->Lx, yi = i / s->Lx % s->Ly, zi = i / (s->Lx * s->Ly);
            long xj = j % s->Lx, yj = j / s->Lx % s->Ly, zj = j / (s->Lx * s->Ly);
            double W = 0;
            for (long a = -8; a <= 8; a++)
                for (long bb = -8; bb <= 8; bb++)
                    for (long cc = -8; cc <= 8; cc++) {
                        double vx = (double)(xj - xi + a * s->Lx), vy = (double)(yj - yi + bb * s->Ly),
                               vz = (double)(zj - zi + cc * s->Lz);
                        double r = sqrt(vx * vx + vy * vy + vz * vz);
                        if (i != j && r > 0 && r <= s->d_el * (1 + 1e-12))
                            W += pow(2 * r, -3);
                    }
            b->J[i][j] = W;
            if (i == 0)
                S += W;
        }
    for (int i = 0; i < b->N; i++)
        for (int j = 0; j < b->N; j++)
            b->J[i][j] *= m->V1 / S;
}

static double brute_rate(const brute *b, unsigned S, int i)
{
    if (S >> i & 1)
        return 0;
    double V = b->V0;
    for (int j = 0; j < b->N; j++)
        if (S >> j & 1)
            V += b->c * b->J[i][j];
    return exp(-V / b->T);
}

/* Depth-first over all orders: accumulate E[T_n] and E[T_n^2] (prob-weighted). */
static void paths(const brute *b, unsigned S, int n, double p, double mean, double var, double *m1, double *m2)
{
    m1[n] += p * mean;
    m2[n] += p * (var + mean * mean);
    if (n == b->N)
        return;
    double r[16], total = 0;
    for (int i = 0; i < b->N; i++)
        total += r[i] = brute_rate(b, S, i);
    for (int i = 0; i < b->N; i++)
        if (r[i] > 0)
            paths(b, S | 1u << i, n + 1, p * r[i] / total, mean + 1 / total, var + 1 / (total * total), m1, m2);
}

static void check_levels(lrk_model m)
{
    brute b;
    brute_init(&b, &m);
    double m1[17] = {0}, m2[17] = {0};
    paths(&b, 0, 0, 1.0, 0, 0, m1, m2);
    long levels[16];
    double t_mean[16], t_std[16];
    for (int j = 0; j < b.N; j++)
        levels[j] = j + 1;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_master_solve(&m, NULL, 0, NULL, NULL, levels, (size_t)b.N, t_mean, t_std, &err), LRK_OK,
                 "%s", err.message);
    for (int j = 0; j < b.N; j++) {
        double sd = sqrt(m2[j + 1] - m1[j + 1] * m1[j + 1]);
        cr_assert_float_eq(t_mean[j], m1[j + 1], 1e-11 * m1[j + 1], "level %d: %.17g vs %.17g", j + 1, t_mean[j],
                           m1[j + 1]);
        cr_assert_float_eq(t_std[j], sd, 1e-8 * sd, "level %d std: %.17g vs %.17g", j + 1, t_std[j], sd);
    }
}

Test(lattice_master, level_times_match_all_orders)
{
    check_levels(make(LRK_MODE_SER, 1, 4, 1, 2, 2, 2, 2, LRK_KERNEL_R3));
    check_levels(make(LRK_MODE_CER, 0.5, 3, 0.7, 2, 2, 2, 1, LRK_KERNEL_R3));
    check_levels(make(LRK_MODE_CROSSOVER, 0.3, 0.2, 0.05, 1, 2, 3, 2, LRK_KERNEL_R3));
    check_levels(make(LRK_MODE_SER, 1, 2, 1, 1, 1, 7, 3, LRK_KERNEL_R3)); /* a ring, d_el > L/2 */
}

static int ode_rhs(double t, const double *P, double *dP, void *params)
{
    (void)t;
    const brute *b = params;
    unsigned states = 1u << b->N;
    for (unsigned S = 0; S < states; S++)
        dP[S] = 0;
    for (unsigned S = 0; S < states; S++)
        for (int i = 0; i < b->N; i++) {
            double r = brute_rate(b, S, i);
            dP[S] -= r * P[S];
            dP[S | 1u << i] += r * P[S];
        }
    return GSL_SUCCESS;
}

static void check_grid(lrk_model m, double t_end)
{
    gsl_set_error_handler_off();
    static brute b; /* rates recomputed from scratch at every call: slow but independent */
    brute_init(&b, &m);
    unsigned states = 1u << b.N;
    double *P = calloc(states, sizeof *P);
    P[0] = 1;
    gsl_odeiv2_system sys = {ode_rhs, NULL, states, &b};
    gsl_odeiv2_driver *d = gsl_odeiv2_driver_alloc_y_new(&sys, gsl_odeiv2_step_rk8pd, 1e-3, 1e-12, 1e-12);
    enum { K = 12 };
    double t[K], q_mean[K], q_std[K], now = 0;
    for (int k = 0; k < K; k++)
        t[k] = t_end * (k + 1) / K;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_master_solve(&m, t, K, q_mean, q_std, NULL, 0, NULL, NULL, &err), LRK_OK, "%s",
                 err.message);
    for (int k = 0; k < K; k++) {
        cr_assert_eq(gsl_odeiv2_driver_apply(d, &now, t[k], P), GSL_SUCCESS);
        double m1 = 0, m2 = 0;
        for (unsigned S = 0; S < states; S++) {
            double q = (double)__builtin_popcount(S) / b.N;
            m1 += P[S] * q;
            m2 += P[S] * q * q;
        }
        double sd = sqrt(m2 - m1 * m1);
        cr_assert_float_eq(q_mean[k], m1, 1e-9, "t=%g: %.15g vs %.15g", t[k], q_mean[k], m1);
        cr_assert_float_eq(q_std[k], sd, 1e-8, "t=%g std: %.15g vs %.15g", t[k], q_std[k], sd);
    }
    gsl_odeiv2_driver_free(d);
    free(P);
}

Test(lattice_master, q_of_t_matches_direct_integration)
{
    check_grid(make(LRK_MODE_SER, 1, 4, 1, 2, 2, 2, 2, LRK_KERNEL_R3), 60);
    check_grid(make(LRK_MODE_CER, 1, 3, 1, 1, 2, 4, 1.5, LRK_KERNEL_R3), 8);
}

Test(lattice_master, uniform_kernel_is_the_mean_field_chain)
{
    lrk_model m = make(LRK_MODE_SER, 1, 2.5, 1, 2, 2, 3, 1, LRK_KERNEL_UNIFORM);
    double t[6] = {0.5, 2, 5, 10, 20, 40}, a[6], b[6], c[6], d[6];
    cr_assert_eq(lrk_lattice_master_solve(&m, t, 6, a, b, NULL, 0, NULL, NULL, NULL), LRK_OK);
    cr_assert_eq(lrk_master_solve(&m, t, 6, c, d, NULL), LRK_OK);
    for (int k = 0; k < 6; k++) {
        cr_assert_float_eq(a[k], c[k], 1e-11);
        cr_assert_float_eq(b[k], d[k], 1e-9);
    }
    long levels[3] = {1, 6, 12};
    double q[3] = {1.0 / 12, 0.5, 1}, tm[3], ts[3], em[3], ev[3];
    cr_assert_eq(lrk_lattice_master_solve(&m, NULL, 0, NULL, NULL, levels, 3, tm, ts, NULL), LRK_OK);
    cr_assert_eq(lrk_first_passage_exact(&m, q, 3, em, ev, NULL), LRK_OK);
    for (int j = 0; j < 3; j++) {
        cr_assert_float_eq(tm[j], em[j], 1e-11 * em[j]);
        cr_assert_float_eq(ts[j], sqrt(ev[j]), 1e-7 * sqrt(ev[j]));
    }
}

Test(lattice_master, refuses_big_boxes_and_no_lattice)
{
    lrk_model m = make(LRK_MODE_SER, 1, 1, 1, 3, 3, 2, 1, LRK_KERNEL_R3); /* N = 18 */
    double t = 1, q, s;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_lattice_master_solve(&m, &t, 1, &q, &s, NULL, 0, NULL, NULL, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "N <= 16") != NULL, "%s", err.message);
    m = make(LRK_MODE_SER, 1, 1, 1, 2, 2, 2, 1, LRK_KERNEL_R3);
    m.space.lattice = LRK_LATTICE_NONE;
    cr_assert_eq(lrk_lattice_master_solve(&m, &t, 1, &q, &s, NULL, 0, NULL, NULL, &err), LRK_ERR_INVALID);
}
