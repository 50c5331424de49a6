/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * status.h - status codes and error messages shared by every lrekmc module.
 *
 * Every fallible library call returns an lrk_status.  Calls that can explain
 * a failure also take an lrk_error, a fixed-size message buffer the caller
 * owns, so no allocation is needed to report running out of memory.  A NULL
 * lrk_error is allowed: the message is then dropped.
 */
#ifndef LREKMC_STATUS_H
#define LREKMC_STATUS_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum lrk_status {
    LRK_OK = 0,
    LRK_ERR_INVALID,      /* a parameter or configuration value is out of range */
    LRK_ERR_NOMEM,        /* an allocation failed */
    LRK_ERR_IO,           /* reading or writing a file failed */
    LRK_ERR_NUMERIC,      /* a numerical routine (GSL, root search) failed */
    LRK_ERR_NOCONVERGE,   /* an iterative fit or solve did not converge */
    LRK_ERR_INTERRUPTED   /* a signal asked the run to stop */
} lrk_status;

#define LRK_ERROR_MESSAGE_SIZE 1024

typedef struct lrk_error {
    char message[LRK_ERROR_MESSAGE_SIZE];
} lrk_error;

/* A short constant name for a status ("invalid argument", ...). */
const char *lrk_status_name(lrk_status status);

/* printf-style: store a message in err (if err is not NULL), return status. */
lrk_status lrk_error_set(lrk_error *err, lrk_status status, const char *format, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Turn GSL's abort-on-error handler off.  Library entry points that call GSL
 * do this themselves; it is idempotent and thread-safe. */
void lrk_gsl_quiet(void);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_STATUS_H */
