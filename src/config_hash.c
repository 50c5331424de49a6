/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_hash.c - the identity of a configuration's results
 * (lrk_config_hash in config.h) and its fast per-point form
 * (point_hash.h).  The hash is XXH3-64 over one 64-bit XXH3 of
 * "key=value" per scalar key in table order (values as lrk_config_emit
 * writes them), so that a point's hash is the base's array with the swept
 * keys' entries replaced.  Keys whose row says they change no result
 * (changes_no_result: output.dir, kmc.threads) count as constants; so does
 * a key the row omits (model.V1 when model.elastic derives it: the elastic
 * keys carry it).
 */
#define _POSIX_C_SOURCE 200809L
#include "config_internal.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lrekmc/campaign.h"
#include "point_hash.h"

/* From the key's row: changes_no_result marks a key that changes no result, and an
 * omitted key (model.V1 under model.elastic) is carried by others. */
static int is_constant(const lrk_config *c, const config_key_def *k)
{
    return k->changes_no_result || (k->omitted != NULL && k->omitted(c));
}

static uint64_t key_hash(const lrk_config *c, size_t i)
{
    const config_key_def *k = config_key_at(i);
    if (is_constant(c, k))
        return 0;
    char text[1200];
    int used = snprintf(text, sizeof text, "%s=", k->name);
    config_key_format(c, k, text + used, sizeof text - (size_t)used);
    return XXH3_64bits(text, strlen(text));
}

/* Entries of model.space.* and model.disorder.* keys that are 0 (omitted: no
 * lattice, no disorder) are dropped before hashing, so that every
 * configuration without them keeps the hash it had before those keys existed.  Returns the entries left. */
static size_t drop_absent_space_keys(uint64_t *h, size_t n)
{
    size_t kept = 0;
    for (size_t i = 0; i < n; i++) {
        const config_key_def *k = i < config_key_count() ? config_key_at(i) : NULL;
        if (h[i] == 0 && k != NULL
            && (strncmp(k->name, "model.space.", 12) == 0 || strncmp(k->name, "model.disorder.", 15) == 0))
            continue;
        h[kept++] = h[i];
    }
    return kept;
}

static void fill_key_hashes(const lrk_config *c, uint64_t *h)
{
    for (size_t i = 0; i < config_key_count(); i++)
        h[i] = key_hash(c, i);
    h[config_key_count()] = (uint64_t)c->has_elastic;
}

lrk_status lrk_config_hash(const lrk_config *c, int without_sweep, uint64_t *hash, lrk_error *err)
{
    size_t n = config_key_count() + 1;
    uint64_t *h = malloc(n * sizeof *h);
    XXH3_state_t *state = without_sweep ? NULL : XXH3_createState();
    if (h == NULL || (!without_sweep && state == NULL)) {
        free(h);
        XXH3_freeState(state);
        return lrk_error_set(err, LRK_ERR_NOMEM, "configuration hash: out of memory");
    }
    fill_key_hashes(c, h);
    n = drop_absent_space_keys(h, n);
    if (without_sweep) {
        *hash = XXH3_64bits(h, n * sizeof *h);
    } else {
        XXH3_64bits_reset(state);
        XXH3_64bits_update(state, h, n * sizeof *h);
        for (size_t a = 0; a < c->sweep_axis_count; a++) {
            const lrk_sweep_axis *axis = &c->sweep_axes[a];
            XXH3_64bits_update(state, "\n[", 2);
            for (size_t k = 0; k < axis->key_count; k++) {
                XXH3_64bits_update(state, axis->keys[k], strlen(axis->keys[k]) + 1);
                for (size_t v = 0; v < axis->value_count; v++)
                    XXH3_64bits_update(state, axis->values[k][v], strlen(axis->values[k][v]) + 1);
            }
        }
        *hash = XXH3_64bits_digest(state);
        XXH3_freeState(state);
    }
    free(h);
    return LRK_OK;
}

/* ---- every point of a sweep ------------------------------------------------ */

typedef struct swept_key {
    size_t slot;                 /* in the key table */
    size_t axis;
    uint64_t *value_hash;        /* per value of the axis */
} swept_key;

struct point_hasher {
    int slow;                    /* a swept key moves other keys' entries: build each point */
    lrk_config base_config;      /* slow: the campaign's configuration */
    size_t n;                    /* entries of the array */
    uint64_t *base;              /* point 0's array */
    size_t axis_count;
    size_t *stride;              /* per axis: points per step of its index */
    size_t *values;              /* per axis */
    size_t key_count;
    swept_key *keys;
};

void point_hasher_free(point_hasher *h)
{
    if (h == NULL)
        return;
    if (h->slow)
        lrk_config_free(&h->base_config);
    for (size_t i = 0; i < h->key_count; i++)
        free(h->keys[i].value_hash);
    free(h->keys);
    free(h->stride);
    free(h->values);
    free(h->base);
    free(h);
}

/* Whether some entry other than `slot` differs between a and b: a key whose
 * omission depends on the swept one (model.disorder.distribution on
 * width, model.space.* on the lattice). */
static int moves_others(const uint64_t *a, const uint64_t *b, size_t n, size_t slot)
{
    for (size_t i = 0; i < n; i++)
        if (i != slot && a[i] != b[i])
            return 1;
    return 0;
}

