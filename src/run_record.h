/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_record.h (private) - run.yaml: what produced a run directory.
 */
#ifndef LREKMC_RUN_RECORD_H
#define LREKMC_RUN_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/config.h"
#include "lrekmc/status.h"

typedef enum point_state { POINT_PENDING = 0, POINT_KEPT, POINT_COMPUTED } point_state;

typedef struct run_record {
    const char *dir;
    const lrk_config *base;
    uint64_t campaign_hash;
    const char *command_line;   /* may be NULL */
    int threads, ranks;
    char started[32];           /* UTC, ISO 8601 */
    char finished[32];          /* empty while running */
    size_t point_count;
    point_state *state;     /* per point */
    double *seconds;            /* per point, computed in this process */
} run_record;

/* Fill the time stamp with the current UTC time. */
void run_record_now(char stamp[32]);

/* Write dir/run.yaml atomically. */
lrk_status run_record_write(const run_record *r, lrk_error *err);

/* The campaign hash recorded in dir/run.yaml: *found = 0 when there is no
 * run.yaml (or it records none). */
lrk_status run_record_read_hash(const char *dir, int *found, uint64_t *hash, lrk_error *err);

#endif /* LREKMC_RUN_RECORD_H */
