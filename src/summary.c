/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * summary.c - summary.csv: a row per finished point (summary.h).  The fixed
 * columns are a contract with analysis/ and with users' scripts: add at the
 * end, never rename.
 */
#define _POSIX_C_SOURCE 200809L
#include "summary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/output.h"

static const char *const fixed_columns =
    "mode,V0,V1,T,A,T0,f_T,N,trajectories,seed,protocol,"
    "beta_ode,beta_ode_err,tau_ode,tau_ode_err,rms_ode,max_residual_ode,"
    "beta_kmc,beta_kmc_err,tau_kmc,tau_kmc_err,rms_kmc,max_residual_kmc,"
    "beta_kmc_spread,tau_kmc_spread,batches_fitted,"
    "z_max,z_max_grid,z_max_levels,chi2,chi2_dof,chi2_p,"
    "std_lna_ratio,kmc_ode_bias,exact_ode_bias,q_std_mean,sqrtN_q_std_mean,events,"
    /* where the grid ends and whether the KMC mean got there (grid_end.h) */
    "t_max,t_max_rule,t_max_ode,q_kmc_end,grid_covers,"
    /* both protocols' fits, whatever fit.protocol says (write_both_fits) */
    "beta_ode_qlevels,tau_ode_qlevels,rms_ode_qlevels,beta_kmc_qlevels,beta_kmc_qlevels_err,"
    "tau_kmc_qlevels,tau_kmc_qlevels_err,rms_kmc_qlevels,"
    "beta_ode_timegrid,tau_ode_timegrid,rms_ode_timegrid,beta_kmc_timegrid,beta_kmc_timegrid_err,"
    "tau_kmc_timegrid,tau_kmc_timegrid_err,rms_kmc_timegrid";

char *lrk_summary_header(const lrk_config *base)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return NULL;
    fputs("point", out);
    for (size_t a = 0; a < base->sweep_axis_count; a++)
        for (size_t i = 0; i < base->sweep_axes[a].key_count; i++)
            fprintf(out, ",%s", base->sweep_axes[a].keys[i]);
    fprintf(out, ",%s", fixed_columns);
    fclose(out);
    return text;
}

/* The swept values of point k, as given in the file (text). */
static void write_swept_values(FILE *out, const lrk_config *base, size_t k)
{
    size_t stride = 1;
    for (size_t a = base->sweep_axis_count; a-- > 0;)
        stride *= base->sweep_axes[a].value_count;
    for (size_t a = 0; a < base->sweep_axis_count; a++) {
        const lrk_sweep_axis *axis = &base->sweep_axes[a];
        stride /= axis->value_count;
        size_t index = (k / stride) % axis->value_count;
        for (size_t i = 0; i < axis->key_count; i++)
            lrk_csv_text(out, axis->values[i][index], 0);
    }
}

static void write_fit(FILE *out, const lrk_point_fit *f, int with_batches)
{
    int ok = f->fit.converged;
    double beta_err = with_batches ? f->beta_batch_err : f->fit.beta_err;
    double tau_err = with_batches ? f->tau_batch_err : f->fit.tau_err;
    lrk_csv_number(out, ok ? f->fit.beta : NAN, 0);
    lrk_csv_number(out, ok ? beta_err : NAN, 0);
    lrk_csv_number(out, ok ? f->fit.tau : NAN, 0);
    lrk_csv_number(out, ok ? tau_err : NAN, 0);
    lrk_csv_number(out, ok ? f->fit.rms_residual : NAN, 0);
    lrk_csv_number(out, ok ? f->fit.max_residual : NAN, 0);
}

static void write_model(FILE *out, const lrk_config *c)
{
    const lrk_model *m = &c->model;
    int crossover = m->mode == LRK_MODE_CROSSOVER;
    lrk_csv_text(out, lrk_mode_name(m->mode), 0);
    lrk_csv_number(out, m->V0, 0);
    lrk_csv_number(out, m->V1, 0);
    lrk_csv_number(out, m->T, 0);
    lrk_csv_number(out, crossover ? m->A : NAN, 0);
    lrk_csv_number(out, crossover ? m->T0 : NAN, 0);
    lrk_csv_number(out, lrk_model_crossover_f(m), 0);
    lrk_csv_integer(out, m->N, 0);
    lrk_csv_integer(out, c->kmc.trajectories, 0);
    fprintf(out, ",%llu", (unsigned long long)c->kmc.seed);
    lrk_csv_text(out, lrk_fit_protocol_name(c->fit.protocol), 0);
}

