/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_disorder_sample.c - the samplers behind the disorder engine
 * (src/disorder_sample.h): the normal ziggurat against the exact normal law
 * (its table against its recurrence, Kolmogorov-Smirnov, chi-square over
 * equiprobable bins, the frequency of the tail and the law inside it), each
 * statistic also shown to reject a deliberately broken table or tail; the
 * support bound the validation relies on; the array exp() against exp().
 * Fixed seeds; every threshold is a quantile of the statistic's null law.
 */
#include <criterion/criterion.h>
#include <gsl/gsl_cdf.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/disorder.h"
#include "../src/disorder_sample.h"

static const double ZIG_R = 3.6541528853610087716, ZIG_V = 0.0049286732339746553;

/* The table from Marsaglia & Tsang's recurrence (as the generator script
 * computes it) for edge r and layer area v. */
static void build_table(normal_ziggurat *z, double r, double v)
{
    const double m = 0x1.0p52;
    double dn = r, tn = r, q = v / exp(-0.5 * dn * dn);
    z->r = r;
    z->k[0] = (uint64_t)(dn / q * m);
    z->k[1] = 0;
    z->w[0] = q / m;
    z->w[255] = dn / m;
    z->f[0] = 1.0;
    z->f[255] = exp(-0.5 * dn * dn);
    for (int i = 254; i >= 1; i--) {
        dn = sqrt(-2.0 * log(v / dn + exp(-0.5 * dn * dn)));
        z->k[i + 1] = (uint64_t)(dn / tn * m);
        tn = dn;
        z->f[i] = exp(-0.5 * dn * dn);
        z->w[i] = dn / m;
    }
}

Test(disorder_sample, normal_table_follows_its_recurrence)
{
    normal_ziggurat z;
    build_table(&z, ZIG_R, ZIG_V);
    const normal_ziggurat *t = &disorder_normal_table;
    cr_assert_eq(t->r, ZIG_R);
    for (int i = 0; i < 256; i++) {
        cr_assert_leq(fabs((double)t->k[i] - (double)z.k[i]), 1e-13 * (double)z.k[i] + 1.0, "k[%d]", i);
        cr_assert_leq(fabs(t->w[i] - z.w[i]), 1e-13 * z.w[i], "w[%d]", i);
        cr_assert_leq(fabs(t->f[i] - z.f[i]), 1e-13 * z.f[i], "f[%d]", i);
    }
    /* the recurrence closes: the top layer [0, x_1] x [f(x_1), 1] has area v */
    double x1 = t->w[1] * 0x1.0p52;
    cr_assert_lt(fabs(x1 * (1.0 - t->f[1]) / ZIG_V - 1.0), 1e-9, "x_1 (1 - f_1) / v - 1 = %g",
                 x1 * (1.0 - t->f[1]) / ZIG_V - 1.0);
    /* and the base layer's area is v: r f(r) + the tail mass */
    double base = ZIG_R * exp(-0.5 * ZIG_R * ZIG_R) + sqrt(2 * atan(1.0)) * erfc(ZIG_R / sqrt(2.0));
    cr_assert_lt(fabs(base / ZIG_V - 1.0), 1e-15);
}

/* The largest |z| the sampler can return: a layer gives < r; the tail gives
 * r + x with x^2 < 2 (-ln U), U >= 2^-53 (disorder_sample.h). */
Test(disorder_sample, normal_support_bound_covers_the_tail)
{
    double bound = disorder_normal_table.r + sqrt(-2.0 * log(0x1.0p-53));
    cr_assert_lt(bound, LRK_DISORDER_NORMAL_ZMAX, "r + sqrt(106 ln 2) = %.6f", bound);
    cr_assert_gt(bound, LRK_DISORDER_NORMAL_ZMAX - 0.01, "the bound is tight: %.6f", bound);
    lrk_disorder d = {.kind = LRK_DISORDER_NORMAL, .width = 2.0};
    double lo, hi;
    lrk_disorder_support(&d, &lo, &hi);
    cr_assert(lo == -2.0 * LRK_DISORDER_NORMAL_ZMAX && hi == 2.0 * LRK_DISORDER_NORMAL_ZMAX);
    /* the smallest uniform is exactly 2^-53, so -ln U <= 53 ln 2 */
    cr_assert_eq((0.0 + 0.5) * 0x1.0p-52, 0x1.0p-53);
}

