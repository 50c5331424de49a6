/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fuzz_config.c - libFuzzer harness for the configuration loader.  Any bytes
 * must load without a crash, leak or undefined behaviour; and whatever loads
 * and validates must survive emit -> load -> equal (the round trip the
 * documentation promises), else the harness aborts.  Short inputs are also
 * tried as one `--set` assignment.  Validation solves references per sweep
 * point (the grid end's mean field: up to 0.2 s for very wide disorder,
 * ~0.6 s under the sanitizers, twice with the round trip), so sweeps of more
 * than FUZZ_MAX_POINTS points are loaded but not validated: the per-point
 * checks are the same code at any sweep size, and an input stays well
 * within libFuzzer's 10 s limit (8 such points took 9.5 s).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_MAX_POINTS 2

static void check_round_trip(const lrk_config *c)
{
    char *text = NULL;
    size_t length = 0;
    FILE *out = open_memstream(&text, &length);
    if (out == NULL)
        return;
    lrk_error err;
    lrk_status emitted = lrk_config_emit(c, out, &err);
    fclose(out);
    if (emitted == LRK_OK) {
        lrk_config back;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        lrk_config_defaults(&back);
        lrk_status status = lrk_config_load_string(&back, "emitted", text, length, &d);
        if (status == LRK_OK)
            status = lrk_config_validate(&back, &d);
        if (status != LRK_OK || !lrk_config_equal(c, &back)) {
            fprintf(stderr, "round trip failed (%s):\n%s\n", d.count ? d.messages[0] : "not equal", text);
            abort();
        }
        lrk_diagnostics_free(&d);
        lrk_config_free(&back);
    }
    free(text);
}

static void try_assignment(const uint8_t *data, size_t size)
{
    char assignment[256];
    if (size >= sizeof assignment)
        return;
    memcpy(assignment, data, size);
    assignment[size] = '\0';
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    if (lrk_config_set(&c, assignment, &d) == LRK_OK && lrk_config_validate(&c, &d) == LRK_OK)
        check_round_trip(&c);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    if (lrk_config_load_string(&c, "fuzz", (const char *)data, size, &d) == LRK_OK &&
        lrk_config_sweep_point_count(&c) <= FUZZ_MAX_POINTS && lrk_config_validate(&c, &d) == LRK_OK)
        check_round_trip(&c);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    try_assignment(data, size);
    return 0;
}
