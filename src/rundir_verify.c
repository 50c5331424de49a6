/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rundir_verify.c - `lrekmc verify DIR` (lrk_run_dir_verify in rundir.h):
 * the checks a resumed run makes before it keeps a point, plus the summary
 * against the points, without writing anything.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/output.h"
#include "point_done.h"

typedef struct summary_row {
    size_t point;
    char *tail;                  /* the row after the point and swept columns */
    int matched;
} summary_row;

typedef struct verify_state {
    const char *dir;
    lrk_notice_fn notice;
    void *user;
    lrk_verify_report *report;
    size_t row_count;
    summary_row *rows;           /* in file order (point order) */
    uint64_t columns_hash;
    int have_summary;
} verify_state;

static void problem(verify_state *v, const char *format, ...) __attribute__((format(printf, 2, 3)));
static void problem(verify_state *v, const char *format, ...)
{
    char line[2048];
    va_list args;
    va_start(args, format);
    vsnprintf(line, sizeof line, format, args);
    va_end(args);
    v->report->problems++;
    if (v->notice != NULL)
        v->notice(v->user, line);
}

static int parse_index(const char *text, size_t *index)
{
    if (*text < '0' || *text > '9' || (text[0] == '0' && text[1] != '\0'))
        return 0;
    char *end = NULL;
    errno = 0;
    unsigned long long value = strtoull(text, &end, 10);
    *index = (size_t)value;
    return errno == 0 && *end == '\0';
}

/* Read summary.csv: the columns before `mode` are the point and its swept values. */
static lrk_status read_summary(verify_state *v, lrk_error *err)
{
    char *path = lrk_path_join(v->dir, "summary.csv");
    FILE *in = path ? fopen(path, "r") : NULL;
    if (in == NULL) {
        problem(v, "%s: missing", path ? path : "summary.csv");
        free(path);
        return path ? LRK_OK : lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    }
    char *line = NULL;
    size_t size = 0, prefix = 0, capacity = 0;
    ssize_t length = getline(&line, &size, in);
    const char *mode = length > 0 ? strstr(line, ",mode,") : NULL;
    if (mode == NULL) {
        problem(v, "%s: no header with a mode column", path);
    } else {
        for (const char *c = line; c <= mode; c++)
            prefix += *c == ',';
        line[strcspn(line, "\r\n")] = '\0';
        v->columns_hash = point_done_text_hash(point_done_row_tail(line, prefix));
        v->have_summary = 1;
    }
    lrk_status s = LRK_OK;
    for (size_t number = 2; v->have_summary && s == LRK_OK && getline(&line, &size, in) > 0; number++) {
        line[strcspn(line, "\r\n")] = '\0';
        const char *tail = point_done_row_tail(line, prefix);
        char *comma = strchr(line, ',');
        size_t k = 0;
        if (comma != NULL)
            *comma = '\0';
        if (tail == NULL || !parse_index(line, &k)
            || (v->row_count > 0 && v->rows[v->row_count - 1].point >= k)) {
            problem(v, "%s:%zu: not a row of a point in point order", path, number);
            continue;
        }
        if (v->row_count == capacity) {
            summary_row *bigger = realloc(v->rows, (capacity * 2 + 64) * sizeof *bigger);
            if (bigger == NULL) {
                s = lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", path);
                break;
            }
            v->rows = bigger;
            capacity = capacity * 2 + 64;
        }
        v->rows[v->row_count] = (summary_row){k, strdup(tail), 0};
        if (v->rows[v->row_count++].tail == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", path);
    }
    free(line);
    fclose(in);
    free(path);
    return s;
}

static summary_row *find_row(verify_state *v, size_t k)
{
    size_t lo = 0, hi = v->row_count;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v->rows[mid].point < k)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < v->row_count && v->rows[lo].point == k ? &v->rows[lo] : NULL;
}

static void check_point(verify_state *v, const char *pdir, size_t k)
{
    point_done done;
    char why[2048];
    if (!point_done_read(pdir, &done, why, sizeof why)) {
        if (why[0] == '\0')
            v->report->points_unfinished++;
        else
            problem(v, "%s", why);
        return;
    }
    summary_row *row = find_row(v, k);
    if (v->have_summary && done.columns_hash != v->columns_hash)
        problem(v, "%s/done: made for other summary.csv columns", pdir);
    else if (v->have_summary && row == NULL)
        problem(v, "%s/summary.csv: no row for the finished point %zu", v->dir, k);
    else if (v->have_summary && strcmp(row->tail, done.row) != 0)
        problem(v, "%s/summary.csv: the row of point %zu differs from %s/done", v->dir, k, pdir);
    else {
        v->report->points_finished++;
        v->report->points_outdated += !point_done_results_current(done.results, why, sizeof why);
    }
    if (row != NULL)
        row->matched = 1;
    point_done_free(&done);
}

static lrk_status check_points(verify_state *v, lrk_error *err)
{
    char *points = lrk_path_join(v->dir, "points");
    if (points == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    DIR *d = opendir(points);
    struct dirent *e;
    lrk_status s = LRK_OK;
    while (d != NULL && s == LRK_OK && (e = readdir(d)) != NULL) {
        size_t k;
        char *pdir = lrk_path_join(points, e->d_name);
        if (pdir == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
        else if (parse_index(e->d_name, &k))
            check_point(v, pdir, k);
        else if (strncmp(e->d_name, ".keep.", 6) == 0)
            problem(v, "%s: a finished point being moved to its new index (run again to finish)", pdir);
        free(pdir);
    }
    if (d != NULL)
        closedir(d);
    free(points);
    return s;
}

lrk_status lrk_run_dir_verify(const char *dir, lrk_notice_fn notice, void *user, lrk_verify_report *report,
                              lrk_error *err)
{
    memset(report, 0, sizeof *report);
    DIR *d = opendir(dir);
    if (d == NULL)
        return lrk_error_set(err, LRK_ERR_IO, "%s: cannot read: %s", dir, strerror(errno));
    closedir(d);
    verify_state v = {.dir = dir, .notice = notice, .user = user, .report = report};
    lrk_status s = read_summary(&v, err);
    if (s == LRK_OK)
        s = check_points(&v, err);
    for (size_t i = 0; s == LRK_OK && i < v.row_count; i++)
        if (!v.rows[i].matched)
            problem(&v, "%s/summary.csv: a row for point %zu, which is not a finished point", dir, v.rows[i].point);
    char *yaml = lrk_path_join(dir, "run.yaml");
    FILE *in = yaml ? fopen(yaml, "r") : NULL;
    if (s == LRK_OK && in == NULL)
        problem(&v, "%s: missing", yaml ? yaml : "run.yaml");
    if (in != NULL)
        fclose(in);
    free(yaml);
    size_t temporaries = 0;
    if (s == LRK_OK) {
        s = lrk_run_dir_temporaries(dir, 0, &temporaries, notice, user, err);
        report->problems += temporaries;
    }
    for (size_t i = 0; i < v.row_count; i++)
        free(v.rows[i].tail);
    free(v.rows);
    return s;
}
