/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_inactive.c - keys that act only under another key's value: the box
 * of model.space under a lattice, model.disorder.width under a distribution,
 * model.crossover under mode crossover.  Given while that key says otherwise
 * (model.space: {L: 32} with the default lattice, none), such a key would be
 * dropped in silence and the run would be mean field, without disorder, or
 * plain SER, so it is an error.  A governing key that a sweep sets (at the base,
 * or at one of its points) makes the key act at some point, so it stands.
 */
#include "config_internal.h"

#include <string.h>

#include "lrekmc/lattice.h"

typedef struct dependent_keys {
    const char *const *keys;           /* NULL-terminated */
    const char *governor;              /* the key they depend on */
    int (*acts)(const lrk_config *c);  /* the governor's value lets them act */
    int (*present)(const lrk_config *c, const char *key, size_t slot); /* given with an effect */
    const char *why;                   /* what the inactive value means */
    const char *fix;
} dependent_keys;

static int has_lattice(const lrk_config *c)
{
    return c->model.space.lattice != LRK_LATTICE_NONE;
}

static int has_distribution(const lrk_config *c)
{
    return c->model.disorder.kind != LRK_DISORDER_NONE;
}

static int is_crossover(const lrk_config *c)
{
    return c->model.mode == LRK_MODE_CROSSOVER;
}

static int given_or_swept(const lrk_config *c, const char *key, size_t slot)
{
    return c->origin[slot].kind != LRK_ORIGIN_DEFAULT || config_key_sweep_axis(c, key) != NULL;
}

/* A width of 0 is no disorder, which a missing distribution also is. */
static int nonzero_width(const lrk_config *c, const char *key, size_t slot)
{
    return (c->origin[slot].kind != LRK_ORIGIN_DEFAULT && c->model.disorder.width != 0)
           || config_key_sweep_axis(c, key) != NULL;
}

static const char *const space_keys[] = {"model.space.L", "model.space.Ly", "model.space.Lz", "model.space.d_el",
                                         "model.space.kernel", NULL};
static const char *const width_keys[] = {"model.disorder.width", NULL};
static const char *const crossover_keys[] = {"model.crossover.A", "model.crossover.T0", NULL};

static const dependent_keys dependents[] = {
    {space_keys, "model.space.lattice", has_lattice, given_or_swept, "the mean-field chain has no box",
     "set model.space.lattice: cubic for LREs in space"},
    {width_keys, "model.disorder.distribution", has_distribution, nonzero_width, "no offsets are drawn",
     "set model.disorder.distribution (normal, uniform, exponential or bimodal)"},
    {crossover_keys, "model.mode", is_crossover, given_or_swept, "f(T) enters only the crossover mode",
     "set model.mode: crossover"},
};

/* The governor's value at the base, where no sweep sets it. */
static int governor_fixed(const lrk_config *c, const char *governor)
{
    return c->origin[config_key_slot(governor)].kind != LRK_ORIGIN_SWEEP
           && config_key_sweep_axis(c, governor) == NULL;
}

static size_t check_dependents(const lrk_config *c, const dependent_keys *dep, lrk_diagnostics *d)
{
    if (dep->acts(c) || !governor_fixed(c, dep->governor))
        return 0;
    char value[128];
    size_t governor = config_key_slot(dep->governor);
    config_key_format(c, config_key_at(governor), value, sizeof value);
    int default_value = c->origin[governor].kind == LRK_ORIGIN_DEFAULT;
    for (size_t i = 0; dep->keys[i] != NULL; i++) {
        size_t slot = config_key_slot(dep->keys[i]);
        if (!dep->present(c, dep->keys[i], slot))
            continue;
        /* a key only swept is placed at its axis */
        lrk_config at = *c;
        const lrk_sweep_axis *axis = config_key_sweep_axis(c, dep->keys[i]);
        if (at.origin[slot].kind == LRK_ORIGIN_DEFAULT && axis != NULL)
            at.origin[slot] = (lrk_config_origin){LRK_ORIGIN_SWEEP, axis->line, axis->column};
        config_report(d, &at, slot, "%s is given but %s is %s%s%s: %s; %s, or remove %s", dep->keys[i],
                      dep->governor, default_value ? "not (its default is " : "", value, default_value ? ")" : "",
                      dep->why, dep->fix, dep->keys[i]);
        return 1;
    }
    return 0;
}

size_t config_check_inactive_keys(const lrk_config *c, lrk_diagnostics *d)
{
    size_t errors = 0;
    for (size_t i = 0; i < sizeof dependents / sizeof dependents[0]; i++)
        errors += check_dependents(c, &dependents[i], d);
    return errors;
}
