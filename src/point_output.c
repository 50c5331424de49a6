/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_output.c - the per-point tables of DESIGN.md section 6:
 *   relaxation.csv  t, q_mean, q_std, q_sem, q_p05, q_p50, q_p95, q_ode,
 *                   q_exact_mean, q_exact_std, q_lna_std
 *   levels.csv      q, t_mean, t_std, t_sem, t_exact_mean, t_exact_std, t_ode
 * A reference (or the KMC) that was not computed leaves its fields empty.
 */
#include "lrekmc/point.h"

#include <math.h>
#include <stdlib.h>

#include "lrekmc/output.h"

/* x[i], or NaN (an empty field) when the array was not computed. */
static double at(const double *x, size_t i)
{
    return x != NULL ? x[i] : NAN;
}

static void write_relaxation(const lrk_point *p, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    fputs("t,q_mean,q_std,q_sem,q_p05,q_p50,q_p95,q_ode,q_exact_mean,q_exact_std,q_lna_std\n", out);
    for (size_t k = 0; k < p->t_count; k++) {
        lrk_csv_number(out, p->t[k], 1);
        lrk_csv_number(out, r ? r->q_mean[k] : NAN, 0);
        lrk_csv_number(out, r ? r->q_std[k] : NAN, 0);
        lrk_csv_number(out, r ? r->q_sem[k] : NAN, 0);
        lrk_csv_number(out, r ? r->q_p05[k] : NAN, 0);
        lrk_csv_number(out, r ? r->q_p50[k] : NAN, 0);
        lrk_csv_number(out, r ? r->q_p95[k] : NAN, 0);
        lrk_csv_number(out, at(p->q_ode, k), 0);
        lrk_csv_number(out, at(p->q_exact_mean, k), 0);
        lrk_csv_number(out, at(p->q_exact_std, k), 0);
        lrk_csv_number(out, at(p->q_lna_std, k), 0);
        fputc('\n', out);
    }
}

static void write_levels(const lrk_point *p, FILE *out)
{
    const lrk_kmc_result *r = p->kmc;
    fputs("q,t_mean,t_std,t_sem,t_exact_mean,t_exact_std,t_ode\n", out);
    for (size_t j = 0; j < p->level_count; j++) {
        lrk_csv_number(out, p->q_levels[j], 1);
        lrk_csv_number(out, r ? r->t_mean[j] : NAN, 0);
        lrk_csv_number(out, r ? r->t_std[j] : NAN, 0);
        lrk_csv_number(out, r ? r->t_sem[j] : NAN, 0);
        lrk_csv_number(out, at(p->t_exact_mean, j), 0);
        lrk_csv_number(out, p->t_exact_var ? sqrt(p->t_exact_var[j]) : NAN, 0);
        lrk_csv_number(out, at(p->t_ode, j), 0);
        fputc('\n', out);
    }
}

static lrk_status write_table(const lrk_point *p, const char *dir, const char *name,
                              void (*write)(const lrk_point *, FILE *), lrk_error *err)
{
    char *path = lrk_path_join(dir, name);
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    lrk_output_file file;
    lrk_status s = lrk_output_open(&file, path, err);
    if (s == LRK_OK) {
        write(p, file.stream);
        s = lrk_output_commit(&file, err);
    }
    free(path);
    return s;
}

lrk_status lrk_point_write(const lrk_point *p, const char *dir, lrk_error *err)
{
    lrk_status s = write_table(p, dir, "relaxation.csv", write_relaxation, err);
    if (s == LRK_OK)
        s = write_table(p, dir, "levels.csv", write_levels, err);
    return s;
}

void lrk_point_write_relaxation(const lrk_point *p, FILE *out)
{
    write_relaxation(p, out);
}

void lrk_point_write_levels(const lrk_point *p, FILE *out)
{
    write_levels(p, out);
}
