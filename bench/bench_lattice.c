/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * bench_lattice.c - speed of the spatial engine (lattice_engine.h) for
 * L = 16, 32, 64, 128 and d_el = 1, 2, 3, 4 (r3 kernel, SER, V0/T = V1/T = 1),
 * next to the mean-field engine (kmc.h), a straightforward binary sum tree
 * over the sites in row-major order (one leaf-to-root walk per changed
 * rate, written here) and composition-rejection (written here), all in one
 * process on one thread.
 * Reported: events per CPU second of the engine as kmc_run.c drives it
 * (LRK_LATTICE_LANES trajectories per call; the CPU time is the speed of
 * the code when it has a core, the machine may be shared), ns per rate
 * update (CPU time / (events x stencil entries)), the engine one
 * trajectory per call (lrk_lattice_simulate) and the ratio of the two
 * (alternated repeats: the same load for both), the straightforward tree
 * and the ratio to it, the mean-field engine, and a composition-rejection
 * prototype (below).
 * About 10^6 events per case, an even number of trajectories (the
 * straightforward tree and CR 2.5 10^5).
 * The last columns: the lazy mode's null fraction (nulls / candidates),
 * batch repairs and blocks they recomputed per event (0 on CER).  After a
 * whole table, issue 14's aims as this run measured them: the L = 64,
 * d_el = 3 rate and the growth of the cost per event from L = 16 to 128.
 *   usage: bench_lattice [repeats] [engine [L [d_el [events]]]]   (best of
 *   `repeats`, default 1; `engine`: the spatial engine only (`engine-cer`:
 *   the same on CER, whose rates rise: the accurate sums; `engine-obs`:
 *   SER with the observables that every run records, lattice_observe.h:
 *   snapshots' C(r) and clusters, avalanches, the local q), the other
 *   columns 0 (any other word: all columns); [L], [d_el]: that case only;
 *   [events]: per case, default 10^6; an [L] outside the four (a multiple of
 *   4 for the grouped path) measures that L alone)
 *   usage: bench_lattice [rounds] growth [d_el]   (the cost growth
 *   L = 16 -> 128 as the median of per-round ratios, both sizes timed back
 *   to back in each round; at most 64 rounds)
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "lrekmc/grid.h"
#include "lrekmc/kmc.h"
#include "lrekmc/lattice_engine.h"
#include "lrekmc/rng.h"
#include "../src/lattice_engine_internal.h" /* the lazy mode's counters */

static double cpu_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* SER by default; `engine-cer` on the command line: CER (the accurate
 * sums: rates rise, no lazy mode) */
static lrk_mode bench_mode = LRK_MODE_SER;
/* `engine-obs`: the engine records the observables, as in a run */
static int bench_extras = 0;

static lrk_model model(long L, double d_el)
{
    lrk_model m = {.mode = bench_mode, .V0 = 1, .V1 = 1, .T = 1, .N = L * L * L};
    m.space = (lrk_space){LRK_LATTICE_CUBIC, L, L, L, d_el, LRK_KERNEL_R3};
    return m;
}

/* The straightforward version: one binary tree over the N sites in
 * row-major order, rates updated by a delta walk from each changed leaf. */
typedef struct naive {
    long L, N;
    size_t leaves;
    double *tree;
    const lrk_stencil *st;
    double *factor;
} naive;

static void naive_run(naive *nv, lrk_pcg64 *rng, double k)
{
    const long L = nv->L, N = nv->N;
    const size_t P = nv->leaves;
    double *tree = nv->tree;
    memset(tree, 0, 2 * P * sizeof *tree);
    for (long i = 0; i < N; i++)
        tree[P + (size_t)i] = 1.0;
    for (size_t n = P - 1; n >= 1; n--)
        tree[n] = tree[2 * n] + tree[2 * n + 1];
    double t = 0;
    for (long e = 0; e < N; e++) {
        double R = tree[1];
        t += lrk_pcg64_exponential_ziggurat(rng) / (k * R);
        double u = lrk_pcg64_uniform(rng) * R;
        size_t node = 1;
        while (node < P) {
            if (u < tree[2 * node] || tree[2 * node + 1] == 0.0) {
                node = 2 * node;
            } else {
                u -= tree[2 * node];
                node = 2 * node + 1;
            }
        }
        long i = (long)(node - P), x = i % L, y = i / L % L, z = i / (L * L);
        double old = tree[node];
        for (size_t a = node; a >= 1; a >>= 1)
            tree[a] -= old;
        tree[node] = 0.0;
        for (size_t o = 0; o < nv->st->count; o++) {
            long j = (x + nv->st->dx[o]) % L + L * ((y + nv->st->dy[o]) % L + L * ((z + nv->st->dz[o]) % L));
            size_t leaf = P + (size_t)j;
            double r = tree[leaf];
            if (r == 0.0)
                continue;
            double delta = r * nv->factor[o] - r;
            for (size_t a = leaf; a >= 1; a >>= 1)
                tree[a] += delta;
        }
    }
    if (t < 0)
        printf("impossible\n");
}

static double bench_naive(long L, double d_el, long events)
{
    lrk_model m = model(L, d_el);
    lrk_stencil st;
    if (lrk_stencil_build(&m.space, &st, NULL) != LRK_OK)
        exit(1);
    naive nv = {L, m.N, 1, NULL, &st, malloc(st.count * sizeof(double))};
    while (nv.leaves < (size_t)m.N)
        nv.leaves *= 2;
    nv.tree = malloc(2 * nv.leaves * sizeof(double));
    lrk_stencil_coupling(&m, &st, nv.factor);
    for (size_t o = 0; o < st.count; o++)
        nv.factor[o] = exp(-nv.factor[o] / m.T);
    long traj = events / m.N > 0 ? events / m.N : 1;
    double start = cpu_seconds();
    for (long i = 0; i < traj; i++) {
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, 42, (uint64_t)i);
        naive_run(&nv, &rng, exp(-1.0));
    }
    double rate = (double)(traj * m.N) / (cpu_seconds() - start);
    free(nv.tree);
    free(nv.factor);
    lrk_stencil_free(&st);
    return rate;
}

