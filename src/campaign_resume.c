/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign_resume.c - what a run keeps of the directory it resumes
 * (campaign_resume in campaign_internal.h).  A point is identified by the
 * hash of its resolved configuration, not by its index, so a campaign that
 * grows (a longer list, another axis) keeps every finished point wherever
 * it now lies.  Moving happens in three renames-only phases through
 * points/.keep.<hash>.<k>, which a later run recognises as finished points
 * too, so a kill at any moment loses nothing.
 */
#define _POSIX_C_SOURCE 200809L
#include "campaign_internal.h"

#include "lrekmc/point.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "lrekmc/output.h"
#include "point_done.h"
#include "point_hash.h"

typedef struct old_point {
    char name[80];               /* under points/ */
    int numeric;
    size_t index;                /* when numeric */
    int intact;
    int outdated;                /* intact files, made by another results version: computed again */
    int wanted;                  /* outdated, and its hash is a point of the new campaign */
    uint64_t hash;
    char *tail;                  /* summary row after the point/swept columns */
    long target;                 /* new index, or -1 */
} old_point;

typedef struct old_points {
    size_t count, capacity;
    old_point *at;
    size_t intact, outdated;
} old_points;

static int parse_index(const char *text, size_t *index)
{
    if (*text < '0' || *text > '9' || (text[0] == '0' && text[1] != '\0') || strlen(text) > 19)
        return 0;
    char *end = NULL;
    unsigned long long value = strtoull(text, &end, 10);
    *index = (size_t)value;
    return *end == '\0';
}

static lrk_status add_old(old_points *list, const char *name, lrk_error *err)
{
    if (list->count == list->capacity) {
        size_t capacity = list->capacity * 2 + 64;
        old_point *bigger = realloc(list->at, capacity * sizeof *bigger);
        if (bigger == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "resume: out of memory");
        list->at = bigger;
        list->capacity = capacity;
    }
    old_point *p = &list->at[list->count++];
    memset(p, 0, sizeof *p);
    snprintf(p->name, sizeof p->name, "%s", name);
    p->numeric = parse_index(name, &p->index);
    p->target = -1;
    return LRK_OK;
}

/* Read one point directory's `done`; a damaged one is named on notice. */
static void examine(campaign_state *st, const char *points, old_point *p)
{
    char *pdir = lrk_path_join(points, p->name);
    point_done done;
    char why[2048];
    if (pdir != NULL && point_done_read(pdir, &done, why, sizeof why)) {
        if (done.columns_hash != st->columns_hash) {
            campaign_notice(st, "%s/done: made for other summary columns (another lrekmc version); "
                            "the point is computed again", pdir);
        } else if (!point_done_results_current(done.results, why, sizeof why)) {
            campaign_notice(st, "%s/done: the point %s; it is computed again", pdir, why);
            p->outdated = 1;
            p->hash = done.config_hash;
        } else {
            p->intact = 1;
            p->hash = done.config_hash;
            p->tail = done.row;
            done.row = NULL;
        }
        point_done_free(&done);
    } else if (pdir != NULL && why[0] != '\0') {
        campaign_notice(st, "%s; the point is computed again", why);
    }
    free(pdir);
}

static void report_phase(campaign_state *st, const char *phase, size_t done, size_t total)
{
    if (st->options->progress == NULL)
        return;
    lrk_campaign_progress now = st->progress;
    now.phase = phase;
    now.points_done = done;
    now.point_count = total;
    st->options->progress(st->options->progress_user, &now);
}

static lrk_status scan(campaign_state *st, const char *points, old_points *list, lrk_error *err)
{
    DIR *d = opendir(points);
    if (d == NULL)
        return errno == ENOENT ? LRK_OK : lrk_error_set(err, LRK_ERR_IO, "%s: cannot list: %s", points, strerror(errno));
    lrk_status s = LRK_OK;
    struct dirent *e;
    while (s == LRK_OK && (e = readdir(d)) != NULL) {
        size_t index;
        if (!parse_index(e->d_name, &index) && strncmp(e->d_name, ".keep.", 6) != 0)
            continue;
        if (strlen(e->d_name) >= sizeof list->at[0].name)
            continue;
        s = add_old(list, e->d_name, err);
        if (s == LRK_OK && list->count % 1024 == 0)
            s = campaign_check_stop(st, "reading the finished points", err);
    }
    closedir(d);
    for (size_t i = 0; s == LRK_OK && i < list->count; i++) {
        examine(st, points, &list->at[i]);
        list->intact += list->at[i].intact;
        list->outdated += list->at[i].outdated;
        if (i % 256 == 255) {
            report_phase(st, "checking finished points", i + 1, list->count);
            s = campaign_check_stop(st, "checking the finished points", err);
        }
    }
    return s;
}

