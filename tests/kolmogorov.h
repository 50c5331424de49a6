/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kolmogorov.h - the exact null distribution of the one-sample
 * Kolmogorov-Smirnov statistic D_n = sup |F_n(x) - x| for tests: Marsaglia,
 * Tsang & Wang, "Evaluating Kolmogorov's distribution", J. Stat. Softw. 8(18)
 * (2003), P(D_n < d) as the (k, k) entry of H^n (a (2k-1)-square matrix,
 * k = ceil(n d)), times n!/n^n, with the decimal exponent tracked so that the
 * power does not overflow.  Their published right-tail shortcut is used where
 * the p-value is small (n d^2 > 7.24, or > 3.76 with n > 99: 1 - P accurate to
 * about 5 significant digits there).  tests/test_streams.c checks it against
 * scipy.stats.kstwo.
 */
#ifndef LREKMC_TESTS_KOLMOGOROV_H
#define LREKMC_TESTS_KOLMOGOROV_H

#include <math.h>
#include <stdlib.h>

static void ks_multiply(const double *a, const double *b, double *c, int m)
{
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++) {
            double s = 0;
            for (int k = 0; k < m; k++)
                s += a[i * m + k] * b[k * m + j];
            c[i * m + j] = s;
        }
}

/* v = a^n with *ev the power of 10 factored out. */
static void ks_power(const double *a, int ea, double *v, int *ev, int m, int n)
{
    if (n == 1) {
        for (int i = 0; i < m * m; i++)
            v[i] = a[i];
        *ev = ea;
        return;
    }
    ks_power(a, ea, v, ev, m, n / 2);
    double *b = malloc((size_t)m * m * sizeof *b);
    ks_multiply(v, v, b, m);
    int eb = 2 * *ev;
    if (n % 2 == 0) {
        for (int i = 0; i < m * m; i++)
            v[i] = b[i];
        *ev = eb;
    } else {
        ks_multiply(a, b, v, m);
        *ev = ea + eb;
    }
    if (v[(m / 2) * m + m / 2] > 1e140) {
        for (int i = 0; i < m * m; i++)
            v[i] *= 1e-140;
        *ev += 140;
    }
    free(b);
}

/* P(D_n < d). */
static double kolmogorov_cdf(int n, double d)
{
    double s = d * d * n;
    if (s > 7.24 || (s > 3.76 && n > 99))
        return 1 - 2 * exp(-(2.000071 + .331 / sqrt(n) + 1.409 / n) * s);
    int k = (int)(n * d) + 1, m = 2 * k - 1;
    double h = k - n * d;
    double *H = malloc((size_t)m * m * sizeof *H), *Q = malloc((size_t)m * m * sizeof *Q);
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            H[i * m + j] = i - j + 1 < 0 ? 0 : 1;
    for (int i = 0; i < m; i++) {
        H[i * m] -= pow(h, i + 1);
        H[(m - 1) * m + i] -= pow(h, m - i);
    }
    H[(m - 1) * m] += 2 * h - 1 > 0 ? pow(2 * h - 1, m) : 0;
    for (int i = 0; i < m; i++)
        for (int j = 0; j < m; j++)
            if (i - j + 1 > 0)
                for (int g = 1; g <= i - j + 1; g++)
                    H[i * m + j] /= g;
    int eQ;
    ks_power(H, 0, Q, &eQ, m, n);
    s = Q[(k - 1) * m + k - 1];
    for (int i = 1; i <= n; i++) {
        s = s * i / n;
        if (s < 1e-140) {
            s *= 1e140;
            eQ -= 140;
        }
    }
    free(H);
    free(Q);
    return s * pow(10.0, eQ);
}

/* D_n of a sorted sample against U(0, 1). */
static double ks_statistic_uniform(const double *sorted, int n)
{
    double D = 0;
    for (int i = 0; i < n; i++) {
        double above = (i + 1.0) / n - sorted[i], below = sorted[i] - (double)i / n;
        D = fmax(D, fmax(above, below));
    }
    return D;
}

#endif /* LREKMC_TESTS_KOLMOGOROV_H */
