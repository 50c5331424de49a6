/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_output.c - the per-point tables of docs/design.md section 6,
 * relaxation.csv (a row per grid time) and levels.csv (a row per q-level),
 * each written from one column table: name, value and doc line per column,
 * so that the header, the rows and docs/outputs.md cannot disagree.  A
 * reference (or the KMC) that was not computed leaves its fields empty.
 */
#include "lrekmc/point.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "lrekmc/output.h"
#include "point_space.h"

/* x[i], or NaN (an empty field) when the array was not computed. */
static double at(const double *x, size_t i)
{
    return x != NULL ? x[i] : NAN;
}

#define KMC(field) at(p->kmc ? p->kmc->field : NULL, i)

/* Columns of relaxation.csv: value at grid time i. */
#define RELAXATION_COLUMNS(X)                                                                         \
    X(t, p->t[i], "grid time t_k (units of tau0)")                                                   \
    X(q_mean, KMC(q_mean), "KMC mean of q(t_k)")                                                      \
    X(q_std, KMC(q_std), "KMC standard deviation of q(t_k) over trajectories")                       \
    X(q_sem, KMC(q_sem), "standard error of q_mean: q_std / sqrt(trajectories)")                     \
    X(q_p05, KMC(q_p05), "5 % quantile of q(t_k) (type 1; lower edge of its histogram bin)")          \
    X(q_p50, KMC(q_p50), "median of q(t_k)")                                                          \
    X(q_p95, KMC(q_p95), "95 % quantile of q(t_k)")                                                   \
    X(q_ode, at(p->q_ode, i), "mean-field ODE")                                                       \
    X(q_exact_mean, at(p->q_exact_mean, i), "exact finite-N mean (master equation)")                  \
    X(q_exact_std, at(p->q_exact_std, i), "exact finite-N standard deviation (master equation)")      \
    X(q_lna_std, at(p->q_lna_std, i), "linear-noise approximation of the standard deviation")        \
    X(chi4, point_chi4(p, i), "dynamic susceptibility chi4 = N q_std^2 (N Var q(t_k), docs/space.md)")      \
    X(chi4_err, point_chi4_err(p, i), "batch-means error of chi4 (chi4 of each of the fit.batches batches)")

/* Columns of levels.csv: value at q-level i. */
#define LEVELS_COLUMNS(X)                                                                             \
    X(q, p->q_levels[i], "q-level q_j")                                                               \
    X(t_mean, KMC(t_mean), "KMC mean first-passage time of q_j")                                      \
    X(t_std, KMC(t_std), "its standard deviation over trajectories")                                 \
    X(t_sem, KMC(t_sem), "its standard error")                                                        \
    X(t_exact_mean, at(p->t_exact_mean, i), "exact mean first-passage time (sum of 1/lambda_n)")      \
    X(t_exact_std, p->t_exact_var ? sqrt(p->t_exact_var[i]) : NAN,                                    \
      "exact standard deviation (square root of the sum of 1/lambda_n^2)")                           \
    X(t_ode, at(p->t_ode, i), "time at which the mean-field ODE reaches q_j")

typedef struct point_column {
    const char *name, *doc;
    double (*value)(const lrk_point *p, size_t i);
} point_column;

#define VALUE(name, expr, doc)                                        \
    static double value_##name(const lrk_point *p, size_t i)          \
    {                                                                 \
        return (expr);                                                \
    }
RELAXATION_COLUMNS(VALUE)
LEVELS_COLUMNS(VALUE)

#define ENTRY(name, expr, doc) {#name, doc, value_##name},
static const point_column relaxation_columns[] = {RELAXATION_COLUMNS(ENTRY)};
static const point_column levels_columns[] = {LEVELS_COLUMNS(ENTRY)};

typedef struct point_table {
    const char *file;
    const point_column *columns;
    size_t column_count;
    size_t (*row_count)(const lrk_point *p);
} point_table;

static size_t grid_rows(const lrk_point *p)
{
    return p->t_count;
}

static size_t level_rows(const lrk_point *p)
{
    return p->level_count;
}

static const point_table tables[] = {
    {"relaxation.csv", relaxation_columns, sizeof relaxation_columns / sizeof relaxation_columns[0], grid_rows},
    {"levels.csv", levels_columns, sizeof levels_columns / sizeof levels_columns[0], level_rows},
};

static const point_table *table_of(const char *file)
{
    for (size_t i = 0; i < sizeof tables / sizeof tables[0]; i++)
        if (strcmp(tables[i].file, file) == 0)
            return &tables[i];
    return NULL;
}

const char *lrk_point_column(const char *file, size_t i, const char **doc)
{
    const point_table *t = file != NULL ? table_of(file) : NULL;
    if (t == NULL || i >= t->column_count)
        return NULL;
    if (doc != NULL)
        *doc = t->columns[i].doc;
    return t->columns[i].name;
}

static void write_rows(const lrk_point *p, const point_table *t, FILE *out)
{
    for (size_t c = 0; c < t->column_count; c++)
        fprintf(out, "%s%s", c ? "," : "", t->columns[c].name);
    fputc('\n', out);
    for (size_t i = 0, rows = t->row_count(p); i < rows; i++) {
        for (size_t c = 0; c < t->column_count; c++)
            lrk_csv_number(out, t->columns[c].value(p, i), c == 0);
        fputc('\n', out);
    }
}

static lrk_status write_table(const lrk_point *p, const char *dir, const point_table *t, lrk_error *err)
{
    char *path = lrk_path_join(dir, t->file);
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    lrk_output_file file;
    lrk_status s = lrk_output_open(&file, path, err);
    if (s == LRK_OK) {
        write_rows(p, t, file.stream);
        s = lrk_output_commit(&file, err);
    }
    free(path);
    return s;
}

lrk_status lrk_point_write(const lrk_point *p, const char *dir, lrk_error *err)
{
    lrk_status s = LRK_OK;
    for (size_t i = 0; s == LRK_OK && i < sizeof tables / sizeof tables[0]; i++)
        s = write_table(p, dir, &tables[i], err);
    if (s == LRK_OK)
        s = point_space_write(p, dir, err);
    return s;
}

const char *const lrk_point_file_names[] = {"relaxation.csv", "levels.csv",     "first_passage.csv",
                                            "correlation.csv", "snapshots.csv", "avalanches.csv",
                                            "local_q.csv",     NULL};

size_t lrk_point_files(const lrk_point *p, int with_trajectories, const char **names)
{
    size_t n = 0;
    names[n++] = lrk_point_file_names[0];
    names[n++] = lrk_point_file_names[1];
    if (with_trajectories)
        names[n++] = lrk_point_file_names[2];
    if (point_space_has(p))
        for (size_t i = 3; i < 7; i++)
            names[n++] = lrk_point_file_names[i];
    return n;
}

void lrk_point_write_relaxation(const lrk_point *p, FILE *out)
{
    write_rows(p, table_of("relaxation.csv"), out);
}

void lrk_point_write_levels(const lrk_point *p, FILE *out)
{
    write_rows(p, table_of("levels.csv"), out);
}
