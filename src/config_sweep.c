/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_sweep.c - the `sweep:` block: explicit lists, {linspace: [a, b, n]},
 * {logspace: [a, b, n]} and `zip:` groups, turned into lrk_sweep_axis values
 * stored as text.  Every value is checked by applying it to a scratch
 * configuration, so a sweep accepts exactly what the key accepts in the file.
 */
#include "config_loader.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- axes -------------------------------------------------------------- */

static void free_values(char **values, size_t count)
{
    if (values == NULL)
        return;
    for (size_t i = 0; i < count; i++)
        free(values[i]);
    free(values);
}

void config_sweep_axis_free(lrk_sweep_axis *axis)
{
    for (size_t k = 0; k < axis->key_count; k++) {
        free(axis->keys[k]);
        if (axis->values != NULL)
            free_values(axis->values[k], axis->value_count);
    }
    free(axis->keys);
    free(axis->values);
    memset(axis, 0, sizeof *axis);
}

lrk_status config_sweep_axis_copy(lrk_sweep_axis *dst, const lrk_sweep_axis *src)
{
    memset(dst, 0, sizeof *dst);
    dst->line = src->line;
    dst->column = src->column;
    dst->keys = calloc(src->key_count ? src->key_count : 1, sizeof *dst->keys);
    dst->values = calloc(src->key_count ? src->key_count : 1, sizeof *dst->values);
    if (dst->keys == NULL || dst->values == NULL)
        goto fail;
    dst->key_count = src->key_count;
    dst->value_count = src->value_count;
    for (size_t k = 0; k < src->key_count; k++) {
        dst->keys[k] = config_strdup(src->keys[k]);
        dst->values[k] = calloc(src->value_count ? src->value_count : 1, sizeof *dst->values[k]);
        if (dst->keys[k] == NULL || dst->values[k] == NULL)
            goto fail;
        for (size_t i = 0; i < src->value_count; i++)
            if ((dst->values[k][i] = config_strdup(src->values[k][i])) == NULL)
                goto fail;
    }
    return LRK_OK;
fail:
    config_sweep_axis_free(dst);
    return LRK_ERR_NOMEM;
}

lrk_status config_sweep_generate(int logspace, double a, double b, size_t n, char ***values)
{
    char **out = calloc(n, sizeof *out);
    if (out == NULL)
        return LRK_ERR_NOMEM;
    for (size_t i = 0; i < n; i++) {
        double f = (n > 1) ? (double)i / (double)(n - 1) : 0.0;
        double x = logspace ? a * pow(b / a, f) : a + (b - a) * f;
        if (i == 0)
            x = a;  /* exact endpoints, whatever the rounding in between */
        else if (i == n - 1)
            x = b;
        char text[64];
        config_format_double(x, text, sizeof text);
        if ((out[i] = config_strdup(text)) == NULL) {
            free_values(out, n);
            return LRK_ERR_NOMEM;
        }
    }
    *values = out;
    return LRK_OK;
}

/* ---- parsing ------------------------------------------------------------- */

typedef struct sweep_state {
    lrk_sweep_axis zip;      /* the zip: group being read */
    int in_zip;
    yaml_mark_t zip_mark;
} sweep_state;

typedef struct value_list {
    char **values;
    size_t count;
    size_t capacity;         /* allocated slots; grows by doubling */
    int bad;                 /* some value failed: the list is dropped */
    int too_many;            /* over a size limit (reported once) */
} value_list;

static lrk_status out_of_memory(loader *L)
{
    L->status = LRK_ERR_NOMEM;
    L->stopped = 1;
    return LRK_ERR_NOMEM;
}

/* Apply text for def to a scratch config: the same check as in the file.
 * A predicate: 1 for a good value (out of memory also stops the walk). */