/* Composition-rejection (Slepoy, Thompson & Plimpton 2008; SPPARKS'
 * solve_group), the other method issue 14 names: sites binned by rate into
 * groups [2^-g, 2^(1-g)) (SER: rates only fall from 1), a group chosen by a
 * linear scan of the group sums, a site inside it by rejection (acceptance
 * >= 1/2); each rate change moves its site between groups when it crosses
 * a power of two.  Group sums by deltas, as in the prototype of the paper
 * (no drift control here: it is timed, not used).  Rows are row-major. */
#define CR_GROUPS 1100
typedef struct cr {
    long L, N;
    double *rate;
    int *group;            /* per site */
    long *pos;             /* per site: index in its group's list */
    long *list;            /* CR_GROUPS x N would be too much: one array per group, grown */
    long *count, *cap;
    long **member;
    double *sum;
    const lrk_stencil *st;
    double *factor;
    long *ax, *ay, *az;    /* 2 L each: row-major term of u mod L (no division per neighbour) */
} cr;

static int cr_group_of(double r)
{
    uint64_t bits;
    memcpy(&bits, &r, sizeof bits);
    return 1023 - (int)(bits >> 52); /* r in [2^-g, 2^(1-g)), r normal and <= 1 */
}

static void cr_insert(cr *c, long i, int g)
{
    if (c->count[g] == c->cap[g]) {
        c->cap[g] = c->cap[g] ? 2 * c->cap[g] : 64;
        c->member[g] = realloc(c->member[g], (size_t)c->cap[g] * sizeof(long));
    }
    c->group[i] = g;
    c->pos[i] = c->count[g];
    c->member[g][c->count[g]++] = i;
}

static void cr_remove(cr *c, long i)
{
    int g = c->group[i];
    long last = c->member[g][--c->count[g]];
    c->member[g][c->pos[i]] = last;
    c->pos[last] = c->pos[i];
}

