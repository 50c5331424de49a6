/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_config_limits.c - limits of the configuration that must hold to the
 * byte: the documented 16 MiB file size (the limit accepted, one byte more
 * refused), a seed past 2^53 written with a fraction refused (not rounded), and a
 * swept key given by --set leaving the sweep.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "lrekmc/config.h"

/* A file of exactly `size` bytes: a valid configuration padded by a comment. */
static void write_padded(const char *path, size_t size)
{
    static const char head[] = "model: {T: 0.5}\n#";
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out);
    fputs(head, out);
    for (size_t i = sizeof head - 1; i + 1 < size; i++)
        fputc('x', out);
    fputc('\n', out);
    fclose(out);
}

static lrk_status load(const char *path, lrk_diagnostics *d)
{
    lrk_config c;
    lrk_config_defaults(&c);
    lrk_status s = lrk_config_load_file(&c, path, d);
    lrk_config_free(&c);
    return s;
}

Test(config_limits, a_file_of_16_mib_loads_and_one_byte_more_is_refused, .timeout = 60)
{
    char path[] = "/tmp/lrekmc-size-XXXXXX";
    int fd = mkstemp(path);
    cr_assert_geq(fd, 0);
    close(fd);
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    write_padded(path, LRK_CONFIG_MAX_FILE_SIZE);
    cr_assert_eq(load(path, &d), LRK_OK, "%s", d.count ? d.messages[0] : "");
    write_padded(path, LRK_CONFIG_MAX_FILE_SIZE + 1u);
    cr_assert_eq(load(path, &d), LRK_ERR_INVALID);
    cr_assert(d.count == 1 && strstr(d.messages[0], "larger than 16 MiB"), "%s", d.count ? d.messages[0] : "");
    write_padded(path, 33u << 20); /* the size of the report */
    cr_assert_eq(load(path, &d), LRK_ERR_INVALID);
    lrk_diagnostics_free(&d);
    unlink(path);
}

static uint64_t seed_of(const char *value, lrk_status *status)
{
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    char assignment[128];
    snprintf(assignment, sizeof assignment, "kmc.seed=%s", value);
    *status = lrk_config_set(&c, assignment, &d);
    uint64_t seed = c.kmc.seed;
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    return seed;
}

Test(config_limits, integers_beyond_2_53_need_plain_digits)
{
    lrk_status s;
    /* the double of 9007199254740993.0 is 2^53: it must not pass for it */
    seed_of("9007199254740993.0", &s);
    cr_assert_eq(s, LRK_ERR_INVALID);
    seed_of("9.007199254740993e15", &s);
    cr_assert_eq(s, LRK_ERR_INVALID);
    cr_assert_eq(seed_of("9007199254740993", &s), 9007199254740993ULL);
    cr_assert_eq(s, LRK_OK);
    cr_assert_eq(seed_of("9007199254740992.0", &s), 9007199254740992ULL);
    cr_assert_eq(s, LRK_OK);
    cr_assert_eq(seed_of("12.50e1", &s), 125u);
    seed_of("9007199254740991.5", &s);
    cr_assert_eq(s, LRK_ERR_INVALID);
}

Test(config_limits, set_on_a_swept_key_takes_it_out_of_the_sweep)
{
    static const char yaml[] = "sweep:\n  model.T: [0.5, 1, 2]\n  zip: {model.V0: [1, 2], model.N: [10, 20]}\n";
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    cr_assert_eq(lrk_config_load_string(&c, "t", yaml, strlen(yaml), &d), LRK_OK);
    cr_assert_eq(lrk_config_sweep_point_count(&c), 6);
    cr_assert_eq(lrk_config_set(&c, "model.T=0.75", &d), LRK_OK);
    cr_assert_eq(lrk_config_sweep_point_count(&c), 2);
    cr_assert_eq(c.model.T, 0.75);
    cr_assert_eq(lrk_config_set(&c, "model.V0=3", &d), LRK_OK);
    cr_assert_eq(c.sweep_axis_count, 1);
    cr_assert_eq(c.sweep_axes[0].key_count, 1);
    cr_assert_str_eq(c.sweep_axes[0].keys[0], "model.N");
    cr_assert_eq(lrk_config_validate(&c, &d), LRK_OK);
    lrk_config point;
    cr_assert_eq(lrk_config_sweep_point(&point, &c, 1, &d), LRK_OK);
    cr_assert(point.model.V0 == 3 && point.model.N == 20 && point.model.T == 0.75);
    lrk_config_free(&point);
    cr_assert_eq(lrk_config_set(&c, "model.N=5", &d), LRK_OK);
    cr_assert_eq(c.sweep_axis_count, 0);
    cr_assert_null(c.sweep_axes);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}
