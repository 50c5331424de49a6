/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit_bootstrap.c - bootstrap errors of a model fit (fit_internal.h).
 *
 * Replicate r draws from the SeedSequence child r (streams.h) of the entropy
 * words (seed_lo, seed_hi, FIT_BOOTSTRAP_TAG): a function of the seed alone,
 * free of the correlations between PCG64 (seed, stream r) neighbours that
 * streams.h describes, and apart from any KMC stream of the same seed.  In
 * NumPy: PCG64(SeedSequence([lo, hi, 0x66697462], spawn_key=(r,))).  Over points: each curve's points are
 * drawn with replacement (same count, kept in time order).  Over curves
 * (joint models): whole curves are drawn with replacement and only the
 * shared parameters get an error (a drawn curve's own amplitude is a
 * different parameter in every replicate).  Every replicate starts at the
 * best fit; one that fails (no convergence, too few temperatures drawn)
 * is counted in bootstrap_failed and left out.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fit_internal.h"
#include "lrekmc/rng.h"
#include "lrekmc/streams.h"

#define FIT_BOOTSTRAP_TAG 0x66697462u /* "fitb" */

static size_t draw_index(lrk_pcg64 *g, size_t n)
{
    /* Lemire's multiply-shift: bias below n / 2^64 */
    return (size_t)(((lrk_uint128)lrk_pcg64_next(g) * n) >> 64);
}

static int compare_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

typedef struct accumulator {
    size_t *n;
    double *mean, *m2;
} accumulator;

static void accumulate(accumulator *acc, size_t k, double value)
{
    size_t n = ++acc->n[k];
    double delta = value - acc->mean[k];
    acc->mean[k] += delta / (double)n;
    acc->m2[k] += delta * (value - acc->mean[k]);
}

/* Resample every curve's points into the buffers of rc. */
static void resample_points(lrk_pcg64 *g, const lrk_fit_data *d, lrk_fit_curve *rc, size_t *idx)
{
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        for (size_t k = 0; k < c->count; k++)
            idx[k] = draw_index(g, c->count);
        qsort(idx, c->count, sizeof *idx, compare_size);
        for (size_t k = 0; k < c->count; k++) {
            rc[j].t[k] = c->t[idx[k]];
            rc[j].y[k] = c->y[idx[k]];
            if (c->sigma != NULL)
                rc[j].sigma[k] = c->sigma[idx[k]];
        }
    }
}

static int enough_temperatures(const fit_setup *s, const lrk_fit_curve *rc, size_t count)
{
    size_t need = s->kind == LRK_FIT_CROSSOVER ? 3 : 2, have = 0;
    for (size_t j = 0; j < count && have < need; j++) {
        int seen = 0;
        for (size_t m = 0; m < j && !seen; m++)
            seen = rc[m].T == rc[j].T;
        have += !seen;
    }
    return have >= need;
}

/* One replicate; returns 1 if it counted. */
static int replicate(const fit_setup *s, const lrk_fit_data *d, const lrk_fit_options *o, const double *theta,
                     lrk_pcg64 *g, lrk_fit_curve *rc, size_t *idx, double *start, accumulator *acc)
{
    size_t ns = fit_shared_count(s->kind), nb = fit_block_count(s), count = d->curve_count;
    fit_solution sol;
    if (o->bootstrap_over == LRK_FIT_BOOTSTRAP_CURVES) {
        memcpy(start, theta, ns * sizeof *start);
        for (size_t m = 0; m < count; m++) {
            size_t j = draw_index(g, count);
            rc[m] = d->curves[j];
            memcpy(start + ns + m * nb, theta + ns + j * nb, nb * sizeof *start);
        }
        if (!enough_temperatures(s, rc, count) || fit_solve(s, rc, count, start, 0, &sol, NULL) != LRK_OK)
            return 0;
        for (size_t k = 0; k < ns; k++)
            accumulate(acc, k, fit_reported(s, sol.theta, k, count));
        fit_solution_free(&sol);
        return 1;
    }
    resample_points(g, d, rc, idx);
    if (lrk_fit_kind_is_joint(s->kind)) {
        if (fit_solve(s, rc, count, theta, 0, &sol, NULL) != LRK_OK)
            return 0;
        for (size_t k = 0; k < sol.p; k++)
            accumulate(acc, k, fit_reported(s, sol.theta, k, count));
        fit_solution_free(&sol);
        return 1;
    }
    int all = 1;
    for (size_t j = 0; j < count; j++) {
        if (fit_solve(s, &rc[j], 1, theta + j * nb, 0, &sol, NULL) != LRK_OK) {
            all = 0;
            continue;
        }
        for (size_t k = 0; k < nb; k++)
            accumulate(acc, j * nb + k, fit_reported(s, sol.theta, k, 1));
        fit_solution_free(&sol);
    }
    return all;
}

