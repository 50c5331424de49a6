/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config.c - the configuration as a value: defaults, diagnostics, checks
 * between keys, copies, sweep points and equality.  Parsing lives in
 * config_load.c / config_sweep.c, overrides in config_set.c, the key table
 * in config_keys.c and YAML output in config_emit.c.
 */
#include "config_internal.h"

#include "lrekmc/disorder.h"
#include "lrekmc/grid_end.h"
#include "lrekmc/lattice.h"
#include "point_space.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *config_strdup(const char *s)
{
    size_t size = strlen(s) + 1;
    char *copy = malloc(size);
    if (copy != NULL)
        memcpy(copy, s, size);
    return copy;
}

/* ---- diagnostics ------------------------------------------------------ */

void lrk_diagnostics_init(lrk_diagnostics *d)
{
    d->count = 0;
    d->messages = NULL;
}

static void diagnostics_add_v(lrk_diagnostics *d, const char *prefix, const char *format, va_list args)
{
    char body[2048];
    vsnprintf(body, sizeof body, format, args);
    size_t length = strlen(prefix) + strlen(body) + 1;
    char *message = malloc(length);
    char **grown = realloc(d->messages, (d->count + 1) * sizeof *grown);
    if (message == NULL || grown == NULL) {
        /* Nothing better to do without memory: the message is lost, but the
         * caller's status still says the configuration failed. */
        free(message);
        if (grown != NULL)
            d->messages = grown;
        return;
    }
    snprintf(message, length, "%s%s", prefix, body);
    d->messages = grown;
    d->messages[d->count++] = message;
}

void lrk_diagnostics_add(lrk_diagnostics *d, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    diagnostics_add_v(d, "", format, args);
    va_end(args);
}

void lrk_diagnostics_print(const lrk_diagnostics *d, FILE *out)
{
    for (size_t i = 0; i < d->count; i++)
        fprintf(out, "%s\n", d->messages[i]);
}

void lrk_diagnostics_free(lrk_diagnostics *d)
{
    for (size_t i = 0; i < d->count; i++)
        free(d->messages[i]);
    free(d->messages);
    lrk_diagnostics_init(d);
}

static const char *source_name(const lrk_config *c)
{
    return c->source != NULL ? c->source : "(config)";
}

void config_report(lrk_diagnostics *d, const lrk_config *c, size_t key_index, const char *format, ...)
{
    char prefix[512];
    const lrk_config_origin *o = &c->origin[key_index];
    const char *key = lrk_config_key_name(key_index);
    if ((o->kind == LRK_ORIGIN_FILE || o->kind == LRK_ORIGIN_SWEEP) && o->line > 0)
        snprintf(prefix, sizeof prefix, "%s:%lu:%lu: ", source_name(c), o->line, o->column);
    else if (o->kind == LRK_ORIGIN_SET)
        snprintf(prefix, sizeof prefix, "--set %s: ", key);
    else if (o->kind == LRK_ORIGIN_SWEEP)
        snprintf(prefix, sizeof prefix, "sweep %s: ", key);
    else
        snprintf(prefix, sizeof prefix, "%s: ", source_name(c));
    va_list args;
    va_start(args, format);
    diagnostics_add_v(d, prefix, format, args);
    va_end(args);
}

/* ---- defaults, names, copies --------------------------------------------- */

/* Every default is the key table's text, applied like a value in a file;
 * a number without a default is NaN ("not given").  A failed allocation of
 * output.dir leaves it NULL: see lrk_config_output_dir. */
void lrk_config_defaults(lrk_config *c)
{
    memset(c, 0, sizeof *c);
    for (size_t i = 0; i < config_key_count(); i++) {
        const config_key_def *k = config_key_at(i);
        char why[256];
        if (k->default_text != NULL)
            (void)config_key_apply(c, k, k->default_text, 0, why, sizeof why); /* tests: every default applies */
        else if (k->kind == KEY_REAL)
            *(double *)(void *)((char *)c + k->offset) = NAN;
    }
}

void lrk_config_free(lrk_config *c)
{
    if (c == NULL)
        return;
    free(c->source);
    free(c->output.dir);
    for (size_t i = 0; i < c->sweep_axis_count; i++)
        config_sweep_axis_free(&c->sweep_axes[i]);
    free(c->sweep_axes);
    c->source = NULL;
    c->output.dir = NULL;
    c->sweep_axes = NULL;
    c->sweep_axis_count = 0;
}

