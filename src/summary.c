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

#include "lrekmc/campaign.h"
#include "lrekmc/lattice.h"
#include "lrekmc/output.h"
#include "point_space.h"

/* The value of one fit column: NaN unless the fit converged; KMC errors are
 * the batch-means ones. */
enum fit_part { BETA, BETA_ERR, TAU, TAU_ERR, RMS, MAX_RESIDUAL };

static double fit_part(const lrk_point_fit *f, int batch_errors, enum fit_part part)
{
    if (!f->fit.converged)
        return NAN;
    switch (part) {
    case BETA: return f->fit.beta;
    case BETA_ERR: return batch_errors ? f->beta_batch_err : f->fit.beta_err;
    case TAU: return f->fit.tau;
    case TAU_ERR: return batch_errors ? f->tau_batch_err : f->fit.tau_err;
    case RMS: return f->fit.rms_residual;
    case MAX_RESIDUAL: return f->fit.max_residual;
    }
    return NAN;
}

#define CROSSOVER (c->model.mode == LRK_MODE_CROSSOVER)
#define HAS_KMC (p->kmc != NULL)
#define ODE(part) fit_part(&p->ode, 0, part)
#define KMC(part) fit_part(&p->kmc_fit, 1, part)
#define CMP (&p->comparison)
#define GRID_END (&p->grid_end)
/* Protocol k's fits (0 = qlevels, 1 = timegrid, whatever fit.protocol says). */
#define ODE_BY(k, field) (p->ode_by[k].fit.converged ? p->ode_by[k].field : NAN)
#define KMC_BY(k, field) (HAS_KMC && p->kmc_by[k].fit.converged ? p->kmc_by[k].field : NAN)
#define BOTH_FITS(X, k, P)                                                                                     \
    X(beta_ode_##P, NUMBER, ODE_BY(k, fit.beta), "KWW beta of the ODE curve, " #P " protocol")               \
    X(tau_ode_##P, NUMBER, ODE_BY(k, fit.tau), "KWW tau of the ODE curve, " #P " protocol")                  \
    X(rms_ode_##P, NUMBER, ODE_BY(k, fit.rms_residual), "its rms residual, in q")                            \
    X(beta_kmc_##P, NUMBER, KMC_BY(k, fit.beta), "KWW beta of the KMC mean, " #P " protocol")                \
    X(beta_kmc_##P##_err, NUMBER, KMC_BY(k, beta_batch_err), "its batch-means error")                        \
    X(tau_kmc_##P, NUMBER, KMC_BY(k, fit.tau), "KWW tau of the KMC mean, " #P " protocol")                   \
    X(tau_kmc_##P##_err, NUMBER, KMC_BY(k, tau_batch_err), "its batch-means error")                          \
    X(rms_kmc_##P, NUMBER, KMC_BY(k, fit.rms_residual), "its rms residual, in q")

/* The fixed columns, after `point` and the swept keys: one entry each with
 * its name, kind (NUMBER, INTEGER, TEXT), value (of the point's config c and
 * results p) and doc line.  The header, every row and docs/outputs.md come
 * from this list.  A contract with analysis/ and with users' scripts: add at
 * the end, never rename. */
#define SUMMARY_COLUMNS(X)                                                                                     \
    X(mode, TEXT, lrk_mode_name(c->model.mode), "model.mode")                                                 \
    X(V0, NUMBER, c->model.V0, "model.V0")                                                                    \
    X(V1, NUMBER, c->model.V1, "model.V1 (from model.elastic when given)")                                    \
    X(T, NUMBER, c->model.T, "model.T, the temperature")                                                      \
    X(A, NUMBER, CROSSOVER ? c->model.A : NAN, "model.crossover.A (crossover only)")                          \
    X(T0, NUMBER, CROSSOVER ? c->model.T0 : NAN, "model.crossover.T0 (crossover only)")                       \
    X(f_T, NUMBER, lrk_model_crossover_f(&c->model), "f(T) of Eq. 10: 0 for SER, 1 for CER")                  \
    X(N, INTEGER, c->model.N, "model.N")                                                                      \
    X(trajectories, INTEGER, c->kmc.trajectories, "kmc.trajectories")                                         \
    X(seed, UNSIGNED, c->kmc.seed, "kmc.seed")                                                                \
    X(protocol, TEXT, lrk_fit_protocol_name(c->fit.protocol), "fit.protocol")                                 \
    X(beta_ode, NUMBER, ODE(BETA), "KWW beta of the ODE curve (empty: the fit did not converge)")             \
    X(beta_ode_err, NUMBER, ODE(BETA_ERR), "its error, scaled by the residual")                               \
    X(tau_ode, NUMBER, ODE(TAU), "KWW tau of the ODE curve")                                                  \
    X(tau_ode_err, NUMBER, ODE(TAU_ERR), "its error, scaled by the residual")                                 \
    X(rms_ode, NUMBER, ODE(RMS), "rms distance of the ODE curve from its KWW fit, in q")                      \
    X(max_residual_ode, NUMBER, ODE(MAX_RESIDUAL), "largest distance from the fit, in q")                     \
    X(beta_kmc, NUMBER, KMC(BETA), "KWW beta of the KMC mean curve")                                          \
    X(beta_kmc_err, NUMBER, KMC(BETA_ERR), "batch-means error: std of the batch fits / sqrt(B)")              \
    X(tau_kmc, NUMBER, KMC(TAU), "KWW tau of the KMC mean curve")                                             \
    X(tau_kmc_err, NUMBER, KMC(TAU_ERR), "batch-means error of tau")                                          \
    X(rms_kmc, NUMBER, KMC(RMS), "rms distance of the KMC curve from its KWW fit, in q")                      \
    X(max_residual_kmc, NUMBER, KMC(MAX_RESIDUAL), "largest distance from the fit, in q")                     \
    X(beta_kmc_spread, NUMBER, HAS_KMC ? p->kmc_fit.beta_spread : NAN, "std of beta over the batch fits")     \
    X(tau_kmc_spread, NUMBER, HAS_KMC ? p->kmc_fit.tau_spread : NAN, "std of tau over the batch fits")        \
    X(batches_fitted, INTEGER, HAS_KMC ? (long long)p->kmc_fit.batches_converged : 0,                         \
      "batch curves whose fit converged")                                                                     \
    X(z_max, NUMBER, CMP->z_max, "largest |z| of the KMC against the exact references")                      \
    X(z_max_grid, NUMBER, CMP->z_max_grid, "largest |z| of q_mean against the master equation")              \
    X(z_max_levels, NUMBER, CMP->z_max_levels, "largest |z| of t_mean against the exact first-passage moments") \
    X(chi2, NUMBER, CMP->chi2_dof > 0 ? CMP->chi2 : NAN, "chi-square of the level-time increments")           \
    X(chi2_dof, INTEGER, (long long)CMP->chi2_dof, "its degrees of freedom")                                  \
    X(chi2_p, NUMBER, CMP->chi2_p, "its p-value (uniform for a correct simulation)")                          \
    X(std_lna_ratio, NUMBER, p->std_lna_ratio, "mean of q_std / q_lna_std where 0.1 < q_ode < 0.9")           \
    X(kmc_ode_bias, NUMBER, p->kmc_ode_bias, "mean over the grid of q_mean - q_ode (finite-N bias)")           \
    X(exact_ode_bias, NUMBER, p->exact_ode_bias, "mean over the grid of q_exact_mean - q_ode")                \
    X(q_std_mean, NUMBER, p->q_std_mean, "mean over the grid of q_std")                                       \
    X(sqrtN_q_std_mean, NUMBER, p->q_std_mean * sqrt((double)p->model.N), "sqrt(N) q_std_mean")               \
    X(events, INTEGER, HAS_KMC ? (long long)p->kmc->events : 0, "events simulated")                         \
    X(t_max, NUMBER, p->t[p->t_count - 1], "end of the time grid (grid_end.h)")                               \
    X(t_max_rule, TEXT, lrk_grid_end_rule_name(GRID_END->rule), "the rule that ended it (grid.t_max_rule)")   \
    X(t_max_ode, NUMBER, GRID_END->t_ode, "the ODE's time to q_max")                                          \
    X(q_kmc_end, NUMBER, HAS_KMC ? p->q_kmc_end : NAN, "KMC mean q at the last grid time")                    \
    X(grid_covers, NUMBER, HAS_KMC ? (double)p->grid_covers : NAN,                                           \
      "1 unless q_kmc_end + 3 sem < q_max (significantly short: then 0, and a warning on stderr)")           \
    BOTH_FITS(X, 0, qlevels)                                                                                  \
    BOTH_FITS(X, 1, timegrid)                                                                                 \
    X(lattice, TEXT, lrk_lattice_name(c->model.space.lattice), "model.space.lattice (none: mean field)")       \
    X(chi4_peak, NUMBER, point_chi4_peak(p, NULL), "largest chi4 = N Var q(t) on the grid")               \
    X(chi4_peak_t, NUMBER, point_chi4_peak_time(p), "the grid time of that peak")                                              \
    X(xi_q25, NUMBER, point_xi(p, 0), "correlation length sum_k C(k) / C(0) at q = 0.25 (lattice)")           \
    X(xi_q50, NUMBER, point_xi(p, 1), "the same at q = 0.5")                                                  \
    X(xi_q75, NUMBER, point_xi(p, 2), "the same at q = 0.75")                                                 \
    X(largest_fraction_q50, NUMBER, point_largest_fraction(p, 1),                                            \
      "largest cluster of relaxed LREs / N at q = 0.5 (lattice)")                                            \
    X(avalanche_mean, NUMBER, point_avalanche_mean(p), "mean avalanche size N / avalanches (lattice)")      \
    X(local_q_early, NUMBER, point_local_excess(p, 0),                                                       \
      "local q of the LREs that fire minus its random-order null, q < 1/2 (lattice; > 0: domains grow)")       \
    X(local_q_early_z, NUMBER, point_local_excess_z(p, 0), "local_q_early / its sem (random order: ~N(0, 1))")   \
    X(local_q_late, NUMBER, point_local_excess(p, 1), "the same for q >= 1/2")                                  \
    X(local_q_late_z, NUMBER, point_local_excess_z(p, 1), "local_q_late / its sem")                                \
    X(chi4_peak_err, NUMBER, point_chi4_peak_err(p), "batch-means error of chi4 at chi4_peak_t (fit.batches)")

#define PUT_NUMBER(out, value) lrk_csv_number(out, value, 0)
#define PUT_INTEGER(out, value) lrk_csv_integer(out, (long long)(value), 0)
#define PUT_UNSIGNED(out, value) fprintf(out, ",%llu", (unsigned long long)(value))
#define PUT_TEXT(out, value) lrk_csv_text(out, value, 0)

#define WRITER(name, kind, value, doc)                                                   \
    static void put_##name(FILE *out, const lrk_config *c, const lrk_point *p)           \
    {                                                                                    \
        (void)c;                                                                         \
        (void)p;                                                                         \
        PUT_##kind(out, value);                                                          \
    }
SUMMARY_COLUMNS(WRITER)

typedef struct summary_column {
    const char *name, *doc;
    void (*put)(FILE *out, const lrk_config *c, const lrk_point *p);
} summary_column;

#define ENTRY(name, kind, value, doc) {#name, doc, put_##name},
static const summary_column columns[] = {SUMMARY_COLUMNS(ENTRY)};
#define COLUMN_COUNT (sizeof columns / sizeof columns[0])

const char *lrk_summary_column(size_t i, const char **doc)
{
    if (i >= COLUMN_COUNT)
        return NULL;
    if (doc != NULL)
        *doc = columns[i].doc;
    return columns[i].name;
}

char *summary_header(const lrk_config *base)
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
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        fprintf(out, ",%s", columns[i].name);
    fclose(out);
    return text;
}

/* The swept values of point k, as given in the file (text). */
static void write_swept_values(FILE *out, const lrk_config *base, size_t k)
{
    for (size_t a = 0; a < base->sweep_axis_count; a++) {
        const lrk_sweep_axis *axis = &base->sweep_axes[a];
        size_t index = lrk_config_sweep_value_index(base, k, a);
        for (size_t i = 0; i < axis->key_count; i++)
            lrk_csv_text(out, axis->values[i][index], 0);
    }
}

char *summary_row(const lrk_config *base, size_t k, const lrk_config *point_config, const lrk_point *p)
{
    char *text = NULL;
    size_t size = 0;
    FILE *out = open_memstream(&text, &size);
    if (out == NULL)
        return NULL;
    lrk_csv_integer(out, (long long)k, 1);
    write_swept_values(out, base, k);
    for (size_t i = 0; i < COLUMN_COUNT; i++)
        columns[i].put(out, point_config, p);
    fclose(out);
    return text;
}

static void markdown_table(FILE *out, const char *file, const char *first_rows)
{
    const char *doc;
    fprintf(out, "`%s`:\n\n| column | meaning |\n|---|---|\n%s", file, first_rows);
    for (size_t i = 0;; i++) {
        const char *name = strcmp(file, "summary.csv") == 0 ? lrk_summary_column(i, &doc)
                                                            : lrk_point_column(file, i, &doc);
        if (name == NULL)
            break;
        fprintf(out, "| `%s` | %s |\n", name, doc);
    }
}

void lrk_outputs_markdown(FILE *out)
{
    markdown_table(out, "summary.csv", "| `point` | the point's index k (points/<k>/) |\n"
                                       "| the swept keys | each swept key's value at the point, as written |\n");
    fputc('\n', out);
    markdown_table(out, "relaxation.csv", "");
    fputc('\n', out);
    markdown_table(out, "levels.csv", "");
}

lrk_status summary_write(const char *dir, const char *header, char *const *rows, size_t count,
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
