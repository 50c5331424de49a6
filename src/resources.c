/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * resources.c - the memory estimate of a point and the check of a campaign
 * against the memory available (resources.h).  The sizes mirror the
 * allocations of kmc.c, kmc_run.c, point.c and master.c; they are counted
 * here, once, rather than discovered by running out of memory after the
 * deterministic references took their time.
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/resources.h"

#include <math.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "lrekmc/disorder.h"
#include "lrekmc/kmc.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/engine.h"
#include "lrekmc/master.h"
#include "disorder_sort.h"

#define PROGRAM_ALLOWANCE (64.0 * 1024 * 1024) /* code, libraries, stacks, small tables */
#define KMC_LANES 4.0                            /* trajectories a thread advances together */

typedef struct part {
    const char *keys;
    double bytes;
} part;

static double histogram_bins(long N)
{
    long width = 1;
    while ((N + 1 + width - 1) / width > LRK_KMC_HIST_MAX_BINS)
        width *= 2;
    return (double)((N + 1 + width - 1) / width);
}

static int uses_master_equation(const lrk_config *c)
{
    if (c->references.master_equation == LRK_SWITCH_AUTO)
        return c->model.N <= LRK_MASTER_AUTO_MAX_N;
    return c->references.master_equation == LRK_SWITCH_ON;
}

/* The chain's (5 (N + 1) doubles) or, for disorder, the two-class one
 * (3 (N + 2)^2, disorder_master.c). */
static double master_equation_bytes(const lrk_config *c)
{
    const double N = (double)c->model.N;
    if (lrk_disorder_active(&c->model))
        return lrk_disorder_master_wanted(&c->model, (int)c->references.master_equation)
                   ? 3 * (N + 2) * (N + 2) * sizeof(double)
                   : 0;
    return uses_master_equation(c) ? 5 * (N + 1) * sizeof(double) : 0;
}

/* The box padded to whole 4 x 4 x 4 blocks (lattice_engine.h), 0 without a lattice. */
static double padded_sites(const lrk_config *c)
{
    const lrk_space *sp = &c->model.space;
    if (sp->lattice == LRK_LATTICE_NONE)
        return 0;
    long dims[3] = {sp->Lx, sp->Ly, sp->Lz};
    double n = 1;
    for (int i = 0; i < 3; i++)
        n *= (double)((dims[i] + 3) / 4 * 4);
    return n;
}

/* The local q's halo field (lattice_engine_internal.h): the box padded by
 * the stencil's reach, at most min(d_el, L / 2), on both sides of each axis. */
static double halo_sites(const lrk_space *sp)
{
    long dims[3] = {sp->Lx, sp->Ly, sp->Lz};
    double n = 1;
    for (int i = 0; i < 3; i++) {
        double reach = fmin(floor(sp->d_el * (1 + 1e-12)), (double)(dims[i] / 2));
        n *= (double)dims[i] + 2 * reach;
    }
    return n;
}

/* One lattice worker (lattice_engine.h's Memory): per lane rates and tree
 * 8.7 bytes per padded site (with the lazy mode's stale-block list and
 * flags, 0.08; 4.7 where the rates are float upper bounds, + 8 for their
 * base rates with disorder), the relaxed field N and its halo copy (a bit a site; two
 * lanes while both lanes' rates fit in lrk_lattice_lanes_machine_bytes(), r3
 * kernel, rates that can rise), the offsets 8 N with disorder, the
 * uniform kernel's list 4 N and the observables 22 N. */
static double lattice_worker_bytes(const lrk_config *c)
{
    const lrk_engine_type *e = lrk_engine_for_model(&c->model);
    if (c->model.space.lattice == LRK_LATTICE_NONE || e == NULL || strcmp(e->name, "lattice") != 0)
        return 0; /* the uniform kernel with disorder runs on the disorder engine */
    const double N = (double)c->model.N, P = padded_sites(c);
    const double B = (double)lrk_lattice_rate_bytes(&c->model);
    /* two lanes only on the accurate sums (rates that can rise: c V1 < 0) */
    const int lanes =
        c->model.space.kernel != LRK_KERNEL_UNIFORM && lrk_model_a(&c->model) < 0 &&
                2 * 8 * P <= (double)lrk_lattice_lanes_machine_bytes()
            ? 2
            : 1;
    const double base = B < 8 && lrk_disorder_active(&c->model) ? 8 * P : 0;
    return lanes * ((B + 0.7) * P + base + N + halo_sites(&c->model.space) / 8) + (lrk_disorder_active(&c->model) ? 8 * N : 0)
           + 4 * N + 22 * N;
}

