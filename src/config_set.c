/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_set.c - `--set KEY=VALUE` overrides and programmatic key = value
 * assignment.  VALUE is read as one YAML scalar (so "0.5", true, 'a b' and
 * "x: y" in quotes behave as in the file) and checked by the key table.
 */
#include "config_internal.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

/* The single scalar that `text` holds as a YAML document.  Returns an owned
 * copy and sets *quoted, or NULL with a reason in why. */
static char *yaml_scalar(const char *text, int *quoted, char *why, size_t why_size)
{
    yaml_parser_t parser;
    yaml_event_t event;
    char *result = NULL;
    int events = 0, scalars = 0, done = 0;
    if (!yaml_parser_initialize(&parser)) {
        snprintf(why, why_size, "out of memory");
        return NULL;
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)text, strlen(text));
    snprintf(why, why_size, "expected a single YAML scalar");
    while (!done) {
        if (!yaml_parser_parse(&parser, &event)) {
            snprintf(why, why_size, "expected a single YAML scalar: %s",
                     parser.problem ? parser.problem : "malformed YAML");
            free(result);
            result = NULL;
            break;
        }
        events++;
        done = event.type == YAML_STREAM_END_EVENT;
        if (event.type == YAML_SCALAR_EVENT && scalars++ == 0 && event.data.scalar.anchor == NULL &&
            event.data.scalar.tag == NULL && strlen((const char *)event.data.scalar.value) == event.data.scalar.length) {
            result = config_strdup((const char *)event.data.scalar.value);
            *quoted = event.data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        }
        yaml_event_delete(&event);
    }
    /* STREAM_START, DOCUMENT_START, SCALAR, DOCUMENT_END, STREAM_END: anything
     * else (a list, a mapping, two documents) is not one scalar. */
    if (result != NULL && (events != 5 || scalars != 1)) {
        free(result);
        result = NULL;
    }
    yaml_parser_delete(&parser);
    return result;
}

static void report_key(lrk_diagnostics *d, const char *prefix, const char *key)
{
    char shown[200], children[256];
    config_shown_text(key, shown, sizeof shown);
    if (strncmp(key, "sweep", 5) == 0 && (key[5] == '\0' || key[5] == '.')) {
        lrk_diagnostics_add(d, "%s%s: the sweep cannot be set with --set; edit the sweep: block of the file", prefix,
                            shown);
        return;
    }
    if (config_key_is_block(key)) {
        config_key_children(key, children, sizeof children);
        lrk_diagnostics_add(d, "%s%s: '%s' is a section, not a key: set one of %s.{%s}", prefix, shown, shown,
                            shown, children);
        return;
    }
    const char *suggestion = config_key_suggest(key);
    if (suggestion != NULL)
        lrk_diagnostics_add(d, "%s%s: unknown key '%s'; did you mean '%s'?", prefix, shown, shown, suggestion);
    else
        lrk_diagnostics_add(d, "%s%s: unknown key '%s' (see lrekmc check --help for the keys)", prefix, shown,
                            shown);
}

/* Apply text to key, recording `origin`; messages start with prefix + key. */
static lrk_status assign(lrk_config *c, const char *prefix, const char *key, const char *text, int quoted,
                         lrk_origin_kind origin, lrk_diagnostics *d)
{
    size_t index;
    char why[512];
    const config_key_def *def = config_key_find(key, &index);
    if (def == NULL) {
        report_key(d, prefix, key);
        return LRK_ERR_INVALID;
    }
    lrk_status status = config_key_apply(c, def, text, quoted, why, sizeof why);
    if (status == LRK_ERR_NOMEM) {
        lrk_diagnostics_add(d, "%s%s: out of memory", prefix, key);
        return status;
    }
    if (status != LRK_OK) {
        lrk_diagnostics_add(d, "%s%s: %s", prefix, key, why);
        return status;
    }
    c->origin[index] = (lrk_config_origin){origin, 0, 0};
    return LRK_OK;
}

/* A swept key given one value by --set leaves the sweep: its axis goes, or
 * only the key when it shares a zip group with others. */
static void unsweep(lrk_config *c, const char *key)
{
    for (size_t a = 0; a < c->sweep_axis_count; a++) {
        lrk_sweep_axis *axis = &c->sweep_axes[a];
        for (size_t i = 0; i < axis->key_count; i++) {
            if (strcmp(axis->keys[i], key) != 0)
                continue;
            if (axis->key_count == 1) {
                config_sweep_axis_free(axis);
                memmove(axis, axis + 1, (c->sweep_axis_count - a - 1) * sizeof *axis);
                if (--c->sweep_axis_count == 0) {
                    free(c->sweep_axes);
                    c->sweep_axes = NULL;
                }
                return;
            }
            free(axis->keys[i]);
            for (size_t v = 0; v < axis->value_count; v++)
                free(axis->values[i][v]);
            free(axis->values[i]);
            memmove(axis->keys + i, axis->keys + i + 1, (axis->key_count - i - 1) * sizeof *axis->keys);
            memmove(axis->values + i, axis->values + i + 1, (axis->key_count - i - 1) * sizeof *axis->values);
            axis->key_count--;
            return;
        }
    }
}

lrk_status lrk_config_set_key(lrk_config *c, const char *key, const char *value, lrk_diagnostics *d)
{
    return assign(c, "", key, value, 0, LRK_ORIGIN_SWEEP, d);
}

lrk_status lrk_config_set(lrk_config *c, const char *assignment, lrk_diagnostics *d)
{
    char shown[200], why[256];
    const char *equals = strchr(assignment, '=');
    if (equals == NULL) {
        config_shown_text(assignment, shown, sizeof shown);
        lrk_diagnostics_add(d, "--set %s: expected KEY=VALUE (e.g. --set model.T=0.5)", shown);
        return LRK_ERR_INVALID;
    }
    /* The key without surrounding blanks: `--set "model.T = 0.5"` works. */
    const char *start = assignment, *end = equals;
    while (start < end && isspace((unsigned char)*start)) start++;
    while (end > start && isspace((unsigned char)end[-1])) end--;
    size_t length = (size_t)(end - start);
    char *key = malloc(length + 1);
    if (key == NULL)
        return LRK_ERR_NOMEM;
    memcpy(key, start, length);
    key[length] = '\0';
    lrk_status status;
    int quoted = 0;
    char *value = NULL;
    if (length == 0) {
        config_shown_text(assignment, shown, sizeof shown);
        lrk_diagnostics_add(d, "--set %s: expected KEY=VALUE with a key before '='", shown);
        status = LRK_ERR_INVALID;
    } else if (config_key_find(key, NULL) == NULL) {
        report_key(d, "--set ", key);
        status = LRK_ERR_INVALID;
    } else if (equals[1] == '\0' && (value = config_strdup("")) == NULL) {
        status = LRK_ERR_NOMEM;  /* `KEY=` is an empty (null) value: the key check explains it */
    } else if (value == NULL && (value = yaml_scalar(equals + 1, &quoted, why, sizeof why)) == NULL) {
        config_shown_text(equals + 1, shown, sizeof shown);
        lrk_diagnostics_add(d, "--set %s: %s, got '%s'", key, why, shown);
        status = LRK_ERR_INVALID;
    } else {
        status = assign(c, "--set ", key, value, quoted, LRK_ORIGIN_SET, d);
        if (status == LRK_OK)
            unsweep(c, key);
    }
    free(value);
    free(key);
    return status;
}