/* Each value of a swept key applied to a copy of point 0 and hashed; *slow
 * set when a value moves another key's entry (the per-key form would then
 * be wrong). */
static lrk_status hash_values(const lrk_config *first, const uint64_t *base, size_t n, const lrk_sweep_axis *axis,
                              size_t k, swept_key *out, int *slow, lrk_error *err)
{
    size_t slot = 0;
    const config_key_def *def = config_key_find(axis->keys[k], &slot);
    out->slot = slot;
    out->value_hash = malloc(axis->value_count * sizeof *out->value_hash);
    uint64_t *entries = malloc(n * sizeof *entries);
    lrk_config scratch;
    lrk_status s = def == NULL ? LRK_ERR_INVALID
                   : out->value_hash == NULL || entries == NULL ? LRK_ERR_NOMEM
                                                                : lrk_config_copy(&scratch, first);
    if (s != LRK_OK) {
        free(entries);
        return lrk_error_set(err, s, "point hashes: %s", s == LRK_ERR_INVALID ? axis->keys[k] : "out of memory");
    }
    for (size_t v = 0; v < axis->value_count; v++) {
        char why[512];
        if (config_key_apply(&scratch, def, axis->values[k][v], 0, why, sizeof why) != LRK_OK) {
            out->value_hash[v] = 0; /* such a point fails validation when it is computed */
            continue;
        }
        fill_key_hashes(&scratch, entries);
        out->value_hash[v] = entries[slot];
        *slow = *slow || moves_others(entries, base, n, slot);
    }
    lrk_config_free(&scratch);
    free(entries);
    return LRK_OK;
}

lrk_status point_hasher_create(const lrk_config *base, point_hasher **out, lrk_error *err)
{
    *out = NULL;
    point_hasher *h = calloc(1, sizeof *h);
    lrk_config first;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_status s = h ? lrk_config_sweep_point(&first, base, 0, &d) : LRK_ERR_NOMEM;
    lrk_diagnostics_free(&d);
    if (s != LRK_OK) {
        free(h);
        if (s != LRK_ERR_NOMEM)
            lrk_config_free(&first);
        return lrk_error_set(err, s, "point hashes: point 0 is not valid");
    }
    h->n = config_key_count() + 1;
    h->axis_count = base->sweep_axis_count;
    for (size_t a = 0; a < base->sweep_axis_count; a++)
        h->key_count += base->sweep_axes[a].key_count;
    h->base = malloc(h->n * sizeof *h->base);
    h->stride = calloc(h->axis_count + 1, sizeof *h->stride);
    h->values = calloc(h->axis_count + 1, sizeof *h->values);
    h->keys = calloc(h->key_count + 1, sizeof *h->keys);
    s = h->base && h->stride && h->values && h->keys ? LRK_OK : LRK_ERR_NOMEM;
    if (s == LRK_OK) {
        fill_key_hashes(&first, h->base);
        size_t stride = lrk_config_sweep_point_count(base), next = 0;
        for (size_t a = 0; s == LRK_OK && a < base->sweep_axis_count; a++) {
            const lrk_sweep_axis *axis = &base->sweep_axes[a];
            stride /= axis->value_count;
            h->stride[a] = stride;
            h->values[a] = axis->value_count;
            for (size_t k = 0; s == LRK_OK && k < axis->key_count; k++, next++) {
                h->keys[next].axis = a;
                s = hash_values(&first, h->base, h->n, axis, k, &h->keys[next], &h->slow, err);
            }
        }
    } else {
        lrk_error_set(err, LRK_ERR_NOMEM, "point hashes: out of memory");
    }
    if (s == LRK_OK && h->slow && lrk_config_copy(&h->base_config, base) != LRK_OK) {
        h->slow = 0;
        s = lrk_error_set(err, LRK_ERR_NOMEM, "point hashes: out of memory");
    }
    lrk_config_free(&first);
    if (s != LRK_OK) {
        point_hasher_free(h);
        return s;
    }
    *out = h;
    return LRK_OK;
}

/* The point built in full and hashed (0 if it cannot be built: such a
 * point fails when it is computed). */
static uint64_t full_point_hash(const point_hasher *h, size_t index)
{
    lrk_config point;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    uint64_t hash = 0;
    lrk_status s = lrk_config_sweep_point(&point, &h->base_config, index, &d);
    if (s == LRK_OK && lrk_config_hash(&point, 1, &hash, NULL) != LRK_OK)
        hash = 0;
    if (s != LRK_ERR_NOMEM)
        lrk_config_free(&point);
    lrk_diagnostics_free(&d);
    return hash;
}

uint64_t point_hasher_hash(const point_hasher *h, size_t index)
{
    if (h->slow)
        return full_point_hash(h, index);
    uint64_t stack[LRK_CONFIG_KEY_SLOTS + 1];
    memcpy(stack, h->base, h->n * sizeof *stack);
    for (size_t i = 0; i < h->key_count; i++) {
        const swept_key *k = &h->keys[i];
        stack[k->slot] = k->value_hash[(index / h->stride[k->axis]) % h->values[k->axis]];
    }
    return XXH3_64bits(stack, drop_absent_space_keys(stack, h->n) * sizeof *stack);
}
