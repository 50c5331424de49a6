/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_config.c - the configuration library: defaults, every key through
 * file, --set and emit -> load, ranges at their bounds, integer forms,
 * overrides, sweeps (lists, linspace, logspace, zip, points), copies, and
 * robustness on random bytes.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/config.h"

#define DATA LREKMC_TEST_DATA "/config/"

static lrk_config load_ok(const char *path)
{
    lrk_config c;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(&c);
    lrk_status status = lrk_config_load_file(&c, path, &d);
    if (status == LRK_OK)
        status = lrk_config_validate(&c, &d);
    cr_assert_eq(status, LRK_OK, "%s: %s", path, d.count ? d.messages[0] : "(no message)");
    cr_assert_eq(d.count, 0);
    lrk_diagnostics_free(&d);
    return c;
}

/* Load text; return the status and keep the messages in d. */
static lrk_status load_text(lrk_config *c, const char *text, lrk_diagnostics *d)
{
    lrk_config_defaults(c);
    lrk_diagnostics_init(d);
    lrk_status status = lrk_config_load_string(c, "t.yaml", text, strlen(text), d);
    if (status == LRK_OK)
        status = lrk_config_validate(c, d);
    return status;
}

static int mentions(const lrk_diagnostics *d, const char *fragment)
{
    for (size_t i = 0; i < d->count; i++)
        if (strstr(d->messages[i], fragment) != NULL)
            return 1;
    return 0;
}

/* Emit c, load the text back, validate, and require an equal config. */
static void expect_round_trip(const lrk_config *c)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    cr_assert_not_null(out);
    lrk_error err;
    cr_assert_eq(lrk_config_emit(c, out, &err), LRK_OK, "%s", err.message);
    fclose(out);
    lrk_config back;
    lrk_diagnostics d;
    lrk_status status = load_text(&back, text, &d);
    cr_assert_eq(status, LRK_OK, "reload failed: %s\n%s", d.count ? d.messages[0] : "", text);
    cr_expect(lrk_config_equal(c, &back), "emit -> load changed the config:\n%s", text);
    lrk_diagnostics_free(&d);
    lrk_config_free(&back);
    free(text);
}

Test(config, defaults_follow_design)
{
    lrk_config c;
    lrk_config_defaults(&c);
    cr_expect_eq(c.model.mode, LRK_MODE_SER);
    cr_expect_eq(c.model.V0, 1.0);
    cr_expect_eq(c.model.V1, 1.0);
    cr_expect_eq(c.model.T, 1.0);
    cr_expect(isnan(c.model.A) && isnan(c.model.T0), "crossover A, T0 have no default");
    cr_expect_eq(c.model.N, 1000);
    cr_expect_eq(c.kmc.trajectories, 10000);
    cr_expect_eq(c.kmc.seed, 42);
    cr_expect_eq(c.kmc.streams, LRK_STREAMS_INDEPENDENT);
    cr_expect_eq(c.kmc.threads, 0);
    cr_expect(c.grid.t_max_auto);
    cr_expect_eq(c.grid.q_max, 0.99);
    cr_expect_eq(c.grid.points, 400);
    cr_expect_eq(c.grid.spacing, LRK_SPACING_LINEAR);
    cr_expect_eq(c.fit.protocol, LRK_FIT_QLEVELS);
    cr_expect_eq(c.fit.q_from, 0.01);
    cr_expect_eq(c.fit.q_to, 0.99);
    cr_expect_eq(c.fit.q_count, 99);
    cr_expect_eq(c.fit.batches, 20);
    cr_expect_eq(c.references.master_equation, LRK_SWITCH_AUTO);
    cr_expect_str_eq(c.output.dir, "results/quickstart");
    cr_expect_eq(c.output.trajectories, 0);
    cr_expect_eq(c.has_elastic, 0);
    cr_expect_eq(c.sweep_axis_count, 0);
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    cr_expect_eq(lrk_config_validate(&c, &d), LRK_OK, "the defaults are valid");
    lrk_diagnostics_free(&d);
    expect_round_trip(&c);
    lrk_config_free(&c);
}