static int by_hash(const void *a, const void *b)
{
    const old_point *x = *(old_point *const *)a, *y = *(old_point *const *)b;
    return x->hash < y->hash ? -1 : x->hash > y->hash;
}

/* The intact point whose hash is `hash` and that has no target yet, or NULL. */
static old_point *find_unused(old_point **sorted, size_t n, uint64_t hash)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid]->hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && sorted[lo]->hash == hash; lo++)
        if (sorted[lo]->target < 0)
            return sorted[lo];
    return NULL;
}

/* An outdated point whose hash is `hash` and that no new point wants yet, or NULL. */
static old_point *find_unwanted(old_point **sorted, size_t n, uint64_t hash)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (sorted[mid]->hash < hash)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (; lo < n && sorted[lo]->hash == hash; lo++)
        if (!sorted[lo]->wanted)
            return sorted[lo];
    return NULL;
}

/* Give every intact old point a new index with the same hash: first where
 * it already is, then (only if some are left) by hashing the other points.
 * An outdated point gets no index (it is computed again) but is marked
 * wanted when a new point has its hash, so that only the others count as
 * dropped. */
static lrk_status match(campaign_state *st, old_points *list, char *taken, const point_hasher *hasher,
                        lrk_error *err)
{
    size_t count = st->record.point_count, left = 0;
    for (size_t i = 0; i < list->count; i++) {
        old_point *p = &list->at[i];
        if (p->outdated && p->numeric && p->index < count)
            p->wanted = point_hasher_hash(hasher, p->index) == p->hash;
        if (!p->intact || !p->numeric || p->index >= count || taken[p->index])
            continue;
        lrk_status s;
        if (point_hasher_hash(hasher, p->index) == p->hash) {
            p->target = (long)p->index;
            taken[p->index] = 1;
        }
        if (i % 256 == 255 && (s = campaign_check_stop(st, "matching the finished points", err)) != LRK_OK)
            return s;
    }
    old_point **sorted = malloc((list->count + 1) * sizeof *sorted);
    if (sorted == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "resume: out of memory");
    size_t outdated = 0;
    for (size_t i = 0; i < list->count; i++)
        if (list->at[i].intact && list->at[i].target < 0)
            sorted[left++] = &list->at[i];
    for (size_t i = 0; i < list->count; i++)   /* after the intact ones, kept apart */
        if (list->at[i].outdated && !list->at[i].wanted)
            sorted[left + outdated++] = &list->at[i];
    qsort(sorted, left, sizeof *sorted, by_hash);
    qsort(sorted + left, outdated, sizeof *sorted, by_hash);
    lrk_status s = LRK_OK;
    size_t unmatched = left + outdated;
    for (size_t k = 0; s == LRK_OK && unmatched > 0 && k < count; k++) {
        uint64_t hash = taken[k] && outdated == 0 ? 0 : point_hasher_hash(hasher, k);
        old_point *p = taken[k] ? NULL : find_unused(sorted, left, hash);
        if (p != NULL) {
            p->target = (long)k;
            taken[k] = 1;
            unmatched--;
        }
        for (old_point *q; outdated > 0 && (q = find_unwanted(sorted + left, outdated, hash)) != NULL;) {
            q->wanted = 1;
            unmatched--;
        }
        if (k % (1u << 20) == (1u << 20) - 1) {
            report_phase(st, "matching finished points", k + 1, count);
            s = campaign_check_stop(st, "matching the finished points", err);
        }
    }
    free(sorted);
    return s;
}