/* One disorder worker (lrk_disorder_scratch, disorder.c and
 * disorder_sort.c): the operational times, the predicted buckets (2 N +
 * 1024 slots, two overflow arrays of N + 1, 20 bytes a slice), the counts
 * (the check method's sum tree is not allocated by a production worker);
 * 0 when the model does not run on the disorder engine. */
static double disorder_worker_bytes(const lrk_config *c)
{
    const lrk_engine_type *e = lrk_engine_for_model(&c->model);
    if (e == NULL || strcmp(e->name, "disorder") != 0)
        return 0;
    const size_t n = (size_t)c->model.N;
    return 8.0 * (double)n + 8.0 * (2.0 * (double)n + 1024) + 16.0 * ((double)n + 1)
           + 20.0 * (double)disorder_sort_bin_size(n) + 4.0 * (double)disorder_sort_count_size(n);
}

static int by_size(const void *a, const void *b)
{
    double x = ((const part *)a)->bytes, y = ((const part *)b)->bytes;
    return (x < y) - (x > y);
}

void lrk_point_memory(const lrk_config *c, int threads, lrk_memory_estimate *out)
{
    const double K = (double)c->grid.points, L = (double)c->fit.q_count, B = (double)c->fit.batches;
    const double N = (double)c->model.N, D = sizeof(double);
    int kmc = c->kmc.trajectories > 0;
    if (threads <= 0)
        threads = c->kmc.threads > 0 ? c->kmc.threads : omp_get_max_threads();
    if (threads > c->fit.batches)
        threads = (int)c->fit.batches;
    if (!kmc)
        threads = 0;
    double H = histogram_bins(c->model.N), largest_batch = ceil((double)c->kmc.trajectories / B);
    double thread = KMC_LANES * K * 4 + KMC_LANES * L * D + 3 * K * D + K * H * 4
                    + (c->output.trajectories ? largest_batch * L * D : 0);
    double lattice = kmc ? lattice_worker_bytes(c) : 0, disorder = kmc ? disorder_worker_bytes(c) : 0;
    part parts[] = {
        {"grid.points", 10 * K * D + 10 * L * D},                   /* grid, references, fit points */
        {"grid.points, model.N", kmc ? K * H * 8 : 0},              /* the result's histograms */
        {"fit.batches, grid.points", kmc ? B * (2 * K + 2 * L) * D + 9 * (K + L) * D : 0},
        {"model.N", kmc ? N * D : 0},                               /* rate table */
        {"model.space.L", kmc ? 4 * padded_sites(c) : 0},           /* the lattice's slot table */
        {"model.space.L, kmc.threads", threads * lattice},          /* lattice workers */
        {"model.N, kmc.threads", threads * disorder},               /* disorder workers */
        {"model.N, references.master_equation", master_equation_bytes(c)},
        {"kmc.threads, grid.points", threads * thread},
    };
    size_t count = sizeof parts / sizeof parts[0];
    out->bytes = PROGRAM_ALLOWANCE;
    for (size_t i = 0; i < count; i++)
        out->bytes += parts[i].bytes;
    out->thread_bytes = kmc ? thread + lattice + disorder : 0;
    out->threads = threads;
    qsort(parts, count, sizeof parts[0], by_size);
    out->keys[0] = '\0';
    for (size_t i = 0; i < count && parts[i].bytes >= 0.1 * out->bytes; i++) {
        /* add each key once, largest part first */
        char keys[64];
        snprintf(keys, sizeof keys, "%s", parts[i].keys);
        char *save = NULL;
        for (char *key = strtok_r(keys, ", ", &save); key != NULL; key = strtok_r(NULL, ", ", &save)) {
            if (strstr(out->keys, key) != NULL)
                continue;
            size_t used = strlen(out->keys);
            snprintf(out->keys + used, sizeof out->keys - used, "%s%s", used ? ", " : "", key);
        }
    }
}

