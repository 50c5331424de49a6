/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parallel.c - what parallel.h means without MPI, and the batch slicing
 * that both builds share.  The MPI versions of the other functions live in
 * mpi.c; exactly one of the two files defines them, so the serial build
 * contains no MPI and the rest of the library never needs an #ifdef.
 * Launcher detection (parallel_env.h) is shared: a serial build refuses to
 * be one of several ranks, an MPI build starts MPI only under a launcher.
 */
#include "lrekmc/parallel.h"

#include <stdio.h>
#include <stdlib.h>

#include "lrekmc/rng.h"
#include "parallel_env.h"

/* floor(rank B / R) in 128 bits, like the batch layout of kmc.c. */
static long slice_start(long batch_count, int ranks, long rank)
{
    lrk_uint128 product = (lrk_uint128)(uint64_t)rank * (uint64_t)batch_count;
    return (long)(product / (uint64_t)ranks);
}

void lrk_parallel_slice(long batch_count, int ranks, int rank, long *first, long *count)
{
    *first = slice_start(batch_count, ranks, rank);
    *count = slice_start(batch_count, ranks, (long)rank + 1) - *first;
}

static long variable_value(const char *name, int *present)
{
    const char *value = getenv(name);
    if (value == NULL || *value == '\0')
        return 0;
    *present = 1;
    return atol(value);
}

long parallel_launcher_size(void)
{
    static const char *const sizes[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE"};
    static const char *const ranks[] = {"PMIX_RANK", "PMI_RANK", "OMPI_COMM_WORLD_RANK"};
    int present = 0, forced = 0;
    long forced_value = variable_value("LREKMC_MPI_INIT", &forced);
    if (forced)
        return forced_value > 0 ? 1 : 0;
    long size = 0;
    for (size_t i = 0; i < sizeof sizes / sizeof sizes[0]; i++) {
        long value = variable_value(sizes[i], &present);
        size = value > size ? value : size;
    }
    for (size_t i = 0; i < sizeof ranks / sizeof ranks[0]; i++) {
        long value = variable_value(ranks[i], &present) + 1;
        size = value > size ? value : size;
    }
    return present ? (size > 1 ? size : 1) : 0;
}

#ifndef LREKMC_WITH_MPI

lrk_status lrk_parallel_init(int *argc, char ***argv, lrk_error *err)
{
    (void)argc;
    (void)argv;
    long ranks = parallel_launcher_size();
    if (ranks > 1)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "started as one of %ld MPI ranks, but this lrekmc was built without MPI: "
                             "every rank would compute the whole campaign; rebuild with -DLREKMC_MPI=ON "
                             "or run a single process",
                             ranks);
    return LRK_OK;
}

void lrk_parallel_finalize(void)
{
}

int lrk_parallel_rank(void)
{
    return 0;
}

int lrk_parallel_size(void)
{
    return 1;
}

void lrk_parallel_abort(int code, const char *message)
{
    fprintf(stderr, "lrekmc: rank 0 of 1: %s\n", message);
    exit(code);
}

lrk_status lrk_kmc_run_distributed(const lrk_kmc_params *p, lrk_kmc_result **out, lrk_error *err)
{
    return lrk_kmc_run_all(p, out, err);
}

lrk_status lrk_parallel_serve(volatile sig_atomic_t *stop, lrk_error *err)
{
    (void)stop;
    (void)err;
    return LRK_OK;
}

#endif /* !LREKMC_WITH_MPI */
