/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * kmc_internal.h - what kmc.c and kmc_run.c share and nobody else needs: the
 * engine grid of a run (engine.h) built from the parameters.  Building it is
 * O(t_count + level_count), cheap enough to do both when a result is sized
 * (the engine's extra_count may look at it) and when the run starts.
 */
#ifndef LREKMC_KMC_INTERNAL_H
#define LREKMC_KMC_INTERNAL_H

#include "lrekmc/engine.h"
#include "lrekmc/kmc.h"

typedef struct kmc_grid {
    lrk_engine_grid view; /* points into the arrays below */
    double *t;            /* t_count + 1: the grid times, then +INFINITY */
    long *level_events;   /* level_count (+ 1 so that it is never empty) */
} kmc_grid;

/* p must be validated.  Returns LRK_ERR_NOMEM (message set) on failure;
 * kmc_grid_free is safe on a zeroed or failed grid. */
lrk_status kmc_grid_build(const lrk_kmc_params *p, kmc_grid *g, lrk_error *err);
void kmc_grid_free(kmc_grid *g);

#endif /* LREKMC_KMC_INTERNAL_H */
