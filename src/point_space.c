/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_space.c - the spatial observables of a point (point_space.h): the
 * per-trajectory extras of the lattice engine (lattice_observe.h), averaged
 * by kmc_run.c with their standard errors, turned into files and summary
 * values.  Each file is written whole under a temporary name.
 */
#include "point_space.h"

#include <math.h>
#include <stdlib.h>

#include "lrekmc/disorder.h"
#include "lrekmc/lattice.h"
#include "lrekmc/lattice_master.h"
#include "lrekmc/lattice_observe.h"
#include "lrekmc/output.h"

/* S = 0 exactly when no other site lies within d_el (NaN, a stencil too
 * large to build, counts as coupled: no exact reference is claimed). */
static int has_neighbour(const lrk_model *m)
{
    return !(lrk_stencil_sum(&m->space) == 0.0);
}

int point_space_coupled(const lrk_model *m)
{
    return m->space.lattice == LRK_LATTICE_CUBIC && m->space.kernel == LRK_KERNEL_R3
           && lrk_model_coupling(m) * m->V1 != 0 && has_neighbour(m);
}

void point_space_reference_model(const lrk_model *m, lrk_model *ref)
{
    *ref = *m;
    if (m->space.lattice == LRK_LATTICE_CUBIC && m->V1 != 0 && !has_neighbour(m))
        ref->V1 = 0.0;
}

int point_space_master_applies(const lrk_model *m, lrk_switch sw)
{
    long max = sw == LRK_SWITCH_ON ? POINT_SPACE_MASTER_MAX_N : sw == LRK_SWITCH_AUTO ? POINT_SPACE_MASTER_AUTO_MAX_N : 0;
    return point_space_coupled(m) && !lrk_disorder_active(m) && m->N <= max;
}

/* An upper bound on the master equation's work in state updates: each
 * uniformization sub-step (Lambda dt <= 20) touches 2^N states x N sites,
 * Lambda <= N k e^(max(-c V1, 0)/T) (a site's coupling sum is <= V1). */
static double master_work(const lrk_point *p)
{
    const lrk_model *m = &p->model;
    double lambda = (double)m->N * lrk_model_k(m) * exp(fmax(-lrk_model_coupling(m) * m->V1, 0) / m->T);
    double t_end = p->t_count > 0 ? p->t[p->t_count - 1] : 0;
    return (lambda * t_end / 20 + (double)p->t_count) * ldexp(1.0, (int)m->N) * (double)m->N;
}

lrk_status point_space_master(lrk_point *p, lrk_error *err)
{
    if (!(master_work(p) <= POINT_SPACE_MASTER_MAX_WORK))
        return LRK_OK; /* extreme coupling or a grid of very many relaxation times: left out */
    double **cols[4] = {&p->q_exact_mean, &p->q_exact_std, &p->t_exact_mean, &p->t_exact_var};
    for (int i = 0; i < 4; i++) {
        size_t n = i < 2 ? p->t_count : p->level_count;
        if (*cols[i] == NULL)
            *cols[i] = calloc(n > 0 ? n : 1, sizeof(double));
        if (*cols[i] == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "tiny-box master equation: out of memory");
    }
    lrk_status s = lrk_lattice_master_solve(&p->model, p->t, p->t_count, p->q_exact_mean, p->q_exact_std,
                                            p->level_event, p->level_count, p->t_exact_mean, p->t_exact_var, err);
    for (size_t j = 0; s == LRK_OK && j < p->level_count; j++)
        p->t_exact_var[j] *= p->t_exact_var[j]; /* the solver gives the std */
    return s;
}

int point_space_has(const lrk_point *p)
{
    /* kernel uniform with disorder runs on the disorder engine, which has
     * no spatial extras (docs/space.md) */
    return p->model.space.lattice == LRK_LATTICE_CUBIC && p->kmc != NULL && p->kmc->extra_mean != NULL
           && p->kmc->extra_count > 0;
}

double point_chi4(const lrk_point *p, size_t i)
{
    if (p->kmc == NULL)
        return NAN;
    double s = p->kmc->q_std[i];
    return (double)p->model.N * s * s;
}

/* The grid index of the largest chi4 (the first of equal ones), t_count
 * when there is none. */