static int by_value(const void *pa, const void *pb)
{
    double a = *(const double *)pa, b = *(const double *)pb;
    return (a > b) - (a < b);
}

/* sqrt(n) D of the sample against the normal CDF conditioned on x > tail
 * (tail = -INFINITY: the whole normal); sorts x. */
static double ks_statistic(double *x, size_t n, double tail)
{
    qsort(x, n, sizeof(double), by_value);
    double q_tail = isinf(tail) ? 1.0 : gsl_cdf_ugaussian_Q(tail), d = 0;
    for (size_t i = 0; i < n; i++) {
        double cdf = isinf(tail) ? gsl_cdf_ugaussian_P(x[i]) : 1.0 - gsl_cdf_ugaussian_Q(x[i]) / q_tail;
        d = fmax(d, fmax(fabs(cdf - (double)i / (double)n), fabs((double)(i + 1) / (double)n - cdf)));
    }
    return sqrt((double)n) * d;
}

/* P(sqrt(n) D > 2.2) = 1.2e-4 under the null (Kolmogorov's limit law). */
#define KS_LIMIT 2.2

static double ks_of_table(const normal_ziggurat *z, uint64_t seed)
{
    enum { COUNT = 200000 };
    double *x = malloc(COUNT * sizeof(double));
    cr_assert_not_null(x);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2026, seed);
    for (int i = 0; i < COUNT; i++)
        x[i] = disorder_normal_ziggurat(&g, z);
    double ks = ks_statistic(x, COUNT, -INFINITY);
    free(x);
    return ks;
}

/* Chi-square over B equiprobable bins of the normal (edges by the inverse
 * CDF; the two outer bins hold the tails to infinity), and its upper tail
 * probability under the null, chi2 with B - 1 degrees of freedom. */
enum { BINS = 1000, CHI_COUNT = 4000000 };

static double chi2_p_of_table(const normal_ziggurat *z, uint64_t seed, double *chi2_out)
{
    static double edge[BINS - 1];
    static uint64_t count[BINS];
    for (int b = 0; b < BINS - 1; b++)
        edge[b] = gsl_cdf_ugaussian_Pinv((double)(b + 1) / BINS);
    memset(count, 0, sizeof count);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2027, seed);
    for (int i = 0; i < CHI_COUNT; i++) {
        double x = disorder_normal_ziggurat(&g, z);
        /* binary search for the first edge above x */
        int lo = 0, hi = BINS - 1;
        while (lo < hi) {
            int mid = (lo + hi) / 2;
            if (edge[mid] > x)
                hi = mid;
            else
                lo = mid + 1;
        }
        count[lo]++;
    }
    double expected = (double)CHI_COUNT / BINS, chi2 = 0;
    for (int b = 0; b < BINS; b++)
        chi2 += ((double)count[b] - expected) * ((double)count[b] - expected) / expected;
    *chi2_out = chi2;
    return gsl_cdf_chisq_Q(chi2, BINS - 1);
}

/* Two broken tables, each a plausible slip: the wedge heights one layer off
 * (f[i] = f(x_{i-1})), and the fast-accept thresholds scaled for 53-bit
 * magnitudes as in the exponential's table (every draw accepted in its
 * rectangle: no wedge test, no tail).  Kolmogorov-Smirnov does not see
 * either at this size (sqrt(n) D = 0.72 and 0.89): the chi-square over 1000
 * bins does (p ~ 1e-15), and the tail test below sees the second. */
