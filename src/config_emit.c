/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_emit.c - the resolved configuration written back as YAML with
 * libyaml's emitter (which does all quoting and escaping).  The output reads
 * back to an equal configuration: numbers use the shortest text that round
 * trips and the sweep is written as explicit lists.
 */
#include "config_internal.h"

#include <math.h>
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

/* `leaf: value` for the table key `name` ("model.T" is written as T). */
static void key_value(writer *w, const lrk_config *c, const char *name)
{
    char text[4200];
    const lrk_key_def *k = lrk_key_find(name, NULL);
    if (k == NULL) {
        w->failed = 1;
        return;
    }
    lrk_key_format(c, k, text, sizeof text);
    scalar(w, strrchr(name, '.') + 1, YAML_PLAIN_SCALAR_STYLE);
    scalar(w, text, k->kind == LRK_KEY_STRING ? YAML_DOUBLE_QUOTED_SCALAR_STYLE : YAML_PLAIN_SCALAR_STYLE);
}

static void model(writer *w, const lrk_config *c)
{
    begin_mapping(w, "model");
    key_value(w, c, "model.mode");
    key_value(w, c, "model.V0");
    if (c->has_elastic) {
        static const char *const names[] = {"model.elastic.n_r", "model.elastic.q0", "model.elastic.dp0",
                                            "model.elastic.d0", "model.elastic.d_el"};
        const double values[] = {c->elastic.n_r, c->elastic.q0, c->elastic.dp0, c->elastic.d0, c->elastic.d_el};
        begin_mapping(w, "elastic");
        for (size_t i = 0; i < 5; i++)
            if (!isnan(values[i]))
                key_value(w, c, names[i]);
        end_mapping(w);
    } else {
        key_value(w, c, "model.V1");
    }
    key_value(w, c, "model.T");
    if (!isnan(c->model.A) || !isnan(c->model.T0)) {
        begin_mapping(w, "crossover");
        if (!isnan(c->model.A))
            key_value(w, c, "model.crossover.A");
        if (!isnan(c->model.T0))
            key_value(w, c, "model.crossover.T0");
        end_mapping(w);
    }
    key_value(w, c, "model.N");
    end_mapping(w);
}

static void sections(writer *w, const lrk_config *c)
{
    begin_mapping(w, "kmc");
    key_value(w, c, "kmc.trajectories");
    key_value(w, c, "kmc.seed");
    key_value(w, c, "kmc.streams");
    key_value(w, c, "kmc.threads");
    end_mapping(w);
    begin_mapping(w, "grid");
    key_value(w, c, "grid.t_max");
    key_value(w, c, "grid.q_max");
    key_value(w, c, "grid.t_max_rule");
    key_value(w, c, "grid.points");
    key_value(w, c, "grid.spacing");
    end_mapping(w);
    begin_mapping(w, "fit");
    key_value(w, c, "fit.protocol");
    begin_mapping(w, "q_levels");
    key_value(w, c, "fit.q_levels.from");
    key_value(w, c, "fit.q_levels.to");
    key_value(w, c, "fit.q_levels.count");
    end_mapping(w);
    key_value(w, c, "fit.batches");
    end_mapping(w);
    begin_mapping(w, "references");
    key_value(w, c, "references.master_equation");
    end_mapping(w);
    begin_mapping(w, "output");
    scalar(w, "dir", YAML_PLAIN_SCALAR_STYLE);
    scalar(w, lrk_config_output_dir(c), YAML_DOUBLE_QUOTED_SCALAR_STYLE);
    key_value(w, c, "output.trajectories");
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
    model(&w, c);
    sections(&w, c);
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