static int value_ok(loader *L, const config_key_def *def, const char *text, int quoted, yaml_mark_t mark)
{
    lrk_config scratch;
    char why[512];
    memset(&scratch, 0, sizeof scratch); /* config_key_apply needs no defaults; a sweep may check 1e5 values */
    lrk_status status = config_key_apply(&scratch, def, text, quoted, why, sizeof why);
    lrk_config_free(&scratch);
    if (status == LRK_OK)
        return 1;
    if (status == LRK_ERR_NOMEM) {
        (void)out_of_memory(L);
        return 0;
    }
    loader_error(L, mark, "sweep %s: %s", def->name, why);
    return 0;
}

/* Room for n more sweep values in all?  Reports when not. */
static int room_for(loader *L, const config_key_def *def, size_t n, yaml_mark_t mark)
{
    if (n <= LRK_SWEEP_MAX_TOTAL_VALUES && L->sweep_values <= LRK_SWEEP_MAX_TOTAL_VALUES - n) {
        L->sweep_values += n;
        return 1;
    }
    loader_error(L, mark, "sweep %s: more than %d values in the whole sweep", def->name,
                     LRK_SWEEP_MAX_TOTAL_VALUES);
    return 0;
}

static lrk_status push_value(loader *L, value_list *list, const char *text)
{
    if (list->count == list->capacity) {
        /* Doubling keeps a list of n values O(n) to build (growing by one
         * slot made 1e5 values a quadratic copy: found by the fuzzer). */
        size_t capacity = list->capacity ? 2 * list->capacity : 16;
        char **grown = realloc(list->values, capacity * sizeof *grown);
        if (grown == NULL)
            return out_of_memory(L);
        list->values = grown;
        list->capacity = capacity;
    }
    if ((list->values[list->count] = config_strdup(text)) == NULL)
        return out_of_memory(L);
    list->count++;
    return LRK_OK;
}

static lrk_status explicit_list(loader *L, const config_key_def *def, value_list *list)
{
    char got[256];
    yaml_mark_t start = L->event.start_mark;
    lrk_status s;
    while ((s = loader_next(L)) == LRK_OK && L->event.type != YAML_SEQUENCE_END_EVENT) {
        yaml_mark_t mark = L->event.start_mark;
        if (!loader_plain_node(L)) {
            list->bad = 1;
            continue;
        }
        if (L->event.type != YAML_SCALAR_EVENT) {
            loader_describe(L, got, sizeof got);
            loader_error(L, mark, "sweep %s: expected a scalar value, got %s", def->name, got);
            list->bad = 1;
            if ((s = loader_skip(L)) != LRK_OK)
                return s;
            continue;
        }
        const char *text = loader_scalar(L);
        int quoted = L->event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        if (text == NULL || !value_ok(L, def, text, quoted, mark)) {
            list->bad = 1;
            continue;
        }
        if (list->too_many)
            continue;
        if (list->count >= LRK_SWEEP_MAX_VALUES) {
            loader_error(L, mark, "sweep %s: more than %d values", def->name, LRK_SWEEP_MAX_VALUES);
            list->too_many = list->bad = 1;
            continue;
        }
        if (!room_for(L, def, 1, mark)) {
            list->too_many = list->bad = 1;
            continue;
        }
        if ((s = push_value(L, list, text)) != LRK_OK)
            return s;
    }
    if (s != LRK_OK || (s = loader_go_on(L)) != LRK_OK)
        return s;
    if (list->count == 0 && !list->bad) {
        loader_error(L, start, "sweep %s: expected at least one value, got an empty list", def->name);
        list->bad = 1;
    }
    return LRK_OK;
}

typedef struct range_spec {
    const config_key_def *def;
    int kind;               /* 0 none yet, 1 linspace, 2 logspace */
    double a, b;
    size_t n;
    int bad;
} range_spec;