static void broken_heights(normal_ziggurat *z)
{
    *z = disorder_normal_table;
    for (int i = 1; i < 256; i++)
        z->f[i] = disorder_normal_table.f[i - 1];
}

static void broken_thresholds(normal_ziggurat *z)
{
    *z = disorder_normal_table;
    for (int i = 0; i < 256; i++)
        z->k[i] *= 2;
}

Test(disorder_sample, normal_passes_kolmogorov_smirnov)
{
    double ks = ks_of_table(&disorder_normal_table, 1);
    cr_assert_lt(ks, KS_LIMIT, "KS statistic sqrt(n) D = %g", ks);
}

Test(disorder_sample, normal_passes_chi_square_and_broken_tables_fail)
{
    double chi2;
    double p = chi2_p_of_table(&disorder_normal_table, 1, &chi2);
    cr_assert_gt(p, 1e-4, "chi2 = %g over %d bins, p = %g", chi2, BINS, p);
    normal_ziggurat bad;
    broken_heights(&bad);
    p = chi2_p_of_table(&bad, 1, &chi2);
    cr_assert_lt(p, 1e-4, "wedge heights one layer off: chi2 = %g, p = %g", chi2, p);
    broken_thresholds(&bad);
    p = chi2_p_of_table(&bad, 1, &chi2);
    cr_assert_lt(p, 1e-4, "thresholds for 53 bits: chi2 = %g, p = %g", chi2, p);
}

/* A naive tail (the shifted exponential r + E/r, without the rejection step
 * that turns it into the normal's tail), for the power of the tail test. */
static double naive_tail(lrk_pcg64 *g, double r)
{
    return r - log(disorder_uniform52(g)) / r;
}

static double tail_ks(int naive, uint64_t seed)
{
    enum { COUNT = 100000 };
    double *x = malloc(COUNT * sizeof(double));
    cr_assert_not_null(x);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2028, seed);
    const double r = disorder_normal_table.r;
    for (int i = 0; i < COUNT; i++) {
        x[i] = naive ? naive_tail(&g, r) : disorder_normal_tail(&g, r);
        cr_assert(x[i] >= r && x[i] < LRK_DISORDER_NORMAL_ZMAX, "tail draw %g", x[i]);
    }
    double ks = ks_statistic(x, COUNT, r);
    free(x);
    return ks;
}

/* The tail sampler alone against the normal law conditioned on x > r. */
Test(disorder_sample, normal_tail_follows_the_conditional_law)
{
    double ks = tail_ks(0, 1);
    cr_assert_lt(ks, KS_LIMIT, "tail KS sqrt(n) D = %g", ks);
    double ks_bad = tail_ks(1, 1);
    cr_assert_gt(ks_bad, KS_LIMIT, "the naive tail passes: sqrt(n) D = %g", ks_bad);
}

/* Through the whole sampler: how often |z| > r (Binomial(n, 2 Q(r))) and
 * the law of those draws (KS against the normal beyond r); returns the
 * binomial z and the KS statistic. */
static void tail_through_sampler(const normal_ziggurat *zig, double *z, double *ks)
{
    enum { COUNT = 8000000 };
    const double r = disorder_normal_table.r;
    size_t cap = 4000, hits = 0;
    double *tail = malloc(cap * sizeof(double));
    cr_assert_not_null(tail);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2029, 1);
    for (long i = 0; i < COUNT; i++) {
        double x = fabs(disorder_normal_ziggurat(&g, zig));
        if (x > r) {
            cr_assert_lt(hits, cap);
            tail[hits++] = x;
        }
    }
    double p = 2.0 * gsl_cdf_ugaussian_Q(r), mean = COUNT * p, sd = sqrt(COUNT * p * (1 - p));
    *z = ((double)hits - mean) / sd;
    *ks = ks_statistic(tail, hits, r);
    free(tail);
}

