/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * worker.c - what the program does on MPI ranks other than 0: serve KMC
 * slices to rank 0 until it says quit (parallel.h).  A SIGINT/SIGTERM
 * (forwarded by mpirun or srun) stops the slice being run; rank 0 learns it
 * from the reply and stops the campaign.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lrekmc/parallel.h"

static volatile sig_atomic_t worker_stop = 0;

static void request_worker_stop(int signal_number)
{
    worker_stop = 1;
    signal(signal_number, SIG_DFL);
}

int lrk_cli_worker(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_worker_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
    lrk_error err = {{0}};
    if (lrk_parallel_serve(&worker_stop, &err) != LRK_OK) {
        fprintf(stderr, "lrekmc: rank %d of %d: %s\n", lrk_parallel_rank(), lrk_parallel_size(), err.message);
        return LRK_CLI_FAILED;
    }
    return LRK_CLI_OK;
}
