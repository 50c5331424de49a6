/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rundir.h - a run directory that never lies: one writer at a time, finished
 * points that prove they are intact, no stale temporaries, and a check of
 * all that without running anything (`lrekmc verify DIR`).
 *
 * Lock: DIR/.lrekmc.lock is held with flock(2) by the process that writes
 * DIR (its pid is written inside for messages).  The kernel releases it when
 * that process ends in any way, so a killed run never blocks the next.
 *
 * Finished point: points/<k>/done, written last (campaign.h), records
 *   - the hash of the point's resolved configuration (lrk_config_hash),
 *   - the hash of the summary columns it was made for,
 *   - the engine that made it and its results version (engine.h), e.g.
 *     `results: lattice 2`: a resumed run computes again, with a notice,
 *     a point made by another version of its engine (or, written before
 *     versions were recorded, by an unknown one), so that one campaign's
 *     table never mixes the bytes of two versions of the code,
 *   - its summary row without the leading point/swept-value columns, with
 *     an XXH3-64 checksum,
 *   - the size and XXH3-64 checksum of every table of the point,
 *   - an XXH3-64 checksum of all the lines above.
 * A point is finished only when every one of these checks holds; anything
 * else (a truncated, deleted or edited file) makes it "not finished", and a
 * resumed run computes it again.
 *
 * Temporaries: lrk_output_file writes `.NAME.tmp.PID` beside its target;
 * a run holding the lock removes those it finds (a killed run's leftovers).
 */
#ifndef LREKMC_RUNDIR_H
#define LREKMC_RUNDIR_H

#include <stddef.h>
#include <stdint.h>

#include "lrekmc/status.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Receives one human-readable line (no newline) about the directory:
 * a damaged file, a removed temporary, ... */
typedef void (*lrk_notice_fn)(void *user, const char *message);

typedef struct lrk_run_lock {
    int fd;                      /* -1 when not held */
} lrk_run_lock;

#define LRK_RUN_LOCK_NAME ".lrekmc.lock"

/* Take DIR's lock (DIR must exist) without waiting.  When another process
 * holds it: LRK_ERR_IO with a message naming DIR and the holder's pid. */
lrk_status lrk_run_dir_lock(const char *dir, lrk_run_lock *lock, lrk_error *err);

/* Release the lock (the lock file stays).  Safe on a lock never taken. */
void lrk_run_dir_unlock(lrk_run_lock *lock);

/* Find lrekmc's temporaries (lrk_output_is_temporary names) in DIR and in
 * DIR/points/<any>/, and with `remove` delete them (only while holding the
 * lock: a live run's temporaries look the same).  *count counts them; each
 * is named to notice (may be NULL). */
lrk_status lrk_run_dir_temporaries(const char *dir, int remove, size_t *count, lrk_notice_fn notice, void *user,
                                   lrk_error *err);

typedef struct lrk_verify_report {
    size_t points_finished;      /* intact finished points */
    size_t points_outdated;      /* of those, made by another results version (engine.h):
                                    a resumed run computes them again */
    size_t points_unfinished;    /* point directories without `done` (an interrupted run) */
    size_t problems;             /* damaged, missing or disagreeing files */
} lrk_verify_report;

/* Check DIR without changing it: every points/<k>/done and the files it
 * lists, summary.csv against the done files (a row per finished point with
 * the same values, and no other row), no temporaries.  Every problem goes to
 * notice naming the file.  Returns LRK_OK when the checks could be made
 * (even with problems), LRK_ERR_IO when DIR is not a readable directory. */
lrk_status lrk_run_dir_verify(const char *dir, lrk_notice_fn notice, void *user, lrk_verify_report *report,
                              lrk_error *err);

/* XXH3-64 of a whole file and its size; the message names the path. */
lrk_status lrk_file_checksum(const char *path, uint64_t *checksum, uint64_t *size, lrk_error *err);

#ifdef __cplusplus
}
#endif

#endif /* LREKMC_RUNDIR_H */
