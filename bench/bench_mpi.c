/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_mpi.c - events per second of a KMC-heavy point distributed over MPI
 * ranks (parallel.h), including the job hand-out and the gather of the
 * partial results: SER, V0/T = V1/T = 1, N = 1000, 10^5 trajectories in 40
 * batches, 400 grid times up to the mean time of q = 0.99, 99 q-levels.
 *   usage: [mpirun -np R] bench_mpi [threads] [repeats]
 * (threads per rank, default 1; best of `repeats`, default 3).  With Open
 * MPI give --bind-to none when ranks x threads > ranks, or each rank's
 * threads share one core.  Built without MPI it measures 1 rank.
 */
#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#include "lrekmc/grid.h"
#include "lrekmc/kmc.h"
#include "lrekmc/parallel.h"

static double mean_time_to(const lrk_model *m, double q)
{
    long n = lrk_level_event_count(q, m->N);
    double t = 0;
    for (long i = 0; i < n; i++)
        t += 1.0 / lrk_model_rate(m, i);
    return t;
}

static int bench(int threads, int repeats)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 1000};
    double t[400], q[99];
    lrk_error err;
    if (lrk_time_grid_fill(t, 400, mean_time_to(&m, 0.99), LRK_SPACING_LINEAR, &err) != LRK_OK
        || lrk_q_levels_fill(q, 99, 0.01, 0.99, &err) != LRK_OK) {
        fprintf(stderr, "bench_mpi: %s\n", err.message);
        return 1;
    }
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 400, .q_levels = q, .level_count = 99,
                        .seed = 42, .trajectories = 100000, .batches = 40, .threads = threads};
    double best = 0;
    for (int rep = 0; rep < repeats; rep++) {
        lrk_kmc_result *r;
        double start = omp_get_wtime();
        if (lrk_kmc_run_distributed(&p, &r, &err) != LRK_OK) {
            fprintf(stderr, "bench_mpi: %s\n", err.message);
            return 1;
        }
        double rate = (double)r->events / (omp_get_wtime() - start);
        best = rate > best ? rate : best;
        lrk_kmc_result_free(r);
    }
    printf("ranks %d x threads %d: %6.1f M events/s\n", lrk_parallel_size(), threads, best / 1e6);
    return 0;
}

int main(int argc, char **argv)
{
    lrk_error err = {{0}};
    if (lrk_parallel_init(&argc, &argv, &err) != LRK_OK) {
        fprintf(stderr, "bench_mpi: %s\n", err.message);
        return 1;
    }
    int threads = argc > 1 ? atoi(argv[1]) : 1;
    int repeats = argc > 2 ? atoi(argv[2]) : 3;
    int code = 0;
    if (lrk_parallel_rank() != 0)
        code = lrk_parallel_serve(NULL, &err) == LRK_OK ? 0 : 1;
    else
        code = bench(threads < 1 ? 1 : threads, repeats < 1 ? 1 : repeats);
    lrk_parallel_finalize();
    return code;
}
