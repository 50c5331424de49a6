/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * summary.h (private) - the rows of summary.csv: the column list, the row of
 * one computed point, and rewriting the file from the finished rows.
 */
#ifndef LREKMC_SUMMARY_H
#define LREKMC_SUMMARY_H

#include <stddef.h>

#include "lrekmc/config.h"
#include "lrekmc/point.h"

/* The header line (no newline), malloc'd: point, swept keys, fixed columns. */
char *summary_header(const lrk_config *base);

/* The row of point k (no newline), malloc'd; `point_config` is its resolved
 * configuration, `p` its results. */
char *summary_row(const lrk_config *base, size_t k, const lrk_config *point_config, const lrk_point *p);

/* Write dir/summary.csv atomically: the header and every non-NULL row in order. */
lrk_status summary_write(const char *dir, const char *header, char *const *rows, size_t count,
                             lrk_error *err);

#endif /* LREKMC_SUMMARY_H */
