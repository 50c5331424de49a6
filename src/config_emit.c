/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_emit.c - the resolved configuration written back as YAML with
 * libyaml's emitter (which does all quoting and escaping), walking the key
 * table (config_keys.c): a new key is emitted without an edit here.  The output reads back to an
 * equal configuration: numbers use the shortest text that round trips and
 * the sweep is written as explicit lists.
 */
#include "config_internal.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

typedef struct writer {
    yaml_emitter_t emitter;
    int failed;
} writer;

static void emit(writer *w, yaml_event_t *event, int made)
{
    if (w->failed)
        return;
    if (!made || !yaml_emitter_emit(&w->emitter, event))
        w->failed = 1;
}

static void scalar(writer *w, const char *text, yaml_scalar_style_t style)
{
    yaml_event_t e;
    int made = yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)(uintptr_t)text, (int)strlen(text), 1,
                                            1, style);
    emit(w, &e, made);
}

static void begin_mapping(writer *w, const char *key)
{
    yaml_event_t e;
    if (key != NULL)
        scalar(w, key, YAML_PLAIN_SCALAR_STYLE);
    emit(w, &e, yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE));
}

static void end_mapping(writer *w)
{
    yaml_event_t e;
    emit(w, &e, yaml_mapping_end_event_initialize(&e));
}

/* The blocks of a dotted key: "fit.q_levels.from" has depth 2 ("fit",
 * "fit.q_levels"); block d of it is name[0 .. end of component d). */
static size_t depth_of(const char *name)
{
    size_t depth = 0;
    for (const char *p = name; *p; p++)
        depth += *p == '.';
    return depth;
}

static size_t component_end(const char *name, size_t d)
{
    const char *p = name;
    for (size_t i = 0; i <= d; i++) {
        p = strchr(p, '.');
        if (i < d)
            p++;
    }
    return (size_t)(p - name);
}

/* How many leading blocks the keys a and b share. */
static size_t shared_depth(const char *a, const char *b)
{
    size_t da = depth_of(a), db = depth_of(b), d = 0;
    while (d < da && d < db) {
        size_t ea = component_end(a, d), eb = component_end(b, d);
        if (ea != eb || strncmp(a, b, ea) != 0)
            break;
        d++;
    }
    return d;
}

static int emitted(const lrk_config *c, const config_key_def *k)
{
    if (k->omitted != NULL && k->omitted(c))
        return 0;
    /* a number without a default is NaN until given */
    return !(k->kind == KEY_REAL && k->default_text == NULL
             && isnan(*(const double *)(const void *)((const char *)c + k->offset)));
}

/* Every emitted key in table order, opening and closing the blocks of the
 * dotted names as they change (the table keeps each block contiguous). */
static void keys_in_table_order(writer *w, const lrk_config *c)
{
    char text[4200], block[128];
    const char *open = NULL; /* the last emitted key: its blocks are open */
    for (size_t i = 0; config_key_at(i) != NULL; i++) {
        const config_key_def *k = config_key_at(i);
        if (!emitted(c, k))
            continue;
        size_t keep = open != NULL ? shared_depth(open, k->name) : 0;
        for (size_t d = open != NULL ? depth_of(open) : 0; d > keep; d--)
            end_mapping(w);
        for (size_t d = keep; d < depth_of(k->name); d++) {
            size_t from = d == 0 ? 0 : component_end(k->name, d - 1) + 1, to = component_end(k->name, d);
            snprintf(block, sizeof block, "%.*s", (int)(to - from), k->name + from);
            begin_mapping(w, block);
        }
        config_key_format(c, k, text, sizeof text);
        scalar(w, strrchr(k->name, '.') + 1, YAML_PLAIN_SCALAR_STYLE);
        scalar(w, text, k->kind == KEY_STRING ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
        open = k->name;
    }
    for (size_t d = open != NULL ? depth_of(open) : 0; d > 0; d--)
        end_mapping(w);
}

static void value_list(writer *w, const char *key, char **values, size_t count)
{
    yaml_event_t e;
    scalar(w, key, YAML_PLAIN_SCALAR_STYLE);
    emit(w, &e, yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_FLOW_SEQUENCE_STYLE));
    for (size_t i = 0; i < count; i++)
        scalar(w, values[i], YAML_PLAIN_SCALAR_STYLE);
    emit(w, &e, yaml_sequence_end_event_initialize(&e));
}

static void sweep(writer *w, const lrk_config *c)
{
    if (c->sweep_axis_count == 0)
        return;
    begin_mapping(w, "sweep");
    for (size_t a = 0; a < c->sweep_axis_count; a++) {
        const lrk_sweep_axis *axis = &c->sweep_axes[a];
        if (axis->key_count > 1)
            begin_mapping(w, "zip");
        for (size_t k = 0; k < axis->key_count; k++)
            value_list(w, axis->keys[k], axis->values[k], axis->value_count);
        if (axis->key_count > 1)
            end_mapping(w);
    }
    end_mapping(w);
}

lrk_status lrk_config_emit(const lrk_config *c, FILE *out, lrk_error *err)
{
    writer w;
    yaml_event_t e;
    memset(&w, 0, sizeof w);
    if (!yaml_emitter_initialize(&w.emitter))
        return lrk_error_set(err, LRK_ERR_NOMEM, "config emit: out of memory");
    yaml_emitter_set_output_file(&w.emitter, out);
    yaml_emitter_set_unicode(&w.emitter, 1);
    yaml_emitter_set_width(&w.emitter, -1);
    emit(&w, &e, yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING));
    emit(&w, &e, yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1));
    begin_mapping(&w, NULL);
    keys_in_table_order(&w, c);
    sweep(&w, c);
    end_mapping(&w);
    emit(&w, &e, yaml_document_end_event_initialize(&e, 1));
    emit(&w, &e, yaml_stream_end_event_initialize(&e));
    if (!w.failed && !yaml_emitter_flush(&w.emitter))
        w.failed = 1;
    const char *problem = w.emitter.problem;
    lrk_status status = LRK_OK;
    if (w.failed || ferror(out))
        status = lrk_error_set(err, LRK_ERR_IO, "config emit: %s", problem ? problem : "write error");
    yaml_emitter_delete(&w.emitter);
    return status;
}
