/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_engine_lattice.c - the spatial engine behind the engine interface
 * (engine.h) and the KMC ensemble (kmc.h): chosen for a model with a lattice,
 * byte-identical results (q, times, histograms and the spatial extras) on 1
 * and 2 threads and with another batch split, the references it declares,
 * and its own checks; the uniform kernel through the full ensemble against
 * the mean-field master equation (|z| < 5).
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "lrekmc/engine.h"
#include "lrekmc/kmc.h"
#include "lrekmc/lattice_observe.h"
#include "lrekmc/master.h"
#include "kmc_same.h"

static lrk_model make(lrk_mode mode, long L, double d_el, lrk_kernel kernel)
{
    lrk_model m = {.mode = mode, .V0 = 1, .V1 = 2, .T = 1, .A = 0.5, .T0 = 0.06, .N = L * L * L};
    m.space = (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = L, .Ly = L, .Lz = L, .d_el = d_el, .kernel = kernel};
    return m;
}

static lrk_kmc_result *run(const lrk_model *m, const double *t, size_t K, const double *q, size_t L, long M,
                           long batches, int threads)
{
    lrk_kmc_params p = {.model = m, .t = t, .t_count = K, .q_levels = q, .level_count = L, .seed = 9,
                        .trajectories = M, .batches = batches, .threads = threads};
    lrk_kmc_result *r = NULL;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kmc_run_all(&p, &r, &err), LRK_OK, "%s", err.message);
    return r;
}

Test(engine_lattice, chosen_for_a_lattice_with_its_references)
{
    lrk_model m = make(LRK_MODE_SER, 6, 2, LRK_KERNEL_R3);
    const lrk_engine_type *e = lrk_engine_for_model(&m);
    cr_assert_str_eq(e->name, "lattice");
    cr_assert_eq(lrk_engine_references(e, &m), LRK_REF_ODE, "r3: the mean-field ODE beside, nothing exact");
    m.space.kernel = LRK_KERNEL_UNIFORM;
    cr_assert_eq(lrk_engine_references(e, &m), LRK_REF_ALL, "uniform: the chain exactly");
    m.space.kernel = LRK_KERNEL_R3;
    m.V1 = 0;
    cr_assert_eq(lrk_engine_references(e, &m), LRK_REF_ALL, "V1 = 0: independent LREs");
    m.space.lattice = LRK_LATTICE_NONE;
    cr_assert_str_neq(lrk_engine_for_model(&m)->name, "lattice");
}

Test(engine_lattice, same_bytes_on_any_thread_count_and_batch_split)
{
    lrk_model m = make(LRK_MODE_CER, 6, 2.5, LRK_KERNEL_R3);
    double t[30], q[9];
    for (int k = 0; k < 30; k++)
        t[k] = 0.2 * (k + 1);
    for (int j = 0; j < 9; j++)
        q[j] = 0.1 * (j + 1);
    lrk_kmc_result *a = run(&m, t, 30, q, 9, 60, 6, 1), *b = run(&m, t, 30, q, 9, 60, 6, 2);
    cr_assert_gt(a->extra_count, 0);
    assert_same_results(a, b);
    {
        lrk_lattice_layout l;
        lrk_lattice_layout_of(&m, &l);
        cr_assert_eq(a->extra_count, l.count);
        cr_assert_float_eq(a->extra_mean[l.avalanche_offset + 1] > 0, 1, 0);
    }
    lrk_kmc_result_free(a);
    lrk_kmc_result_free(b);
}

Test(engine_lattice, uniform_kernel_ensemble_matches_the_master_equation)
{
    lrk_model m = make(LRK_MODE_SER, 8, 3, LRK_KERNEL_UNIFORM);
    m.V1 = 2.5;
    double t[40], q[5] = {0.1, 0.3, 0.5, 0.7, 0.9}, mean[40], std[40];
    for (int k = 0; k < 40; k++)
        t[k] = 0.5 * (k + 1);
    cr_assert_eq(lrk_master_solve(&m, t, 40, mean, std, NULL), LRK_OK);
    const long M = 2000;
    lrk_kmc_result *r = run(&m, t, 40, q, 5, M, 10, 2);
    for (int k = 0; k < 40; k++) {
        if ((double)M * std[k] * std[k] * (double)(m.N * m.N) < 25)
            continue;
        double z = (r->q_mean[k] - mean[k]) / (std[k] / sqrt((double)M));
        cr_assert_lt(fabs(z), 5.0, "t=%g: %g vs %g z=%g", t[k], r->q_mean[k], mean[k], z);
    }
    lrk_kmc_result_free(r);
}

Test(engine_lattice, refuses_what_it_cannot_represent)
{
    lrk_model m = make(LRK_MODE_SER, 4, 2, LRK_KERNEL_R3);
    m.V0 = 0;
    m.V1 = 697; /* V1/T + ln 64 >= 700 */
    double t[1] = {1}, q[1] = {0.5};
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 1, .q_levels = q, .level_count = 1, .seed = 1,
                        .trajectories = 2, .batches = 2, .threads = 1};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_kmc_validate(&p, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "V1/T") != NULL, "%s", err.message);
}