/* The [a, b, n] of linspace/logspace; the SEQUENCE_START is current. */
static lrk_status range_numbers(loader *L, range_spec *r, const char *what, yaml_mark_t start)
{
    double x[3];
    size_t count = 0;
    char why[128], got[256];
    lrk_status s;
    while ((s = loader_next(L)) == LRK_OK && L->event.type != YAML_SEQUENCE_END_EVENT) {
        yaml_mark_t mark = L->event.start_mark;
        if (!loader_plain_node(L) || L->event.type != YAML_SCALAR_EVENT) {
            loader_describe(L, got, sizeof got);
            loader_error(L, mark, "sweep %s: %s: expected a number, got %s", r->def->name, what, got);
            r->bad = 1;
            if ((s = loader_skip(L)) != LRK_OK)
                return s;
            continue;
        }
        const char *text = loader_scalar(L);
        if (text != NULL && config_parse_number(text, &x[count < 3 ? count : 2], why, sizeof why) != 0) {
            loader_describe(L, got, sizeof got);
            loader_error(L, mark, "sweep %s: %s: expected a finite number, got %s (%s)", r->def->name, what,
                             got, why);
            r->bad = 1;
        }
        count++;
    }
    if (s != LRK_OK || (s = loader_go_on(L)) != LRK_OK)
        return s;
    if (count != 3) {
        loader_error(L, start, "sweep %s: %s: expected [a, b, n] (3 numbers), got %zu", r->def->name, what,
                         count);
        r->bad = 1;
    }
    if (r->bad)
        return LRK_OK;
    if (!(x[2] >= 1 && x[2] <= LRK_SWEEP_MAX_VALUES && x[2] == floor(x[2]))) {
        loader_error(L, start, "sweep %s: %s: n = %.17g: expected an integer in [1, %d]", r->def->name, what,
                         x[2], LRK_SWEEP_MAX_VALUES);
        r->bad = 1;
    } else if (r->kind == 2 && !(x[0] > 0 && x[1] > 0)) {
        loader_error(L, start, "sweep %s: logspace: a = %.17g, b = %.17g: expected a > 0 and b > 0 (the "
                         "endpoints themselves, not exponents)", r->def->name, x[0], x[1]);
        r->bad = 1;
    }
    if (r->bad)
        return LRK_OK;  /* x[2] may be far outside size_t: convert only checked values */
    r->a = x[0];
    r->b = x[1];
    r->n = (size_t)x[2];
    return LRK_OK;
}

static lrk_status range_entry(loader *L, const char *key, yaml_mark_t key_mark, void *context)
{
    range_spec *r = context;
    char got[256], shown[200];
    int kind = strcmp(key, "linspace") == 0 ? 1 : strcmp(key, "logspace") == 0 ? 2 : 0;
    if (kind == 0 || r->kind != 0) {
        config_shown_text(key, shown, sizeof shown);
        loader_error(L, key_mark, "sweep %s: '%s': expected exactly one of linspace: [a, b, n] or "
                         "logspace: [a, b, n]", r->def->name, shown);
        r->bad = 1;
        return loader_skip(L);
    }
    r->kind = kind;
    if (!loader_plain_node(L)) {
        r->bad = 1;
        return LRK_OK;
    }
    if (L->event.type != YAML_SEQUENCE_START_EVENT) {
        loader_describe(L, got, sizeof got);
        loader_error(L, L->event.start_mark, "sweep %s: %s: expected [a, b, n], got %s", r->def->name, key,
                         got);
        r->bad = 1;
        return loader_skip(L);
    }
    return range_numbers(L, r, key, L->event.start_mark);
}

static lrk_status generated_list(loader *L, const config_key_def *def, value_list *list)
{
    range_spec r = {def, 0, 0.0, 0.0, 0, 0};
    yaml_mark_t start = L->event.start_mark;
    lrk_status s = loader_mapping(L, range_entry, &r);
    if (s != LRK_OK)
        return s;
    if (r.kind == 0 && !r.bad)
        loader_error(L, start, "sweep %s: expected {linspace: [a, b, n]} or {logspace: [a, b, n]}, got an "
                         "empty mapping", def->name);
    if (r.kind == 0 || r.bad || !room_for(L, def, r.n, start)) {
        list->bad = 1;
        return loader_go_on(L);
    }
    if (config_sweep_generate(r.kind == 2, r.a, r.b, r.n, &list->values) != LRK_OK)
        return out_of_memory(L);
    list->count = r.n;
    for (size_t i = 0; i < r.n && !list->bad; i++)
        if (!value_ok(L, def, list->values[i], 0, start))
            list->bad = 1;
    return loader_go_on(L);
}

