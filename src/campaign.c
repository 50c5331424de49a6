/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign.c - the configuration hash, --dry-run and the end-of-run table
 * (campaign.h); the run itself is campaign_run.c and campaign_resume.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <xxhash.h>

#include "lrekmc/output.h"
#include "lrekmc/point.h"

lrk_status lrk_config_hash(const lrk_config *c, int without_sweep, uint64_t *hash, lrk_error *err)
{
    lrk_config view = *c; /* a shallow view: only fields that change no result differ */
    view.output.dir = "";
    view.kmc.threads = 0;
    if (without_sweep) {
        view.sweep_axis_count = 0;
        view.sweep_axes = NULL;
    }
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "configuration hash: out of memory");
    lrk_status s = lrk_config_emit(&view, out, err);
    fclose(out);
    *hash = s == LRK_OK ? XXH3_64bits(text, size) : 0;
    free(text);
    return s;
}

lrk_status lrk_campaign_dry_run(const lrk_config *base, FILE *out, lrk_diagnostics *d)
{
    size_t count = lrk_config_sweep_point_count(base);
    double total = 0;
    fprintf(out, "%zu point%s (columns: point", count, count == 1 ? "" : "s");
    for (size_t a = 0; a < base->sweep_axis_count; a++)
        for (size_t i = 0; i < base->sweep_axes[a].key_count; i++)
            fprintf(out, ", %s", base->sweep_axes[a].keys[i]);
    fputs(", events)\n", out);
    for (size_t k = 0; k < count; k++) {
        lrk_config point;
        lrk_status s = lrk_config_sweep_point(&point, base, k, d);
        if (s != LRK_OK) {
            lrk_config_free(&point);
            return s;
        }
        double events = lrk_point_event_estimate(&point);
        total += events;
        fprintf(out, "%zu", k);
        size_t stride = count;
        for (size_t a = 0; a < base->sweep_axis_count; a++) {
            const lrk_sweep_axis *axis = &base->sweep_axes[a];
            stride /= axis->value_count;
            for (size_t i = 0; i < axis->key_count; i++)
                fprintf(out, "  %s", axis->values[i][(k / stride) % axis->value_count]);
        }
        fprintf(out, "  %.3g\n", events);
        lrk_config_free(&point);
    }
    fprintf(out, "total events to simulate: %.4g\n", total);
    return LRK_OK;
}

/* Columns of the end-of-run table: (summary.csv column, table heading, width). */
static const struct {
    const char *column, *heading;
    int width;
} table_columns[] = {
    {"point", "point", 5},       {"mode", "mode", 9},         {"T", "T", 9},
    {"N", "N", 8},               {"beta_ode", "beta_ode", 9}, {"tau_ode", "tau_ode", 10},
    {"beta_kmc", "beta_kmc", 9}, {"beta_kmc_err", "+-", 8},   {"tau_kmc", "tau_kmc", 10},
    {"tau_kmc_err", "+-", 8},    {"z_max", "z_max", 6},       {"chi2_p", "chi2_p", 7},
};
#define TABLE_COLUMNS (sizeof table_columns / sizeof table_columns[0])

/* Split a CSV line (no quoting is ever written) in place. */
static size_t split_fields(char *line, char **fields, size_t max)
{
    size_t n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; n < max;) {
        fields[n++] = p;
        p = strchr(p, ',');
        if (p == NULL)
            break;
        *p++ = '\0';
    }
    return n;
}

static void print_cell(FILE *out, const char *text, int width)
{
    char *end = NULL;
    double value = strtod(text, &end);
    if (*text != '\0' && *end == '\0' && strchr(text, '.') != NULL)
        fprintf(out, " %*.*g", width, width > 7 ? 5 : 3, value);
    else
        fprintf(out, " %*s", width, *text ? text : "-");
}

lrk_status lrk_campaign_print_summary(const char *run_dir, FILE *out, lrk_error *err)
{
    char *path = lrk_path_join(run_dir, "summary.csv");
    FILE *in = path ? fopen(path, "r") : NULL;
    if (in == NULL) {
        lrk_status s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot read: %s", path ? path : run_dir, strerror(errno));
        free(path);
        return s;
    }
    enum { MAX_FIELDS = 512 };
    char *line = NULL, *fields[MAX_FIELDS];
    size_t size = 0;
    int index[TABLE_COLUMNS];
    size_t n = getline(&line, &size, in) > 0 ? split_fields(line, fields, MAX_FIELDS) : 0;
    for (size_t c = 0; c < TABLE_COLUMNS; c++) {
        index[c] = -1;
        for (size_t f = 0; f < n; f++)
            if (strcmp(fields[f], table_columns[c].column) == 0)
                index[c] = (int)f;
        fprintf(out, " %*s", table_columns[c].width, table_columns[c].heading);
    }
    fputc('\n', out);
    while (getline(&line, &size, in) > 0) {
        n = split_fields(line, fields, MAX_FIELDS);
        for (size_t c = 0; c < TABLE_COLUMNS; c++)
            print_cell(out, index[c] >= 0 && (size_t)index[c] < n ? fields[index[c]] : "", table_columns[c].width);
        fputc('\n', out);
    }
    free(line);
    fclose(in);
    free(path);
    return LRK_OK;
}
