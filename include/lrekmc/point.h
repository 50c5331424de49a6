/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point.h - everything lrekmc computes for one parameter point, in the order
 * of docs/design.md section 4: grid -> the engine's deterministic references
 * -> KMC ensemble -> KWW fits -> statistical comparison.  A point is a plain struct of arrays
 * that the output stage writes as points/<k>/relaxation.csv and levels.csv.
 */
#ifndef LREKMC_POINT_H
#define LREKMC_POINT_H

#include <signal.h>
#include <stddef.h>
#include <stdio.h>

#include "lrekmc/compare.h"
#include "lrekmc/config.h"
#include "lrekmc/engine.h"
#include "lrekmc/fit.h"
#include "lrekmc/grid_end.h"
#include "lrekmc/kmc.h"
#include "lrekmc/model.h"

#ifdef __cplusplus
extern "C" {
#endif

/* What the caller lets a long computation know: a flag set by a signal
 * handler (checked between batches of trajectories) and a progress report. */
typedef struct lrk_run_control {
    volatile sig_atomic_t *stop;      /* may be NULL */
    lrk_kmc_progress_fn progress;     /* may be NULL; see kmc.h */
    void *progress_data;
    int threads;                      /* OpenMP threads for KMC; 0 = config's */
    FILE *first_passage_out;          /* may be NULL; per-trajectory CSV rows
                                         when output.trajectories is true */
    FILE *warnings;                   /* may be NULL; one line per warning
                                         (a grid that ends before the KMC
                                         mean reaches q_max) */
    const lrk_engine_type *engine;    /* may be NULL: lrk_engine_for_model */
} lrk_run_control;

/* The fit of one curve by one protocol, with batch-means errors for KMC. */
typedef struct lrk_point_fit {
    lrk_kww_fit fit;                  /* fit of the full curve */
    size_t batches_converged;         /* batch curves that could be fitted */
    double beta_batch_err, tau_batch_err;   /* std over batches / sqrt(B) */
    double beta_spread, tau_spread;         /* std over batches */
} lrk_point_fit;

typedef struct lrk_point {
    lrk_model model;
    const lrk_engine_type *engine; /* lrk_engine_for_model(&model) */
    unsigned references;       /* LRK_REF_* bits the engine says are exact: the others stay NULL */
    lrk_fit_protocol protocol;

    size_t t_count;
    double *t;                 /* output grid */
    lrk_grid_end grid_end;     /* how t_max was found (rule FIXED: given) */
    double q_max;              /* grid.q_max */
    size_t level_count;
    double *q_levels;
    long *level_event;         /* lrk_level_event_count of each level */

    /* deterministic references; NULL when not computed */
    double *q_ode, *q_lna_std;
    double *q_exact_mean, *q_exact_std;        /* master equation */
    double *t_ode, *t_exact_mean, *t_exact_var;
    lrk_point_fit ode;         /* by the point's protocol */
    /* references.master_equation: on, and the master equation was over its
     * work budget: why (its columns are empty, a warning went out); "" else */
    char master_left_out[256];

    /* KMC (kmc == NULL when kmc.trajectories = 0) */
    lrk_kmc_result *kmc;
    lrk_point_fit kmc_fit;     /* by the point's protocol (= kmc_by[protocol]) */
    /* Both protocols, indexed by lrk_fit_protocol, when the KMC ran (the
     * other protocol's fits stay unconverged without KMC): qlevels fits
     * mean first-passage times, timegrid the mean of q at fixed times. */
    lrk_point_fit ode_by[2], kmc_by[2];
    double q_kmc_end;          /* KMC mean at the last grid time */
    int grid_covers;           /* q_kmc_end >= q_max - 3 sem (not significantly below; 1 without KMC) */
    lrk_comparison comparison;
    double std_lna_ratio;      /* mean of q_std / q_lna_std where 0.1 < q_ode < 0.9 */
    double kmc_ode_bias;       /* mean over the grid of q_mean - q_ode */
    double exact_ode_bias;     /* mean over the grid of q_exact_mean - q_ode */
    double q_std_mean;         /* mean over the grid of q_std */
} lrk_point;

/* Compute every part the configuration asks for.  c must be validated and
 * describe one point (its sweep is ignored).  On failure p holds nothing
 * (it is freed). */
lrk_status lrk_point_compute(const lrk_config *c, const lrk_run_control *control, lrk_point *p,
                             lrk_error *err);

void lrk_point_free(lrk_point *p);

/* Write relaxation.csv and levels.csv into dir, each atomically.
 * (Per-trajectory first-passage times stream to lrk_run_control's
 * first_passage_out while the KMC runs.) */
lrk_status lrk_point_write(const lrk_point *p, const char *dir, lrk_error *err);

/* Every file name lrekmc may write into a point directory, NULL-terminated
 * (a run directory's cleanup and --force remove these and nothing else). */
extern const char *const lrk_point_file_names[];
#define LRK_POINT_MAX_FILES 7

/* The files this point's directory holds once written (lrk_point_write,
 * plus first_passage.csv when with_trajectories), in a fixed order, into
 * names[LRK_POINT_MAX_FILES]; returns their count.  The run directory
 * checksums exactly these. */
size_t lrk_point_files(const lrk_point *p, int with_trajectories, const char **names);

/* The bytes of relaxation.csv and levels.csv written to a stream instead of
 * a file (what lrk_point_write puts in the files): bindings that keep the
 * tables in memory read them back from here, so their numbers are the CLI's. */
void lrk_point_write_relaxation(const lrk_point *p, FILE *out);
void lrk_point_write_levels(const lrk_point *p, FILE *out);

/* The spatial tables (docs/space.md) of a point whose engine records the
 * observables of LREs in space (model.space with the lattice engine):
 * lrk_point_has_space says whether it has them; table i names
 * lrk_point_space_tables[i] ("correlation", "snapshots", "avalanches",
 * "local_q"), and lrk_point_write_space writes the bytes of
 * points/<k>/<name>.csv to out (LRK_ERR_INVALID for a point without them
 * or i >= LRK_POINT_SPACE_TABLES; LRK_ERR_NOMEM). */
#define LRK_POINT_SPACE_TABLES 4
extern const char *const lrk_point_space_tables[LRK_POINT_SPACE_TABLES];
int lrk_point_has_space(const lrk_point *p);
lrk_status lrk_point_write_space(const lrk_point *p, size_t table, FILE *out, lrk_error *err);

/* summary.csv of point k of the campaign `base` as a malloc'd string: the
 * header line and the point's row, each ending in a newline, byte for byte
 * what the campaign writes (point_config is lrk_config_sweep_point(base, k),
 * or base itself with k = 0 for a run without a sweep).  NULL when out of
 * memory. */
char *lrk_point_summary_csv(const lrk_config *base, size_t k, const lrk_config *point_config,
                            const lrk_point *p);

/* The columns of "relaxation.csv" or "levels.csv" (from the one column table
 * per file of point_output.c): the name of column i, and its doc line in
 * *doc when doc is not NULL; NULL past the end or for another file. */
const char *lrk_point_column(const char *file, size_t i, const char **doc);

/* The number of events the point will simulate, pilot run included (for
 * --dry-run), computed without simulating. */
double lrk_point_event_estimate(const lrk_config *c);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_POINT_H */