Test(disorder_sample, normal_tail_frequency_and_shape_through_the_sampler)
{
    double z, ks;
    tail_through_sampler(&disorder_normal_table, &z, &ks);
    cr_assert_lt(fabs(z), 5.0, "draws beyond r: z = %g", z);
    cr_assert_lt(ks, KS_LIMIT, "tail KS through the sampler: sqrt(n) D = %g", ks);
    /* thresholds for 53 bits: the base strip's part beyond r is accepted
     * as uniform on [r, v/f(r)) instead of going to the tail; the frequency
     * stays (the areas are right), the shape does not */
    normal_ziggurat bad;
    broken_thresholds(&bad);
    tail_through_sampler(&bad, &z, &ks);
    cr_assert_gt(ks, KS_LIMIT, "the broken table's tail passes: sqrt(n) D = %g", ks);
}

/* The engine's own exp is within 0.52 ulp of the exact value (expl, 64-bit
 * mantissa, as the reference) over |x| <= 700, including the arguments where
 * the table index and the exponent change (x near k ln2/128), and the SSE2
 * lanes of disorder_exp_times give exactly the scalar disorder_exp times the
 * factor, for every element at every position and length (the bytes cannot
 * depend on the CPU or on the block an element falls in). */
#define LN2 0.69314718055994530942

static double ulps(double y, double x)
{
    long double e = expl((long double)x);
    double d = (double)e;
    return (double)(fabsl((long double)y - e) / (long double)(nextafter(d, INFINITY) - d));
}

Test(disorder_sample, own_exp_within_one_ulp_and_lanes_equal_scalar)
{
    enum { COUNT = 200003 };
    double *x = malloc(COUNT * sizeof(double)), *f = malloc(COUNT * sizeof(double));
    double *y = malloc(COUNT * sizeof(double));
    cr_assert(x && f && y);
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2030, 1);
    for (int i = 0; i < COUNT; i++) {
        double u = disorder_uniform52(&g);
        if (i % 4 == 0) /* near a multiple of ln2/128, where k rounds either way */
            x[i] = (double)(long)((u - 0.5) * 2 * 700 * 128 / LN2) * LN2 / 128 * (1 + (u - 0.5) * 1e-15);
        else if (i % 4 == 1) /* small arguments */
            x[i] = (u - 0.5) * 1e-3;
        else
            x[i] = -700 + 1400 * u;
        f[i] = 0.5 + disorder_uniform52(&g);
    }
    double worst = 0;
    for (int i = 0; i < COUNT; i++) {
        double e = disorder_exp(x[i]);
        cr_assert(isnormal(e), "exp(%a) = %a", x[i], e);
        worst = fmax(worst, ulps(e, x[i]));
    }
    const double edges[] = {0.0, -0.0, 1e-300, -1e-300, 700.0, -700.0, LN2, -LN2, LN2 / 256, -LN2 / 256};
    for (size_t i = 0; i < sizeof edges / sizeof edges[0]; i++)
        worst = fmax(worst, ulps(disorder_exp(edges[i]), edges[i]));
    cr_assert_eq(disorder_exp(0.0), 1.0);
    cr_log_info("own exp: %g ulp at most", worst);
    cr_assert_lt(worst, 0.52, "disorder_exp is %g ulp from expl", worst);
    /* lanes against the scalar form, at every length 1 .. 9 and offset */
    disorder_exp_times(x, f, y, COUNT);
    for (int i = 0; i < COUNT; i++)
        cr_assert(y[i] == disorder_exp(x[i]) * f[i], "element %d: %a, scalar %a (%s)", i, y[i],
                  disorder_exp(x[i]) * f[i], disorder_exp_routine());
    for (int n = 1; n <= 9; n++)
        for (int start = 0; start < 3; start++) {
            double out[9];
            disorder_exp_times(x + start, f + start, out, (size_t)n);
            for (int j = 0; j < n; j++)
                cr_assert(out[j] == y[start + j], "length %d, offset %d, element %d", n, start, j);
        }
    free(x);
    free(f);
    free(y);
}
