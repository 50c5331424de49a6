/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_lattice.c - the interaction stencil (lattice.h) against a direct sum
 * over every pair of sites and every periodic image, in boxes smaller and
 * larger than d_el; closed values (nearest neighbours, face diagonals); the
 * normalisation of the coupling; name tables; and model validation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/lattice.h"

static lrk_space box(long Lx, long Ly, long Lz, double d_el, lrk_kernel kernel)
{
    return (lrk_space){.lattice = LRK_LATTICE_CUBIC, .Lx = Lx, .Ly = Ly, .Lz = Lz, .d_el = d_el, .kernel = kernel};
}

/* W between sites i and j by brute force: every image within a generous
 * range of box copies, distances in floating point with the documented
 * tolerance; the image of i itself is excluded. */
static double direct_W(const lrk_space *s, long xi, long yi, long zi, long xj, long yj, long zj)
{
    long kx = (long)ceil(s->d_el / (double)s->Lx) + 1, ky = (long)ceil(s->d_el / (double)s->Ly) + 1,
         kz = (long)ceil(s->d_el / (double)s->Lz) + 1;
    double W = 0.0;
    for (long a = -kx; a <= kx; a++)
        for (long b = -ky; b <= ky; b++)
            for (long c = -kz; c <= kz; c++) {
                double vx = (double)(xj - xi + a * s->Lx), vy = (double)(yj - yi + b * s->Ly),
                       vz = (double)(zj - zi + c * s->Lz);
                double r2 = vx * vx + vy * vy + vz * vz;
                if (r2 == 0.0 || r2 > s->d_el * s->d_el * (1 + 1e-12))
                    continue;
                if (xi == xj && yi == yj && zi == zj)
                    continue;
                W += 1.0 / (8.0 * r2 * sqrt(r2));
            }
    return W;
}

static void check_against_direct(lrk_space s)
{
    lrk_stencil st;
    lrk_error err = {{0}};
    cr_assert_eq(lrk_stencil_build(&s, &st, &err), LRK_OK, "%s", err.message);
    long N = s.Lx * s.Ly * s.Lz;
    double *W = calloc((size_t)N, sizeof *W);
    for (size_t o = 0; o < st.count; o++) {
        cr_assert(st.dx[o] >= 0 && st.dx[o] < s.Lx && st.dy[o] >= 0 && st.dy[o] < s.Ly && st.dz[o] >= 0
                  && st.dz[o] < s.Lz);
        long cls = st.dx[o] + s.Lx * (st.dy[o] + s.Ly * st.dz[o]);
        cr_assert(cls != 0, "the own site is in the stencil");
        cr_assert(W[cls] == 0.0, "displacement %ld listed twice", cls);
        cr_assert(st.W[o] > 0);
        W[cls] = st.W[o];
    }
    /* Every site sees the same weights (translation invariance) and the
     * same S; check a few sites i against all j. */
    long sites[3] = {0, N / 2, N - 1};
    for (int k = 0; k < 3; k++) {
        long i = sites[k], xi = i % s.Lx, yi = i / s.Lx % s.Ly, zi = i / (s.Lx * s.Ly);
        double S = 0.0;
        for (long j = 0; j < N; j++) {
            long xj = j % s.Lx, yj = j / s.Lx % s.Ly, zj = j / (s.Lx * s.Ly);
            double d = direct_W(&s, xi, yi, zi, xj, yj, zj);
            long cls = ((xj - xi + s.Lx) % s.Lx) + s.Lx * (((yj - yi + s.Ly) % s.Ly) + s.Ly * ((zj - zi + s.Lz) % s.Lz));
            cr_assert_float_eq(W[cls], d, 1e-13 * (1 + d), "L=%ld,%ld,%ld d_el=%g i=%ld j=%ld: %.17g vs %.17g",
                               s.Lx, s.Ly, s.Lz, s.d_el, i, j, W[cls], d);
            S += d;
        }
        cr_assert_float_eq(st.S, S, 1e-12 * S, "S %.17g vs direct %.17g", st.S, S);
    }
    free(W);
    lrk_stencil_free(&st);
}

Test(lattice, stencil_matches_direct_sum)
{
    check_against_direct(box(8, 8, 8, 3.0, LRK_KERNEL_R3));   /* d_el < L/2 */
    check_against_direct(box(5, 6, 7, 2.5, LRK_KERNEL_R3));   /* odd, unequal sides */
    check_against_direct(box(4, 4, 4, 3.0, LRK_KERNEL_R3));   /* d_el > L/2: images add up */
    check_against_direct(box(2, 2, 3, 2.0, LRK_KERNEL_R3));   /* tiny box, many images */
    check_against_direct(box(1, 3, 4, 5.0, LRK_KERNEL_R3));   /* a 1-site axis: images of the own row */
    check_against_direct(box(3, 3, 3, 1.7320508075688772, LRK_KERNEL_R3)); /* sqrt 3 */
}

