/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * rundir.c - the run directory's lock, its temporaries, file checksums and
 * `verify` (rundir.h).  flock(2) rather than a pid file: the kernel drops it
 * with the process, so there is never a stale lock to break by hand.
 */
#define _POSIX_C_SOURCE 200809L
#define _DEFAULT_SOURCE /* flock, DT_DIR */
#include "lrekmc/rundir.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include "lrekmc/output.h"
#include "point_done.h"

lrk_status lrk_file_checksum(const char *path, uint64_t *checksum, uint64_t *size, lrk_error *err)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return lrk_error_set(err, LRK_ERR_IO, "%s: %s", path, errno == ENOENT ? "missing" : strerror(errno));
    XXH3_state_t *state = XXH3_createState();
    if (state == NULL || XXH3_64bits_reset(state) != XXH_OK) {
        fclose(in);
        XXH3_freeState(state);
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", path);
    }
    static _Thread_local unsigned char buffer[1 << 16];
    uint64_t total = 0;
    size_t got;
    while ((got = fread(buffer, 1, sizeof buffer, in)) > 0) {
        XXH3_64bits_update(state, buffer, got);
        total += got;
    }
    int failed = ferror(in);
    fclose(in);
    *checksum = XXH3_64bits_digest(state);
    *size = total;
    XXH3_freeState(state);
    return failed ? lrk_error_set(err, LRK_ERR_IO, "%s: read error", path) : LRK_OK;
}

/* ---- lock ---------------------------------------------------------------- */

lrk_status lrk_run_dir_lock(const char *dir, lrk_run_lock *lock, lrk_error *err)
{
    lock->fd = -1;
    char *path = lrk_path_join(dir, LRK_RUN_LOCK_NAME);
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    lrk_status s = LRK_OK;
    if (fd < 0) {
        s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot create the lock file: %s", path, strerror(errno));
    } else if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
        int saved = errno;
        char holder[32] = "";
        ssize_t got = pread(fd, holder, sizeof holder - 1, 0);
        holder[got > 0 ? got : 0] = '\0';
        holder[strcspn(holder, "\n")] = '\0';
        if (saved == EWOULDBLOCK)
            s = lrk_error_set(err, LRK_ERR_IO,
                              "%s: another lrekmc run (pid %s) is writing this directory; wait for it to "
                              "finish or stop it, or choose another directory with -o",
                              dir, holder[0] ? holder : "unknown");
        else
            s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot lock: %s", path, strerror(saved));
        close(fd);
    } else {
        char pid[32];
        int length = snprintf(pid, sizeof pid, "%ld\n", (long)getpid());
        if (ftruncate(fd, 0) != 0 || pwrite(fd, pid, (size_t)length, 0) != length) {
            s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot write: %s", path, strerror(errno));
            close(fd);
        } else {
            lock->fd = fd;
        }
    }
    free(path);
    return s;
}

void lrk_run_dir_unlock(lrk_run_lock *lock)
{
    if (lock->fd >= 0)
        close(lock->fd); /* closing the last descriptor releases the flock */
    lock->fd = -1;
}

/* ---- temporaries ---------------------------------------------------------- */

static void say(lrk_notice_fn notice, void *user, const char *format, const char *a, const char *b)
{
    if (notice == NULL)
        return;
    char line[2048];
    snprintf(line, sizeof line, format, a, b);
    notice(user, line);
}

static int is_directory(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0 && S_ISDIR(info.st_mode);
}

/* Remove (or with dry, only name) the temporaries directly inside dir. */
static lrk_status sweep_temporaries(const char *dir, int dry, size_t *found, lrk_notice_fn notice, void *user,
                                    lrk_error *err)
{
    DIR *d = opendir(dir);
    if (d == NULL)
        return errno == ENOENT ? LRK_OK : lrk_error_set(err, LRK_ERR_IO, "%s: cannot list: %s", dir, strerror(errno));
    lrk_status s = LRK_OK;
    struct dirent *e;
    while (s == LRK_OK && (e = readdir(d)) != NULL) {
        if (!lrk_output_is_temporary(e->d_name))
            continue;
        char *path = lrk_path_join(dir, e->d_name);
        if (path == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
        else if (!dry && unlink(path) != 0 && errno != ENOENT)
            s = lrk_error_set(err, LRK_ERR_IO, "%s: cannot remove: %s", path, strerror(errno));
        else {
            (*found)++;
            say(notice, user, dry ? "%s: temporary left by an interrupted run%s" : "%s: removed a temporary left by an interrupted run%s", path, "");
        }
        free(path);
    }
    closedir(d);
    return s;
}

static lrk_status each_temporary(const char *dir, int dry, size_t *found, lrk_notice_fn notice, void *user,
                                 lrk_error *err)
{
    *found = 0;
    lrk_status s = sweep_temporaries(dir, dry, found, notice, user, err);
    char *points = lrk_path_join(dir, "points");
    if (points == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", dir);
    s = s == LRK_OK ? sweep_temporaries(points, dry, found, notice, user, err) : s;
    DIR *d = s == LRK_OK ? opendir(points) : NULL;
    struct dirent *e;
    while (d != NULL && s == LRK_OK && (e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char *sub = lrk_path_join(points, e->d_name);
        if (sub == NULL)
            s = lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", points);
        else if (is_directory(sub))
            s = sweep_temporaries(sub, dry, found, notice, user, err);
        free(sub);
    }
    if (d != NULL)
        closedir(d);
    free(points);
    return s;
}

lrk_status lrk_run_dir_temporaries(const char *dir, int remove, size_t *count, lrk_notice_fn notice, void *user,
                                   lrk_error *err)
{
    return each_temporary(dir, !remove, count, notice, user, err);
}
