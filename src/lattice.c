/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice.c - the interaction stencil of a periodic cubic box (lattice.h).
 *
 * Images are enumerated as integer vectors v inside the ball |v| <= d_el and
 * reduced modulo the box; the (class, enumeration index) pairs are sorted so
 * that each class sums its images in one fixed order: the stencil, hence
 * every rate factor, is bit-identical between runs and machines with the
 * same libm.  The ball holds at most (2 * 64 + 1)^3 = 2.1e6 vectors.
 */
#include "lrekmc/lattice.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

const char *const lrk_lattice_names[] = {"none", "cubic", NULL};
const char *const lrk_kernel_names[] = {"r3", "uniform", NULL};

const char *lrk_lattice_name(lrk_lattice lattice)
{
    return (unsigned)lattice < 2 ? lrk_lattice_names[lattice] : NULL;
}

const char *lrk_kernel_name(lrk_kernel kernel)
{
    return (unsigned)kernel < 2 ? lrk_kernel_names[kernel] : NULL;
}

lrk_status lrk_lattice_parse(const char *name, lrk_lattice *lattice)
{
    for (unsigned i = 0; lrk_lattice_names[i] != NULL; i++)
        if (strcmp(name, lrk_lattice_names[i]) == 0) {
            *lattice = (lrk_lattice)i;
            return LRK_OK;
        }
    return LRK_ERR_INVALID;
}

lrk_status lrk_kernel_parse(const char *name, lrk_kernel *kernel)
{
    for (unsigned i = 0; lrk_kernel_names[i] != NULL; i++)
        if (strcmp(name, lrk_kernel_names[i]) == 0) {
            *kernel = (lrk_kernel)i;
            return LRK_OK;
        }
    return LRK_ERR_INVALID;
}

void lrk_stencil_free(lrk_stencil *st)
{
    if (st == NULL)
        return;
    free(st->dx);
    free(st->dy);
    free(st->dz);
    free(st->W);
    memset(st, 0, sizeof *st);
}

typedef struct image {
    uint64_t cls;   /* row-major displacement number */
    uint64_t order; /* enumeration index: the fixed summation order */
    double w;
} image;

static int image_cmp(const void *a, const void *b)
{
    const image *x = a, *y = b;
    if (x->cls != y->cls)
        return x->cls < y->cls ? -1 : 1;
    return x->order < y->order ? -1 : (x->order > y->order);
}

static long mod(long a, long L)
{
    long r = a % L;
    return r < 0 ? r + L : r;
}

static lrk_status alloc_entries(lrk_stencil *st, size_t count, lrk_error *err)
{
    st->dx = malloc((count + 1) * sizeof(int));
    st->dy = malloc((count + 1) * sizeof(int));
    st->dz = malloc((count + 1) * sizeof(int));
    st->W = malloc((count + 1) * sizeof(double));
    if (!st->dx || !st->dy || !st->dz || !st->W)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory for a stencil of %zu entries", count);
    return LRK_OK;
}

static lrk_status build_uniform(const lrk_space *s, lrk_stencil *st, lrk_error *err)
{
    long N = s->Lx * s->Ly * s->Lz;
    if (N - 1 > LRK_STENCIL_MAX_COUNT)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "lattice: the uniform kernel's stencil has N - 1 = %ld entries (at most %ld)", N - 1,
                             LRK_STENCIL_MAX_COUNT);
    lrk_status status = alloc_entries(st, (size_t)(N - 1), err);
    if (status != LRK_OK)
        return status;
    for (long c = 1; c < N; c++) {
        size_t o = (size_t)(c - 1);
        st->dx[o] = (int)(c % s->Lx);
        st->dy[o] = (int)(c / s->Lx % s->Ly);
        st->dz[o] = (int)(c / (s->Lx * s->Ly));
        st->W[o] = 1.0;
    }
    st->count = (size_t)(N - 1);
    st->S = (double)(N - 1);
    return LRK_OK;
}

/* Every vector of the ball, reduced to its class; the own-site class 0 is
 * skipped. */
static image *enumerate_images(const lrk_space *s, size_t *count)
{
    const long R = (long)floor(s->d_el);
    const double limit = s->d_el * s->d_el * (1.0 + 1e-12);
    const size_t side = (size_t)(2 * R + 1);
    image *im = malloc(side * side * side * sizeof *im);
    if (im == NULL)
        return NULL;
    size_t n = 0;
    uint64_t order = 0;
    for (long z = -R; z <= R; z++)
        for (long y = -R; y <= R; y++)
            for (long x = -R; x <= R; x++, order++) {
                long r2 = x * x + y * y + z * z;
                if (r2 == 0 || (double)r2 > limit)
                    continue;
                uint64_t cls = (uint64_t)(mod(x, s->Lx) + s->Lx * (mod(y, s->Ly) + s->Ly * mod(z, s->Lz)));
                if (cls == 0)
                    continue; /* an image of the site itself */
                double r = sqrt((double)r2);
                double w = 1.0 / (2.0 * r);
                im[n++] = (image){cls, order, w * w * w};
            }
    *count = n;
    return im;
}

