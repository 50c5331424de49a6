/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * parallel.h - running one campaign over several processes (MPI ranks).
 *
 * Built with -DLREKMC_MPI=ON, `mpirun -np R lrekmc run FILE` spreads the KMC
 * trajectories of every point over R ranks; without it (or with R = 1, or in
 * a program that never calls lrk_parallel_init) every function here is the
 * serial behaviour and the library holds no MPI symbol.
 *
 * Roles.  Rank 0 is the whole program: it reads the configuration, decides
 * which points are already finished (resume), computes the references,
 * fits and writes every file, exactly as a single process does.  The other
 * ranks are workers (lrk_parallel_serve): they wait for rank 0 to hand them a
 * KMC job, run their slice of it with OpenMP threads and send the partial
 * result back.  They never read the configuration nor touch the run
 * directory, so only rank 0 needs them.  Every decision (which point, stop,
 * error) is rank 0's; a worker only answers, which is what makes the
 * protocol free of deadlocks: rank 0 sends one job to every worker and
 * receives exactly one reply from every worker, whatever happened.
 *
 * Split.  A point's B = min(fit.batches, trajectories) batches (kmc.h) are
 * cut into R contiguous slices: rank r runs batches
 *   [floor(r B / R), floor((r + 1) B / R)),
 * so rank 0 holds the first trajectories and slices grow with the rank.
 * Rank 0 merges the slices with lrk_kmc_result_merge and finalizes: the
 * summary is rebuilt from the per-batch arrays in batch index order, so the
 * output bytes are those of a single-process run for any R and any thread
 * count.  With B < R some ranks get no batch for that point and idle (raise
 * fit.batches to use them).  Per-trajectory first-passage rows
 * (output.trajectories) of rank 0's slice stream to the file as usual; the
 * workers keep theirs (8 L bytes per trajectory of the slice, L q-levels)
 * and rank 0 writes them in rank order, i.e. trajectory order.
 *
 * Stop.  srun and scancel deliver SIGINT/SIGTERM to every rank (Open MPI's
 * mpirun forwards them too, but kills the ranks a second later, see
 * docs/clusters.md); each rank stops its slice at the next group of
 * trajectories and says so in its reply.  If any rank (rank 0 included) was interrupted the point is
 * interrupted, rank 0 stops the campaign (finished points stay) and tells
 * the workers to quit.  A worker's failure (e.g. out of memory) comes back
 * as an error naming the rank; a failure that cannot be reported ends the
 * whole job with lrk_parallel_abort.
 *
 * Threads.  MPI is initialised with MPI_THREAD_FUNNELED: OpenMP threads run
 * the trajectories, MPI calls come only from the main thread, outside the
 * parallel regions.
 */
#ifndef LREKMC_PARALLEL_H
#define LREKMC_PARALLEL_H

#include <signal.h>

#include "lrekmc/kmc.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Start MPI (MPI_Init_thread, FUNNELED) when built with it and started by a
 * launcher (mpirun, srun: recognised by the variables they set, e.g.
 * OMPI_COMM_WORLD_SIZE, PMI_SIZE, PMIX_RANK; LREKMC_MPI_INIT=1 forces MPI
 * on, 0 off); otherwise the process is the serial program.  Call once, first
 * thing in main.  A serial build refuses to run as one of several ranks:
 * every copy would compute the whole campaign into the same directory. */
lrk_status lrk_parallel_init(int *argc, char ***argv, lrk_error *err);

/* On rank 0, tell the workers to leave lrk_parallel_serve; then end MPI.
 * Call once, last thing in main, on every rank. */
void lrk_parallel_finalize(void);

/* This process's rank and the number of ranks (0 and 1 without MPI). */
int lrk_parallel_rank(void);
int lrk_parallel_size(void);

/* Print "lrekmc: rank r of R: message" on stderr and end every rank
 * (MPI_Abort with `code`; exit(code) without MPI). */
void lrk_parallel_abort(int code, const char *message)
#if defined(__GNUC__)
    __attribute__((noreturn))
#endif
    ;

/* Rank `rank`'s slice of batch_count batches over `ranks` ranks:
 * [floor(rank B / R), floor((rank + 1) B / R)); *count may be 0. */
void lrk_parallel_slice(long batch_count, int ranks, int rank, long *first, long *count);

/* lrk_kmc_run_distributed (kmc.h) is implemented here, in mpi.c / parallel.c. */

/* Worker loop of ranks > 0: run the slices rank 0 sends until it says quit.
 * *stop (set by the caller's signal handler) interrupts the current slice.
 * Returns LRK_OK when told to quit; without MPI it returns at once. */
lrk_status lrk_parallel_serve(volatile sig_atomic_t *stop, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_PARALLEL_H */