static void cr_run(cr *c, lrk_pcg64 *rng, double k)
{
    const long L = c->L, N = c->N;
    memset(c->count, 0, CR_GROUPS * sizeof(long));
    memset(c->sum, 0, CR_GROUPS * sizeof(double));
    for (long i = 0; i < N; i++) {
        c->rate[i] = 1.0;
        cr_insert(c, i, 0);
    }
    c->sum[0] = (double)N;
    int top = 0; /* groups in use: 0 .. top */
    double t = 0;
    for (long e = 0; e < N; e++) {
        double R = 0;
        for (int g = 0; g <= top; g++)
            R += c->sum[g];
        t += lrk_pcg64_exponential_ziggurat(rng) / (k * R);
        double u = lrk_pcg64_uniform(rng) * R;
        int g = 0;
        while (g < top && (u >= c->sum[g] || c->count[g] == 0)) {
            u -= c->sum[g];
            g++;
        }
        while (c->count[g] == 0) /* round-off beyond the last group */
            g--;
        const double bound = ldexp(1.0, 1 - g);
        long i;
        do
            i = c->member[g][(long)(lrk_pcg64_uniform(rng) * (double)c->count[g])];
        while (lrk_pcg64_uniform(rng) * bound >= c->rate[i]);
        long x = i % L, y = i / L % L, z = i / (L * L);
        c->sum[g] -= c->rate[i];
        cr_remove(c, i);
        c->rate[i] = 0.0;
        double d0 = 0.0, d1 = 0.0; /* the two groups SER V1/T = 1 uses, in registers */
        for (size_t o = 0; o < c->st->count; o++) {
            long j = c->ax[x + c->st->dx[o]] + c->ay[y + c->st->dy[o]] + c->az[z + c->st->dz[o]];
            double r = c->rate[j];
            if (r == 0.0)
                continue;
            double q = r * c->factor[o];
            c->rate[j] = q;
            int from = c->group[j], to = cr_group_of(q);
            if (to != from) {
                cr_remove(c, j);
                cr_insert(c, j, to);
                top = to > top ? to : top;
                c->sum[from] -= r;
                c->sum[to] += q;
            } else if (from == 0) {
                d0 += q - r;
            } else if (from == 1) {
                d1 += q - r;
            } else {
                c->sum[from] += q - r;
            }
        }
        c->sum[0] += d0;
        c->sum[1] += d1;
    }
    if (t < 0)
        printf("impossible\n");
}

static double bench_cr(long L, double d_el, long events)
{
    lrk_model m = model(L, d_el);
    lrk_stencil st;
    if (lrk_stencil_build(&m.space, &st, NULL) != LRK_OK)
        exit(1);
    cr c = {.L = L, .N = m.N, .st = &st};
    c.rate = malloc((size_t)m.N * sizeof(double));
    c.group = malloc((size_t)m.N * sizeof(int));
    c.pos = malloc((size_t)m.N * sizeof(long));
    c.count = calloc(CR_GROUPS, sizeof(long));
    c.cap = calloc(CR_GROUPS, sizeof(long));
    c.member = calloc(CR_GROUPS, sizeof(long *));
    c.sum = calloc(CR_GROUPS, sizeof(double));
    c.factor = malloc(st.count * sizeof(double));
    c.ax = malloc(2 * (size_t)L * sizeof(long));
    c.ay = malloc(2 * (size_t)L * sizeof(long));
    c.az = malloc(2 * (size_t)L * sizeof(long));
    for (long u = 0; u < 2 * L; u++) {
        c.ax[u] = u % L;
        c.ay[u] = (u % L) * L;
        c.az[u] = (u % L) * L * L;
    }
    lrk_stencil_coupling(&m, &st, c.factor);
    for (size_t o = 0; o < st.count; o++)
        c.factor[o] = exp(-c.factor[o] / m.T);
    long traj = events / m.N > 0 ? events / m.N : 1;
    double start = cpu_seconds();
    for (long i = 0; i < traj; i++) {
        lrk_pcg64 rng;
        lrk_pcg64_seed(&rng, 42, (uint64_t)i);
        cr_run(&c, &rng, exp(-1.0));
    }
    double rate = (double)(traj * m.N) / (cpu_seconds() - start);
    for (int g = 0; g < CR_GROUPS; g++)
        free(c.member[g]);
    free(c.member);
    free(c.rate);
    free(c.group);
    free(c.pos);
    free(c.count);
    free(c.cap);
    free(c.sum);
    free(c.factor);
    free(c.ax);
    free(c.ay);
    free(c.az);
    lrk_stencil_free(&st);
    return rate;
}

/* The engine, `lanes` trajectories per call (1: lrk_lattice_simulate, the
 * reference; LRK_LATTICE_LANES: stepped together), an even number of
 * trajectories of about `events` events in all. */
/* The lazy mode's counters of the last bench_lattice run (per event). */
static double null_fraction, batch_blocks_per_event, batches_per_event;