const char *lrk_config_output_dir(const lrk_config *c)
{
    return c->output.dir != NULL ? c->output.dir : LRK_CONFIG_DEFAULT_DIR;
}

static char *strdup_or_null(const char *s, int *failed)
{
    if (s == NULL)
        return NULL;
    char *copy = config_strdup(s);
    if (copy == NULL)
        *failed = 1;
    return copy;
}

lrk_status lrk_config_copy(lrk_config *dst, const lrk_config *src)
{
    int failed = 0;
    *dst = *src;
    dst->source = strdup_or_null(src->source, &failed);
    dst->output.dir = strdup_or_null(src->output.dir, &failed);
    dst->sweep_axes = NULL;
    dst->sweep_axis_count = 0;
    if (src->sweep_axis_count > 0) {
        dst->sweep_axes = calloc(src->sweep_axis_count, sizeof *dst->sweep_axes);
        if (dst->sweep_axes == NULL)
            failed = 1;
        for (size_t i = 0; !failed && i < src->sweep_axis_count; i++) {
            dst->sweep_axis_count = i + 1;
            if (config_sweep_axis_copy(&dst->sweep_axes[i], &src->sweep_axes[i]) != LRK_OK)
                failed = 1;
        }
    }
    if (failed) {
        lrk_config_free(dst);
        return LRK_ERR_NOMEM;
    }
    return LRK_OK;
}

const char *const lrk_fit_protocol_names[] = {"qlevels", "timegrid", NULL};
const char *const lrk_switch_names[] = {"auto", "on", "off", NULL};

/* names[i] for 0 <= i < its length, else NULL. */
static const char *enum_name(const char *const *names, int i)
{
    for (int n = 0; names[n] != NULL; n++)
        if (n == i)
            return names[n];
    return NULL;
}

const char *lrk_fit_protocol_name(lrk_fit_protocol p)
{
    return enum_name(lrk_fit_protocol_names, (int)p);
}

const char *lrk_switch_name(lrk_switch s)
{
    return enum_name(lrk_switch_names, (int)s);
}

/* ---- equality ------------------------------------------------------------- */

static int same_double(double a, double b)
{
    return a == b || (isnan(a) && isnan(b));
}

static int same_axis(const lrk_sweep_axis *a, const lrk_sweep_axis *b)
{
    if (a->key_count != b->key_count || a->value_count != b->value_count)
        return 0;
    for (size_t k = 0; k < a->key_count; k++) {
        if (strcmp(a->keys[k], b->keys[k]) != 0)
            return 0;
        for (size_t i = 0; i < a->value_count; i++)
            if (strcmp(a->values[k][i], b->values[k][i]) != 0)
                return 0;
    }
    return 1;
}

int lrk_config_equal(const lrk_config *a, const lrk_config *b)
{
    char x[128], y[128];
    for (size_t i = 0; i < config_key_count(); i++) {
        const config_key_def *k = config_key_at(i);
        if (k->kind == KEY_REAL) {
            const double *p = (const double *)(const void *)((const char *)a + k->offset);
            const double *q = (const double *)(const void *)((const char *)b + k->offset);
            if (!same_double(*p, *q))
                return 0;
            continue;
        }
        config_key_format(a, k, x, sizeof x);
        config_key_format(b, k, y, sizeof y);
        if (strcmp(x, y) != 0)
            return 0;
    }
    if (strcmp(lrk_config_output_dir(a), lrk_config_output_dir(b)) != 0)
        return 0;
    if (a->has_elastic != b->has_elastic || a->sweep_axis_count != b->sweep_axis_count)
        return 0;
    for (size_t i = 0; i < a->sweep_axis_count; i++)
        if (!same_axis(&a->sweep_axes[i], &b->sweep_axes[i]))
            return 0;
    return 1;
}

/* ---- checks between keys ---------------------------------------------------- */

static int given(const lrk_config *c, const char *name)
{
    return c->origin[config_key_slot(name)].kind != LRK_ORIGIN_DEFAULT;
}

