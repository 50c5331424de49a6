/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * status.c - names of status codes, error message formatting, and the one
 * place that silences GSL's default error handler (which calls abort()).
 */
#include "lrekmc/status.h"

#include <stdarg.h>
#include <stdio.h>

#include <gsl/gsl_errno.h>

const char *lrk_status_name(lrk_status status)
{
    switch (status) {
    case LRK_OK: return "ok";
    case LRK_ERR_INVALID: return "invalid argument";
    case LRK_ERR_NOMEM: return "out of memory";
    case LRK_ERR_IO: return "input/output error";
    case LRK_ERR_NUMERIC: return "numerical failure";
    case LRK_ERR_NOCONVERGE: return "did not converge";
    case LRK_ERR_INTERRUPTED: return "interrupted";
    }
    return "unknown status";
}

lrk_status lrk_error_set(lrk_error *err, lrk_status status, const char *format, ...)
{
    if (err != NULL) {
        va_list args;
        va_start(args, format);
        vsnprintf(err->message, sizeof err->message, format, args);
        va_end(args);
    }
    return status;
}

void lrk_gsl_quiet(void)
{
    /* Setting the same handler from several threads is harmless: the store is
     * of one pointer to the same value. */
    gsl_set_error_handler_off();
}