static double bench_lattice(long L, double d_el, long events, int lanes, size_t *count)
{
    lrk_model m = model(L, d_el);
    double t[400];
    long levels[99];
    for (int k = 0; k < 400; k++)
        t[k] = 20.0 * (k + 1) / 400;
    for (int j = 0; j < 99; j++)
        levels[j] = lrk_level_event_count(0.01 * (j + 1), m.N);
    lrk_lattice_grid g = {t, 400, levels, 99};
    lrk_lattice_shared *s;
    lrk_lattice_worker *w;
    lrk_error err;
    if (lrk_lattice_shared_create(&m, &g, &s, &err) != LRK_OK || lrk_lattice_worker_create(s, &w, &err) != LRK_OK) {
        fprintf(stderr, "bench_lattice: %s\n", err.message);
        exit(1);
    }
    *count = lrk_lattice_stencil_count(s);
    uint32_t n_at[LRK_LATTICE_LANES * 401];
    double fp[LRK_LATTICE_LANES * 99];
    double *extra = NULL;
    if (bench_extras) {
        extra = calloc(LRK_LATTICE_LANES * lrk_lattice_extra_count(s) + 1, sizeof *extra);
        if (extra == NULL) {
            fprintf(stderr, "bench_lattice: out of memory\n");
            exit(1);
        }
    }
    long traj = events / m.N > 2 ? events / m.N : 2;
    traj += traj % 2;
    double start = cpu_seconds();
    for (long i = 0; i < traj; i += lanes) {
        lrk_pcg64 rng[LRK_LATTICE_LANES];
        for (int l = 0; l < lanes; l++)
            lrk_pcg64_seed(&rng[l], 42, (uint64_t)(i + l));
        if (lanes == 1)
            lrk_lattice_simulate(s, w, rng, n_at, fp, extra);
        else
            lrk_lattice_simulate_lanes(s, w, rng, lanes, n_at, fp, extra);
    }
    free(extra);
    double rate = (double)(traj * m.N) / (cpu_seconds() - start);
    null_fraction = w->candidates > 0 ? (double)w->nulls / (double)w->candidates : 0.0;
    batch_blocks_per_event = (double)w->batch_blocks / (double)(traj * m.N);
    batches_per_event = (double)w->batches / (double)(traj * m.N);
    lrk_lattice_worker_free(w);
    lrk_lattice_shared_free(s);
    return rate;
}

static double bench_mean_field(long N, long events)
{
    lrk_model m = {.mode = LRK_MODE_SER, .V0 = 1, .V1 = 1, .T = 1, .N = N};
    double t[400], q[99];
    for (int k = 0; k < 400; k++)
        t[k] = 20.0 * (k + 1) / 400;
    lrk_q_levels_fill(q, 99, 0.01, 0.99, NULL);
    long traj = events / N > 20 ? events / N : 20;
    lrk_kmc_params p = {.model = &m, .t = t, .t_count = 400, .q_levels = q, .level_count = 99,
                        .seed = 42, .trajectories = traj, .batches = 20, .threads = 1};
    lrk_kmc_result *r;
    double start = cpu_seconds();
    if (lrk_kmc_run_all(&p, &r, NULL) != LRK_OK)
        exit(1);
    double rate = (double)r->events / (cpu_seconds() - start);
    lrk_kmc_result_free(r);
    return rate;
}

