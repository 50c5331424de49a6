/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign_run.c - computing a campaign's points into its run directory,
 * keeping what an earlier run finished (campaign.h describes the contract).
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/campaign.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrekmc/grid.h"
#include "lrekmc/output.h"
#include "lrekmc/parallel.h"
#include "lrekmc/point.h"
#include "run_record.h"
#include "summary.h"

#define DONE_MAGIC "lrekmc-point-done 1"

typedef struct campaign_state {
    const lrk_config *base;
    const lrk_campaign_options *options;
    char *dir;
    char *header;
    char **rows;                 /* summary row per finished point */
    lrk_run_record record;
    lrk_campaign_progress progress;
    struct timespec start;
} campaign_state;

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

static char *point_dir(const char *dir, size_t k)
{
    char name[64];
    snprintf(name, sizeof name, "points/%zu", k);
    return lrk_path_join(dir, name);
}

/* The summary row stored in points/<k>/done if its hash is `hash`, else NULL. */
static char *read_done_row(const char *dir, size_t k, uint64_t hash)
{
    char *pdir = point_dir(dir, k);
    char *path = pdir ? lrk_path_join(pdir, "done") : NULL;
    FILE *in = path ? fopen(path, "r") : NULL;
    free(pdir);
    free(path);
    if (in == NULL)
        return NULL;
    char *line = NULL, *row = NULL;
    size_t size = 0;
    uint64_t stored = 0;
    int ok = getline(&line, &size, in) > 0 && strncmp(line, DONE_MAGIC, strlen(DONE_MAGIC)) == 0
             && getline(&line, &size, in) > 0 && sscanf(line, "hash: %" SCNx64, &stored) == 1
             && stored == hash && getline(&line, &size, in) > 5 && strncmp(line, "row: ", 5) == 0;
    if (ok) {
        line[strcspn(line, "\n")] = '\0';
        row = strdup(line + 5);
    }
    free(line);
    fclose(in);
    return row;
}

static lrk_status write_done(const char *pdir, uint64_t hash, const char *row, lrk_error *err)
{
    char *path = lrk_path_join(pdir, "done");
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", pdir);
    lrk_output_file file;
    lrk_status s = lrk_output_open(&file, path, err);
    free(path);
    if (s != LRK_OK)
        return s;
    fprintf(file.stream, "%s\nhash: %016" PRIx64 "\nrow: %s\n", DONE_MAGIC, hash, row);
    return lrk_output_commit(&file, err);
}

/* first_passage.csv: `trajectory`, then one column per q-level. */
static lrk_status write_first_passage_header(FILE *out, const lrk_config *c, lrk_error *err)
{
    size_t count = (size_t)c->fit.q_count;
    double *levels = malloc(count * sizeof *levels);
    if (levels == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "first_passage.csv: out of memory");
    lrk_status s = lrk_q_levels_fill(levels, count, c->fit.q_from, c->fit.q_to, err);
    fputs("trajectory", out);
    for (size_t j = 0; s == LRK_OK && j < count; j++)
        fprintf(out, ",%.15g", levels[j]);
    fputc('\n', out);
    free(levels);
    return s;
}

static void report_kmc_progress(void *user, long trajectories_done, uint64_t events_done)
{
    campaign_state *st = user;
    st->progress.trajectories_done = trajectories_done;
    double before = st->progress.events_done;
    st->progress.seconds = seconds_since(&st->start);
    if (st->options->progress != NULL) {
        lrk_campaign_progress now = st->progress;
        now.events_done = before + (double)events_done;
        st->options->progress(st->options->progress_user, &now);
    }
}

/* Point k's configuration and its hash; on failure config holds nothing. */
static lrk_status point_config(const campaign_state *st, size_t k, lrk_config *config, uint64_t *hash,
                               lrk_error *err)
{
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_status s = lrk_config_sweep_point(config, st->base, k, &d);
    if (s != LRK_OK)
        lrk_error_set(err, s, "point %zu: %s", k, d.count ? d.messages[0] : "invalid configuration");
    lrk_diagnostics_free(&d);
    if (s == LRK_OK)
        s = lrk_config_hash(config, 1, hash, err);
    if (s != LRK_OK)
        lrk_config_free(config);
    return s;
}