/* Where to place a message about the named keys: the first one set by an
 * override or sweep point (the likely culprit), else the first one given in
 * the file, else the first. */
static size_t place(const lrk_config *c, const char *const *names)
{
    for (size_t i = 0; names[i] != NULL; i++) {
        lrk_origin_kind kind = c->origin[config_key_slot(names[i])].kind;
        if (kind == LRK_ORIGIN_SET || kind == LRK_ORIGIN_SWEEP)
            return config_key_slot(names[i]);
    }
    for (size_t i = 0; names[i] != NULL; i++)
        if (given(c, names[i]))
            return config_key_slot(names[i]);
    return config_key_slot(names[0]);
}

static size_t check_crossover(lrk_config *c, lrk_diagnostics *d)
{
    size_t errors = 0;
    if (c->model.mode != LRK_MODE_CROSSOVER)
        return 0;
    if (isnan(c->model.A)) {
        config_report(d, c, config_key_slot("model.mode"),
                          "model.crossover.A is required when model.mode is crossover (a finite number; "
                          "it has no default)");
        errors++;
    }
    if (isnan(c->model.T0)) {
        config_report(d, c, config_key_slot("model.mode"),
                          "model.crossover.T0 is required when model.mode is crossover (a finite number "
                          "> 0; it has no default)");
        errors++;
    }
    return errors;
}

static size_t check_elastic(lrk_config *c, lrk_diagnostics *d)
{
    static const char *const names[] = {"model.elastic.n_r", "model.elastic.q0", "model.elastic.dp0",
                                        "model.elastic.d0", "model.elastic.d_el", NULL};
    const double values[] = {c->elastic.n_r, c->elastic.q0, c->elastic.dp0, c->elastic.d0, c->elastic.d_el};
    size_t errors = 0, at = place(c, names);
    if (!c->has_elastic)
        return 0;
    if (given(c, "model.V1")) {
        config_report(d, c, config_key_slot("model.V1"),
                          "model.V1 and model.elastic are both given: give one of them (model.elastic "
                          "computes V1 by Eq. 5)");
        errors++;
    }
    for (size_t i = 0; i < 5; i++) {
        if (isnan(values[i])) {
            config_report(d, c, at, "%s is required: model.elastic needs n_r, q0, dp0, d0 and d_el",
                              names[i]);
            errors++;
        }
    }
    if (errors > 0)
        return errors;
    double V1 = lrk_elastic_V1(c->elastic.n_r, c->elastic.q0, c->elastic.dp0, c->elastic.d0, c->elastic.d_el);
    if (!isfinite(V1) || V1 < 0) {
        config_report(d, c, at, "model.elastic gives V1 = %g: expected a finite number >= 0", V1);
        return 1;
    }
    c->model.V1 = V1;
    return 0;
}

/* model.space: Ly, Lz follow L and N follows the box unless given (so that
 * a sweep over L moves them too), model.elastic gives V1 = q0 dp0 S
 * (lattice.h).  Runs after check_elastic, whose Eq. 5 V1 it replaces. */
static size_t check_space(lrk_config *c, lrk_diagnostics *d)
{
    static const char *const names[] = {"model.space.L", "model.space.Ly", "model.space.Lz", "model.space.d_el",
                                        "model.space.kernel", "model.space.lattice", "model.N", NULL};
    lrk_space *s = &c->model.space;
    if (s->lattice == LRK_LATTICE_NONE)
        return 0;
    if (!given(c, "model.space.Ly"))
        s->Ly = 0;
    if (!given(c, "model.space.Lz"))
        s->Lz = 0;
    int elastic = c->has_elastic && !isnan(c->elastic.q0) && !isnan(c->elastic.dp0) && !isnan(c->elastic.d0)
                  && !isnan(c->elastic.d_el);
    lrk_error err;
    if (lrk_space_resolve(&c->model, given(c, "model.N"), elastic ? c->elastic.q0 * c->elastic.dp0 : -1.0,
                          elastic ? c->elastic.d_el / c->elastic.d0 : 0.0, &err) != LRK_OK) {
        const char *const at_n[] = {"model.N", NULL};
        const char *const at_elastic[] = {"model.elastic.d_el", "model.space.d_el", NULL};
        const char *const *where = strncmp(err.message, "model.N", 7) == 0             ? at_n
                                   : strstr(err.message, "model.elastic") != NULL ? at_elastic
                                                                                  : names;
        config_report(d, c, place(c, where), "%s", err.message);
        return 1;
    }
    return 0;
}

