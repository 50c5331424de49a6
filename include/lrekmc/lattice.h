/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * lattice.h - the geometry of LREs in space: a periodic simple-cubic box and
 * the interaction stencil of model.space (model.h, docs/space.md).
 *
 * Sites are (x, y, z), 0 <= x < Lx etc., with the row-major number
 * x + Lx (y + Ly z) used wherever a site is named outside the engine.
 *
 * The stencil lists the distinct displacements (dx, dy, dz), taken modulo
 * the box (0 <= dx < Lx ...; never (0, 0, 0)), through which a relaxing LRE
 * loads another one, with the summed weight W of the displacement:
 *   r3:      W = sum over integer vectors v = (dx + a Lx, dy + b Ly, dz + c Lz)
 *            with 0 < |v| <= d_el of (1 / (2 |v|))^3,
 *   uniform: W = 1 for every other site.
 * Summing over images lets d_el exceed L/2: a displacement reached by two
 * images gets both weights; an image of the site itself (v a multiple of the
 * box) is skipped: an LRE does not load itself.  |v| <= d_el is decided on
 * the integer |v|^2 against d_el^2 (1 + 1e-12), so d_el = sqrt(2) includes
 * the face diagonals although sqrt(2)^2 rounds either way.
 *
 * The coupling of a displacement is J = scale W: scale = V1 / S for r3
 * (S = sum W, so a fully relaxed neighbourhood adds V1) and V1 / N for
 * uniform.  With model.elastic the configuration resolves V1 = q0 dp0 S
 * (lrk_stencil_sum), so J = q0 dp0 W as Eq. 4 has it and the effective V1
 * grows like ln(2 d_el) (Eq. 5).
 */
#ifndef LREKMC_LATTICE_H
#define LREKMC_LATTICE_H

#include <stddef.h>

#include "lrekmc/model.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* The names, indexed by the enum, NULL-terminated: the one list behind the
 * functions below and the model.space.lattice / kernel keys. */
extern const char *const lrk_lattice_names[];
extern const char *const lrk_kernel_names[];

/* "none", "cubic" / "r3", "uniform"; NULL for an unknown value. */
const char *lrk_lattice_name(lrk_lattice lattice);
const char *lrk_kernel_name(lrk_kernel kernel);
/* Parse a name; LRK_ERR_INVALID for an unknown one. */
lrk_status lrk_lattice_parse(const char *name, lrk_lattice *lattice);
lrk_status lrk_kernel_parse(const char *name, lrk_kernel *kernel);

/* Largest number of stencil entries: the per-event cost is proportional to
 * it, and the uniform kernel's N - 1 entries are only built for tests. */
#define LRK_STENCIL_MAX_COUNT (1L << 24)

typedef struct lrk_stencil {
    size_t count;
    int *dx, *dy, *dz;   /* count each, 0 <= dx < Lx, ... */
    double *W;           /* count: summed weight, > 0 */
    double S;            /* sum of W (0 when count = 0) */
} lrk_stencil;

/* Build the stencil of a cubic lattice (s->lattice must be CUBIC and the
 * ranges of lrk_model_validate hold).  Entries are sorted by row-major
 * displacement number dx + Lx (dy + Ly dz); each W sums its images in a
 * fixed order, so the result is the same on every run.  The uniform kernel
 * gives all N - 1 displacements (refused beyond LRK_STENCIL_MAX_COUNT).
 * Free with lrk_stencil_free (also after a failure). */
lrk_status lrk_stencil_build(const lrk_space *s, lrk_stencil *out, lrk_error *err);
void lrk_stencil_free(lrk_stencil *st);

/* S for the r3 kernel (N - 1 for uniform) without keeping the stencil:
 * what model.elastic needs to resolve V1 = q0 dp0 S.  NAN on bad input or
 * out of memory. */
double lrk_stencil_sum(const lrk_space *s);

/* J of each entry, J[o] = scale W[o], for a model with a cubic lattice
 * (scale as above).  J must hold st->count doubles. */
void lrk_stencil_coupling(const lrk_model *m, const lrk_stencil *st, double *J);

/* What the configuration resolves for a model with model.space (a no-op
 * without a lattice), in this order:
 *   - Ly, Lz of 0 mean "as L" (Lx);
 *   - N: when n_given, it must equal Lx Ly Lz (else LRK_ERR_INVALID naming
 *     model.N); otherwise it becomes Lx Ly Lz, which must be at most
 *     LRK_MODEL_MAX_N;
 *   - with model.elastic (elastic_q0_dp0 >= 0): elastic_d_el_over_d0 must
 *     equal d_el (relative 1e-12: both are the elasticity length in lattice
 *     spacings) and V1 becomes q0 dp0 S, S of the r3 kernel also for the
 *     uniform kernel (so that it is the mean-field null of the same model).
 * The message names the parameter and what was expected. */
lrk_status lrk_space_resolve(lrk_model *m, int n_given, double elastic_q0_dp0, double elastic_d_el_over_d0,
                             lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_LATTICE_H */