static lrk_status value_spec(loader *L, const config_key_def *def, value_list *list)
{
    char got[256];
    if (!loader_plain_node(L)) {
        list->bad = 1;
        return LRK_OK;
    }
    if (L->event.type == YAML_SEQUENCE_START_EVENT)
        return explicit_list(L, def, list);
    if (L->event.type == YAML_MAPPING_START_EVENT)
        return generated_list(L, def, list);
    loader_describe(L, got, sizeof got);
    loader_error(L, L->event.start_mark, "sweep %s: expected a list of values, {linspace: [a, b, n]} or "
                     "{logspace: [a, b, n]}, got %s", def->name, got);
    list->bad = 1;
    return loader_skip(L);
}

static int already_swept(const lrk_config *c, const sweep_state *s, const char *key)
{
    if (config_key_sweep_axis(c, key) != NULL)
        return 1;
    for (size_t k = 0; s->in_zip && k < s->zip.key_count; k++)
        if (strcmp(s->zip.keys[k], key) == 0)
            return 1;
    return 0;
}

/* Add key with its values to the zip group or as an axis of its own. */
static lrk_status add_to_axis(loader *L, lrk_sweep_axis *axis, const char *key, value_list *list, yaml_mark_t mark)
{
    char **keys = realloc(axis->keys, (axis->key_count + 1) * sizeof *keys);
    if (keys == NULL)
        return out_of_memory(L);
    axis->keys = keys;
    char ***values = realloc(axis->values, (axis->key_count + 1) * sizeof *values);
    if (values == NULL)
        return out_of_memory(L);
    axis->values = values;
    if ((axis->keys[axis->key_count] = config_strdup(key)) == NULL)
        return out_of_memory(L);
    axis->values[axis->key_count] = list->values;
    axis->key_count++;
    axis->value_count = list->count;
    if (axis->line == 0) {
        axis->line = (unsigned long)mark.line + 1;
        axis->column = (unsigned long)mark.column + 1;
    }
    list->values = NULL; /* now owned by the axis */
    list->capacity = 0;
    return LRK_OK;
}

static lrk_status append_axis(loader *L, lrk_sweep_axis *axis)
{
    lrk_config *c = L->c;
    lrk_sweep_axis *grown = realloc(c->sweep_axes, (c->sweep_axis_count + 1) * sizeof *grown);
    if (grown == NULL) {
        config_sweep_axis_free(axis);
        return out_of_memory(L);
    }
    c->sweep_axes = grown;
    c->sweep_axes[c->sweep_axis_count++] = *axis;
    memset(axis, 0, sizeof *axis);
    return LRK_OK;
}

static lrk_status sweep_entry(loader *L, const char *key, yaml_mark_t key_mark, void *context);

static lrk_status zip_group(loader *L, sweep_state *s, yaml_mark_t key_mark)
{
    char got[256];
    if (!loader_plain_node(L))
        return LRK_OK;
    if (L->event.type != YAML_MAPPING_START_EVENT) {
        loader_describe(L, got, sizeof got);
        loader_error(L, L->event.start_mark, "sweep zip: expected a mapping of keys to lists, got %s", got);
        return loader_skip(L);
    }
    s->in_zip = 1;
    s->zip_mark = key_mark;
    lrk_status status = loader_mapping(L, sweep_entry, s);
    s->in_zip = 0;
    if (status == LRK_OK && s->zip.key_count == 0)
        loader_error(L, key_mark, "sweep zip: expected at least one key with a list of values");
    if (status != LRK_OK || s->zip.key_count == 0) {
        config_sweep_axis_free(&s->zip);
        return status;
    }
    s->zip.line = (unsigned long)key_mark.line + 1;
    s->zip.column = (unsigned long)key_mark.column + 1;
    return append_axis(L, &s->zip);
}