static size_t chi4_peak_index(const lrk_point *p)
{
    size_t at = p->t_count;
    double best = NAN;
    for (size_t i = 0; p->kmc != NULL && i < p->t_count; i++) {
        double v = point_chi4(p, i);
        if (isnan(best) || v > best) {
            best = v;
            at = i;
        }
    }
    return at;
}

double point_chi4_peak(const lrk_point *p, double *t_peak)
{
    size_t i = chi4_peak_index(p);
    if (t_peak != NULL)
        *t_peak = i < p->t_count ? p->t[i] : NAN;
    return i < p->t_count ? point_chi4(p, i) : NAN;
}

double point_chi4_err(const lrk_point *p, size_t i)
{
    const lrk_kmc_result *r = p->kmc;
    if (r == NULL || i >= p->t_count)
        return NAN;
    /* chi4 of each batch from its Welford sums, then their spread */
    double sum = 0, sq = 0, B = 0;
    for (long b = 0; b < r->batches_held; b++) {
        long n = r->batch_trajectories[b];
        if (n < 2)
            continue;
        double chi4 = (double)p->model.N * r->batch_q_m2[(size_t)b * p->t_count + i] / (double)(n - 1);
        sum += chi4;
        sq += chi4 * chi4;
        B += 1;
    }
    if (B < 2)
        return NAN;
    double mean = sum / B, var = (sq - B * mean * mean) / (B - 1);
    return sqrt(var > 0 ? var / B : 0);
}

double point_chi4_peak_err(const lrk_point *p)
{
    return point_chi4_err(p, chi4_peak_index(p));
}

double point_chi4_peak_time(const lrk_point *p)
{
    double t;
    point_chi4_peak(p, &t);
    return t;
}

static double extra(const lrk_point *p, size_t e)
{
    return p->kmc->extra_mean[e];
}

double point_xi(const lrk_point *p, size_t s)
{
    if (!point_space_has(p))
        return NAN;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    double q = (double)l.snapshot_events[s] / (double)p->model.N, c0 = q * (1.0 - q), sum = 0.0;
    for (size_t k = 0; k < l.radial_bins; k++)
        sum += extra(p, s * l.per_snapshot + k);
    return c0 > 0 ? sum / c0 : NAN;
}

double point_avalanche_mean(const lrk_point *p)
{
    if (!point_space_has(p))
        return NAN;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    return extra(p, l.avalanche_offset + 1);
}

double point_largest_fraction(const lrk_point *p, size_t s)
{
    if (!point_space_has(p))
        return NAN;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    return extra(p, s * l.per_snapshot + l.radial_bins + 2);
}

double point_local_excess(const lrk_point *p, int late)
{
    if (!point_space_has(p))
        return NAN;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    return extra(p, l.local_offset + (late != 0));
}

double point_local_excess_z(const lrk_point *p, int late)
{
    if (!point_space_has(p))
        return NAN;
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    double sem = p->kmc->extra_sem[l.local_offset + (late != 0)];
    return sem > 0 ? extra(p, l.local_offset + (late != 0)) / sem : NAN;
}

static lrk_status open_file(const char *dir, const char *name, lrk_output_file *f, lrk_error *err)
{
    char *path = lrk_path_join(dir, name);
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    lrk_status s = lrk_output_open(f, path, err);
    free(path);
    return s;
}

static void write_correlation(const lrk_point *p, const lrk_lattice_layout *l, const double *count, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    fputs("q,r,count,C,C_std,C_sem\n", out);
    for (size_t s = 0; s < l->snapshots; s++)
        for (size_t k = 0; k < l->radial_bins; k++) {
            size_t e = s * l->per_snapshot + k;
            lrk_csv_number(out, l->snapshot_q[s], 1);
            lrk_csv_integer(out, (long long)(k + 1), 0);
            lrk_csv_number(out, count[k + 1], 0);
            lrk_csv_number(out, r->extra_mean[e], 0);
            lrk_csv_number(out, r->extra_std[e], 0);
            lrk_csv_number(out, r->extra_sem[e], 0);
            fputc('\n', out);
        }
}

