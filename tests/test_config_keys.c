/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_config_keys.c - the key table (src/config_keys.c) is the one source of
 * every key: each row's default applies and is what lrk_config_defaults
 * holds; a valid non-default value derived from the row's type and range
 * goes through --set, validation and emit -> load for every key (so a new row
 * is tested without an edit here); the resume hash is unchanged by keys that
 * change no result and is the hash run directories already carry; the key
 * reference of docs/configuration.md is the table's.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"

#include "../src/config_internal.h" /* white-box: the rows themselves */

static lrk_status load_text(lrk_config *c, const char *text, lrk_diagnostics *d)
{
    lrk_config_defaults(c);
    lrk_diagnostics_init(d);
    lrk_status status = lrk_config_load_string(c, "t.yaml", text, strlen(text), d);
    if (status == LRK_OK)
        status = lrk_config_validate(c, d);
    return status;
}

static char *emitted(const lrk_config *c)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cr_assert_not_null(out);
    lrk_error err;
    cr_assert_eq(lrk_config_emit(c, out, &err), LRK_OK, "%s", err.message);
    fclose(out);
    return text;
}

static void expect_round_trip(const lrk_config *c)
{
    char *text = emitted(c);
    lrk_config back;
    lrk_diagnostics d;
    lrk_status status = load_text(&back, text, &d);
    cr_assert_eq(status, LRK_OK, "reload failed: %s\n%s", d.count ? d.messages[0] : "", text);
    cr_expect(lrk_config_equal(c, &back), "emit -> load changed the config:\n%s", text);
    lrk_diagnostics_free(&d);
    lrk_config_free(&back);
    free(text);
}

Test(config_keys, every_default_applies_and_is_the_default)
{
    lrk_config defaults;
    lrk_config_defaults(&defaults);
    for (size_t i = 0; config_key_at(i) != NULL; i++) {
        const config_key_def *k = config_key_at(i);
        char why[256] = "", a[4200], b[4200];
        cr_assert_not_null(k->meaning, "%s has no doc line", k->name);
        cr_assert_eq(strncmp(k->name, lrk_config_key_name(i), 64), 0);
        if (k->default_text == NULL) {
            cr_assert_eq(k->kind, KEY_REAL, "%s: only numbers may lack a default", k->name);
            cr_assert(isnan(*(const double *)(const void *)((const char *)&defaults + k->offset)), "%s", k->name);
            continue;
        }
        lrk_config c;
        lrk_config_defaults(&c);
        cr_assert_eq(config_key_apply(&c, k, k->default_text, 0, why, sizeof why), LRK_OK, "%s: default '%s': %s",
                     k->name, k->default_text, why);
        config_key_format(&c, k, a, sizeof a);
        config_key_format(&defaults, k, b, sizeof b);
        cr_assert_str_eq(a, b, "%s", k->name);
        lrk_config_free(&c);
    }
    lrk_config_free(&defaults);
}

/* A valid value other than the default, from the row alone: the other end
 * of the range where there is one (bounds are where mistakes hide). */
static void sample_value(const config_key_def *k, const lrk_config *defaults, char *buf, size_t size)
{
    char current[4200];
    config_key_format(defaults, k, current, sizeof current);
    switch (k->kind) {
    case KEY_ENUM:
        snprintf(buf, size, "%s", strcmp(current, k->choices[0]) == 0 ? k->choices[1] : k->choices[0]);
        return;
    case KEY_BOOL: snprintf(buf, size, "%s", strcmp(current, "true") == 0 ? "false" : "true"); return;
    case KEY_STRING: snprintf(buf, size, "out/x: \"y\""); return;
    case KEY_U64: snprintf(buf, size, "%" PRIu64, UINT64_MAX); return;
    case KEY_TMAX: snprintf(buf, size, "3.5"); return;
    case KEY_INT:
    case KEY_LONG: snprintf(buf, size, "%.17g", k->hi); return;
    case KEY_REAL: break;
    }
    double x = -0.75;
    if (k->has_lo && k->has_hi)
        x = k->lo + 0.25 * (k->hi - k->lo);
    else if (k->has_lo)
        x = k->lo_open ? k->lo + 0.5 : k->lo;
    char text[64];
    config_format_double(x, text, sizeof text);
    if (strcmp(text, current) == 0)
        x += 2.5;
    config_format_double(x, buf, size);
}

/* What a value of key k needs from the other keys to validate. */
static void prerequisites(lrk_config *c, const config_key_def *k, lrk_diagnostics *d)
{
    if (strncmp(k->name, "model.elastic.", 14) == 0) {
        const char *all[] = {"model.elastic.n_r=1", "model.elastic.q0=1", "model.elastic.dp0=0.1",
                             "model.elastic.d0=1", "model.elastic.d_el=3"};
        for (size_t i = 0; i < 5; i++)
            cr_assert_eq(lrk_config_set(c, all[i], d), LRK_OK);
    }
    if (strcmp(k->name, "fit.batches") == 0)
        cr_assert_eq(lrk_config_set(c, "kmc.trajectories=1000000", d), LRK_OK);
    if (strncmp(k->name, "model.space.", 12) == 0 && strcmp(k->name, "model.space.lattice") != 0)
        cr_assert_eq(lrk_config_set(c, "model.space.lattice=cubic", d), LRK_OK); /* else not emitted */
    if (strncmp(k->name, "model.crossover.", 16) == 0) {
        const char *all[] = {"model.mode=crossover", "model.crossover.A=0.5", "model.crossover.T0=1"};
        for (size_t i = 0; i < 3; i++)
            cr_assert_eq(lrk_config_set(c, all[i], d), LRK_OK); /* each acts only in mode crossover */
    }
    if (strcmp(k->name, "model.disorder.width") == 0)
        cr_assert_eq(lrk_config_set(c, "model.disorder.distribution=normal", d), LRK_OK);
}

