/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.h - files that are either complete or absent.
 *
 * An lrk_output_file writes to a temporary name beside its destination
 * (`.NAME.tmp.PID`) and is renamed onto the destination only when every
 * byte was written and flushed, so a killed run never leaves a half file.
 * Numbers go out with "%.17g" (they read back to the same double); a value
 * that was not computed is written as an empty CSV field.
 */
#ifndef LREKMC_OUTPUT_H
#define LREKMC_OUTPUT_H

#include <stddef.h>
#include <stdio.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct lrk_output_file {
    FILE *stream;        /* write here between open and commit */
    char *path;          /* destination */
    char *temporary;     /* where the bytes go until commit */
} lrk_output_file;

/* Open `path`'s temporary for writing.  On failure the message names the path. */
lrk_status lrk_output_open(lrk_output_file *f, const char *path, lrk_error *err);

/* Flush, fsync, close and rename onto the destination.  On any failure the
 * temporary is removed, the destination left as it was, and the message
 * names the path and the system's reason. */
lrk_status lrk_output_commit(lrk_output_file *f, lrk_error *err);

/* Close and remove the temporary (after an error elsewhere). Safe to call twice. */
void lrk_output_abandon(lrk_output_file *f);

/* 1 when `name` (a file name, no directory) has the form of an
 * lrk_output_file temporary, `.NAME.tmp.PID`, else 0. */
int lrk_output_is_temporary(const char *name);

/* mkdir -p; the message names the path that could not be made. */
lrk_status lrk_make_directories(const char *path, lrk_error *err);

/* Join two path parts with '/', malloc'd (NULL when out of memory). */
char *lrk_path_join(const char *dir, const char *name);

/* CSV helpers: a field separator is written before every field but the first
 * of a row (`first` says which).  NaN is written as an empty field. */
void lrk_csv_number(FILE *out, double value, int first);
void lrk_csv_text(FILE *out, const char *text, int first);
void lrk_csv_integer(FILE *out, long long value, int first);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_OUTPUT_H */
