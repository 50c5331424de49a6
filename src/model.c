/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * model.c - barriers, rates and parameter checks of the LRE model (model.h).
 */
#include "lrekmc/model.h"

#include <float.h>
#include <math.h>
#include <string.h>

const char *const lrk_mode_names[] = {"ser", "cer", "crossover", NULL};

#define MODE_COUNT (sizeof lrk_mode_names / sizeof lrk_mode_names[0] - 1)

const char *lrk_mode_name(lrk_mode mode)
{
    if ((int)mode < 0 || (size_t)mode >= MODE_COUNT)
        return NULL;
    return lrk_mode_names[mode];
}

lrk_status lrk_mode_parse(const char *name, lrk_mode *mode)
{
    for (size_t i = 0; i < MODE_COUNT; i++) {
        if (strcmp(name, lrk_mode_names[i]) == 0) {
            *mode = (lrk_mode)i;
            return LRK_OK;
        }
    }
    return LRK_ERR_INVALID;
}

lrk_status lrk_model_validate(const lrk_model *m, lrk_error *err)
{
    if (lrk_mode_name(m->mode) == NULL)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.mode: expected one of %s, %s, %s", lrk_mode_names[0],
                             lrk_mode_names[1], lrk_mode_names[2]);
    if (!isfinite(m->V0))
        return lrk_error_set(err, LRK_ERR_INVALID, "model.V0 = %g: expected a finite number", m->V0);
    if (!isfinite(m->V1) || m->V1 < 0)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.V1 = %g: expected a finite number >= 0", m->V1);
    if (!isfinite(m->T) || !(m->T > 0))
        return lrk_error_set(err, LRK_ERR_INVALID, "model.T = %g: expected a finite number > 0", m->T);
    if (m->N < 1 || m->N > LRK_MODEL_MAX_N)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.N = %ld: expected an integer in [1, %ld]",
                             m->N, LRK_MODEL_MAX_N);
    if (m->mode == LRK_MODE_CROSSOVER) {
        if (!isfinite(m->A))
            return lrk_error_set(err, LRK_ERR_INVALID, "model.crossover.A = %g: expected a finite number", m->A);
        if (!isfinite(m->T0) || !(m->T0 > 0))
            return lrk_error_set(err, LRK_ERR_INVALID, "model.crossover.T0 = %g: expected a finite number > 0",
                                 m->T0);
    }
    if (m->space.lattice != LRK_LATTICE_NONE) {
        const lrk_space *sp = &m->space;
        if (sp->lattice != LRK_LATTICE_CUBIC)
            return lrk_error_set(err, LRK_ERR_INVALID, "model.space.lattice: expected none or cubic");
        const long L[3] = {sp->Lx, sp->Ly, sp->Lz};
        static const char *const names[3] = {"model.space.L", "model.space.Ly", "model.space.Lz"};
        for (int d = 0; d < 3; d++)
            if (L[d] < 1 || L[d] > LRK_SPACE_MAX_L)
                return lrk_error_set(err, LRK_ERR_INVALID, "%s = %ld: expected an integer in [1, %ld]", names[d],
                                     L[d], LRK_SPACE_MAX_L);
        if (!(sp->d_el > 0) || !(sp->d_el <= LRK_SPACE_MAX_D_EL))
            return lrk_error_set(err, LRK_ERR_INVALID, "model.space.d_el = %g: expected a number in (0, %g]",
                                 sp->d_el, LRK_SPACE_MAX_D_EL);
        if (sp->kernel != LRK_KERNEL_R3 && sp->kernel != LRK_KERNEL_UNIFORM)
            return lrk_error_set(err, LRK_ERR_INVALID, "model.space.kernel: expected r3 or uniform");
        if (m->N != sp->Lx * sp->Ly * sp->Lz)
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "model.N = %ld: expected L*Ly*Lz = %ld*%ld*%ld = %ld with a lattice", m->N,
                                 sp->Lx, sp->Ly, sp->Lz, sp->Lx * sp->Ly * sp->Lz);
    }
    /* Rates are products of exp() terms: keep every exponent inside double range. */
    double worst = fabs(m->V0 / m->T) + fabs(m->V1 / m->T);
    if (!(worst < 700))
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model: (|V0| + V1) / T = %g: expected < 700 so that rates stay representable", worst);
    return LRK_OK;
}

lrk_status lrk_model_validate_point(const lrk_model *m, lrk_error *err)
{
    lrk_status s = lrk_model_validate(m, err);
    double worst = fabs(m->V0 / m->T) + fabs(m->V1 / m->T);
    if (s == LRK_OK && !(worst < LRK_MODEL_POINT_MAX_EXPONENT))
        s = lrk_error_set(err, LRK_ERR_INVALID,
                          "model: (|V0| + V1) / T = %g: expected < %g so that the variances of times "
                          "(sums of e^(2V/T)) stay representable; raise model.T or lower model.V0, model.V1",
                          worst, LRK_MODEL_POINT_MAX_EXPONENT);
    return s;
}

double lrk_model_crossover_f(const lrk_model *m)
{
    switch (m->mode) {
    case LRK_MODE_SER: return 0.0;
    case LRK_MODE_CER: return 1.0;
    case LRK_MODE_CROSSOVER: break;
    }
    double x = -m->A * (1.0 / m->T - 1.0 / m->T0);
    /* exp(x) may overflow to inf for very low T: the limit f = 0 is then exact. */
    return 1.0 / (exp(x) + 1.0);
}

double lrk_model_coupling(const lrk_model *m)
{
    return 1.0 - 2.0 * lrk_model_crossover_f(m);
}

double lrk_model_a(const lrk_model *m)
{
    return lrk_model_coupling(m) * m->V1 / m->T;
}

double lrk_model_k(const lrk_model *m)
{
    return exp(-m->V0 / m->T);
}

double lrk_model_barrier(const lrk_model *m, long n)
{
    return m->V0 + lrk_model_coupling(m) * m->V1 * (double)n / (double)m->N;
}

double lrk_model_rate(const lrk_model *m, long n)
{
    return (double)(m->N - n) * exp(-lrk_model_barrier(m, n) / m->T);
}

double lrk_elastic_V1(double n_r, double q0, double dp0, double d0, double d_el)
{
    if (!(d_el > 0.5 * d0))
        return 0.0;
    return 3.0 * n_r * q0 * dp0 * log(2.0 * d_el / d0);
}

long lrk_level_event_count(double q, long N)
{
    /* q * N may land an ulp or two above an integer j when q = j / N was
     * meant: subtract a few ulps of slack (relative, so that for large N a
     * level just above j / N is not pulled down to j) before rounding up. */
    double x = q * (double)N;
    long n = (long)ceil(x - 4.0 * DBL_EPSILON * x);
    if (n < 1) n = 1;
    if (n > N) n = N;
    return n;
}