Test(config, full_file_sets_every_section)
{
    lrk_config c = load_ok(DATA "full.yaml");
    cr_expect_eq(c.model.mode, LRK_MODE_CROSSOVER);
    cr_expect_eq(c.model.V0, 0.3);
    cr_expect_eq(c.model.V1, 0.115);
    cr_expect_eq(c.model.T, 0.25);
    cr_expect_eq(c.model.A, 0.5);
    cr_expect_eq(c.model.T0, 0.07);
    cr_expect_eq(c.model.N, 2000);
    cr_expect_eq(c.kmc.trajectories, 5000);
    cr_expect_eq(c.kmc.seed, UINT64_MAX);
    cr_expect_eq(c.kmc.streams, LRK_STREAMS_COMMON);
    cr_expect_eq(c.kmc.threads, 3);
    cr_expect(!c.grid.t_max_auto);
    cr_expect_eq(c.grid.t_max, 12.5);
    cr_expect_eq(c.grid.q_max, 0.95);
    cr_expect_eq(c.grid.points, 250);
    cr_expect_eq(c.grid.spacing, LRK_SPACING_LOG);
    cr_expect_eq(c.fit.protocol, LRK_FIT_TIMEGRID);
    cr_expect_eq(c.fit.q_from, 0.05);
    cr_expect_eq(c.fit.q_to, 0.9);
    cr_expect_eq(c.fit.q_count, 18);
    cr_expect_eq(c.fit.batches, 25);
    cr_expect_eq(c.references.master_equation, LRK_SWITCH_OFF);
    cr_expect_str_eq(c.output.dir, "results/full test");
    cr_expect_eq(c.output.trajectories, 1);
    cr_expect_str_eq(c.source, DATA "full.yaml");
    expect_round_trip(&c);
    lrk_config_free(&c);
}

Test(config, elastic_gives_V1_by_eq5)
{
    lrk_config c = load_ok(DATA "elastic.yaml");
    cr_expect(c.has_elastic);
    cr_expect_eq(c.model.V1, lrk_elastic_V1(1.0, 0.5, 0.1, 1.0, 10.0));
    cr_expect_float_eq(c.model.V1, 3 * 1.0 * 0.5 * 0.1 * log(20.0), 1e-15);
    expect_round_trip(&c);
    lrk_config_free(&c);
}

static lrk_status set_one(const char *assignment, lrk_config *c)
{
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_status status = lrk_config_set(c, assignment, &d);
    if (status != LRK_OK) {
        cr_expect_gt(d.count, 0, "%s failed without a message", assignment);
        cr_expect(strncmp(d.messages[0], "--set ", 6) == 0, "%s", d.messages[0]);
    }
    lrk_diagnostics_free(&d);
    return status;
}

static void expect_accepts(const char *assignment)
{
    lrk_config c;
    lrk_config_defaults(&c);
    cr_expect_eq(set_one(assignment, &c), LRK_OK, "%s should be accepted", assignment);
    lrk_config_free(&c);
}

static void expect_rejects(const char *assignment)
{
    lrk_config c;
    lrk_config_defaults(&c);
    cr_expect_eq(set_one(assignment, &c), LRK_ERR_INVALID, "%s should be rejected", assignment);
    lrk_config_free(&c);
}

Test(config, ranges_at_their_bounds)
{
    expect_accepts("model.N=1");
    expect_accepts("model.N=1000000000");
    expect_rejects("model.N=0");
    expect_rejects("model.N=1000000001");
    expect_accepts("model.T=1e-300");
    expect_rejects("model.T=0");
    expect_rejects("model.T=-0.0");
    expect_accepts("model.V1=0");
    expect_rejects("model.V1=-1e-300");
    expect_accepts("model.V0=-5");
    expect_accepts("kmc.trajectories=0");
    expect_accepts("kmc.trajectories=1e12");
    expect_rejects("kmc.trajectories=1000000000001");
    expect_accepts("kmc.threads=0");
    expect_accepts("kmc.threads=1024");
    expect_rejects("kmc.threads=1025");
    expect_rejects("kmc.threads=-1");
    expect_rejects("fit.batches=1");
    expect_accepts("fit.batches=2");
    expect_rejects("fit.batches=10001");
    expect_rejects("grid.points=1");
    expect_accepts("grid.points=10000000");
    expect_rejects("grid.points=10000001");
    expect_rejects("fit.q_levels.count=0");
    expect_accepts("fit.q_levels.count=1000000");
    expect_rejects("fit.q_levels.count=1000001");
    expect_rejects("grid.q_max=0");
    expect_rejects("grid.q_max=1");
    expect_accepts("grid.q_max=0.999999");
    expect_rejects("fit.q_levels.from=0");
    expect_rejects("fit.q_levels.to=1");
    expect_rejects("grid.t_max=0");
    expect_accepts("grid.t_max=auto");
    expect_accepts("grid.t_max=1e5");
    expect_rejects("model.crossover.T0=0");
    expect_rejects("model.elastic.d0=0");
    expect_rejects("output.dir=");
    expect_rejects("output.dir=~");
    expect_accepts("output.dir=\"\\u00e9t\\u00e9 dir\"");
}

