/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_summary.c - one point's summary.csv (header and row) as text, for
 * bindings that keep results in memory (the Python package): the same
 * summary.h functions the campaign uses write it, so the bytes agree.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/point.h"

#include <stdio.h>
#include <stdlib.h>

#include "summary.h"

char *lrk_point_summary_csv(const lrk_config *base, size_t k, const lrk_config *point_config,
                            const lrk_point *p)
{
    char *header = summary_header(base);
    char *row = header != NULL ? summary_row(base, k, point_config, p) : NULL;
    char *text = NULL;
    size_t size = 0;
    FILE *out = row != NULL ? open_memstream(&text, &size) : NULL;
    if (out != NULL) {
        fprintf(out, "%s\n%s\n", header, row);
        if (fclose(out) != 0) {
            free(text);
            text = NULL;
        }
    }
    free(row);
    free(header);
    return text;
}