static lrk_status build_r3(const lrk_space *s, lrk_stencil *st, lrk_error *err)
{
    size_t n;
    image *im = enumerate_images(s, &n);
    if (im == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "lattice: out of memory enumerating images (d_el = %g)", s->d_el);
    qsort(im, n, sizeof *im, image_cmp);
    size_t distinct = 0;
    for (size_t i = 0; i < n; i++)
        distinct += i == 0 || im[i].cls != im[i - 1].cls;
    lrk_status status = alloc_entries(st, distinct, err);
    if (status != LRK_OK) {
        free(im);
        return status;
    }
    size_t o = 0;
    double S = 0.0;
    for (size_t i = 0; i < n;) {
        uint64_t cls = im[i].cls;
        double W = 0.0;
        for (; i < n && im[i].cls == cls; i++)
            W += im[i].w;
        st->dx[o] = (int)(cls % (uint64_t)s->Lx);
        st->dy[o] = (int)(cls / (uint64_t)s->Lx % (uint64_t)s->Ly);
        st->dz[o] = (int)(cls / (uint64_t)(s->Lx * s->Ly));
        st->W[o] = W;
        S += W;
        o++;
    }
    st->count = distinct;
    st->S = S;
    free(im);
    return LRK_OK;
}

lrk_status lrk_stencil_build(const lrk_space *s, lrk_stencil *out, lrk_error *err)
{
    memset(out, 0, sizeof *out);
    if (s->lattice != LRK_LATTICE_CUBIC || s->Lx < 1 || s->Ly < 1 || s->Lz < 1 || s->Lx > LRK_SPACE_MAX_L
        || s->Ly > LRK_SPACE_MAX_L || s->Lz > LRK_SPACE_MAX_L || !(s->d_el > 0 && s->d_el <= LRK_SPACE_MAX_D_EL))
        return lrk_error_set(err, LRK_ERR_INVALID, "lattice: a cubic lattice with valid L and d_el is required");
    return s->kernel == LRK_KERNEL_UNIFORM ? build_uniform(s, out, err) : build_r3(s, out, err);
}

double lrk_stencil_sum(const lrk_space *s)
{
    if (s->kernel == LRK_KERNEL_UNIFORM)
        return (double)(s->Lx * s->Ly * s->Lz - 1);
    lrk_stencil st;
    double S = lrk_stencil_build(s, &st, NULL) == LRK_OK ? st.S : NAN;
    lrk_stencil_free(&st);
    return S;
}

void lrk_stencil_coupling(const lrk_model *m, const lrk_stencil *st, double *J)
{
    double scale;
    if (m->space.kernel == LRK_KERNEL_UNIFORM)
        scale = m->V1 / (double)m->N;
    else
        scale = st->S > 0 ? m->V1 / st->S : 0.0;
    for (size_t o = 0; o < st->count; o++)
        J[o] = scale * st->W[o];
}

lrk_status lrk_space_resolve(lrk_model *m, int n_given, double elastic_q0_dp0, double elastic_d_el_over_d0,
                             lrk_error *err)
{
    lrk_space *s = &m->space;
    if (s->lattice == LRK_LATTICE_NONE)
        return LRK_OK;
    if (s->Ly == 0)
        s->Ly = s->Lx;
    if (s->Lz == 0)
        s->Lz = s->Lx;
    double product = (double)s->Lx * (double)s->Ly * (double)s->Lz;
    if (n_given && (double)m->N != product)
        return lrk_error_set(err, LRK_ERR_INVALID,
                             "model.N = %ld: expected L*Ly*Lz = %ld*%ld*%ld = %.0f with model.space.lattice: cubic "
                             "(or leave model.N out)",
                             m->N, s->Lx, s->Ly, s->Lz, product);
    if (product > (double)LRK_MODEL_MAX_N)
        return lrk_error_set(err, LRK_ERR_INVALID, "model.space: L*Ly*Lz = %.0f: expected at most %ld LREs", product,
                             LRK_MODEL_MAX_N);
    m->N = (long)product;
    if (elastic_q0_dp0 >= 0) {
        if (!(fabs(elastic_d_el_over_d0 - s->d_el) <= 1e-12 * s->d_el))
            return lrk_error_set(err, LRK_ERR_INVALID,
                                 "model.space.d_el = %g but model.elastic.d_el / d0 = %g: with a lattice both are the "
                                 "elasticity length in lattice spacings; give the same value",
                                 s->d_el, elastic_d_el_over_d0);
        lrk_space r3 = *s; /* uniform too: the same effective V1 as r3, so it is r3's mean-field null */
        r3.kernel = LRK_KERNEL_R3;
        double S = lrk_stencil_sum(&r3);
        if (!isfinite(S))
            return lrk_error_set(err, LRK_ERR_INVALID, "model.space: cannot build the stencil (d_el = %g)", s->d_el);
        m->V1 = elastic_q0_dp0 * S;
    }
    return LRK_OK;
}