/* Point buffers of the resampled curves (labels and T shared with d). */
static int allocate_copies(const lrk_fit_data *d, lrk_fit_curve *rc)
{
    for (size_t j = 0; j < d->curve_count; j++) {
        rc[j] = d->curves[j];
        size_t n = d->curves[j].count;
        rc[j].t = malloc(n * sizeof(double));
        rc[j].y = malloc(n * sizeof(double));
        rc[j].sigma = d->has_sigma ? malloc(n * sizeof(double)) : NULL;
        if (rc[j].t == NULL || rc[j].y == NULL || (d->has_sigma && rc[j].sigma == NULL))
            return 0;
    }
    return 1;
}

static void free_copies(const lrk_fit_data *d, lrk_fit_curve *rc, int owned)
{
    for (size_t j = 0; owned && j < d->curve_count; j++) {
        free(rc[j].t);
        free(rc[j].y);
        free(rc[j].sigma);
    }
    free(rc);
}

lrk_status fit_bootstrap(const fit_setup *s, const lrk_fit_data *d, const lrk_fit_options *o,
                         const double *theta, lrk_fit_result *r, lrk_error *err)
{
    size_t p = r->theta_count, longest = 0;
    for (size_t j = 0; j < d->curve_count; j++)
        longest = d->curves[j].count > longest ? d->curves[j].count : longest;
    int own = o->bootstrap_over == LRK_FIT_BOOTSTRAP_POINTS;
    lrk_fit_curve *rc = calloc(d->curve_count, sizeof *rc);
    size_t *idx = malloc(longest * sizeof *idx);
    double *start = malloc(p * sizeof *start);
    accumulator acc = {calloc(p, sizeof(size_t)), calloc(p, sizeof(double)), calloc(p, sizeof(double))};
    lrk_status status = LRK_OK;
    if (rc == NULL || idx == NULL || start == NULL || acc.n == NULL || acc.mean == NULL || acc.m2 == NULL ||
        (own && !allocate_copies(d, rc)))
        status = lrk_error_set(err, LRK_ERR_NOMEM, "bootstrap: out of memory");
    uint32_t words[3] = {(uint32_t)o->seed, (uint32_t)(o->seed >> 32), FIT_BOOTSTRAP_TAG};
    lrk_stream_key key;
    lrk_stream_key_from_entropy(words, 3, &key);
    for (size_t b = 0; status == LRK_OK && b < o->bootstrap; b++) {
        lrk_pcg64 g;
        lrk_trajectory_rng(&key, (long)b, &g);
        if (replicate(s, d, o, theta, &g, rc, idx, start, &acc))
            r->bootstrap_done++;
        else
            r->bootstrap_failed++;
    }
    for (size_t k = 0; status == LRK_OK && k < p; k++)
        r->parameters[k].bootstrap_error = acc.n[k] >= 2 ? sqrt(acc.m2[k] / (double)(acc.n[k] - 1)) : NAN;
    if (rc != NULL)
        free_copies(d, rc, own);
    free(idx);
    free(start);
    free(acc.n);
    free(acc.mean);
    free(acc.m2);
    return status;
}
