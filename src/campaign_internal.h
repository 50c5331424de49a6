/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign_internal.h (private) - the state of one lrk_campaign_run shared
 * by the run loop (campaign_run.c) and resume (campaign_resume.c).
 */
#ifndef LREKMC_CAMPAIGN_INTERNAL_H
#define LREKMC_CAMPAIGN_INTERNAL_H

#include <stdint.h>
#include <time.h>

#include "lrekmc/campaign.h"
#include "lrekmc/rundir.h"
#include "run_record.h"

typedef struct campaign_state {
    const lrk_config *base;
    const lrk_campaign_options *options;
    char *dir;
    char *header;
    uint64_t columns_hash;       /* of the header after the point/swept columns */
    size_t prefix_fields;        /* point + swept keys: the columns before `mode` */
    char **rows;                 /* summary row per finished point */
    run_record record;
    lrk_campaign_progress progress;
    lrk_run_lock lock;
    struct timespec start;
    struct timespec recorded_at; /* last rewrite of summary.csv and run.yaml */
    double record_cost;          /* seconds it took */
} campaign_state;

/* Send a line to options->notice (printf style). */
void campaign_notice(const campaign_state *st, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* LRK_ERR_INTERRUPTED (with a message saying during what) once options->stop is set. */
lrk_status campaign_check_stop(const campaign_state *st, const char *during, lrk_error *err);

/* points/<k> of the run directory, malloc'd. */
char *campaign_point_dir(const char *dir, size_t k);

/* Point k's configuration and its hash; on failure config holds nothing. */
lrk_status campaign_point_config(const campaign_state *st, size_t k, lrk_config *config, uint64_t *hash,
                                 lrk_error *err);

/* The summary row of point k from the tail stored in its `done` (malloc'd). */
char *campaign_row(const campaign_state *st, size_t k, const char *tail);

/* Keep every finished, intact point of the directory whose configuration
 * hash is one of the campaign's (moving it to its new index), remove what is
 * damaged, unfinished or (with force) dropped, and refuse (LRK_ERR_INVALID)
 * a campaign that would drop finished points without force.  Fills st->rows
 * and st->record.state of kept points and report->points_kept. */
lrk_status campaign_resume(campaign_state *st, lrk_campaign_report *report, lrk_error *err);

#endif /* LREKMC_CAMPAIGN_INTERNAL_H */
