/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.h - the run configuration: YAML schema (DESIGN.md section 5) parsed
 * with libyaml into typed structs, `key=value` overrides, validation, and
 * emission of the fully resolved configuration as YAML.
 *
 * Every scalar key is set through one table of (dotted key, type, range), so
 * the YAML loader, `--set` overrides and sweep points all pass the same
 * checks.  Errors are collected (not just the first) in lrk_diagnostics; each
 * message starts with `file:line:column: ` (or `--set KEY: ` for overrides),
 * names what was expected (allowed values, range) and suggests the closest
 * key for a misspelt one.
 */
#ifndef LREKMC_CONFIG_H
#define LREKMC_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "lrekmc/grid.h"
#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_fit_protocol {
    LRK_FIT_QLEVELS = 0,  /* points (t(q_j), q_j) at the q-levels */
    LRK_FIT_TIMEGRID      /* points (t_k, q(t_k)) on the output grid */
} lrk_fit_protocol;

typedef enum lrk_switch {
    LRK_SWITCH_AUTO = 0,
    LRK_SWITCH_ON,
    LRK_SWITCH_OFF
} lrk_switch;

/* Physical inputs of Eq. 5, used when model.elastic is given instead of V1. */
typedef struct lrk_elastic {
    double n_r, q0, dp0, d0, d_el;
} lrk_elastic;

/* One sweep axis: one key, or several keys varying together (`zip:`).
 * values[k][i] is the i-th value (a YAML scalar as text) of keys[k]. */
typedef struct lrk_sweep_axis {
    size_t key_count;
    char **keys;
    size_t value_count;
    char ***values;
} lrk_sweep_axis;

typedef struct lrk_config {
    char *source;                /* file name the config came from (owned) */

    lrk_model model;             /* model.V1 already resolved from elastic */
    int has_elastic;             /* model.elastic given: V1 = lrk_elastic_V1(...) */
    lrk_elastic elastic;

    struct {
        long trajectories;       /* >= 0; 0 = deterministic references only */
        uint64_t seed;
        int threads;             /* >= 0; 0 = all cores */
    } kmc;

    struct {
        int t_max_auto;          /* t_max: auto */
        double t_max;            /* > 0 when not auto */
        double q_max;            /* 0 < q_max < 1 */
        long points;             /* >= 2 */
        lrk_spacing spacing;
    } grid;

    struct {
        lrk_fit_protocol protocol;
        double q_from, q_to;     /* 0 < from <= to < 1 */
        long q_count;            /* >= 1 */
        long batches;            /* >= 2 */
    } fit;

    struct {
        lrk_switch master_equation;
    } references;

    struct {
        char *dir;               /* owned */
        int trajectories;        /* write per-trajectory first-passage times */
    } output;

    size_t sweep_axis_count;     /* 0 = a single point */
    lrk_sweep_axis *sweep_axes;  /* file order; the last axis varies fastest */
} lrk_config;

/* A growing list of error messages (owned strings). */
typedef struct lrk_diagnostics {
    size_t count;
    char **messages;
} lrk_diagnostics;

void lrk_diagnostics_init(lrk_diagnostics *d);
void lrk_diagnostics_add(lrk_diagnostics *d, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
void lrk_diagnostics_print(const lrk_diagnostics *d, FILE *out); /* one per line */
void lrk_diagnostics_free(lrk_diagnostics *d);

/* Fill c with the defaults of DESIGN.md section 5 (no allocation needed to
 * free, but lrk_config_free is always safe afterwards). */
void lrk_config_defaults(lrk_config *c);

/* Load a YAML file on top of the defaults.  Returns LRK_OK, or
 * LRK_ERR_INVALID / LRK_ERR_IO with every problem in d. */
lrk_status lrk_config_load_file(lrk_config *c, const char *path, lrk_diagnostics *d);

/* The same from memory; `name` is used in messages in place of a file name.
 * Safe on arbitrary bytes (the fuzzing entry point). */
lrk_status lrk_config_load_string(lrk_config *c, const char *name, const char *data, size_t size,
                                  lrk_diagnostics *d);

/* Apply one `key=value` override (dotted key, YAML scalar value) with the
 * same checks as the file.  Sweep keys cannot be set this way. */
lrk_status lrk_config_set(lrk_config *c, const char *assignment, lrk_diagnostics *d);

/* Apply `key` = `value` (used for sweep points: same checks). */
lrk_status lrk_config_set_key(lrk_config *c, const char *key, const char *value, lrk_diagnostics *d);

/* Checks between keys (q_levels from <= to, crossover needs A and T0, ...),
 * and resolves model.V1 from model.elastic.  Call after all overrides. */
lrk_status lrk_config_validate(lrk_config *c, lrk_diagnostics *d);

/* Emit the resolved configuration as YAML (libyaml emitter); numbers are
 * printed so that they read back to the same double. */
lrk_status lrk_config_emit(const lrk_config *c, FILE *out, lrk_error *err);

/* Deep copy (for sweep points); dst need not be initialised. */
lrk_status lrk_config_copy(lrk_config *dst, const lrk_config *src);

void lrk_config_free(lrk_config *c);

const char *lrk_fit_protocol_name(lrk_fit_protocol p);   /* "qlevels", "timegrid" */
const char *lrk_switch_name(lrk_switch s);               /* "auto", "on", "off" */

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_CONFIG_H */