/* Remove a point directory lrekmc made: only its own files, then the directory. */
static lrk_status remove_point_dir(const char *pdir, lrk_error *err)
{
    DIR *d = opendir(pdir);
    if (d == NULL)
        return errno == ENOENT || errno == ENOTDIR ? LRK_OK
                                                   : lrk_error_set(err, LRK_ERR_IO, "%s: cannot list: %s", pdir, strerror(errno));
    lrk_status s = LRK_OK;
    struct dirent *e;
    while (s == LRK_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        int mine = lrk_output_is_temporary(e->d_name) || strcmp(e->d_name, DONE_NAME) == 0;
        for (size_t i = 0; lrk_point_file_names[i] != NULL; i++)
            mine |= strcmp(e->d_name, lrk_point_file_names[i]) == 0;
        char *path = lrk_path_join(pdir, e->d_name);
        if (path == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
        else if (!mine)
            s = lrk_error_set(err, LRK_ERR_IO, "%s: lrekmc did not write this file and will not remove it; "
                              "move it out of the run directory", path);
        else if (unlink(path) != 0 && errno != ENOENT)
            s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
        free(path);
    }
    closedir(d);
    if (s == LRK_OK && rmdir(pdir) != 0 && errno != ENOENT)
        s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot remove: %s", pdir, strerror(errno));
    return s;
}

static lrk_status move_point(const char *points, old_point *p, const char *name, lrk_error *err)
{
    if (strcmp(p->name, name) == 0)
        return LRK_OK;
    char *from = lrk_path_join(points, p->name), *to = lrk_path_join(points, name);
    lrk_status s = LRK_OK;
    if (from == NULL || to == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
    else if (rename(from, to) != 0)
        s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot move to %s: %s", from, to, strerror(errno));
    else
        snprintf(p->name, sizeof p->name, "%s", name);
    free(from);
    free(to);
    return s;
}

/* Park moving points, remove the rest, then put the parked ones in place. */
static lrk_status rearrange(campaign_state *st, const char *points, old_points *list, lrk_error *err)
{
    lrk_status s = LRK_OK;
    char name[80];
    for (size_t i = 0; s == LRK_OK && i < list->count; i++) {
        old_point *p = &list->at[i];
        if (p->target >= 0 && !(p->numeric && p->index == (size_t)p->target)) {
            snprintf(name, sizeof name, ".keep.%016" PRIx64 ".%ld", p->hash, p->target);
            s = move_point(points, p, name, err);
        }
    }
    for (size_t i = 0; s == LRK_OK && i < list->count; i++) {
        old_point *p = &list->at[i];
        if (p->target >= 0)
            continue;
        char *pdir = lrk_path_join(points, p->name);
        s = pdir ? remove_point_dir(pdir, err) : lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
        free(pdir);
        if (s == LRK_OK && i % 256 == 255)
            s = campaign_check_stop(st, "removing points of another campaign", err);
    }
    for (size_t i = 0; s == LRK_OK && i < list->count; i++) {
        old_point *p = &list->at[i];
        if (p->target >= 0) {
            snprintf(name, sizeof name, "%ld", p->target);
            s = move_point(points, p, name, err);
        }
    }
    return s;
}

/* Without force, refuse before anything was changed. */
static lrk_status refuse_drop(const campaign_state *st, const old_points *list, lrk_error *err)
{
    size_t dropped = 0;
    const char *example = NULL;
    for (size_t i = 0; i < list->count; i++)
        if ((list->at[i].intact && list->at[i].target < 0) || (list->at[i].outdated && !list->at[i].wanted)) {
            dropped++;
            example = example ? example : list->at[i].name;
        }
    if (dropped == 0 || st->options->force)
        return LRK_OK;
    return lrk_error_set(err, LRK_ERR_INVALID,
                         "%s: %zu finished point(s) here (e.g. points/%s) belong to a different configuration "
                         "and this campaign would drop them; use --force to replace them, or -o to choose "
                         "another directory (a campaign that only adds points needs neither)",
                         st->dir, dropped, example);
}

lrk_status campaign_resume(campaign_state *st, lrk_campaign_report *report, lrk_error *err)
{
    char *points = lrk_path_join(st->dir, "points");
    char *taken = calloc(st->record.point_count + 1, 1);
    old_points list = {0};
    lrk_status s = points && taken ? LRK_OK : lrk_error_set(err, LRK_ERR_NOMEM, "resume: out of memory");
    if (s == LRK_OK)
        s = scan(st, points, &list, err);
    point_hasher *hasher = NULL;
    if (s == LRK_OK && list.intact + list.outdated > 0)
        s = point_hasher_create(st->base, &hasher, err);
    if (s == LRK_OK && list.intact + list.outdated > 0)
        s = match(st, &list, taken, hasher, err);
    point_hasher_free(hasher);
    if (s == LRK_OK)
        s = refuse_drop(st, &list, err);
    if (s == LRK_OK)
        s = rearrange(st, points, &list, err);
    for (size_t i = 0; s == LRK_OK && i < list.count; i++) {
        old_point *p = &list.at[i];
        if (p->target < 0)
            continue;
        size_t k = (size_t)p->target;
        st->rows[k] = campaign_row(st, k, p->tail);
        if (st->rows[k] == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "resume: out of memory");
        st->record.state[k] = POINT_KEPT;
        report->points_kept++;
    }
    for (size_t i = 0; i < list.count; i++)
        free(list.at[i].tail);
    free(list.at);
    free(taken);
    free(points);
    return s;
}
