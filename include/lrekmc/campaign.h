/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * campaign.h - a configured campaign: the points of its sweep, computed one
 * after another into a run directory that can always be trusted.
 *
 * Points are the cartesian product of the sweep axes in file order, the last
 * axis varying fastest (like nested loops written in file order); a `zip:`
 * group is one axis.  Point k's configuration is lrk_config_sweep_point
 * (config.h): the base with the axes' values applied, with the same checks
 * as the file.
 *
 * Run directory (docs/design.md section 6; its checks in rundir.h):
 *   run.yaml            resolved configuration, version, git revision, seed,
 *                       threads, ranks, host, start/end times, point timings
 *   summary.csv         a row per finished point, in point order
 *   points/<k>/         relaxation.csv, levels.csv, [first_passage.csv],
 *                       done (configuration hash, summary row, checksums of
 *                       the tables: written last, marks the point finished)
 *   .lrekmc.lock        held by the run writing the directory
 * Every file is written to a temporary name and renamed when complete.
 *
 * Resume: running again into the same directory first removes temporaries
 * left by a killed run, then keeps every finished point whose `done` and
 * tables pass their checksums and whose configuration hash is that of one
 * of the campaign's points, wherever its index now is (a grown campaign
 * keeps its points); damaged points are named to options->notice and
 * computed again.  summary.csv ends byte-identical to an uninterrupted run.
 * A campaign that would drop finished points (another configuration) is
 * refused (LRK_ERR_INVALID) unless `force` is set; with force the directory
 * ends holding exactly the new campaign (the other points are removed).
 * Hashes ignore output.dir and kmc.threads, which do not change results.
 * The whole run holds the directory's lock: a second run into it fails at
 * once (LRK_ERR_IO naming the holder's pid) and changes nothing.
 * Before anything is written, the memory every point needs is checked
 * (resources.h): LRK_ERR_INVALID naming the keys to lower.
 * A caller should ignore SIGXFSZ (as the lrekmc program does): a file-size
 * limit then fails a write with EFBIG, reported as LRK_ERR_IO naming the
 * file, instead of killing the process.
 */
#ifndef LREKMC_CAMPAIGN_H
#define LREKMC_CAMPAIGN_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "lrekmc/config.h"
#include "lrekmc/rundir.h"
#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Where a campaign stands, for a progress display. */
typedef struct lrk_campaign_progress {
    const char *phase;           /* NULL while computing points; else a start-up phase
                                    ("matching finished points") counting points_done
                                    of point_count */
    size_t point;                /* the point being computed */
    size_t points_done;          /* finished (computed or kept) */
    size_t point_count;
    long trajectories_done;      /* of the current point */
    long trajectories;           /* of the current point */
    double events_done;          /* since this process started */
    double events_total;         /* still to simulate when it started */
    double seconds;              /* since this process started */
} lrk_campaign_progress;

typedef void (*lrk_campaign_progress_fn)(void *user, const lrk_campaign_progress *state);

typedef struct lrk_campaign_options {
    const char *output_dir;      /* NULL: the configuration's output.dir */
    int threads;                 /* 0: the configuration's kmc.threads */
    int force;                   /* take over a directory of another campaign */
    const char *command_line;    /* recorded in run.yaml; may be NULL */
    volatile sig_atomic_t *stop; /* set by a signal handler: stop after the current file */
    lrk_campaign_progress_fn progress;  /* may be NULL */
    void *progress_user;
    lrk_notice_fn notice;        /* may be NULL: a line about the directory (a damaged
                                    point computed again, a temporary removed) */
    void *notice_user;
} lrk_campaign_options;

typedef struct lrk_campaign_report {
    size_t point_count;
    size_t points_computed;      /* in this process */
    size_t points_kept;          /* finished by an earlier run */
    char *output_dir;            /* owned */
} lrk_campaign_report;

/* List the points (one line each: k and the swept values) and the events to
 * simulate; touches no file. */
lrk_status lrk_campaign_dry_run(const lrk_config *base, FILE *out, lrk_diagnostics *d);

/* Run (or resume) the campaign.  Returns LRK_ERR_INTERRUPTED when stopped by
 * options->stop (in any phase, start-up included; every finished point
 * intact), LRK_ERR_IO naming the path on a disk error or a locked directory,
 * LRK_ERR_INVALID for a configuration that cannot run (memory, a point that
 * fails validation) or that would drop finished points without force. */
lrk_status lrk_campaign_run(const lrk_config *base, const lrk_campaign_options *options,
                            lrk_campaign_report *report, lrk_error *err);

void lrk_campaign_report_free(lrk_campaign_report *report);

/* The fixed columns of summary.csv (after `point` and the swept keys), from
 * the one column table of summary.c: the name of column i, and its doc line
 * in *doc when doc is not NULL; NULL past the end. */
const char *lrk_summary_column(size_t i, const char **doc);

/* The column reference of docs/outputs.md (Markdown: summary.csv,
 * relaxation.csv, levels.csv), generated from the column tables; printed by
 * `lrekmc check --columns-markdown`, compared with the docs by a test. */
void lrk_outputs_markdown(FILE *out);

/* Print the main columns of RUN_DIR/summary.csv as an aligned table. */
lrk_status lrk_campaign_print_summary(const char *run_dir, FILE *out, lrk_error *err);


#ifdef __cplusplus
}
#endif

#endif /* LREKMC_CAMPAIGN_H */