static int compare_doubles(const void *a, const void *b)
{
    const double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* `growth`: issue 14's cost growth L = 16 -> 128 measured as a ratio under
 * one load.  The best of separate runs compares two stretches of a shared
 * machine (L = 128 lives in the L3 that other tenants share, and its rate
 * moves by +-20 % between runs where L = 16's moves by a few %), so here
 * each round times L = 16 and L = 128 back to back, 2^22 events each, and
 * the median of the per-round ratios is the measurement, with its range. */
static void bench_growth(int rounds, double only_d)
{
    const double dels[] = {1, 2, 3, 4};
    const long events = 1L << 22;
    printf("cost growth L = 16 -> 128 (events/s at 16 over events/s at 128), %d rounds, %ld events a case\n", rounds,
           events);
    printf("%5s %12s %12s %8s %8s %8s\n", "d_el", "L=16 ev/s", "L=128 ev/s", "median", "min", "max");
    for (int b = 0; b < 4; b++) {
        if (only_d > 0 && dels[b] != only_d)
            continue;
        double ratio[64], r16[64], r128[64];
        size_t count;
        for (int r = 0; r < rounds; r++) {
            r16[r] = bench_lattice(16, dels[b], events, LRK_LATTICE_LANES, &count);
            r128[r] = bench_lattice(128, dels[b], events, LRK_LATTICE_LANES, &count);
            ratio[r] = r16[r] / r128[r];
        }
        qsort(ratio, (size_t)rounds, sizeof *ratio, compare_doubles);
        qsort(r16, (size_t)rounds, sizeof *r16, compare_doubles);
        qsort(r128, (size_t)rounds, sizeof *r128, compare_doubles);
        const int h = rounds / 2;
        const double med = rounds % 2 ? ratio[h] : 0.5 * (ratio[h - 1] + ratio[h]);
        printf("%5g %12.4g %12.4g %8.3f %8.3f %8.3f   (rates: medians; aim <= 1.5x)\n", dels[b],
               rounds % 2 ? r16[h] : 0.5 * (r16[h - 1] + r16[h]), rounds % 2 ? r128[h] : 0.5 * (r128[h - 1] + r128[h]),
               med, ratio[0], ratio[rounds - 1]);
        fflush(stdout);
    }
}

int main(int argc, char **argv)
{
    int repeats = argc > 1 ? atoi(argv[1]) : 1;
    if (repeats < 1)
        repeats = 1;
    if (argc > 2 && strcmp(argv[2], "growth") == 0) {
        bench_growth(repeats < 64 ? repeats : 64, argc > 3 ? atof(argv[3]) : 0);
        return 0;
    }
    const int engine_only = argc > 2 && (strcmp(argv[2], "engine") == 0 || strcmp(argv[2], "engine-cer") == 0 ||
                                         strcmp(argv[2], "engine-obs") == 0);
    bench_extras = argc > 2 && strcmp(argv[2], "engine-obs") == 0;
    if (argc > 2 && strcmp(argv[2], "engine-cer") == 0)
        bench_mode = LRK_MODE_CER;
    const long Ls[] = {16, 32, 64, 128};
    const double dels[] = {1, 2, 3, 4};
    const long events = argc > 5 ? atol(argv[5]) : 1000000;
    printf("spatial engine, r3 kernel, %s V0/T = V1/T = 1, %s, one thread, best of %d (events per CPU second)\n",
           lrk_mode_name(bench_mode), bench_extras ? "with the observables" : "no observables", repeats);
    printf("%5s %5s %9s %12s %10s %12s %7s %12s %8s %12s %12s %9s %9s %9s\n", "L", "d_el", "stencil", "events/s",
           "ns/update", "1 lane ev/s", "lanes", "naive ev/s", "ratio", "mean-field", "CR ev/s", "nulls", "batch/ev",
           "blocks/ev");
    const long only_L = argc > 3 ? atol(argv[3]) : 0;
    const double only_d = argc > 4 ? atof(argv[4]) : 0;
    long Lx[] = {Ls[0], Ls[1], Ls[2], Ls[3]};
    double rate_of[4][4] = {{0}}; /* [L][d_el]: the engine's events/s, for the aims below */
    if (only_L > 0) /* any L asked for (e.g. a footprint between the four) */
        Lx[0] = only_L;
    for (int a = 0; a < (only_L > 0 ? 1 : 4); a++) {
        double mf = 0;
        for (int r = 0; r < repeats && !engine_only; r++) {
            double v = bench_mean_field(Lx[a] * Lx[a] * Lx[a], 20 * events);
            mf = v > mf ? v : mf;
        }
        for (int b = 0; b < 4; b++) {
            if (only_d > 0 && dels[b] != only_d)
                continue;
            double best = 0, one_best = 0, naive_best = 0, cr_best = 0;
            size_t count = 0;
            for (int r = 0; r < repeats; r++) { /* alternated: the same load for both */
                double v = bench_lattice(Lx[a], dels[b], events, 1, &count);
                one_best = v > one_best ? v : one_best;
                v = bench_lattice(Lx[a], dels[b], events, LRK_LATTICE_LANES, &count);
                best = v > best ? v : best;
                if (engine_only)
                    continue;
                v = bench_naive(Lx[a], dels[b], events / 4);
                naive_best = v > naive_best ? v : naive_best;
                v = bench_cr(Lx[a], dels[b], events / 4);
                cr_best = v > cr_best ? v : cr_best;
            }
            rate_of[a][b] = best;
            printf("%5ld %5g %9zu %12.4g %10.3g %12.4g %7.2f %12.4g %8.2f %12.4g %12.4g %9.4f %9.2e %9.3f\n", Lx[a],
                   dels[b], count, best, 1e9 / (best * (double)count), one_best, best / one_best, naive_best,
                   naive_best > 0 ? best / naive_best : 0.0, mf, cr_best, null_fraction, batches_per_event,
                   batch_blocks_per_event);
            fflush(stdout);
        }
    }
    /* issue 14's aims, from this run: >= 4 M events/s at L = 64, d_el = 3,
     * and the cost per event growing <= 1.5x from L = 16 to L = 128 */
    if (only_L == 0) {
        if (rate_of[2][2] > 0)
            printf("aim L = 64, d_el = 3: %.3g M events/s (>= 4 M)\n", rate_of[2][2] / 1e6);
        for (int b = 0; b < 4; b++)
            if (rate_of[0][b] > 0 && rate_of[3][b] > 0)
                printf("aim cost growth L = 16 -> 128, d_el = %g: %.2fx (<= 1.5x)\n", dels[b],
                       rate_of[0][b] / rate_of[3][b]);
    }
    return 0;
}
