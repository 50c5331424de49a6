/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_parallel.c - the parts of parallel.h that need no MPI launcher: the
 * batch slices of the ranks, the distributed run's protocol played out in
 * one process (slices run separately, merged in rank order: the bytes of a
 * single run, also when some ranks get no batch), the serial fallbacks and
 * the launcher detection.  The scripts in tests/mpi run the real thing
 * under mpirun.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/kmc.h"
#include "kmc_same.h"
#include "lrekmc/parallel.h"

/* Private to the library (src/parallel_env.h). */
long parallel_launcher_size(void);

Test(parallel, slices_cover_the_batches_in_order_and_differ_by_at_most_one)
{
    for (long B = 0; B <= 40; B++) {
        for (int R = 1; R <= 9; R++) {
            long next = 0;
            for (int r = 0; r < R; r++) {
                long first, count;
                lrk_parallel_slice(B, R, r, &first, &count);
                cr_assert_eq(first, next, "B = %ld, R = %d, rank %d starts at %ld", B, R, r, first);
                cr_assert(count == B / R || count == B / R + 1, "B = %ld, R = %d, rank %d holds %ld", B, R, r,
                          count);
                next = first + count;
            }
            cr_assert_eq(next, B, "B = %ld, R = %d: the slices end at %ld", B, R, next);
        }
    }
    long first, count;
    lrk_parallel_slice(1L << 50, 7, 6, &first, &count); /* r B overflows 64 bits in a naive product */
    cr_assert_eq(first + count, 1L << 50);
    cr_assert_eq(count, (1L << 50) - (6 * (1L << 50)) / 7);
}

typedef struct fixture {
    lrk_model model;
    double t[30], q[9];
    lrk_kmc_params p;
} fixture;

static void make_fixture(fixture *f, long trajectories, long batches)
{
    f->model = (lrk_model){.mode = LRK_MODE_CER, .V0 = 1.0, .V1 = 1.0, .T = 1.0, .N = 150};
    for (int k = 0; k < 30; k++)
        f->t[k] = 0.2 * k;
    for (int j = 0; j < 9; j++)
        f->q[j] = 0.1 * (j + 1);
    f->p = (lrk_kmc_params){.model = &f->model, .t = f->t, .t_count = 30, .q_levels = f->q, .level_count = 9,
                            .seed = 2026, .trajectories = trajectories, .batches = batches, .threads = 2,
                            .keep_first_passage = 1};
}

/* What rank 0 does with R ranks, in one process: each slice run on its own
 * (1 thread, as a rank with 1 thread would), merged in rank order. */
static lrk_kmc_result *run_as_ranks(const lrk_kmc_params *p, int ranks)
{
    lrk_error err = {{0}};
    lrk_kmc_result *whole = NULL;
    cr_assert_eq(lrk_kmc_result_create(p, 0, -1, &whole, &err), LRK_OK, "%s", err.message);
    lrk_kmc_params one_thread = *p;
    one_thread.threads = 1;
    for (int r = 0; r < ranks; r++) {
        long first, count;
        lrk_parallel_slice(whole->batch_count, ranks, r, &first, &count);
        if (count == 0)
            continue;
        lrk_kmc_result *part = NULL;
        cr_assert_eq(lrk_kmc_result_create(&one_thread, first, count, &part, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_kmc_run(&one_thread, part, &err), LRK_OK, "%s", err.message);
        cr_assert_eq(lrk_kmc_result_merge(whole, part, &err), LRK_OK, "%s", err.message);
        lrk_kmc_result_free(part);
    }
    cr_assert_eq(lrk_kmc_result_finalize(whole, &err), LRK_OK, "%s", err.message);
    return whole;
}

Test(parallel, rank_slices_merged_in_rank_order_give_the_bytes_of_one_run)
{
    /* trajectories, batches, ranks: uneven slices, B = R, B < R (idle ranks),
     * more batches asked than trajectories */
    static const long layouts[][3] = {{500, 7, 2}, {500, 7, 3}, {500, 7, 7}, {500, 2, 3}, {9, 20, 4},
                                      {500, 7, 12}};
    for (size_t c = 0; c < sizeof layouts / sizeof layouts[0]; c++) {
        fixture f;
        make_fixture(&f, layouts[c][0], layouts[c][1]);
        lrk_error err = {{0}};
        lrk_kmc_result *single = NULL;
        cr_assert_eq(lrk_kmc_run_all(&f.p, &single, &err), LRK_OK, "%s", err.message);
        lrk_kmc_result *merged = run_as_ranks(&f.p, (int)layouts[c][2]);
        assert_same_results(single, merged);
        lrk_kmc_result_free(single);
        lrk_kmc_result_free(merged);
    }
}

Test(parallel, without_a_launcher_the_distributed_run_is_the_single_run)
{
    cr_assert_eq(lrk_parallel_rank(), 0);
    cr_assert_eq(lrk_parallel_size(), 1);
    fixture f;
    make_fixture(&f, 400, 6);
    lrk_error err = {{0}};
    lrk_kmc_result *single = NULL, *distributed = NULL;
    cr_assert_eq(lrk_kmc_run_all(&f.p, &single, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(lrk_kmc_run_distributed(&f.p, &distributed, &err), LRK_OK, "%s", err.message);
    assert_same_results(single, distributed);
    lrk_kmc_result_free(single);
    lrk_kmc_result_free(distributed);
    f.p.trajectories = 0;
    cr_assert_eq(lrk_kmc_run_distributed(&f.p, &distributed, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "kmc.trajectories") != NULL, "%s", err.message);
    cr_assert_eq(lrk_parallel_serve(NULL, &err), LRK_OK); /* returns at once outside MPI */
}

static void clear_launcher_variables(void)
{
    static const char *const names[] = {"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "MV2_COMM_WORLD_SIZE", "PMIX_RANK",
                                        "PMI_RANK", "OMPI_COMM_WORLD_RANK", "LREKMC_MPI_INIT"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        unsetenv(names[i]);
}

Test(parallel, launchers_are_recognised_by_their_variables)
{
    clear_launcher_variables();
    cr_assert_eq(parallel_launcher_size(), 0);
    setenv("PMI_RANK", "0", 1);
    cr_assert_eq(parallel_launcher_size(), 1);
    setenv("PMIX_RANK", "2", 1);
    cr_assert_eq(parallel_launcher_size(), 3);
    setenv("OMPI_COMM_WORLD_SIZE", "8", 1);
    cr_assert_eq(parallel_launcher_size(), 8);
    setenv("LREKMC_MPI_INIT", "0", 1);
    cr_assert_eq(parallel_launcher_size(), 0);
    clear_launcher_variables();
    setenv("LREKMC_MPI_INIT", "1", 1);
    cr_assert_eq(parallel_launcher_size(), 1);
    clear_launcher_variables();
}

#ifndef LREKMC_WITH_MPI
Test(parallel, a_serial_build_refuses_to_be_one_of_several_ranks)
{
    clear_launcher_variables();
    setenv("PMI_SIZE", "4", 1);
    lrk_error err = {{0}};
    int argc = 1;
    char *args[] = {"lrekmc", NULL}, **argv = args;
    cr_assert_eq(lrk_parallel_init(&argc, &argv, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "4 MPI ranks") && strstr(err.message, "-DLREKMC_MPI=ON"), "%s", err.message);
    clear_launcher_variables();
    cr_assert_eq(lrk_parallel_init(&argc, &argv, &err), LRK_OK);
    lrk_parallel_finalize();
}
#endif
