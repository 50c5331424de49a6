/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign_run.c - computing a campaign's points into its run directory
 * under its lock, after resume kept what an earlier run finished
 * (campaign.h describes the contract, rundir.h the directory's checks).
 */
#define _POSIX_C_SOURCE 200809L
#include "campaign_internal.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/grid.h"
#include "lrekmc/output.h"
#include "lrekmc/parallel.h"
#include "lrekmc/point.h"
#include "lrekmc/resources.h"
#include "point_done.h"
#include "summary.h"

static double seconds_since(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + 1e-9 * (double)(now.tv_nsec - start->tv_nsec);
}

void campaign_notice(const campaign_state *st, const char *format, ...)
{
    if (st->options->notice == NULL)
        return;
    char line[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    st->options->notice(st->options->notice_user, line);
}

lrk_status campaign_check_stop(const campaign_state *st, const char *during, lrk_error *err)
{
    if (st->options->stop != NULL && *st->options->stop)
        return lrk_error_set(err, LRK_ERR_INTERRUPTED, "interrupted while %s", during);
    return LRK_OK;
}

char *campaign_point_dir(const char *dir, size_t k)
{
    char name[64];
    snprintf(name, sizeof name, "points/%zu", k);
    return lrk_path_join(dir, name);
}

char *campaign_row(const campaign_state *st, size_t k, const char *tail)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return NULL;
    fprintf(out, "%zu", k);
    size_t stride = st->record.point_count;
    for (size_t a = 0; a < st->base->sweep_axis_count; a++) {
        const lrk_sweep_axis *axis = &st->base->sweep_axes[a];
        stride /= axis->value_count;
        for (size_t i = 0; i < axis->key_count; i++)
            fprintf(out, ",%s", axis->values[i][(k / stride) % axis->value_count]);
    }
    fprintf(out, ",%s", tail);
    if (fclose(out) != 0) {
        free(text);
        return NULL;
    }
    return text;
}

lrk_status campaign_point_config(const campaign_state *st, size_t k, lrk_config *config, uint64_t *hash,
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

/* The point's tables, then `done` with their checksums and the row's tail. */
static lrk_status write_point(campaign_state *st, size_t k, const char *pdir, const lrk_config *config,
                              const lrk_point *point, uint64_t hash, lrk_error *err)
{
    const char *files[LRK_POINT_MAX_FILES];
    size_t file_count = lrk_point_files(point, config->output.trajectories, files);
    lrk_status s = lrk_point_write(point, pdir, err);
    char *row = s == LRK_OK ? summary_row(st->base, k, config, point) : NULL;
    const char *tail = row ? point_done_row_tail(row, st->prefix_fields) : NULL;
    if (s == LRK_OK && tail == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "summary row: out of memory");
    char results[64];
    point_done_results_stamp(point->engine, results, sizeof results);
    if (s == LRK_OK)
        s = point_done_write(pdir, hash, st->columns_hash, results, tail, files, file_count, err);
    if (s == LRK_OK) {
        free(st->rows[k]);
        st->rows[k] = row;
    } else {
        free(row);
    }
    return s;
}

/* Compute point k, write its tables, then its `done` marker. */
static lrk_status compute_point(campaign_state *st, size_t k, lrk_error *err)
{
    lrk_config config;
    uint64_t hash = 0;
    lrk_status s = campaign_point_config(st, k, &config, &hash, err);
    if (s != LRK_OK)
        return s;
    char *pdir = campaign_point_dir(st->dir, k);
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
    if (s == LRK_OK && trajectories.stream != NULL)
        s = lrk_output_commit(&trajectories, err);
    if (s == LRK_OK)
        s = write_point(st, k, pdir, &config, &point, hash, err);
    if (s == LRK_OK) {
        st->record.state[k] = POINT_COMPUTED;
        st->progress.events_done += point.kmc != NULL ? (double)point.kmc->events : 0.0;
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
    lrk_run_dir_unlock(&st->lock);
}

/* Events still to simulate, for the ETA: every pending point of a small
 * campaign, an evenly spaced sample of a large one (its configurations are
 * the cost of start-up otherwise). */
static lrk_status estimate_events(campaign_state *st, lrk_error *err)
{
    enum { SAMPLE = 2000 };
    size_t count = st->record.point_count, pending = 0;
    for (size_t k = 0; k < count; k++)
        pending += st->record.state[k] == POINT_PENDING;
    size_t step = pending > SAMPLE ? count / SAMPLE : 1, sampled = 0;
    double events = 0;
    for (size_t k = 0; k < count; k += step) {
        if (st->record.state[k] != POINT_PENDING)
            continue;
        lrk_config config;
        uint64_t hash;
        lrk_status s = campaign_check_stop(st, "estimating the work", err);
        if (s == LRK_OK)
            s = campaign_point_config(st, k, &config, &hash, err);
        if (s != LRK_OK)
            return s;
        events += lrk_point_event_estimate(&config);
        sampled++;
        lrk_config_free(&config);
    }
    st->progress.events_total = sampled ? events * (double)pending / (double)sampled : 0;
    return LRK_OK;
}

static void forward_notice(void *user, const char *message)
{
    campaign_notice(user, "%s", message);
}

static lrk_status open_directory(campaign_state *st, lrk_error *err)
{
    size_t removed = 0;
    lrk_status s = lrk_make_directories(st->dir, err);
    if (s == LRK_OK)
        s = lrk_run_dir_lock(st->dir, &st->lock, err);
    if (s == LRK_OK)
        s = lrk_run_dir_temporaries(st->dir, 1, &removed, forward_notice, st, err);
    return s;
}

static lrk_status prepare(campaign_state *st, lrk_campaign_report *report, lrk_error *err)
{
    size_t count = lrk_config_sweep_point_count(st->base);
    st->record = (run_record){.dir = st->dir, .base = st->base, .command_line = st->options->command_line,
                                  .threads = st->options->threads > 0 ? st->options->threads : st->base->kmc.threads,
                                  .ranks = lrk_parallel_size(), .point_count = count};
    report->point_count = count;
    st->progress.point_count = count;
    lrk_status s = lrk_campaign_check_memory(st->base, st->options->threads, err);
    if (s == LRK_OK)
        s = campaign_check_stop(st, "starting", err);
    if (s != LRK_OK)
        return s;
    st->rows = calloc(count, sizeof(char *));
    st->record.state = calloc(count, sizeof(point_state));
    st->record.seconds = calloc(count, sizeof(double));
    st->header = summary_header(st->base);
    if (!st->rows || !st->record.state || !st->record.seconds || !st->header)
        return lrk_error_set(err, LRK_ERR_NOMEM, "campaign of %zu points: out of memory", count);
    st->prefix_fields = 1;
    for (size_t a = 0; a < st->base->sweep_axis_count; a++)
        st->prefix_fields += st->base->sweep_axes[a].key_count;
    const char *columns = point_done_row_tail(st->header, st->prefix_fields);
    st->columns_hash = point_done_text_hash(columns ? columns : "");
    run_record_now(st->record.started);
    s = lrk_config_hash(st->base, 0, &st->record.campaign_hash, err);
    if (s == LRK_OK)
        s = open_directory(st, err);
    if (s == LRK_OK)
        s = campaign_resume(st, report, err);
    if (s == LRK_OK)
        s = estimate_events(st, err);
    return s;
}

/* summary.csv and run.yaml.  Both are rewritten whole, so a campaign of many
 * quick points rewrites them only when the time since the last rewrite is
 * ten times what the rewrite took (their cost then stays under ~10%); the
 * `done` files are the truth and the final rewrite is never skipped. */
static lrk_status record(campaign_state *st, int always, lrk_error *err)
{
    if (!always && seconds_since(&st->recorded_at) < 10 * st->record_cost)
        return LRK_OK;
    struct timespec begin;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    lrk_status s = summary_write(st->dir, st->header, st->rows, st->record.point_count, err);
    if (s == LRK_OK)
        s = run_record_write(&st->record, err);
    st->record_cost = seconds_since(&begin);
    clock_gettime(CLOCK_MONOTONIC, &st->recorded_at);
    return s;
}

static lrk_status compute_pending(campaign_state *st, lrk_campaign_report *report, lrk_error *err)
{
    lrk_status s = LRK_OK;
    for (size_t k = 0; s == LRK_OK && k < st->record.point_count; k++) {
        if (st->record.state[k] != POINT_PENDING)
            continue;
        s = campaign_check_stop(st, "starting a point", err);
        if (s == LRK_OK)
            s = compute_point(st, k, err);
        if (s == LRK_OK) {
            report->points_computed++;
            st->progress.points_done++;
            s = record(st, 0, err);
        }
    }
    return s;
}

lrk_status lrk_campaign_run(const lrk_config *base, const lrk_campaign_options *options,
                            lrk_campaign_report *report, lrk_error *err)
{
    static const lrk_campaign_options no_options = {0};
    campaign_state st = {.base = base, .options = options ? options : &no_options, .lock = {-1}};
    memset(report, 0, sizeof *report);
    const char *dir = st.options->output_dir ? st.options->output_dir : base->output.dir;
    report->output_dir = strdup(dir);
    st.dir = report->output_dir;
    clock_gettime(CLOCK_MONOTONIC, &st.start);
    if (st.dir == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    lrk_status s = prepare(&st, report, err);
    int prepared = s == LRK_OK;
    st.progress.points_done = report->points_kept;
    if (s == LRK_OK)
        s = record(&st, 1, err);
    if (s == LRK_OK)
        s = compute_pending(&st, report, err);
    if (s == LRK_OK)
        run_record_now(st.record.finished);
    if (prepared) { /* the last rows, also after an interruption or a failed point */
        lrk_error later;
        lrk_status r = record(&st, 1, s == LRK_OK ? err : &later);
        if (s == LRK_OK)
            s = r;
    }
    state_free(&st);
    return s;
}

void lrk_campaign_report_free(lrk_campaign_report *report)
{
    free(report->output_dir);
    report->output_dir = NULL;
}
