/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_outputs.c - the CSV files of a run directory come from one column
 * table each: every written row of summary.csv, relaxation.csv, levels.csv
 * (and first_passage.csv) has the header's field count, the headers are the
 * tables' names, and docs/outputs.md's column reference is the generated one.
 * The campaign mixes what makes fields empty or text: a point without KMC, a
 * crossover point, swept keys in a zip.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/campaign.h"
#include "lrekmc/config.h"
#include "lrekmc/point.h"

static const char campaign_yaml[] =
    "model: {mode: ser, N: 60, crossover: {A: 0.5, T0: 0.9}}\n"
    "kmc: {trajectories: 40, seed: 3, threads: 1}\n"
    "grid: {points: 12}\n"
    "fit: {q_levels: {from: 0.1, to: 0.9, count: 5}, batches: 4}\n"
    "output: {trajectories: true}\n"
    "sweep:\n"
    "  model.mode: [ser, crossover]\n"
    "  zip:\n"
    "    kmc.trajectories: [0, 40]\n"
    "    model.V0: [1.5, 2]\n";

static char *slurp(const char *path)
{
    FILE *in = fopen(path, "rb");
    cr_assert_not_null(in, "%s is missing", path);
    static const size_t limit = 1 << 20;
    char *text = calloc(limit, 1);
    size_t n = fread(text, 1, limit - 1, in);
    fclose(in);
    text[n] = '\0';
    return text;
}

/* Fields of one CSV line (RFC 4180 quoting: commas inside quotes do not count). */
static size_t field_count(const char *line, size_t length)
{
    size_t fields = 1;
    int quoted = 0;
    for (size_t i = 0; i < length; i++) {
        if (line[i] == '"')
            quoted = !quoted;
        else if (line[i] == ',' && !quoted)
            fields++;
    }
    return fields;
}

/* Every line has the header's field count; returns the number of rows. */
static size_t check_fields(const char *path, const char *expected_header)
{
    char *text = slurp(path);
    const char *line = text;
    const char *end = strchr(line, '\n');
    cr_assert_not_null(end, "%s: no header line", path);
    if (expected_header != NULL)
        cr_assert(strncmp(line, expected_header, (size_t)(end - line)) == 0
                      && strlen(expected_header) == (size_t)(end - line),
                  "%s: header %.*s, the table says %s", path, (int)(end - line), line, expected_header);
    size_t want = field_count(line, (size_t)(end - line)), rows = 0;
    for (line = end + 1; *line != '\0'; line = end + 1, rows++) {
        end = strchr(line, '\n');
        cr_assert_not_null(end, "%s: last line without a newline", path);
        cr_assert_eq(field_count(line, (size_t)(end - line)), want, "%s row %zu: %zu fields, header has %zu: %.*s",
                     path, rows + 1, field_count(line, (size_t)(end - line)), want, (int)(end - line), line);
    }
    free(text);
    return rows;
}

static void point_header(const char *file, char *buf, size_t size)
{
    size_t used = 0;
    const char *name;
    for (size_t i = 0; (name = lrk_point_column(file, i, NULL)) != NULL; i++)
        used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? "," : "", name);
}

Test(outputs, every_row_has_the_header_field_count)
{
    char dir[] = "/tmp/lrekmc-outputs-XXXXXX";
    cr_assert_not_null(mkdtemp(dir));
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    cr_assert_eq(lrk_config_load_string(&c, "outputs.yaml", campaign_yaml, strlen(campaign_yaml), &d), LRK_OK);
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK, "%s", d.count ? d.messages[0] : "");
    lrk_campaign_options options = {.output_dir = dir};
    lrk_campaign_report report = {0};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_campaign_run(&c, &options, &report, &err), LRK_OK, "%s", err.message);

    char header[4096], path[512];
    size_t used = (size_t)snprintf(header, sizeof header, "point,model.mode,kmc.trajectories,model.V0");
    const char *name;
    for (size_t i = 0; (name = lrk_summary_column(i, NULL)) != NULL; i++)
        used += (size_t)snprintf(header + used, sizeof header - used, ",%s", name);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    cr_assert_eq(check_fields(path, header), 4);

    char relaxation[1024], levels[1024];
    point_header("relaxation.csv", relaxation, sizeof relaxation);
    point_header("levels.csv", levels, sizeof levels);
    cr_assert_str_eq(relaxation, "t,q_mean,q_std,q_sem,q_p05,q_p50,q_p95,q_ode,q_exact_mean,q_exact_std,q_lna_std,chi4,chi4_err");
    cr_assert_str_eq(levels, "q,t_mean,t_std,t_sem,t_exact_mean,t_exact_std,t_ode");
    for (int k = 0; k < 4; k++) {
        snprintf(path, sizeof path, "%s/points/%d/relaxation.csv", dir, k);
        cr_assert_eq(check_fields(path, relaxation), 12);
        snprintf(path, sizeof path, "%s/points/%d/levels.csv", dir, k);
        cr_assert_eq(check_fields(path, levels), 5);
        if (k % 2 == 1) { /* the points with trajectories */
            snprintf(path, sizeof path, "%s/points/%d/first_passage.csv", dir, k);
            cr_assert_eq(check_fields(path, NULL), 40);
        }
    }
    lrk_campaign_report_free(&report);
    lrk_config_free(&c);
    lrk_diagnostics_free(&d);
    char command[600];
    snprintf(command, sizeof command, "rm -rf '%s'", dir);
    cr_assert_eq(system(command), 0);
}

/* The counter itself: a broken row is seen. */
Test(outputs, field_count_sees_quotes_and_missing_fields)
{
    cr_assert_eq(field_count("a,\"b,c\",", 8), 3);
    cr_assert_eq(field_count("1,,3", 4), 3);
    cr_assert_eq(field_count("", 0), 1);
}

Test(outputs, docs_column_reference_is_the_generated_one)
{
    char *generated = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&generated, &size);
    cr_assert_not_null(out);
    lrk_outputs_markdown(out);
    fclose(out);
    char *doc = slurp(LREKMC_SOURCE_DIR "/docs/outputs.md");
    const char *begin = strstr(doc, "<!-- generated: begin -->\n");
    const char *end = begin ? strstr(begin, "<!-- generated: end -->") : NULL;
    cr_assert(begin != NULL && end != NULL, "docs/outputs.md has no generated section");
    begin += strlen("<!-- generated: begin -->\n");
    cr_expect(strlen(generated) == (size_t)(end - begin) && strncmp(begin, generated, strlen(generated)) == 0,
              "docs/outputs.md differs from the column tables: replace its generated section with the "
              "output of `lrekmc check --columns-markdown`:\n%s", generated);
    free(generated);
    free(doc);
}
