/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * output.c - write-to-temporary-then-rename files and CSV fields (output.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "lrekmc/output.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

char *lrk_path_join(const char *dir, const char *name)
{
    size_t a = strlen(dir), b = strlen(name);
    char *joined = malloc(a + b + 2);
    if (joined == NULL)
        return NULL;
    memcpy(joined, dir, a);
    size_t at = a;
    if (a > 0 && dir[a - 1] != '/')
        joined[at++] = '/';
    memcpy(joined + at, name, b + 1);
    return joined;
}

static char *temporary_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dir_length = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = path + dir_length;
    size_t size = strlen(path) + 64;
    char *name = malloc(size);
    if (name != NULL)
        snprintf(name, size, "%.*s.%s.tmp.%ld", (int)dir_length, path, base, (long)getpid());
    return name;
}

int lrk_output_is_temporary(const char *name)
{
    size_t length = strlen(name);
    const char *tmp = NULL;
    for (const char *p = name; (p = strstr(p, ".tmp.")) != NULL; p++)
        tmp = p; /* the last ".tmp." */
    if (name[0] != '.' || tmp == NULL || tmp <= name + 1 || tmp[5] == '\0')
        return 0;
    for (const char *p = tmp + 5; p < name + length; p++)
        if (*p < '0' || *p > '9')
            return 0;
    return 1;
}

lrk_status lrk_output_open(lrk_output_file *f, const char *path, lrk_error *err)
{
    f->stream = NULL;
    f->path = strdup(path);
    f->temporary = temporary_name(path);
    if (f->path == NULL || f->temporary == NULL) {
        lrk_output_abandon(f);
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", path);
    }
    f->stream = fopen(f->temporary, "w");
    if (f->stream == NULL) {
        int saved = errno;
        lrk_output_abandon(f);
        return lrk_error_set(err, LRK_ERR_IO, "%s: cannot write: %s", path, strerror(saved));
    }
    return LRK_OK;
}

lrk_status lrk_output_commit(lrk_output_file *f, lrk_error *err)
{
    const char *reason = NULL;
    int saved = 0;
    if (fflush(f->stream) != 0 || ferror(f->stream))
        reason = "write failed";
    else if (fsync(fileno(f->stream)) != 0)
        reason = "fsync failed";
    saved = errno;
    if (fclose(f->stream) != 0 && reason == NULL) {
        reason = "close failed";
        saved = errno;
    }
    f->stream = NULL;
    if (reason == NULL && rename(f->temporary, f->path) != 0) {
        reason = "rename failed";
        saved = errno;
    }
    lrk_status status = LRK_OK;
    if (reason != NULL)
        status = lrk_error_set(err, LRK_ERR_IO, "%s: %s: %s", f->path, reason,
                               saved ? strerror(saved) : "unknown error");
    lrk_output_abandon(f);
    return status;
}

void lrk_output_abandon(lrk_output_file *f)
{
    if (f->stream != NULL) {
        fclose(f->stream);
        f->stream = NULL;
    }
    if (f->temporary != NULL)
        unlink(f->temporary); /* after a successful rename this finds nothing */
    free(f->temporary);
    free(f->path);
    f->temporary = NULL;
    f->path = NULL;
}

lrk_status lrk_make_directories(const char *path, lrk_error *err)
{
    if (path[0] == '\0')
        return lrk_error_set(err, LRK_ERR_INVALID, "output directory (-o or output.dir): expected a non-empty path");
    char *copy = strdup(path);
    if (copy == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", path);
    lrk_status status = LRK_OK;
    for (char *p = copy + 1; status == LRK_OK; p++) {
        int end = *p == '\0';
        if (*p != '/' && !end)
            continue;
        *p = '\0';
        struct stat info;
        if (mkdir(copy, 0777) != 0 && errno != EEXIST)
            status = lrk_error_set(err, LRK_ERR_IO, "%s: cannot create directory: %s", copy, strerror(errno));
        else if (stat(copy, &info) != 0 || !S_ISDIR(info.st_mode))
            status = lrk_error_set(err, LRK_ERR_IO, "%s: exists and is not a directory", copy);
        if (end)
            break;
        *p = '/';
    }
    free(copy);
    return status;
}

void lrk_csv_number(FILE *out, double value, int first)
{
    if (!first)
        fputc(',', out);
    if (!isnan(value))
        fprintf(out, "%.17g", value);
}

void lrk_csv_text(FILE *out, const char *text, int first)
{
    if (!first)
        fputc(',', out);
    fputs(text, out);
}

void lrk_csv_integer(FILE *out, long long value, int first)
{
    if (!first)
        fputc(',', out);
    fprintf(out, "%lld", value);
}