static size_t check_relations(lrk_config *c, lrk_diagnostics *d)
{
    size_t errors = 0;
    if (c->fit.q_from > c->fit.q_to) {
        static const char *const names[] = {"fit.q_levels.to", "fit.q_levels.from", NULL};
        char from[40], to[40];
        config_format_double(c->fit.q_from, from, sizeof from);
        config_format_double(c->fit.q_to, to, sizeof to);
        config_report(d, c, place(c, names),
                          "fit.q_levels.from = %s is greater than fit.q_levels.to = %s: expected "
                          "0 < from <= to < 1",
                          from, to);
        errors++;
    }
    if (c->kmc.trajectories > 0 && c->fit.batches > c->kmc.trajectories) {
        static const char *const names[] = {"fit.batches", "kmc.trajectories", NULL};
        config_report(d, c, place(c, names),
                          "fit.batches = %ld exceeds kmc.trajectories = %ld: expected at most one batch "
                          "per trajectory",
                          c->fit.batches, c->kmc.trajectories);
        errors++;
    }
    return errors;
}

/* grid.t_max: auto by the pilot rule: a q_max the pilot cannot bound is
 * refused here rather than after the run has started (grid_end.h). */
static size_t check_grid_end(const lrk_config *c, lrk_diagnostics *d)
{
    if (!c->grid.t_max_auto)
        return 0;
    lrk_model ref;
    point_space_reference_model(&c->model, &ref);
    lrk_error err;
    if (lrk_grid_end_check(&ref, c->grid.t_max_rule, c->kmc.trajectories, c->grid.q_max, &err) == LRK_OK)
        return 0;
    lrk_grid_end_rule rule = lrk_grid_end_rule_resolve(&ref, c->grid.t_max_rule, c->kmc.trajectories, c->grid.q_max);
    static const char *const pilot_names[] = {"grid.q_max", "grid.t_max_rule", "grid.t_max", NULL};
    static const char *const rule_names[] = {"grid.t_max_rule", NULL};
    static const char *const ode_names[] = {"model.disorder.width", "grid.t_max", "kmc.trajectories", NULL};
    const char *const *where = rule == LRK_GRID_END_PILOT ? pilot_names : rule == LRK_GRID_END_MOMENTS ? rule_names
                                                                                                     : ode_names;
    config_report(d, c, place(c, where), "%s", err.message);
    return 1;
}

static size_t validate_point(lrk_config *c, lrk_diagnostics *d)
{
    size_t errors = check_crossover(c, d) + check_elastic(c, d) + check_relations(c, d)
                    + config_check_inactive_keys(c, d);
    if (errors == 0)
        errors += check_space(c, d);
    if (errors == 0) {
        lrk_error err;
        lrk_model plain = c->model; /* the disorder part is reported at its own keys */
        plain.disorder = (lrk_disorder){LRK_DISORDER_NONE, 0.0};
        if (lrk_model_validate_point(&plain, &err) != LRK_OK) {
            static const char *const names[] = {"model.T", "model.V1", "model.V0", "model.N",
                                                "model.crossover.T0", "model.crossover.A", NULL};
            config_report(d, c, place(c, names), "%s", err.message);
            errors++;
        } else if (lrk_model_validate_point(&c->model, &err) != LRK_OK) {
            static const char *const names[] = {"model.disorder.width", "model.disorder.distribution", "model.T",
                                                "model.V0", NULL};
            config_report(d, c, place(c, names), "%s", err.message);
            errors++;
        }
    }
    if (errors == 0)
        errors += check_grid_end(c, d);
    return errors;
}

/* ---- sweep points --------------------------------------------------------- */

size_t lrk_config_sweep_point_count(const lrk_config *c)
{
    size_t count = 1;
    for (size_t i = 0; i < c->sweep_axis_count; i++)
        count *= c->sweep_axes[i].value_count;  /* bounded by LRK_SWEEP_MAX_POINTS at load */
    return count;
}