static void write_snapshots(const lrk_point *p, const lrk_lattice_layout *l, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    fputs("q,events,xi,clusters,clusters_sem,cluster_mean,cluster_mean_sem,largest_fraction,"
          "largest_fraction_sem\n", out);
    for (size_t s = 0; s < l->snapshots; s++) {
        size_t e = s * l->per_snapshot + l->radial_bins;
        lrk_csv_number(out, l->snapshot_q[s], 1);
        lrk_csv_integer(out, l->snapshot_events[s], 0);
        lrk_csv_number(out, point_xi(p, s), 0);
        for (size_t i = 0; i < LRK_LATTICE_SNAPSHOT_STATS; i++) {
            lrk_csv_number(out, r->extra_mean[e + i], 0);
            lrk_csv_number(out, r->extra_sem[e + i], 0);
        }
        fputc('\n', out);
    }
}

static void write_avalanches(const lrk_point *p, const lrk_lattice_layout *l, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    const double per_trajectory = r->extra_mean[l->avalanche_offset];
    fputs("size_from,size_to,count_mean,count_sem,fraction\n", out);
    for (size_t b = 0; b < l->avalanche_bins; b++) {
        size_t e = l->avalanche_offset + 2 + b;
        lrk_csv_integer(out, 1LL << b, 1);
        lrk_csv_integer(out, (2LL << b) - 1, 0);
        lrk_csv_number(out, r->extra_mean[e], 0);
        lrk_csv_number(out, r->extra_sem[e], 0);
        lrk_csv_number(out, per_trajectory > 0 ? r->extra_mean[e] / per_trajectory : NAN, 0);
        fputc('\n', out);
    }
}

static void write_local_q(const lrk_point *p, const lrk_lattice_layout *l, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    const long N = p->model.N;
    fputs("q_from,q_to,events,sampled,local_q,local_q_sem,null,z\n", out);
    for (size_t g = 0; g < l->local_bins; g++) {
        const long from = lrk_lattice_local_start(l, (long)g), to = lrk_lattice_local_start(l, (long)g + 1);
        const size_t e = l->local_offset + 2 + g;
        const double null = lrk_lattice_local_null(l, (long)g), sem = r->extra_sem[e];
        lrk_csv_number(out, (double)from / (double)N, 1);
        lrk_csv_number(out, (double)to / (double)N, 0);
        lrk_csv_integer(out, to - from, 0);
        lrk_csv_integer(out, (to - from + l->local_stride - 1) / l->local_stride, 0);
        lrk_csv_number(out, r->extra_mean[e], 0);
        lrk_csv_number(out, sem, 0);
        lrk_csv_number(out, null, 0);
        lrk_csv_number(out, sem > 0 ? (r->extra_mean[e] - null) / sem : NAN, 0);
        fputc('\n', out);
    }
}

const char *const lrk_point_space_tables[LRK_POINT_SPACE_TABLES] = {"correlation", "snapshots", "avalanches",
                                                                 "local_q"};

int lrk_point_has_space(const lrk_point *p)
{
    return point_space_has(p);
}

lrk_status lrk_point_write_space(const lrk_point *p, size_t table, FILE *out, lrk_error *err)
{
    if (!point_space_has(p) || table >= LRK_POINT_SPACE_TABLES)
        return lrk_error_set(err, LRK_ERR_INVALID, "spatial table %zu: the point has no such table", table);
    lrk_lattice_layout l;
    lrk_lattice_layout_of(&p->model, &l);
    if (table == 0) {
        double *count = malloc((l.radial_bins + 1) * sizeof *count);
        if (count == NULL)
            return lrk_error_set(err, LRK_ERR_NOMEM, "correlation: out of memory");
        lrk_lattice_radial_counts(&p->model.space, &l, count);
        write_correlation(p, &l, count, out);
        free(count);
    } else if (table == 1) {
        write_snapshots(p, &l, out);
    } else if (table == 2) {
        write_avalanches(p, &l, out);
    } else {
        write_local_q(p, &l, out);
    }
    return LRK_OK;
}

lrk_status point_space_write(const lrk_point *p, const char *dir, lrk_error *err)
{
    if (!point_space_has(p))
        return LRK_OK;
    lrk_status s = LRK_OK;
    for (size_t i = 0; s == LRK_OK && i < LRK_POINT_SPACE_TABLES; i++) {
        char name[32];
        snprintf(name, sizeof name, "%s.csv", lrk_point_space_tables[i]);
        lrk_output_file f;
        s = open_file(dir, name, &f, err);
        if (s != LRK_OK)
            break;
        s = lrk_point_write_space(p, i, f.stream, err);
        if (s == LRK_OK)
            s = lrk_output_commit(&f, err);
        else
            lrk_output_abandon(&f);
    }
    return s;
}