Test(config_keys, every_key_set_emit_load)
{
    lrk_config defaults;
    lrk_config_defaults(&defaults);
    for (size_t i = 0; config_key_at(i) != NULL; i++) {
        const config_key_def *k = config_key_at(i);
        char value[256];
        sample_value(k, &defaults, value, sizeof value);
        lrk_config c;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        lrk_config_defaults(&c);
        prerequisites(&c, k, &d);
        lrk_config before;
        lrk_config_copy(&before, &c);
        cr_assert_eq(lrk_config_set_key(&c, k->name, value, &d), LRK_OK, "%s = %s: %s", k->name, value,
                     d.count ? d.messages[0] : "");
        cr_expect(!lrk_config_equal(&c, &before), "%s = %s changed nothing", k->name, value);
        cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK, "%s: %s", k->name, d.count ? d.messages[0] : "");
        expect_round_trip(&c);
        lrk_diagnostics_free(&d);
        lrk_config_free(&c);
        lrk_config_free(&before);
    }
    lrk_config_free(&defaults);
}

static uint64_t hash_of(const lrk_config *c, int without_sweep)
{
    uint64_t h;
    lrk_error err;
    cr_assert_eq(lrk_config_hash(c, without_sweep, &h, &err), LRK_OK, "%s", err.message);
    return h;
}

/* Keys marked as changing no result leave the hash alone; every other key
 * changes it. */
Test(config_keys, hash_ignores_exactly_the_keys_that_change_no_result)
{
    lrk_config defaults;
    lrk_config_defaults(&defaults);
    uint64_t base = hash_of(&defaults, 0);
    for (size_t i = 0; config_key_at(i) != NULL; i++) {
        const config_key_def *k = config_key_at(i);
        char value[256];
        sample_value(k, &defaults, value, sizeof value);
        lrk_config c;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        lrk_config_defaults(&c);
        cr_assert_eq(lrk_config_set_key(&c, k->name, value, &d), LRK_OK, "%s", k->name);
        if (k->changes_no_result)
            cr_expect_eq(hash_of(&c, 0), base, "%s changed the hash", k->name);
        else if (k->omitted == NULL)
            cr_expect_neq(hash_of(&c, 0), base, "%s does not change the hash", k->name);
        lrk_diagnostics_free(&d);
        lrk_config_free(&c);
    }
    lrk_config_free(&defaults);
}

/* The hash is pinned: it is what every run directory's `done` files carry,
 * so a change (a key's text, the table order, the algorithm) makes every
 * existing directory refuse to resume without --force.  Change these values
 * deliberately, and say so. */
Test(config_keys, hash_is_pinned)
{
    lrk_config c;
    lrk_config_defaults(&c);
    cr_expect_eq(hash_of(&c, 0), 0xd7e73e1a20e2bb87u);
    lrk_config_free(&c);
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    cr_assert_eq(lrk_config_load_file(&c, LREKMC_TEST_DATA "/config/full.yaml", &d), LRK_OK);
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK);
    cr_expect_eq(hash_of(&c, 0), 0x8246dcb35b47d236u);
    lrk_config_free(&c);
    lrk_config_defaults(&c);
    cr_assert_eq(lrk_config_load_file(&c, LREKMC_TEST_DATA "/config/elastic.yaml", &d), LRK_OK);
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK);
    cr_expect_eq(hash_of(&c, 0), 0x3d509c6d0abe9988u);
    lrk_config_free(&c);
    lrk_config_defaults(&c);
    cr_assert_eq(lrk_config_load_file(&c, LREKMC_TEST_DATA "/campaign/small-sweep.yaml", &d), LRK_OK);
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK);
    cr_expect_eq(hash_of(&c, 0), 0xde2c96d222f39a10u);
    cr_expect_eq(hash_of(&c, 1), 0x85a9aff8256fa93cu);
    lrk_config_free(&c);
    lrk_diagnostics_free(&d);
}

Test(config_keys, docs_key_table_is_the_generated_one)
{
    char *generated = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&generated, &size);
    cr_assert_not_null(out);
    lrk_config_keys_markdown(out);
    fclose(out);
    FILE *doc = fopen(LREKMC_SOURCE_DIR "/docs/configuration.md", "r");
    cr_assert_not_null(doc);
    static char text[1 << 17];
    size_t length = fread(text, 1, sizeof text - 1, doc);
    fclose(doc);
    text[length] = '\0';
    const char *begin = strstr(text, "| key | type and allowed values | default | meaning |");
    const char *end = begin ? strstr(begin, "<!-- end of the generated key table -->") : NULL;
    cr_assert(begin != NULL && end != NULL, "docs/configuration.md has no generated key table");
    cr_expect(strlen(generated) == (size_t)(end - begin) && strncmp(begin, generated, strlen(generated)) == 0,
              "docs/configuration.md's key table differs from the key table: replace it with the output of "
              "`lrekmc check --keys-markdown`:\n%s", generated);
    free(generated);
}
