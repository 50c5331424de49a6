/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_fit_data.c - libFuzzer harness for the measured-curve reader of
 * `lrekmc fit` (fit_model.h).  Any bytes must parse or be refused without a
 * crash, leak or undefined behaviour.  What parses must keep the contract
 * (finite values, strictly increasing times per curve, counts adding up),
 * and what lrk_fit_check accepts must fit or fail as a fit (not converged,
 * numerics), never as invalid input: else the harness aborts.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrekmc/fit_model.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_contract(const lrk_fit_data *d)
{
    size_t points = 0;
    for (size_t j = 0; j < d->curve_count; j++) {
        const lrk_fit_curve *c = &d->curves[j];
        points += c->count;
        for (size_t k = 0; k < c->count; k++) {
            if (!isfinite(c->t[k]) || !(c->t[k] >= 0) || !isfinite(c->y[k]) || (k > 0 && !(c->t[k] > c->t[k - 1])) ||
                (d->has_sigma && !(c->sigma[k] > 0)) || (d->has_T && !(c->T > 0))) {
                fprintf(stderr, "parsed data break the contract at curve %zu point %zu\n", j, k);
                abort();
            }
        }
    }
    if (points != d->point_count || points == 0)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lrk_fit_data d;
    lrk_error err;
    if (lrk_fit_data_parse((const char *)data, size, "fuzz.csv", &d, &err) != LRK_OK)
        return 0;
    check_contract(&d);
    /* fits are the expensive part: only small inputs, one model chosen by the first byte */
    lrk_fit_options o = lrk_fit_options_default();
    o.kind = (lrk_fit_kind)(size > 0 ? data[0] % 5 : 0);
    o.free_amplitude = size > 1 && (data[1] & 1);
    if (d.point_count <= 64 && lrk_fit_check(&d, &o, &err) == LRK_OK) {
        lrk_fit_result r;
        lrk_status status = lrk_fit_model(&d, &o, &r, &err);
        if (status == LRK_ERR_INVALID) {
            fprintf(stderr, "checked data refused by the fit: %s\n", err.message);
            abort();
        }
        if (status == LRK_OK)
            lrk_fit_result_free(&r);
    }
    lrk_fit_data_free(&d);
    return 0;
}
