/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.h - the run configuration: YAML schema (docs/configuration.md, and
 * docs/design.md section 5) parsed with libyaml into typed structs,
 * `key=value` overrides, validation, and emission of the fully resolved
 * configuration as YAML.
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
#include "lrekmc/grid_end.h"
#include "lrekmc/model.h"
#include "lrekmc/status.h"
#include "lrekmc/streams.h"

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
 * values[k][i] is the i-th value (a YAML scalar as text) of keys[k].
 *
 * Sweep syntax (under `sweep:`, a mapping; the cartesian product of its axes):
 *   KEY: [v1, v2, ...]               explicit values (YAML scalars)
 *   KEY: {linspace: [a, b, n]}       n values a + (b - a) i / (n - 1)
 *   KEY: {logspace: [a, b, n]}       n values from a to b (a, b > 0, the actual
 *                                    endpoints, not exponents) with a constant
 *                                    ratio (b / a)^(1 / (n - 1))
 *   zip: {KEY1: ..., KEY2: ...}      one axis: the lists vary together and must
 *                                    have the same length
 * n is an integer in [1, LRK_SWEEP_MAX_VALUES] (n = 1 gives just a).  Generated
 * numbers are stored as the shortest text that reads back to the same double.
 * KEY is any scalar key except output.dir; every value passes the same check
 * as the key in the file. */
typedef struct lrk_sweep_axis {
    size_t key_count;
    char **keys;
    size_t value_count;
    char ***values;
    unsigned long line, column;  /* where the axis starts in the file (1-based; 0 = unknown) */
} lrk_sweep_axis;

#define LRK_SWEEP_MAX_VALUES 100000         /* values on one axis */
#define LRK_SWEEP_MAX_TOTAL_VALUES 1000000  /* values of all keys together (memory bound) */
#define LRK_SWEEP_MAX_POINTS 10000000       /* points of the whole product */

/* Where a key got its value (kept per key for messages of cross-key checks). */
typedef enum lrk_origin_kind {
    LRK_ORIGIN_DEFAULT = 0,
    LRK_ORIGIN_FILE,             /* line, column in c->source */
    LRK_ORIGIN_SET,              /* a `--set` override */
    LRK_ORIGIN_SWEEP             /* a sweep point (lrk_config_set_key) */
} lrk_origin_kind;

typedef struct lrk_config_origin {
    lrk_origin_kind kind;
    unsigned long line, column;
} lrk_config_origin;

#define LRK_CONFIG_KEY_SLOTS 40        /* >= the number of scalar keys */

