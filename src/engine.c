/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * engine.c - which engine simulates a model, and the defaults of the optional
 * members of lrk_engine_type (engine.h).  The engines themselves live in
 * engine_<name>.c.
 */
#include "lrekmc/engine.h"

#include "lrekmc/disorder.h"

#include <stdio.h>
#include <string.h>

static const lrk_engine_type *const registered[] = {&lrk_engine_chain, &lrk_engine_disorder, &lrk_engine_lattice};

const lrk_engine_type *lrk_engine_by_name(const char *name)
{
    for (size_t i = 0; name != NULL && i < sizeof registered / sizeof registered[0]; i++)
        if (strcmp(registered[i]->name, name) == 0)
            return registered[i];
    return NULL;
}

int lrk_engine_results_version(const lrk_engine_type *e)
{
    return e->results_version > 0 ? e->results_version : 1;
}

const lrk_engine_type *lrk_engine_for_model(const lrk_model *m)
{
    /* kernel uniform with disorder is exactly the mean-field disorder model
     * (every unrelaxed barrier is V0 + delta_i + c V1 n/N): its engine and
     * references apply unchanged (docs/space.md, disorder in space) */
    if (m->space.lattice != LRK_LATTICE_NONE
        && !(m->space.kernel == LRK_KERNEL_UNIFORM && lrk_disorder_active(m)))
        return &lrk_engine_lattice;
    if (lrk_disorder_active(m))
        return &lrk_engine_disorder;
    return &lrk_engine_chain;
}

unsigned lrk_engine_references(const lrk_engine_type *e, const lrk_model *m)
{
    if (e == NULL)
        e = lrk_engine_for_model(m);
    return e->references != NULL ? e->references(m) & LRK_REF_ALL : 0u;
}

size_t lrk_engine_extra_count(const lrk_engine_type *e, const lrk_model *m, const lrk_engine_grid *g)
{
    return e->extra_count != NULL ? e->extra_count(m, g) : 0;
}

const char *lrk_engine_extra_name(const lrk_engine_type *e, const lrk_model *m, size_t i, char *buf,
                                  size_t size)
{
    const char *name = e->extra_name != NULL ? e->extra_name(m, i) : NULL;
    if (name != NULL)
        return name;
    snprintf(buf, size, "extra_%zu", i);
    return buf;
}