double lrk_memory_available(void)
{
    double available = (double)sysconf(_SC_PHYS_PAGES) * (double)sysconf(_SC_PAGESIZE);
    if (!(available > 0))
        available = INFINITY;
    int limits[] = {RLIMIT_AS, RLIMIT_DATA};
    for (size_t i = 0; i < sizeof limits / sizeof limits[0]; i++) {
        struct rlimit limit;
        if (getrlimit(limits[i], &limit) == 0 && limit.rlim_cur != RLIM_INFINITY && (double)limit.rlim_cur < available)
            available = (double)limit.rlim_cur;
    }
    return available;
}

/* The largest value of key over an axis, applied to worst (numbers by
 * value; a switch or flag that takes several values is taken as on). */
static void take_largest(lrk_config *worst, const lrk_sweep_axis *axis, size_t i)
{
    static const char *const numeric[] = {"model.N", "grid.points", "fit.q_levels.count", "fit.batches",
                                          "kmc.trajectories", "kmc.threads"};
    const char *key = axis->keys[i];
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    for (size_t n = 0; n < sizeof numeric / sizeof numeric[0]; n++) {
        if (strcmp(key, numeric[n]) != 0)
            continue;
        size_t best = 0;
        for (size_t v = 1; v < axis->value_count; v++)
            if (strtod(axis->values[i][v], NULL) > strtod(axis->values[i][best], NULL))
                best = v;
        lrk_config_set_key(worst, key, axis->values[i][best], &d);
    }
    if (strcmp(key, "output.trajectories") == 0 || strcmp(key, "references.master_equation") == 0)
        for (size_t v = 0; v < axis->value_count; v++)
            if (strcmp(axis->values[i][v], "true") == 0 || strcmp(axis->values[i][v], "on") == 0)
                lrk_config_set_key(worst, key, axis->values[i][v], &d);
    lrk_diagnostics_free(&d); /* a value the key refuses fails at its point, not here */
}

static void format_bytes(double bytes, char *buf, size_t size)
{
    const char *units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB"};
    size_t u = 0;
    while (bytes >= 1024 && u + 1 < sizeof units / sizeof units[0]) {
        bytes /= 1024;
        u++;
    }
    snprintf(buf, size, "%.3g %s", bytes, units[u]);
}

lrk_status lrk_campaign_check_memory(const lrk_config *base, int threads, lrk_error *err)
{
    lrk_config worst;
    lrk_config without_sweep = *base;
    without_sweep.sweep_axis_count = 0;
    without_sweep.sweep_axes = NULL;
    if (lrk_config_copy(&worst, &without_sweep) != LRK_OK)
        return lrk_error_set(err, LRK_ERR_NOMEM, "memory estimate: out of memory");
    for (size_t a = 0; a < base->sweep_axis_count; a++)
        for (size_t i = 0; i < base->sweep_axes[a].key_count; i++)
            take_largest(&worst, &base->sweep_axes[a], i);
    lrk_memory_estimate e;
    lrk_point_memory(&worst, threads, &e);
    lrk_config_free(&worst);
    double available = lrk_memory_available();
    if (e.bytes <= available)
        return LRK_OK;
    char need[32], have[32], per_thread[32];
    format_bytes(e.bytes, need, sizeof need);
    format_bytes(available, have, sizeof have);
    format_bytes(e.thread_bytes, per_thread, sizeof per_thread);
    return lrk_error_set(err, LRK_ERR_INVALID,
                         "memory: a point%s needs an estimated %s (%d KMC thread%s of %s each included), "
                         "more than the %s this process may use: lower %s",
                         base->sweep_axis_count ? " of the sweep" : "", need, e.threads, e.threads == 1 ? "" : "s",
                         per_thread, have, e.keys[0] ? e.keys : "grid.points");
}
