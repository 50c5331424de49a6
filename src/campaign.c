/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign.c - --dry-run and the end-of-run table (campaign.h); the run
 * itself is campaign_run.c and campaign_resume.c, the hash config_hash.c.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrekmc/output.h"
#include "lrekmc/point.h"

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
        for (size_t a = 0; a < base->sweep_axis_count; a++) {
            const lrk_sweep_axis *axis = &base->sweep_axes[a];
            for (size_t i = 0; i < axis->key_count; i++)
                fprintf(out, "  %s", axis->values[i][lrk_config_sweep_value_index(base, k, a)]);
        }
        fprintf(out, "  %.3g\n", events);
        lrk_config_free(&point);
    }
    fprintf(out, "total events to simulate: %.4g\n", total);
    return LRK_OK;
}

/* Columns of the end-of-run table after the point and its swept values:
 * (summary.csv column, heading, significant digits; 0 = the text as is). */
static const struct {
    const char *column, *heading;
    int digits;
} table_columns[] = {
    {"mode", "mode", 0},         {"T", "T", 5},           {"N", "N", 0},
    {"beta_ode", "beta_ode", 5}, {"tau_ode", "tau_ode", 5}, {"beta_kmc", "beta_kmc", 5},
    {"beta_kmc_err", "+-", 2},   {"tau_kmc", "tau_kmc", 5}, {"tau_kmc_err", "+-", 2},
    {"z_max", "z_max", 3},       {"chi2_p", "chi2_p", 3},
};
#define TABLE_COLUMNS (sizeof table_columns / sizeof table_columns[0])
enum { MAX_FIELDS = 512, MAX_SHOWN = 64 };

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

typedef struct table {
    size_t count;                /* columns shown */
    int field[MAX_SHOWN];        /* in summary.csv, -1 when absent */
    const char *heading[MAX_SHOWN];
    int digits[MAX_SHOWN];
    int width[MAX_SHOWN];
} table;

/* A cell as shown: numbers with a fraction or exponent to `digits` digits. */
static void cell_text(const char *text, int digits, char *out, size_t size)
{
    char *end = NULL;
    double value = strtod(text, &end);
    if (*text == '\0')
        snprintf(out, size, "-");
    else if (digits > 0 && *end == '\0' && strpbrk(text, ".eE") != NULL)
        snprintf(out, size, "%.*g", digits, value);
    else
        snprintf(out, size, "%s", text);
}

/* The point, every swept key (the columns before `mode`), then the table's. */
static void table_from_header(table *t, char **fields, size_t n)
{
    t->count = 0;
    size_t mode = 0;
    while (mode < n && strcmp(fields[mode], "mode") != 0)
        mode++;
    for (size_t f = 0; f < mode && f < n && t->count < MAX_SHOWN; f++, t->count++) {
        t->field[t->count] = (int)f;
        t->heading[t->count] = fields[f];
        t->digits[t->count] = 6;
    }
    for (size_t c = 0; c < TABLE_COLUMNS && t->count < MAX_SHOWN; c++, t->count++) {
        t->field[t->count] = -1;
        for (size_t f = mode; f < n; f++)
            if (strcmp(fields[f], table_columns[c].column) == 0)
                t->field[t->count] = (int)f;
        t->heading[t->count] = table_columns[c].heading;
        t->digits[t->count] = table_columns[c].digits;
    }
    for (size_t i = 0; i < t->count; i++)
        t->width[i] = (int)strlen(t->heading[i]);
}

/* Every row once: widen the columns (print == 0) or print them. */
static void table_rows(table *t, FILE *in, FILE *out, int print)
{
    char *line = NULL, *fields[MAX_FIELDS], cell[64];
    size_t size = 0;
    while (getline(&line, &size, in) > 0) {
        size_t n = split_fields(line, fields, MAX_FIELDS);
        for (size_t i = 0; i < t->count; i++) {
            int f = t->field[i];
            cell_text(f >= 0 && (size_t)f < n ? fields[f] : "", t->digits[i], cell, sizeof cell);
            if (print)
                fprintf(out, "%s%*s", i ? " " : "", t->width[i], cell);
            else if ((int)strlen(cell) > t->width[i])
                t->width[i] = (int)strlen(cell);
        }
        if (print)
            fputc('\n', out);
    }
    free(line);
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
    char *header = NULL, *fields[MAX_FIELDS];
    size_t size = 0;
    table t;
    size_t n = getline(&header, &size, in) > 0 ? split_fields(header, fields, MAX_FIELDS) : 0;
    table_from_header(&t, fields, n);
    long rows = ftell(in);
    table_rows(&t, in, out, 0); /* two passes: the widths of every cell first */
    fseek(in, rows, SEEK_SET);
    for (size_t i = 0; i < t.count; i++)
        fprintf(out, "%s%*s", i ? " " : "", t.width[i], t.heading[i]);
    fputc('\n', out);
    table_rows(&t, in, out, 1);
    free(header);
    fclose(in);
    free(path);
    return LRK_OK;
}
