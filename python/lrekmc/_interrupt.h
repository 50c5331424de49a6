/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * _interrupt.h - Ctrl-C during a computation that runs without the GIL.
 *
 * Python's own SIGINT handler only sets a flag that the interpreter looks at
 * between bytecodes, which never happens while the library computes.  For
 * the duration of one call the main thread puts this handler in front of
 * it: it sets the library's stop flag (lrk_run_control.stop, checked between
 * groups of trajectories) and then calls Python's handler, so that the
 * interpreter still sees the signal and PyErr_CheckSignals raises
 * KeyboardInterrupt (or runs the user's handler) when the call returns.
 * A signal that Python ignores stays ignored.
 */
#ifndef LREKMC_PY_INTERRUPT_H
#define LREKMC_PY_INTERRUPT_H

#include <signal.h>
#include <string.h>

typedef volatile sig_atomic_t lrekmc_py_flag;  /* what lrk_run_control.stop points to */

static lrekmc_py_flag lrekmc_py_stop_flag = 0;
static struct sigaction lrekmc_py_previous;
static int lrekmc_py_catching = 0;

static void lrekmc_py_on_sigint(int number, siginfo_t *info, void *context)
{
    lrekmc_py_stop_flag = 1;
    if (lrekmc_py_previous.sa_flags & SA_SIGINFO) {
        if (lrekmc_py_previous.sa_sigaction != NULL)
            lrekmc_py_previous.sa_sigaction(number, info, context);
    } else if (lrekmc_py_previous.sa_handler != SIG_DFL && lrekmc_py_previous.sa_handler != SIG_IGN) {
        lrekmc_py_previous.sa_handler(number);
    }
}

/* Put the handler in place (main thread only; not nested).  Returns the
 * flag the computation is to watch: the handler's, or *own when SIGINT is
 * ignored, already caught by an outer call, or cannot be caught. */
static lrekmc_py_flag *lrekmc_py_catch_sigint(lrekmc_py_flag *own)
{
    struct sigaction action;
    if (lrekmc_py_catching || sigaction(SIGINT, NULL, &lrekmc_py_previous) != 0 ||
        (!(lrekmc_py_previous.sa_flags & SA_SIGINFO) && lrekmc_py_previous.sa_handler == SIG_IGN))
        return own;
    memset(&action, 0, sizeof action);
    action.sa_sigaction = lrekmc_py_on_sigint;
    action.sa_flags = SA_SIGINFO | SA_ONSTACK;
    sigemptyset(&action.sa_mask);
    lrekmc_py_stop_flag = 0;
    if (sigaction(SIGINT, &action, NULL) != 0)
        return own;
    lrekmc_py_catching = 1;
    return &lrekmc_py_stop_flag;
}

/* Restore Python's handler (after lrekmc_py_catch_sigint returned its flag). */
static void lrekmc_py_release_sigint(void)
{
    if (lrekmc_py_catching)
        sigaction(SIGINT, &lrekmc_py_previous, NULL);
    lrekmc_py_catching = 0;
}

#endif
