/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_done.h (private) - points/<k>/done, the record that a point is
 * finished and intact (format and checks in rundir.h).
 */
#ifndef LREKMC_POINT_DONE_H
#define LREKMC_POINT_DONE_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/engine.h"
#include "lrekmc/status.h"

#define DONE_NAME "done"
#define DONE_MAX_FILES 8

typedef struct point_done {
    uint64_t config_hash;        /* lrk_config_hash of the point's configuration */
    uint64_t columns_hash;       /* of the summary columns the row was made for */
    char results[64];            /* "<engine> <version>", "" when not recorded */
    char *row;                   /* summary row without the point/swept columns (owned) */
    size_t file_count;
    char files[DONE_MAX_FILES][64];
} point_done;

/* Write pdir/done atomically for the tables files[0..count) already
 * committed in pdir (their checksums are read from disk). */
lrk_status point_done_write(const char *pdir, uint64_t config_hash, uint64_t columns_hash, const char *results,
                            const char *row, const char *const *files, size_t count, lrk_error *err);

/* The results stamp of engine e ("<name> <version>") into buf. */
void point_done_results_stamp(const lrk_engine_type *e, char *buf, size_t size);

/* 1 when a recorded stamp is the current one of the engine it names; else
 * 0 with why saying what differs. */
int point_done_results_current(const char *stamp, char *why, size_t why_size);

/* Read pdir/done and check it and every file it lists.  Returns 1 with d
 * filled when the point is intact; 0 when it is not, with why naming the
 * file and the reason (why is "" when there is simply no done file). */
int point_done_read(const char *pdir, point_done *d, char *why, size_t why_size);

void point_done_free(point_done *d);

/* The part of a CSV row after its first `fields` fields (NULL when it has
 * fewer): the summary row without point and swept values. */
const char *point_done_row_tail(const char *row, size_t fields);

/* XXH3-64 of a string (for the summary columns). */
uint64_t point_done_text_hash(const char *text);

#endif /* LREKMC_POINT_DONE_H */