static lrk_status sweep_entry(loader *L, const char *key, yaml_mark_t key_mark, void *context)
{
    sweep_state *s = context;
    char shown[200];
    size_t index;
    config_shown_text(key, shown, sizeof shown);
    if (strcmp(key, "zip") == 0 && !s->in_zip)
        return zip_group(L, s, key_mark);
    const config_key_def *def = config_key_find(key, &index);
    if (def == NULL || !def->sweepable) {
        const char *suggestion = def ? NULL : config_key_suggest(key);
        if (def != NULL)
            loader_error(L, key_mark, "sweep: '%s' cannot be swept (one output directory per run)", shown);
        else if (suggestion != NULL && config_key_find(suggestion, NULL) != NULL)
            loader_error(L, key_mark, "sweep: unknown key '%s'; did you mean '%s'?", shown, suggestion);
        else
            loader_error(L, key_mark, "sweep: unknown key '%s': expected a dotted scalar key such as "
                             "model.T%s", shown, s->in_zip ? "" : " or zip");
        return loader_skip(L);
    }
    if (already_swept(L->c, s, key)) {
        loader_error(L, key_mark, "sweep: %s is swept twice: give each key one list", key);
        return loader_skip(L);
    }
    value_list list = {.values = NULL};
    lrk_status status = value_spec(L, def, &list);
    if (status == LRK_OK && !list.bad && s->in_zip && s->zip.key_count > 0 && list.count != s->zip.value_count) {
        loader_error(L, key_mark, "sweep zip: %s has %zu values but %s has %zu: lists in zip must have "
                         "the same length", key, list.count, s->zip.keys[0], s->zip.value_count);
        list.bad = 1;
    }
    if (status == LRK_OK && !list.bad) {
        if (s->in_zip) {
            status = add_to_axis(L, &s->zip, key, &list, key_mark);
        } else {
            lrk_sweep_axis axis;
            memset(&axis, 0, sizeof axis);
            status = add_to_axis(L, &axis, key, &list, key_mark);
            if (status == LRK_OK)
                status = append_axis(L, &axis); /* frees the axis when it fails */
            else
                config_sweep_axis_free(&axis);
        }
    }
    free_values(list.values, list.count);
    return status;
}

lrk_status loader_sweep(loader *L, yaml_mark_t key_mark)
{
    char got[256];
    lrk_config *c = L->c;
    for (size_t i = 0; i < c->sweep_axis_count; i++)
        config_sweep_axis_free(&c->sweep_axes[i]);
    free(c->sweep_axes);
    c->sweep_axes = NULL;
    c->sweep_axis_count = 0;
    if (!loader_plain_node(L) || loader_is_null(L))
        return LRK_OK;
    if (L->event.type != YAML_MAPPING_START_EVENT) {
        loader_describe(L, got, sizeof got);
        loader_error(L, L->event.start_mark, "sweep: expected a mapping of keys to lists, got %s", got);
        return loader_skip(L);
    }
    sweep_state s;
    memset(&s, 0, sizeof s);
    lrk_status status = loader_mapping(L, sweep_entry, &s);
    config_sweep_axis_free(&s.zip);
    double points = 1;
    for (size_t i = 0; i < c->sweep_axis_count; i++)
        points *= (double)c->sweep_axes[i].value_count;
    if (status == LRK_OK && points > LRK_SWEEP_MAX_POINTS) {
        loader_error(L, key_mark, "sweep: %.0f points: expected at most %d", points, LRK_SWEEP_MAX_POINTS);
        for (size_t i = 0; i < c->sweep_axis_count; i++)
            config_sweep_axis_free(&c->sweep_axes[i]);
        c->sweep_axis_count = 0;  /* keep lrk_config_sweep_point_count from overflowing */
    }
    return status;
}