typedef struct lrk_config {
    char *source;                /* file name the config came from (owned) */

    lrk_model model;             /* model.V1 already resolved from elastic */
    int has_elastic;             /* model.elastic given: V1 = lrk_elastic_V1(...) */
    lrk_elastic elastic;

    struct {
        long trajectories;       /* >= 0; 0 = deterministic references only */
        uint64_t seed;
        lrk_streams streams;     /* independent (default) or common */
        int threads;             /* >= 0; 0 = all cores */
    } kmc;

    struct {
        int t_max_auto;          /* t_max: auto */
        double t_max;            /* > 0 when not auto */
        double q_max;            /* 0 < q_max < 1 */
        lrk_grid_end_rule t_max_rule; /* AUTO, ODE, MOMENTS or PILOT (grid_end.h) */
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

    /* Internal bookkeeping: origin[i] says where scalar key i (in the order
     * of lrk_config_key_name) was set; copied with the config, ignored by
     * lrk_config_equal. */
    lrk_config_origin origin[LRK_CONFIG_KEY_SLOTS];
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

/* Fill c with the defaults of docs/configuration.md (c need not be
 * initialised; output.dir is allocated: free c with lrk_config_free).
 * model.crossover.A and .T0 have no default (NaN): mode crossover requires
 * them; model.elastic.* are NaN until given. */
void lrk_config_defaults(lrk_config *c);

#define LRK_CONFIG_DEFAULT_DIR "results/quickstart"

/* c->output.dir, or the default when it is NULL (only after a failed
 * allocation in lrk_config_defaults). */
const char *lrk_config_output_dir(const lrk_config *c);

/* Load a YAML file on top of what c holds (normally the defaults; c must
 * have been initialised with lrk_config_defaults).  Returns LRK_OK, or
 * LRK_ERR_INVALID / LRK_ERR_IO / LRK_ERR_NOMEM with every problem in d; each
 * message starts `FILE:LINE:COLUMN: ` (1-based).  Syntax errors stop the
 * load; other errors are collected.  Loading does not check relations
 * between keys: call lrk_config_validate after the overrides.  On failure c
 * holds a partial configuration that must still be freed. */
lrk_status lrk_config_load_file(lrk_config *c, const char *path, lrk_diagnostics *d);

/* The same from memory; `name` is used in messages in place of a file name.
 * Safe on arbitrary bytes (the fuzzing entry point). */
lrk_status lrk_config_load_string(lrk_config *c, const char *name, const char *data, size_t size,
                                  lrk_diagnostics *d);

#define LRK_CONFIG_MAX_FILE_SIZE (16u << 20)  /* larger files are rejected */

/* Apply one `key=value` override (dotted key, YAML scalar value) with the
 * same checks as the file.  The sweep itself cannot be set this way; a key
 * the sweep varies takes the one value and leaves the sweep (its axis is
 * removed, or only the key when it is part of a zip group). */
lrk_status lrk_config_set(lrk_config *c, const char *assignment, lrk_diagnostics *d);

/* Apply `key` = `value` (used for sweep points: same checks).  value is the
 * text of a plain YAML scalar; messages start `KEY: `. */
lrk_status lrk_config_set_key(lrk_config *c, const char *key, const char *value, lrk_diagnostics *d);

/* Checks between keys (q_levels from <= to, crossover needs A and T0, V1 and
 * elastic not both, fit.batches <= kmc.trajectories when trajectories > 0,
 * the exponent bound of lrk_model_validate) and resolves model.V1 from
 * model.elastic.  Call after all overrides.  When the sweep has at most
 * LRK_CONFIG_VALIDATE_MAX_POINTS points, every point is checked too (the
 * first failing points are reported, located at their sweep axis). */
lrk_status lrk_config_validate(lrk_config *c, lrk_diagnostics *d);

#define LRK_CONFIG_VALIDATE_MAX_POINTS 100000

/* Number of sweep points: the product of the axes' value counts (1 without
 * a sweep). */
size_t lrk_config_sweep_point_count(const lrk_config *c);

/* Which value of sweep axis `axis` point `point` takes: the one decoding of
 * "last axis varies fastest" (mixed radix, the last axis the lowest digit). */
size_t lrk_config_sweep_value_index(const lrk_config *c, size_t point, size_t axis);

/* point = base with the values of sweep point `index` applied (the last axis
 * varies fastest) and validated; point's own sweep is empty.  point need not
 * be initialised; free it with lrk_config_free whatever the result. */
lrk_status lrk_config_sweep_point(lrk_config *point, const lrk_config *base, size_t index,
                                  lrk_diagnostics *d);

/* 1 when a and b hold the same values (source and origins are ignored; NaN
 * equals NaN), else 0. */
int lrk_config_equal(const lrk_config *a, const lrk_config *b);

/* The scalar keys, in table order: the name of key i, or NULL past the end. */
const char *lrk_config_key_name(size_t i);

/* "what key i accepts (default); what it means" (e.g. "a finite number > 0
 * (default 1); temperature (units of k_B)") into buf; returns 0, or -1 past
 * the end. */
int lrk_config_key_describe(size_t i, char *buf, size_t size);

/* The key reference of docs/configuration.md (a Markdown table: key, type
 * and allowed values, default, meaning), generated from the key table;
 * `lrekmc check --keys-markdown` prints it and a test compares the docs. */
void lrk_config_keys_markdown(FILE *out);

/* Emit the resolved configuration as YAML (libyaml emitter); numbers are
 * printed with the shortest of %.15g/%.16g/%.17g that reads back to the
 * same double; t_max is `auto` or a number; model.elastic replaces model.V1
 * when given; model.crossover is written when A or T0 is set; the sweep is
 * written as explicit lists.  Loading the output gives an equal config. */
lrk_status lrk_config_emit(const lrk_config *c, FILE *out, lrk_error *err);

/* The identity of a configuration's results (config_hash.c): an XXH3-64
 * hash of every key's value as lrk_config_emit writes it (and, unless
 * without_sweep, of the sweep); keys whose table row says they change no
 * result (output.dir, kmc.threads) count as constants.  The resume hash of
 * campaign.h. */
lrk_status lrk_config_hash(const lrk_config *c, int without_sweep, uint64_t *hash, lrk_error *err);

/* Deep copy (for sweep points); dst need not be initialised. */
lrk_status lrk_config_copy(lrk_config *dst, const lrk_config *src);

void lrk_config_free(lrk_config *c);

/* Names indexed by the enum, NULL-terminated: the one list behind the name
 * functions and the fit.protocol / references.* keys. */
extern const char *const lrk_fit_protocol_names[];       /* "qlevels", "timegrid" */
extern const char *const lrk_switch_names[];             /* "auto", "on", "off" */

const char *lrk_fit_protocol_name(lrk_fit_protocol p);   /* NULL for an unknown one */
const char *lrk_switch_name(lrk_switch s);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_CONFIG_H */