Test(config, numbers_are_finite_and_integers_exact)
{
    expect_rejects("model.T=.nan");
    expect_rejects("model.T=.inf");
    expect_rejects("model.V0=-.inf");
    expect_rejects("model.T=nan");
    expect_rejects("model.T=1e999");
    expect_rejects("model.T=1e-400");
    expect_rejects("model.T=0x10");
    expect_rejects("model.T=1_000");
    expect_rejects("model.T=1.2.3");
    expect_rejects("model.T=' 1'");
    expect_accepts("model.T=.5");
    expect_accepts("model.T=+5.");
    expect_accepts("model.N=1e3");
    expect_accepts("model.N=1.5e3");
    expect_accepts("model.N=100.000");
    expect_rejects("model.N=1.0001e3");
    expect_rejects("model.N=1e-1");
    expect_rejects("model.N=1e99999999999");
    expect_accepts("kmc.seed=0");
    expect_accepts("kmc.seed=18446744073709551615");
    expect_rejects("kmc.seed=18446744073709551616");
    expect_rejects("kmc.seed=99999999999999999999999");
    expect_rejects("kmc.seed=-1");
    expect_rejects("kmc.seed=-0.5");
    expect_rejects("kmc.seed=2.5");
    expect_accepts("kmc.seed=1e15");
    expect_rejects("kmc.seed=1e19");  /* above 2^53: plain digits required */
    lrk_config c;
    lrk_config_defaults(&c);
    cr_assert_eq(set_one("model.N=1.5e3", &c), LRK_OK);
    cr_expect_eq(c.model.N, 1500);
    cr_assert_eq(set_one("kmc.seed=18446744073709551615", &c), LRK_OK);
    cr_expect_eq(c.kmc.seed, UINT64_MAX);
    cr_assert_eq(set_one("kmc.seed=+7", &c), LRK_OK);
    cr_expect_eq(c.kmc.seed, 7);
    lrk_config_free(&c);
}

Test(config, overrides_apply_in_order_and_parse_yaml_scalars)
{
    lrk_config c = load_ok(DATA "full.yaml");
    cr_assert_eq(set_one("model.T=0.5", &c), LRK_OK);
    cr_assert_eq(set_one(" model.T = 0.75 ", &c), LRK_OK);
    cr_expect_eq(c.model.T, 0.75);
    cr_assert_eq(set_one("output.dir='a: b # not a comment'", &c), LRK_OK);
    cr_expect_str_eq(c.output.dir, "a: b # not a comment");
    cr_assert_eq(set_one("output.dir=plain/path # a comment", &c), LRK_OK);
    cr_expect_str_eq(c.output.dir, "plain/path");
    cr_assert_eq(set_one("grid.t_max=auto", &c), LRK_OK);
    cr_expect(c.grid.t_max_auto);
    cr_assert_eq(set_one("output.trajectories=false", &c), LRK_OK);
    cr_expect_eq(c.output.trajectories, 0);
    cr_assert_eq(set_one("model.mode=ser", &c), LRK_OK);
    cr_expect_eq(c.model.mode, LRK_MODE_SER);
    expect_rejects("model.T=[1, 2]");
    expect_rejects("model.T={a: 1}");
    expect_rejects("model.T=1\n---\n2");
    expect_rejects("model.T=&a 1");
    expect_rejects("model.T=*a");
    expect_rejects("sweep.model.T=1");
    expect_rejects("model=1");
    expect_rejects("nothing");
    lrk_config_free(&c);
}