static void write_kmc(FILE *out, const lrk_point *p)
{
    int has = p->kmc != NULL;
    const lrk_comparison *cmp = &p->comparison;
    write_fit(out, &p->kmc_fit, 1);
    lrk_csv_number(out, has ? p->kmc_fit.beta_spread : NAN, 0);
    lrk_csv_number(out, has ? p->kmc_fit.tau_spread : NAN, 0);
    lrk_csv_integer(out, has ? (long long)p->kmc_fit.batches_converged : 0, 0);
    lrk_csv_number(out, cmp->z_max, 0);
    lrk_csv_number(out, cmp->z_max_grid, 0);
    lrk_csv_number(out, cmp->z_max_levels, 0);
    lrk_csv_number(out, cmp->chi2_dof > 0 ? cmp->chi2 : NAN, 0);
    lrk_csv_integer(out, (long long)cmp->chi2_dof, 0);
    lrk_csv_number(out, cmp->chi2_p, 0);
    lrk_csv_number(out, p->std_lna_ratio, 0);
    lrk_csv_number(out, p->kmc_ode_bias, 0);
    lrk_csv_number(out, p->exact_ode_bias, 0);
    lrk_csv_number(out, p->q_std_mean, 0);
    lrk_csv_number(out, p->q_std_mean * sqrt((double)p->model.N), 0);
    lrk_csv_integer(out, has ? (long long)p->kmc->events : 0, 0);
}

/* The grid end and both protocols' fits: the columns after `events`. */
static void write_grid_and_both_fits(FILE *out, const lrk_point *p)
{
    int has = p->kmc != NULL;
    const lrk_grid_end *g = &p->grid_end;
    lrk_csv_number(out, p->t[p->t_count - 1], 0);
    lrk_csv_text(out, lrk_grid_end_rule_name(g->rule), 0);
    lrk_csv_number(out, g->t_ode, 0);
    lrk_csv_number(out, has ? p->q_kmc_end : NAN, 0);
    if (has)
        lrk_csv_integer(out, p->grid_covers, 0);
    else
        fputc(',', out);
    for (int k = 0; k < 2; k++) {
        const lrk_point_fit *ode = &p->ode_by[k], *kmc = &p->kmc_by[k];
        int ok = has && kmc->fit.converged;
        lrk_csv_number(out, ode->fit.converged ? ode->fit.beta : NAN, 0);
        lrk_csv_number(out, ode->fit.converged ? ode->fit.tau : NAN, 0);
        lrk_csv_number(out, ode->fit.converged ? ode->fit.rms_residual : NAN, 0);
        lrk_csv_number(out, ok ? kmc->fit.beta : NAN, 0);
        lrk_csv_number(out, ok ? kmc->beta_batch_err : NAN, 0);
        lrk_csv_number(out, ok ? kmc->fit.tau : NAN, 0);
        lrk_csv_number(out, ok ? kmc->tau_batch_err : NAN, 0);
        lrk_csv_number(out, ok ? kmc->fit.rms_residual : NAN, 0);
    }
}

char *lrk_summary_row(const lrk_config *base, size_t k, const lrk_config *point_config, const lrk_point *p)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return NULL;
    lrk_csv_integer(out, (long long)k, 1);
    write_swept_values(out, base, k);
    write_model(out, point_config);
    write_fit(out, &p->ode, 0);
    write_kmc(out, p);
    write_grid_and_both_fits(out, p);
    fclose(out);
    return text;
}

lrk_status lrk_summary_write(const char *dir, const char *header, char *const *rows, size_t count,
                             lrk_error *err)
{
    char *path = lrk_path_join(dir, "summary.csv");
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    lrk_output_file file;
    lrk_status s = lrk_output_open(&file, path, err);
    if (s == LRK_OK) {
        fprintf(file.stream, "%s\n", header);
        for (size_t k = 0; k < count; k++)
            if (rows[k] != NULL)
                fprintf(file.stream, "%s\n", rows[k]);
        s = lrk_output_commit(&file, err);
    }
    free(path);
    return s;
}
