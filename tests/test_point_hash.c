/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_point_hash.c - the configuration hash that identifies a point's
 * results: the fast per-point form equals the hash of the point built in
 * full, for every point of sweeps over numbers, enums, t_max, a zip group
 * and model.elastic; keys that change no result do not change it, every
 * other key does.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "../src/point_hash.h"
#include "lrekmc/campaign.h"

static void load(lrk_config *c, const char *yaml)
{
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(c);
    lrk_status s = lrk_config_load_string(c, "test", yaml, strlen(yaml), &d);
    if (s == LRK_OK)
        s = lrk_config_validate(c, &d);
    cr_assert_eq(s, LRK_OK, "%s", d.count ? d.messages[0] : "?");
    lrk_diagnostics_free(&d);
}

static void assert_fast_hash_is_the_full_hash(const char *yaml, size_t expected_points)
{
    lrk_config base;
    load(&base, yaml);
    size_t count = lrk_config_sweep_point_count(&base);
    cr_assert_eq(count, expected_points);
    point_hasher *h = NULL;
    lrk_error err;
    cr_assert_eq(point_hasher_create(&base, &h, &err), LRK_OK, "%s", err.message);
    uint64_t *seen = calloc(count, sizeof *seen);
    for (size_t k = 0; k < count; k++) {
        lrk_config point;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        cr_assert_eq(lrk_config_sweep_point(&point, &base, k, &d), LRK_OK);
        uint64_t full = 0;
        cr_assert_eq(lrk_config_hash(&point, 1, &full, &err), LRK_OK);
        cr_assert_eq(point_hasher_hash(h, k), full, "point %zu", k);
        for (size_t j = 0; j < k; j++)
            cr_assert_neq(seen[j], full, "points %zu and %zu share a hash", j, k);
        seen[k] = full;
        lrk_diagnostics_free(&d);
        lrk_config_free(&point);
    }
    free(seen);
    point_hasher_free(h);
    lrk_config_free(&base);
}

Test(point_hash, fast_form_equals_the_full_hash_of_every_point)
{
    assert_fast_hash_is_the_full_hash("sweep:\n"
                                      "  model.mode: [ser, cer]\n"
                                      "  grid.t_max: [auto, 100, 1e3]\n"
                                      "  zip: {model.T: [0.5, 1, 2], kmc.seed: [1, 2, 3]}\n"
                                      "  model.N: {logspace: [10, 1000, 3]}\n",
                                      54);
    assert_fast_hash_is_the_full_hash("model: {elastic: {n_r: 1, q0: 0.1, dp0: 1, d0: 1, d_el: 2}}\n"
                                      "sweep:\n"
                                      "  model.elastic.d_el: [1.5, 2, 3]\n"
                                      "  kmc.threads: [1]\n",
                                      3);
}

/* Keys whose omission depends on another key (model.disorder.distribution
 * and width are left out only together, model.space.* without a lattice):
 * sweeping the other key changes their entries too.  The fast form missed
 * that (a resumed width sweep from 0 refused its own points). */
Test(point_hash, fast_form_follows_keys_that_depend_on_others)
{
    assert_fast_hash_is_the_full_hash("sweep:\n  zip: {model.disorder.distribution: [none, normal], "
                                      "model.disorder.width: [0, 0.5]}\n",
                                      2);
    assert_fast_hash_is_the_full_hash("sweep:\n  model.disorder.distribution: [none, normal]\n"
                                      "  model.disorder.width: [0, 0.5, 1]\n",
                                      6);
    assert_fast_hash_is_the_full_hash("model: {N: 64, space: {L: 4, d_el: 1.5}}\n"
                                      "sweep:\n  model.space.lattice: [none, cubic]\n  model.T: [1, 2]\n",
                                      4);
}

Test(point_hash, only_keys_that_change_results_change_the_hash)
{
    lrk_config a, b;
    load(&a, "kmc: {seed: 5, threads: 1}\noutput: {dir: one}\n");
    load(&b, "kmc: {seed: 5, threads: 7}\noutput: {dir: two}\n");
    uint64_t x, y;
    cr_assert_eq(lrk_config_hash(&a, 1, &x, NULL), LRK_OK);
    cr_assert_eq(lrk_config_hash(&b, 1, &y, NULL), LRK_OK);
    cr_assert_eq(x, y, "threads or output.dir changed the hash");
    lrk_config_free(&b);
    for (size_t i = 0; lrk_config_key_name(i) != NULL; i++) {
        const char *name = lrk_config_key_name(i);
        if (strcmp(name, "kmc.threads") == 0 || strcmp(name, "output.dir") == 0 || strncmp(name, "model.elastic", 13) == 0
            || strncmp(name, "model.crossover", 15) == 0
            || (strncmp(name, "model.space.", 12) == 0 && strcmp(name, "model.space.lattice") != 0))
            continue; /* model.space.* beyond the lattice: space_keys_change_the_hash */
        /* another valid value of the key: the hash must differ */
        static const char *const values[] = {"0.37", "3", "true", "false", "cer", "timegrid", "on", "log", "7",
                                             "common", "ode", "moments", "pilot", "cubic", "bimodal"};
        int changed = 0, tried = 0;
        for (size_t v = 0; v < sizeof values / sizeof values[0]; v++) {
            lrk_config c;
            lrk_config_copy(&c, &a);
            lrk_diagnostics d;
            lrk_diagnostics_init(&d);
            char assignment[128];
            snprintf(assignment, sizeof assignment, "%s=%s", name, values[v]);
            if (lrk_config_set(&c, assignment, &d) == LRK_OK && !lrk_config_equal(&c, &a)) {
                uint64_t z;
                lrk_config_hash(&c, 1, &z, NULL);
                tried++;
                changed += z != x;
            }
            lrk_diagnostics_free(&d);
            lrk_config_free(&c);
        }
        cr_assert(tried > 0, "no other value of %s could be set", name);
        cr_assert_eq(changed, tried, "%s: %d of %d other values left the hash unchanged", name, tried - changed, tried);
    }
    lrk_config_free(&a);
}

/* model.space.* are left out without a lattice (mean-field hashes did not
 * change when they were added); with one, each changes the hash. */
Test(point_hash, space_keys_change_the_hash)
{
    lrk_config none, a;
    load(&none, "model: {N: 4096}\n");
    load(&a, "model: {space: {lattice: cubic, L: 16}}\n");
    uint64_t h0, h;
    cr_assert_eq(lrk_config_hash(&a, 1, &h0, NULL), LRK_OK);
    cr_assert_eq(lrk_config_hash(&none, 1, &h, NULL), LRK_OK);
    cr_assert_neq(h, h0, "a lattice changes the hash");
    const char *const changes[] = {"model.space.L=8", "model.space.Ly=8", "model.space.Lz=8", "model.space.d_el=2",
                                   "model.space.kernel=uniform"};
    for (size_t i = 0; i < sizeof changes / sizeof changes[0]; i++) {
        lrk_config c;
        lrk_config_copy(&c, &a);
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        cr_assert_eq(lrk_config_set(&c, changes[i], &d), LRK_OK);
        cr_assert_eq(lrk_config_hash(&c, 1, &h, NULL), LRK_OK);
        cr_assert_neq(h, h0, "%s left the hash unchanged", changes[i]);
        lrk_diagnostics_free(&d);
        lrk_config_free(&c);
    }
    lrk_config_free(&a);
    lrk_config_free(&none);
}