Test(lattice, closed_values)
{
    lrk_stencil st;
    lrk_space s = box(10, 10, 10, 1.0, LRK_KERNEL_R3);
    cr_assert_eq(lrk_stencil_build(&s, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 6);
    cr_assert_float_eq(st.S, 6.0 / 8.0, 1e-15);
    lrk_stencil_free(&st);
    s.d_el = sqrt(2.0); /* 6 faces + 12 face diagonals at (1/(2 sqrt 2))^3 */
    cr_assert_eq(lrk_stencil_build(&s, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 18);
    cr_assert_float_eq(st.S, 0.75 + 12.0 / (16.0 * sqrt(2.0)), 1e-14);
    lrk_stencil_free(&st);
    s.d_el = 3.0;
    cr_assert_eq(lrk_stencil_build(&s, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 122, "d_el = 3: the 122 sites of the ball");
    cr_assert_float_eq(lrk_stencil_sum(&s), st.S, 0.0);
    lrk_stencil_free(&st);
    s.d_el = 0.9; /* nobody in range */
    cr_assert_eq(lrk_stencil_build(&s, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 0);
    cr_assert_eq(st.S, 0.0);
    lrk_stencil_free(&st);
    /* two sites along x with L = 2, d_el = 1: the neighbour at +1 and -1 is
     * the same site, so W = 2 / 8 */
    s = box(2, 1, 1, 1.0, LRK_KERNEL_R3);
    cr_assert_eq(lrk_stencil_build(&s, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 1);
    cr_assert_float_eq(st.W[0], 0.25, 1e-16);
    lrk_stencil_free(&st);
}

Test(lattice, coupling_normalisation)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 2.5, .T = 1, .N = 512,
                   .space = box(8, 8, 8, 2.0, LRK_KERNEL_R3)};
    lrk_stencil st;
    cr_assert_eq(lrk_stencil_build(&m.space, &st, NULL), LRK_OK);
    double *J = malloc(st.count * sizeof *J), sum = 0;
    lrk_stencil_coupling(&m, &st, J);
    for (size_t o = 0; o < st.count; o++)
        sum += J[o];
    cr_assert_float_eq(sum, 2.5, 1e-13, "a fully relaxed neighbourhood adds V1");
    free(J);
    lrk_stencil_free(&st);
    m.space.kernel = LRK_KERNEL_UNIFORM;
    cr_assert_eq(lrk_stencil_build(&m.space, &st, NULL), LRK_OK);
    cr_assert_eq(st.count, 511);
    J = malloc(st.count * sizeof *J);
    lrk_stencil_coupling(&m, &st, J);
    for (size_t o = 0; o < st.count; o++)
        cr_assert_eq(J[o], 2.5 / 512.0, "uniform: J = V1 / N");
    free(J);
    lrk_stencil_free(&st);
}

Test(lattice, names_and_validation)
{
    lrk_lattice l;
    lrk_kernel k;
    cr_assert_eq(lrk_lattice_parse("cubic", &l), LRK_OK);
    cr_assert_eq(l, LRK_LATTICE_CUBIC);
    cr_assert_eq(lrk_lattice_parse("fcc", &l), LRK_ERR_INVALID);
    cr_assert_eq(lrk_kernel_parse("uniform", &k), LRK_OK);
    cr_assert_str_eq(lrk_kernel_name(LRK_KERNEL_R3), "r3");
    cr_assert_null(lrk_kernel_name((lrk_kernel)7));
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 100, .space = box(4, 5, 5, 2, LRK_KERNEL_R3)};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_OK, "%s", err.message);
    m.N = 99;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.N") != NULL, "%s", err.message);
    m.N = 100;
    m.space.d_el = 0;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.space.d_el") != NULL, "%s", err.message);
    m.space.d_el = 2;
    m.space.Ly = 0;
    cr_assert_eq(lrk_model_validate(&m, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.space.Ly") != NULL, "%s", err.message);
}

Test(lattice, space_resolve)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = 1000, .space = box(8, 0, 0, 2, LRK_KERNEL_R3)};
    lrk_error err = {{0}};
    cr_assert_eq(lrk_space_resolve(&m, 0, -1, 0, &err), LRK_OK, "%s", err.message);
    cr_assert(m.space.Ly == 8 && m.space.Lz == 8 && m.N == 512, "Ly, Lz default to L, N follows");
    m.N = 500;
    cr_assert_eq(lrk_space_resolve(&m, 1, -1, 0, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.N = 500") != NULL, "%s", err.message);
    m.N = 512;
    cr_assert_eq(lrk_space_resolve(&m, 1, 0.5, 2.0, &err), LRK_OK, "%s", err.message);
    cr_assert_float_eq(m.V1, 0.5 * lrk_stencil_sum(&m.space), 1e-15, "elastic: V1 = q0 dp0 S");
    m.space.kernel = LRK_KERNEL_UNIFORM;
    cr_assert_eq(lrk_space_resolve(&m, 1, 0.5, 2.0, &err), LRK_OK, "%s", err.message);
    cr_assert_float_eq(m.V1, 0.5 * 1.5665, 1e-4, "uniform: the r3 S, %g", m.V1);
    cr_assert_eq(lrk_space_resolve(&m, 1, 0.5, 2.5, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "model.elastic.d_el") != NULL, "%s", err.message);
    m.space = box(512, 0, 0, 1, LRK_KERNEL_R3); /* the largest box: 1.3e8 sites */
    cr_assert_eq(lrk_space_resolve(&m, 0, -1, 0, &err), LRK_OK);
    cr_assert_eq(m.N, 512L * 512 * 512);
    m = (lrk_model){.N = 7};
    cr_assert_eq(lrk_space_resolve(&m, 1, 0.5, 3, &err), LRK_OK, "no lattice: nothing to do");
    cr_assert_eq(m.N, 7);
}
