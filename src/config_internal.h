/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_internal.h - what the config_*.c files share and nobody else needs:
 * the table of scalar keys, the typed conversion of one YAML scalar, the
 * number formatter used for round trips, and the closest-key suggestion.
 */
#ifndef LREKMC_CONFIG_INTERNAL_H
#define LREKMC_CONFIG_INTERNAL_H

#include <stddef.h>

#include "lrekmc/config.h"

typedef enum config_key_kind {
    KEY_REAL,     /* finite double with optional bounds */
    KEY_INT,      /* integer stored in an int */
    KEY_LONG,     /* integer stored in a long */
    KEY_U64,      /* uint64_t, the full range */
    KEY_BOOL,     /* true | false */
    KEY_ENUM,     /* one of `choices`, stored as an int-sized enum */
    KEY_STRING,   /* non-empty text (owned char *) */
    KEY_TMAX      /* auto | real > 0 (grid.t_max) */
} config_key_kind;

/* One scalar key: everything the loader, --set, sweeps, messages, defaults,
 * emission, the resume hash, `check` and docs/configuration.md need.
 * Bounds of a number: lo/hi apply when has_lo/has_hi; *_open excludes them.
 * The table order is the emission order (blocks contiguous). */
typedef struct config_key_def {
    const char *name;             /* dotted key, e.g. "model.T" */
    config_key_kind kind;
    size_t offset;                /* of the value in lrk_config */
    int has_lo, lo_open, has_hi, hi_open;
    double lo, hi;
    const char *const *choices;   /* KEY_ENUM: NULL-terminated names */
    int sweepable;
    const char *meaning;          /* the doc line: --help and docs/configuration.md */
    const char *default_text;     /* YAML scalar applied by lrk_config_defaults; NULL = none
                                     (a number without default is NaN and not emitted) */
    int changes_no_result;        /* 1: the resume hash (config_hash.c) counts it as a
                                     constant (kmc.threads, output.dir) */
    int (*omitted)(const lrk_config *c); /* non-NULL: not emitted when it returns 1 */
} config_key_def;

size_t config_key_count(void);
const config_key_def *config_key_at(size_t i);
/* The key named `name`, or NULL; *index receives its position when found. */
const config_key_def *config_key_find(const char *name, size_t *index);
/* 1 when `name` is a section or block that has keys below it ("model",
 * "model.crossover", "sweep", ...). */
int config_key_is_block(const char *name);
/* The table slot of a key named in the source.  A misspelt name is a bug
 * there, never input: stop loudly (every caller runs in the test suite)
 * rather than report against slot 0, model.mode. */
size_t config_key_slot(const char *name);
/* The sweep axis of c that holds key `name`, or NULL. */
const lrk_sweep_axis *config_key_sweep_axis(const lrk_config *c, const char *name);
/* Report keys given where the key they depend on keeps them from acting
 * (config_inactive.c); returns the errors. */
size_t config_check_inactive_keys(const lrk_config *c, lrk_diagnostics *d);
/* Write "expected ..." for key k into buf (type and range). */
void config_key_expectation(const config_key_def *k, char *buf, size_t size);

/* Convert `text` (a YAML scalar; `quoted` when it was written in quotes)
 * for key k and store it in c.  On failure returns LRK_ERR_INVALID (or
 * LRK_ERR_NOMEM) and writes the reason ("expected ..., got ...") to why. */
lrk_status config_key_apply(lrk_config *c, const config_key_def *k, const char *text, int quoted,
                         char *why, size_t why_size);

/* The current value of key k as YAML scalar text (for emission).  Returns
 * the number of characters written (snprintf style). */
int config_key_format(const lrk_config *c, const config_key_def *k, char *buf, size_t size);

/* Shortest "%.{15,16,17}g" text of x that reads back to x. */
void config_format_double(double x, char *buf, size_t size);

/* Parse a YAML number ([-+]digits[.digits][e[-+]digits], no hex, no .inf or
 * .nan); 0 on success, else a reason in why. */
int config_parse_number(const char *text, double *x, char *why, size_t why_size);

/* The keys and blocks just below `prefix` ("model" -> "mode, V0, ...")
 * as a comma-separated list. */
void config_key_children(const char *prefix, char *buf, size_t size);

/* Printable, single-quote-safe excerpt of user text for messages. */
void config_shown_text(const char *text, char *buf, size_t size);

/* The known key or block closest to `name` (edit distance), or NULL when
 * nothing is close enough to be a plausible typo. */
const char *config_key_suggest(const char *name);

/* Diagnostic with a location prefix: "FILE:LINE:COLUMN: " (file origin),
 * "--set KEY: " (override) or "KEY: " (sweep point / default). */
void config_report(lrk_diagnostics *d, const lrk_config *c, size_t key_index, const char *format,
                       ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 4, 5)))
#endif
    ;

/* Sweep helpers shared by the loader and config.c. */
void config_sweep_axis_free(lrk_sweep_axis *axis);
lrk_status config_sweep_axis_copy(lrk_sweep_axis *dst, const lrk_sweep_axis *src);
/* Fill values for {linspace|logspace: [a, b, n]}: an array of n owned strings. */
lrk_status config_sweep_generate(int logspace, double a, double b, size_t n, char ***values);

/* strdup is POSIX, not C11. */
char *config_strdup(const char *s);

#define LRK_CONFIG_MAX_ERRORS 50   /* the loader stops collecting after this */

#endif /* LREKMC_CONFIG_INTERNAL_H */
