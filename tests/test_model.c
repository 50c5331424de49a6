/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_model.c - barriers, rates, crossover f(T), Eq. 5, level event counts. */
#include <criterion/criterion.h>
#include <math.h>

#include "lrekmc/model.h"

static lrk_model model(lrk_mode mode)
{
    return (lrk_model){.mode = mode, .V0 = 1.0, .V1 = 0.5, .T = 0.8, .A = 2.0, .T0 = 0.5, .N = 100};
}

Test(model, ser_and_cer_barriers_and_rates)
{
    lrk_model ser = model(LRK_MODE_SER), cer = model(LRK_MODE_CER);
    cr_assert_float_eq(lrk_model_barrier(&ser, 50), 1.25, 1e-15);
    cr_assert_float_eq(lrk_model_barrier(&cer, 50), 0.75, 1e-15);
    cr_assert_float_eq(lrk_model_rate(&ser, 0), 100 * exp(-1.0 / 0.8), 1e-12);
    cr_assert_float_eq(lrk_model_rate(&ser, 99), 1 * exp(-(1.0 + 0.5 * 0.99) / 0.8), 1e-15);
    cr_assert_float_eq(lrk_model_a(&ser), 0.625, 1e-15);
    cr_assert_float_eq(lrk_model_a(&cer), -0.625, 1e-15);
    cr_assert_float_eq(lrk_model_k(&ser), exp(-1.25), 1e-15);
}

Test(model, crossover_f_limits)
{
    lrk_model m = model(LRK_MODE_CROSSOVER);
    m.T = m.T0;
    cr_assert_float_eq(lrk_model_crossover_f(&m), 0.5, 1e-15);
    cr_assert_float_eq(lrk_model_coupling(&m), 0.0, 1e-15);
    m.T = 1e-4; /* far below T0: CER */
    cr_assert_float_eq(lrk_model_crossover_f(&m), 1.0, 1e-12);
    m.T = 1e4;  /* A (1/T - 1/T0) -> -A/T0 = -4: f = 1/(e^4 + 1) */
    cr_assert_float_eq(lrk_model_crossover_f(&m), 1.0 / (exp(4.0 - 2.0e-4) + 1.0), 1e-12);
    m.A = -1e6; m.T = 1e-3; /* exp overflows to inf: f must be exactly 0, not NaN */
    cr_assert_eq(lrk_model_crossover_f(&m), 0.0);
}

Test(model, elastic_V1_eq5)
{
    cr_assert_float_eq(lrk_elastic_V1(10, 0.1, 0.2, 1.0, 5.0), 3 * 10 * 0.1 * 0.2 * log(10.0), 1e-14);
    cr_assert_eq(lrk_elastic_V1(10, 0.1, 0.2, 1.0, 0.5), 0.0);
    cr_assert_eq(lrk_elastic_V1(10, 0.1, 0.2, 1.0, 0.1), 0.0);
}

Test(model, level_event_count)
{
    cr_assert_eq(lrk_level_event_count(0.01, 100), 1);
    cr_assert_eq(lrk_level_event_count(0.29, 100), 29); /* 0.29*100 = 28.999999999999996 */
    cr_assert_eq(lrk_level_event_count(0.57, 100), 57); /* 0.57*100 = 57.00000000000001 */
    cr_assert_eq(lrk_level_event_count(0.015, 100), 2);
    cr_assert_eq(lrk_level_event_count(0.01, 10), 1);
    cr_assert_eq(lrk_level_event_count(0.99, 1), 1);
    cr_assert_eq(lrk_level_event_count(1.0, 7), 7);
    /* large N: a level 1e-9 above j / N belongs to event j + 1 */
    cr_assert_eq(lrk_level_event_count(0.5 + 1e-9, 1000000000L), 500000001L);
}

Test(model, validate_names_parameter_and_range)
{
    lrk_error err;
    lrk_model m = model(LRK_MODE_SER);
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_OK);
    m.T = 0;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.T") && strstr(err.message, "> 0"));
    m = model(LRK_MODE_SER);
    m.N = 0;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.N"));
    m = model(LRK_MODE_CROSSOVER);
    m.T0 = NAN;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "crossover.T0"));
}
