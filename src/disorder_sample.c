/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * disorder_sample.c - the slow branches of the normal ziggurat and the
 * array exp() of the disorder engine (disorder_sample.h).  They live apart
 * from disorder.c because they are generic samplers with their own tests
 * (tests/test_disorder_sample.c), and the vector ABI of libmvec needs
 * per-function target attributes that the engine should not carry.
 */
#include "disorder_sample.h"

#include <math.h>

double disorder_normal_tail(lrk_pcg64 *g, double r)
{
    /* Marsaglia (1964): x = -ln(U1)/r is exponential with rate r; accepting
     * with probability exp(-x^2/2) (2(-ln U2) > x^2) leaves the density of
     * the normal beyond r, shifted by r. */
    for (;;) {
        double x = -log(disorder_uniform52(g)) / r;
        double y = -log(disorder_uniform52(g));
        if (y + y > x * x)
            return r + x;
    }
}

/* Outside the rectangle of its layer: layer 0 draws from the tail beyond r,
 * other layers accept x under the density by a uniform height in the wedge
 * between f[layer] and f[layer - 1], and otherwise start afresh (a fresh
 * layer, sign and magnitude). */
double disorder_normal_slow(lrk_pcg64 *g, const normal_ziggurat *z, unsigned layer, double x, uint64_t sign_bit)
{
    for (;;) {
        if (layer == 0) {
            x = disorder_normal_tail(g, z->r);
            break;
        }
        double height = z->f[layer] + disorder_uniform52(g) * (z->f[layer - 1] - z->f[layer]);
        if (height < exp(-0.5 * x * x))
            break;
        if (disorder_normal_fast(lrk_pcg64_next_inline(g), z, &x, &layer, &sign_bit))
            return x; /* signed already */
    }
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    b ^= sign_bit;
    memcpy(&x, &b, sizeof b);
    return x;
}

#if defined(LREKMC_HAVE_LIBMVEC) && defined(__x86_64__)

/* glibc's vector exp (the x86_64 vector function ABI: 'b' = SSE2, 2 lanes).  Each lane is computed from its own argument only
 * (special arguments fall back to the scalar exp lane by lane), so the
 * result of an element does not depend on its neighbours or its position. */
typedef double vec2 __attribute__((vector_size(16)));
vec2 _ZGVbN2v_exp(vec2 x);

static void exp_sse2(double *y, size_t n)
{
    size_t i = 0;
    for (; i + 2 <= n; i += 2) {
        vec2 v;
        memcpy(&v, y + i, sizeof v);
        v = _ZGVbN2v_exp(v);
        memcpy(y + i, &v, sizeof v);
    }
    if (i < n) {
        vec2 v = {y[i], 0};
        v = _ZGVbN2v_exp(v);
        y[i] = v[0];
    }
}

/* Always the 2-lane SSE2 routine, which every x86-64 CPU has: the AVX2 one
 * (_ZGVdN4v_exp, 0.9 ns per value faster) rounds a few arguments in 10^5
 * differently, so choosing by CPU would make two machines of one MPI run
 * (or a rerun elsewhere) disagree in the last bit of some s_i and hence in
 * whole trajectories. */
void disorder_exp_array(double *y, size_t n)
{
    exp_sse2(y, n);
}

const char *disorder_exp_routine(void)
{
    return "libmvec-sse2";
}

#else

void disorder_exp_array(double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = exp(y[i]);
}

const char *disorder_exp_routine(void)
{
    return "scalar";
}

#endif