Test(config, errors_are_collected_with_locations)
{
    lrk_config c;
    lrk_diagnostics d;
    const char *text = "model:\n  T: -1\n  N: 0.5\n  Tt: 1\nkmc:\n  seed: x\n  seed: 1\n";
    cr_assert_eq(load_text(&c, text, &d), LRK_ERR_INVALID);
    cr_expect_eq(d.count, 5, "one message per problem, got %zu", d.count);
    cr_expect(mentions(&d, "t.yaml:2:6: model.T: expected a finite number > 0, got '-1'"));
    cr_expect(mentions(&d, "t.yaml:3:6: model.N: expected an integer"));
    cr_expect(mentions(&d, "t.yaml:4:3: unknown key 'model.Tt'; did you mean 'model.T'?"));
    cr_expect(mentions(&d, "t.yaml:6:9: kmc.seed:"));
    cr_expect(mentions(&d, "t.yaml:7:3: duplicate key 'seed' (first given at line 6, column 3)"));
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

Test(config, null_sections_are_empty)
{
    lrk_config c;
    lrk_diagnostics d;
    cr_expect_eq(load_text(&c, "model:\nkmc: ~\n# nothing else\n", &d), LRK_OK);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

static const char *value_at(const lrk_config *c, size_t axis, size_t key, size_t i)
{
    cr_assert_lt(axis, c->sweep_axis_count);
    cr_assert_lt(key, c->sweep_axes[axis].key_count);
    cr_assert_lt(i, c->sweep_axes[axis].value_count);
    return c->sweep_axes[axis].values[key][i];
}

Test(config, sweep_lists_linspace_logspace_zip)
{
    lrk_config c = load_ok(DATA "sweep.yaml");
    cr_assert_eq(c.sweep_axis_count, 3);
    cr_expect_str_eq(c.sweep_axes[0].keys[0], "model.T");
    cr_expect_eq(c.sweep_axes[0].value_count, 4);
    cr_expect_str_eq(value_at(&c, 0, 0, 0), "0.5");
    cr_expect_str_eq(value_at(&c, 0, 0, 1), "1");
    cr_expect_str_eq(value_at(&c, 0, 0, 3), "2");
    cr_expect_str_eq(value_at(&c, 1, 0, 1), "1000");
    cr_expect_eq(c.sweep_axes[2].key_count, 2);
    cr_expect_str_eq(c.sweep_axes[2].keys[0], "model.V0");
    cr_expect_str_eq(c.sweep_axes[2].keys[1], "model.V1");
    cr_expect_str_eq(value_at(&c, 2, 0, 0), "0.1");
    cr_expect_float_eq(strtod(value_at(&c, 2, 0, 1), NULL), 1.0, 1e-15);
    cr_expect_str_eq(value_at(&c, 2, 0, 2), "10");
    cr_expect_str_eq(value_at(&c, 2, 1, 2), "1.5");
    cr_expect_eq(lrk_config_sweep_point_count(&c), 24);
    expect_round_trip(&c);
    lrk_config_free(&c);
}

Test(config, sweep_points_vary_the_last_axis_fastest)
{
    lrk_config base = load_ok(DATA "sweep.yaml");
    struct { size_t index; double T; long N; double V0, V1; } expected[] = {
        {0, 0.5, 100, 0.1, 0.5}, {1, 0.5, 100, 1.0, 1.0}, {3, 0.5, 1000, 0.1, 0.5}, {23, 2.0, 1000, 10.0, 1.5},
    };
    for (size_t i = 0; i < sizeof expected / sizeof expected[0]; i++) {
        lrk_config point;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        cr_assert_eq(lrk_config_sweep_point(&point, &base, expected[i].index, &d), LRK_OK);
        cr_expect_eq(point.model.T, expected[i].T, "point %zu", expected[i].index);
        cr_expect_eq(point.model.N, expected[i].N, "point %zu", expected[i].index);
        cr_expect_float_eq(point.model.V0, expected[i].V0, 1e-15, "point %zu", expected[i].index);
        cr_expect_eq(point.model.V1, expected[i].V1, "point %zu", expected[i].index);
        cr_expect_eq(point.sweep_axis_count, 0);
        lrk_diagnostics_free(&d);
        lrk_config_free(&point);
    }
    lrk_config point;
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    cr_expect_eq(lrk_config_sweep_point(&point, &base, 24, &d), LRK_ERR_INVALID);
    lrk_config_free(&point);
    lrk_diagnostics_free(&d);
    lrk_config_free(&base);
}

Test(config, logspace_is_geometric_with_exact_endpoints)
{
    lrk_config c;
    lrk_diagnostics d;
    cr_assert_eq(load_text(&c, "sweep:\n  model.T: {logspace: [0.01, 100, 5]}\n  model.V0: {linspace: [1, 1, 1]}\n",
                           &d), LRK_OK);
    const char *want[] = {"0.01", "0.1", "1", "10", "100"};
    for (size_t i = 0; i < 5; i++)
        cr_expect_float_eq(strtod(value_at(&c, 0, 0, i), NULL), strtod(want[i], NULL), 1e-14, "%s",
                           value_at(&c, 0, 0, i));
    cr_expect_str_eq(value_at(&c, 0, 0, 0), "0.01");
    cr_expect_str_eq(value_at(&c, 0, 0, 4), "100");
    cr_expect_eq(c.sweep_axes[1].value_count, 1);
    cr_expect_str_eq(value_at(&c, 1, 0, 0), "1");
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

Test(config, sweep_values_pass_the_key_check)
{
    lrk_config c;
    lrk_diagnostics d;
    cr_expect_eq(load_text(&c, "sweep:\n  model.N: {linspace: [1, 2, 3]}\n", &d), LRK_ERR_INVALID);
    cr_expect(mentions(&d, "sweep model.N: expected an integer in [1, 1000000000], got '1.5'"));
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    cr_expect_eq(load_text(&c, "sweep:\n  model.mode: [ser, \"cer\", crossover]\n", &d), LRK_ERR_INVALID);
    cr_expect(mentions(&d, "model.crossover.A is required"), "the crossover point is checked");
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    cr_expect_eq(load_text(&c, "sweep:\n  grid.t_max: [auto, 5]\n  output.trajectories: [true, false]\n", &d),
                 LRK_OK);
    lrk_diagnostics_free(&d);
    expect_round_trip(&c);
    lrk_config_free(&c);
    cr_expect_eq(load_text(&c, "sweep:\n  zip: {}\n", &d), LRK_ERR_INVALID);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    cr_expect_eq(load_text(&c, "sweep:\n  model.T: {linspace: [1, 2, 3], logspace: [1, 2, 3]}\n", &d),
                 LRK_ERR_INVALID);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

/* Keys that act only under another key's value (config_inactive.c) would
 * be dropped in silence without it: a box without a lattice, a width
 * without a distribution, f(T) outside mode crossover.  A sweep over the
 * governing key lets them stand, and a lattice sweep keeps its box in the
 * emitted text (run.yaml, `check`), so that every point re-reads as it ran. */
Test(config, keys_that_act_only_under_another_key)
{
    static const struct {
        const char *text, *fragment;
    } refused[] = {
        {"model: {space: {L: 3, d_el: 1.5}}\n", "model.space.L is given but model.space.lattice is not"},
        {"model: {space: {lattice: none, d_el: 2}}\n", "model.space.d_el is given but model.space.lattice is none"},
        {"model: {space: {kernel: uniform}}\n", "model.space.kernel is given"},
        {"sweep:\n  model.space.L: [4, 8]\n", "model.space.L is given but model.space.lattice is not"},
        {"model: {disorder: {width: 0.5}}\n", "model.disorder.width is given but model.disorder.distribution is not"},
        {"sweep:\n  model.disorder.width: [0, 0.5]\n", "model.disorder.width is given"},
        {"model: {mode: cer, crossover: {A: 0.5, T0: 0.07}}\n", "model.crossover.A is given but model.mode is cer"},
        {"model: {crossover: {T0: 0.07}}\n", "model.crossover.T0 is given but model.mode is not (its default is ser)"},
    };
    static const char *const accepted[] = {
        "model: {disorder: {distribution: none, width: 0}}\n",
        "model: {disorder: {width: 0.5}}\nsweep:\n  model.disorder.distribution: [none, normal]\n",
        "model: {crossover: {A: 0.5, T0: 0.07}}\nsweep:\n  model.mode: [ser, crossover]\n",
        "sweep:\n  zip: {model.space.lattice: [none, cubic], model.space.L: [4, 6]}\n",
    };
    lrk_config c;
    lrk_diagnostics d;
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        cr_expect_eq(load_text(&c, refused[i].text, &d), LRK_ERR_INVALID, "%s", refused[i].text);
        cr_expect(mentions(&d, refused[i].fragment), "%s: %s", refused[i].text, d.count ? d.messages[0] : "");
        lrk_diagnostics_free(&d);
        lrk_config_free(&c);
    }
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        cr_expect_eq(load_text(&c, accepted[i], &d), LRK_OK, "%s: %s", accepted[i], d.count ? d.messages[0] : "");
        lrk_diagnostics_free(&d);
        expect_round_trip(&c);
        lrk_config_free(&c);
    }
    cr_assert_eq(load_text(&c, "model: {space: {L: 4, d_el: 1.5}}\nsweep:\n  model.space.lattice: [none, cubic]\n",
                           &d),
                 LRK_OK, "%s", d.count ? d.messages[0] : "");
    lrk_diagnostics_free(&d);
    expect_round_trip(&c);
    lrk_config point;
    cr_assert_eq(lrk_config_sweep_point(&point, &c, 1, &d), LRK_OK);
    cr_expect_eq(point.model.space.Lx, 4);
    cr_expect_eq(point.model.N, 64, "N follows the box at the lattice point");
    lrk_config_free(&point);
    cr_assert_eq(lrk_config_sweep_point(&point, &c, 0, &d), LRK_OK);
    cr_expect_eq(point.model.N, 1000, "N keeps its default at the mean-field point");
    lrk_config_free(&point);
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
}

Test(config, copy_is_deep)
{
    lrk_config a = load_ok(DATA "sweep.yaml"), b;
    cr_assert_eq(lrk_config_copy(&b, &a), LRK_OK);
    cr_expect(lrk_config_equal(&a, &b));
    cr_expect_neq(a.sweep_axes, b.sweep_axes);
    cr_expect_neq(a.output.dir, b.output.dir);
    lrk_config_free(&a);
    cr_expect_str_eq(b.sweep_axes[0].keys[0], "model.T");
    cr_expect_str_eq(b.output.dir, "results/quickstart");
    lrk_config_free(&b);
}

Test(config, names_match_the_model_and_grid_parsers)
{
    for (int m = LRK_MODE_SER; m <= LRK_MODE_CROSSOVER; m++) {
        lrk_config c;
        lrk_config_defaults(&c);
        char assignment[64];
        snprintf(assignment, sizeof assignment, "model.mode=%s", lrk_mode_name((lrk_mode)m));
        cr_assert_eq(set_one(assignment, &c), LRK_OK);
        cr_expect_eq((int)c.model.mode, m);
        lrk_config_free(&c);
    }
    cr_expect_str_eq(lrk_fit_protocol_name(LRK_FIT_TIMEGRID), "timegrid");
    cr_expect_str_eq(lrk_switch_name(LRK_SWITCH_OFF), "off");
    lrk_config c;
    lrk_config_defaults(&c);
    cr_assert_eq(set_one("grid.spacing=log", &c), LRK_OK);
    cr_expect_eq(c.grid.spacing, LRK_SPACING_LOG);
    lrk_config_free(&c);
}

/* Deterministic junk: bytes from an LCG, some mixed with YAML punctuation. */
Test(config, random_inputs_never_crash)
{
    static const char alphabet[] = "model:kmc sweep\n-[]{},:&*!#'\"\t .0123456789eE+~?|>%@`\\zip linspace";
    uint64_t state = 12345;
    char buffer[300];
    for (int round = 0; round < 3000; round++) {
        size_t length = (size_t)(round % 299);
        for (size_t i = 0; i < length; i++) {
            state = state * 6364136223846793005ULL + 1442695040888963407ULL;
            unsigned byte = (unsigned)(state >> 56);
            buffer[i] = (round % 3 == 0) ? (char)byte : alphabet[byte % (sizeof alphabet - 1)];
        }
        lrk_config c;
        lrk_diagnostics d;
        lrk_diagnostics_init(&d);
        lrk_config_defaults(&c);
        if (lrk_config_load_string(&c, "junk", buffer, length, &d) == LRK_OK)
            lrk_config_validate(&c, &d);
        for (size_t i = 0; i < d.count; i++)
            cr_assert(strncmp(d.messages[i], "junk:", 5) == 0, "%s", d.messages[i]);
        lrk_diagnostics_free(&d);
        lrk_config_free(&c);
    }
}