/* Compute point k, write its tables, then its `done` marker. */
static lrk_status compute_point(campaign_state *st, size_t k, lrk_error *err)
{
    lrk_config config;
    uint64_t hash = 0;
    lrk_status s = point_config(st, k, &config, &hash, err);
    if (s != LRK_OK)
        return s;
    char *pdir = point_dir(st->dir, k);
    if (pdir == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    if (s == LRK_OK)
        s = lrk_make_directories(pdir, err);

    lrk_output_file trajectories = {0};
    char *fp_path = NULL;
    if (s == LRK_OK && config.output.trajectories) {
        fp_path = lrk_path_join(pdir, "first_passage.csv");
        s = fp_path ? lrk_output_open(&trajectories, fp_path, err) : LRK_ERR_NOMEM;
    }
    lrk_point point = {0};
    int computed = 0;
    if (s == LRK_OK) {
        struct timespec start;
        clock_gettime(CLOCK_MONOTONIC, &start);
        if (trajectories.stream != NULL)
            s = write_first_passage_header(trajectories.stream, &config, err);
        st->progress.point = k;
        st->progress.trajectories = config.kmc.trajectories;
        st->progress.trajectories_done = 0;
        lrk_run_control control = {.stop = st->options->stop, .progress = report_kmc_progress,
                                   .progress_data = st, .threads = st->options->threads,
                                   .first_passage_out = trajectories.stream, .warnings = stderr};
        if (s == LRK_OK)
            s = lrk_point_compute(&config, &control, &point, err);
        computed = s == LRK_OK;
        st->record.seconds[k] = seconds_since(&start);
    }
    if (s == LRK_OK)
        s = lrk_point_write(&point, pdir, err);
    if (s == LRK_OK && trajectories.stream != NULL)
        s = lrk_output_commit(&trajectories, err);
    char *row = s == LRK_OK ? lrk_summary_row(st->base, k, &config, &point) : NULL;
    if (s == LRK_OK && row == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "summary row: out of memory");
    if (s == LRK_OK)
        s = write_done(pdir, hash, row, err);
    if (s == LRK_OK) {
        st->rows[k] = row;
        st->record.state[k] = LRK_POINT_COMPUTED;
        st->progress.events_done += point.kmc != NULL ? (double)point.kmc->events : 0.0;
    } else {
        free(row);
    }
    lrk_output_abandon(&trajectories);
    if (computed)
        lrk_point_free(&point); /* lrk_point_compute freed it on failure */
    free(fp_path);
    free(pdir);
    lrk_config_free(&config);
    return s;
}

static void state_free(campaign_state *st)
{
    if (st->rows != NULL)
        for (size_t k = 0; k < st->record.point_count; k++)
            free(st->rows[k]);
    free(st->rows);
    free(st->header);
    free(st->record.state);
    free(st->record.seconds);
}

/* Refuse a directory that records another campaign, unless forced. */
static lrk_status check_directory(campaign_state *st, lrk_error *err)
{
    int found = 0;
    uint64_t recorded = 0;
    lrk_status s = lrk_run_record_read_hash(st->dir, &found, &recorded, err);
    if (s == LRK_OK && found && recorded != st->record.campaign_hash && !st->options->force)
        s = lrk_error_set(err, LRK_ERR_INVALID,
                          "%s: this directory holds results of a different configuration "
                          "(campaign hash %016" PRIx64 ", this one %016" PRIx64 "); "
                          "use --force to replace them, or -o to choose another directory",
                          st->dir, recorded, st->record.campaign_hash);
    return s;
}

/* Points finished by an earlier run whose configuration is unchanged. */
static lrk_status keep_finished_points(campaign_state *st, lrk_campaign_report *report, lrk_error *err)
{
    for (size_t k = 0; k < st->record.point_count; k++) {
        lrk_config config;
        uint64_t hash = 0;
        lrk_status s = point_config(st, k, &config, &hash, err);
        if (s != LRK_OK)
            return s;
        if (!st->options->force)
            st->rows[k] = read_done_row(st->dir, k, hash);
        if (st->rows[k] != NULL) {
            st->record.state[k] = LRK_POINT_KEPT;
            report->points_kept++;
        } else {
            st->progress.events_total += lrk_point_event_estimate(&config);
        }
        lrk_config_free(&config);
    }
    return LRK_OK;
}

static lrk_status prepare(campaign_state *st, lrk_campaign_report *report, lrk_error *err)
{
    size_t count = lrk_config_sweep_point_count(st->base);
    st->record = (lrk_run_record){.dir = st->dir, .base = st->base, .command_line = st->options->command_line,
                                  .threads = st->options->threads > 0 ? st->options->threads : st->base->kmc.threads,
                                  .ranks = lrk_parallel_size(), .point_count = count};
    st->rows = calloc(count, sizeof(char *));
    st->record.state = calloc(count, sizeof(lrk_point_state));
    st->record.seconds = calloc(count, sizeof(double));
    st->header = lrk_summary_header(st->base);
    if (!st->rows || !st->record.state || !st->record.seconds || !st->header)
        return lrk_error_set(err, LRK_ERR_NOMEM, "campaign of %zu points: out of memory", count);
    lrk_run_record_now(st->record.started);
    report->point_count = count;
    st->progress.point_count = count;
    lrk_status s = lrk_config_hash(st->base, 0, &st->record.campaign_hash, err);
    if (s == LRK_OK)
        s = lrk_make_directories(st->dir, err);
    if (s == LRK_OK)
        s = check_directory(st, err);
    if (s == LRK_OK)
        s = keep_finished_points(st, report, err);
    return s;
}

static lrk_status record(campaign_state *st, lrk_error *err)
{
    lrk_status s = lrk_summary_write(st->dir, st->header, st->rows, st->record.point_count, err);
    return s == LRK_OK ? lrk_run_record_write(&st->record, err) : s;
}

lrk_status lrk_campaign_run(const lrk_config *base, const lrk_campaign_options *options,
                            lrk_campaign_report *report, lrk_error *err)
{
    static const lrk_campaign_options no_options = {0};
    campaign_state st = {.base = base, .options = options ? options : &no_options};
    memset(report, 0, sizeof *report);
    const char *dir = st.options->output_dir ? st.options->output_dir : base->output.dir;
    report->output_dir = strdup(dir);
    st.dir = report->output_dir;
    clock_gettime(CLOCK_MONOTONIC, &st.start);
    if (st.dir == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    lrk_status s = prepare(&st, report, err);
    for (size_t k = 0; k < st.record.point_count; k++)
        if (st.record.state[k] == LRK_POINT_KEPT)
            st.progress.points_done++;
    if (s == LRK_OK)
        s = record(&st, err);
    for (size_t k = 0; s == LRK_OK && k < st.record.point_count; k++) {
        if (st.record.state[k] == LRK_POINT_KEPT)
            continue;
        if (st.options->stop != NULL && *st.options->stop)
            s = lrk_error_set(err, LRK_ERR_INTERRUPTED, "interrupted before point %zu", k);
        if (s == LRK_OK)
            s = compute_point(&st, k, err);
        if (s == LRK_OK) {
            report->points_computed++;
            st.progress.points_done++;
            s = record(&st, err);
        }
    }
    if (s == LRK_OK) {
        lrk_run_record_now(st.record.finished);
        s = lrk_run_record_write(&st.record, err);
    }
    state_free(&st);
    return s;
}

void lrk_campaign_report_free(lrk_campaign_report *report)
{
    free(report->output_dir);
    report->output_dir = NULL;
}