size_t lrk_config_sweep_value_index(const lrk_config *c, size_t point, size_t axis)
{
    for (size_t a = c->sweep_axis_count; a-- > axis + 1;)
        point /= c->sweep_axes[a].value_count;
    return point % c->sweep_axes[axis].value_count;
}

/* Applied last axis first, as before the decoding moved into one function
 * (the order decides which message a point with several bad values gets). */
static lrk_status apply_point(lrk_config *point, const lrk_config *base, size_t index, char *what, size_t size)
{
    size_t used = 0;
    what[0] = '\0';
    for (size_t a = base->sweep_axis_count; a-- > 0;) {
        const lrk_sweep_axis *axis = &base->sweep_axes[a];
        size_t i = lrk_config_sweep_value_index(base, index, a);
        for (size_t k = 0; k < axis->key_count; k++) {
            size_t slot;
            const config_key_def *def = config_key_find(axis->keys[k], &slot);
            char why[512];
            if (def == NULL)
                return LRK_ERR_INVALID;
            lrk_status status = config_key_apply(point, def, axis->values[k][i], 0, why, sizeof why);
            if (status != LRK_OK)
                return status;
            point->origin[slot] = (lrk_config_origin){LRK_ORIGIN_SWEEP, axis->line, axis->column};
            if (used < size)
                used += (size_t)snprintf(what + used, size - used, "%s%s = %s", used ? ", " : "",
                                         axis->keys[k], axis->values[k][i]);
        }
    }
    return LRK_OK;
}

static lrk_status point_of(lrk_config *point, const lrk_config *base, size_t index, char *what, size_t size)
{
    /* Copy everything but the sweep: copying the axes for every point would
     * cost points x values. */
    lrk_config without_sweep = *base;
    without_sweep.sweep_axes = NULL;
    without_sweep.sweep_axis_count = 0;
    lrk_status status = lrk_config_copy(point, &without_sweep);
    if (status != LRK_OK) {
        memset(point, 0, sizeof *point);
        return status;
    }
    return apply_point(point, base, index, what, size);
}

lrk_status lrk_config_sweep_point(lrk_config *point, const lrk_config *base, size_t index, lrk_diagnostics *d)
{
    char what[1024];
    if (index >= lrk_config_sweep_point_count(base)) {
        memset(point, 0, sizeof *point);
        lrk_diagnostics_add(d, "sweep point %zu: expected an index below %zu", index,
                            lrk_config_sweep_point_count(base));
        return LRK_ERR_INVALID;
    }
    lrk_status status = point_of(point, base, index, what, sizeof what);
    if (status != LRK_OK) {
        lrk_diagnostics_add(d, "sweep point %zu (%s): %s", index, what, lrk_status_name(status));
        return status;
    }
    return validate_point(point, d) == 0 ? LRK_OK : LRK_ERR_INVALID;
}

/* Check every point of a small enough sweep; report the first few failures. */
static size_t validate_sweep(const lrk_config *c, lrk_diagnostics *d)
{
    size_t count = lrk_config_sweep_point_count(c), failures = 0;
    if (c->sweep_axis_count == 0 || count > LRK_CONFIG_VALIDATE_MAX_POINTS)
        return 0;
    for (size_t index = 0; index < count && failures < 5; index++) {
        lrk_config point;
        lrk_diagnostics inner;
        char what[1024];
        lrk_diagnostics_init(&inner);
        lrk_status status = point_of(&point, c, index, what, sizeof what);
        if (status == LRK_OK && validate_point(&point, &inner) > 0) {
            for (size_t m = 0; m < inner.count; m++)
                lrk_diagnostics_add(d, "%s (at sweep point %zu of %zu: %s)", inner.messages[m], index + 1,
                                    count, what);
            failures++;
        } else if (status != LRK_OK) {
            lrk_diagnostics_add(d, "%s: sweep point %zu: %s", source_name(c), index + 1, lrk_status_name(status));
            failures++;
        }
        lrk_diagnostics_free(&inner);
        lrk_config_free(&point);
    }
    return failures;
}

lrk_status lrk_config_validate(lrk_config *c, lrk_diagnostics *d)
{
    size_t errors = validate_point(c, d);
    if (errors == 0)
        errors = validate_sweep(c, d);
    return errors == 0 ? LRK_OK : LRK_ERR_INVALID;
}
