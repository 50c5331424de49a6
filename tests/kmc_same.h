/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc_same.h - one assertion shared by the KMC and MPI-split tests: two
 * ensemble results hold the same bytes in every array (the determinism
 * promise of kmc.h).  Include after <criterion/criterion.h> and kmc.h.
 */
#ifndef LREKMC_TESTS_KMC_SAME_H
#define LREKMC_TESTS_KMC_SAME_H

#include <string.h>

#define SAME_BYTES(a, b, field, count) \
    cr_assert(memcmp((a)->field, (b)->field, (count) * sizeof *(a)->field) == 0, #field " differs")

static inline void assert_same_results(const lrk_kmc_result *a, const lrk_kmc_result *b)
{
    size_t K = a->t_count, L = a->level_count, E = a->extra_count, B = (size_t)a->batches_held;
    cr_assert_eq(a->batches_held, b->batches_held);
    cr_assert_eq(a->extra_count, b->extra_count);
    SAME_BYTES(a, b, extra_mean, E);
    SAME_BYTES(a, b, extra_std, E);
    SAME_BYTES(a, b, extra_sem, E);
    SAME_BYTES(a, b, batch_extra_mean, B * E);
    SAME_BYTES(a, b, batch_extra_m2, B * E);
    SAME_BYTES(a, b, q_mean, K);
    SAME_BYTES(a, b, q_std, K);
    SAME_BYTES(a, b, q_sem, K);
    SAME_BYTES(a, b, q_p05, K);
    SAME_BYTES(a, b, q_p50, K);
    SAME_BYTES(a, b, q_p95, K);
    SAME_BYTES(a, b, t_mean, L);
    SAME_BYTES(a, b, t_std, L);
    SAME_BYTES(a, b, t_sem, L);
    SAME_BYTES(a, b, batch_trajectories, B);
    SAME_BYTES(a, b, batch_q_mean, B * K);
    SAME_BYTES(a, b, batch_q_m2, B * K);
    SAME_BYTES(a, b, batch_t_mean, B * L);
    SAME_BYTES(a, b, batch_t_m2, B * L);
    SAME_BYTES(a, b, hist, K * a->hist_bins);
    cr_assert_eq(a->events, b->events);
    cr_assert_eq(a->first_passage == NULL, b->first_passage == NULL, "first_passage kept by one only");
    if (a->first_passage != NULL)
        SAME_BYTES(a, b, first_passage, (size_t)a->trajectories_held * L);
}

#endif /* LREKMC_TESTS_KMC_SAME_H */
