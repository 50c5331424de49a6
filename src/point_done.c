/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * point_done.c - write and check points/<k>/done (point_done.h).  Every line
 * is covered by the final `checksum:` line, the row by its own checksum and
 * each table by its size and XXH3-64 checksum, so that no edit, truncation
 * or deletion of anything the point consists of goes unnoticed.
 */
#define _POSIX_C_SOURCE 200809L
#include "point_done.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#include "lrekmc/output.h"
#include "lrekmc/rundir.h"

#define DONE_MAGIC "lrekmc-point-done 2"

uint64_t point_done_text_hash(const char *text)
{
    return XXH3_64bits(text, strlen(text));
}

const char *point_done_row_tail(const char *row, size_t fields)
{
    for (size_t i = 0; i < fields; i++) {
        row = strchr(row, ',');
        if (row == NULL)
            return NULL;
        row++;
    }
    return row;
}

void point_done_free(point_done *d)
{
    free(d->row);
    d->row = NULL;
}

void point_done_results_stamp(const lrk_engine_type *e, char *buf, size_t size)
{
    snprintf(buf, size, "%s %d", e->name, lrk_engine_results_version(e));
}

int point_done_results_current(const char *stamp, char *why, size_t why_size)
{
    char name[48];
    int version = 0, used = 0;
    if (stamp[0] == '\0') {
        snprintf(why, why_size, "records no results version (written by an lrekmc before versions were recorded)");
        return 0;
    }
    const lrk_engine_type *e = NULL;
    if (sscanf(stamp, "%47s %d%n", name, &version, &used) != 2 || stamp[used] != '\0'
        || (e = lrk_engine_by_name(name)) == NULL) {
        snprintf(why, why_size, "was made by an engine this lrekmc does not have ('%s')", stamp);
        return 0;
    }
    if (version != lrk_engine_results_version(e)) {
        snprintf(why, why_size, "was made by results version %d of the %s engine, this lrekmc has version %d",
                 version, name, lrk_engine_results_version(e));
        return 0;
    }
    return 1;
}

lrk_status point_done_write(const char *pdir, uint64_t config_hash, uint64_t columns_hash, const char *results,
                            const char *row, const char *const *files, size_t count, lrk_error *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (memory == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", pdir);
    fprintf(memory,
            "%s\nconfig: %016" PRIx64 "\ncolumns: %016" PRIx64 "\nresults: %s\nrow: %s\nrow_checksum: %016" PRIx64 "\n",
            DONE_MAGIC, config_hash, columns_hash, results, row, point_done_text_hash(row));
    lrk_status s = LRK_OK;
    for (size_t i = 0; s == LRK_OK && i < count; i++) {
        char *path = lrk_path_join(pdir, files[i]);
        uint64_t checksum = 0, bytes = 0;
        s = path ? lrk_file_checksum(path, &checksum, &bytes, err) : lrk_error_set(err, LRK_ERR_NOMEM, "out of memory");
        fprintf(memory, "file: %s %" PRIu64 " %016" PRIx64 "\n", files[i], bytes, checksum);
        free(path);
    }
    fclose(memory);
    char *path = s == LRK_OK ? lrk_path_join(pdir, DONE_NAME) : NULL;
    if (s == LRK_OK && path == NULL)
        s = lrk_error_set(err, LRK_ERR_NOMEM, "%s: out of memory", pdir);
    lrk_output_file file;
    if (s == LRK_OK)
        s = lrk_output_open(&file, path, err);
    if (s == LRK_OK) {
        fprintf(file.stream, "%schecksum: %016" PRIx64 "\n", text, XXH3_64bits(text, size));
        s = lrk_output_commit(&file, err);
    }
    free(path);
    free(text);
    return s;
}

/* One table listed in done: present, of the recorded size and checksum. */
static int check_table(const char *pdir, const char *line, point_done *d, char *why, size_t why_size)
{
    char name[64];
    uint64_t size = 0, checksum = 0;
    if (sscanf(line, "file: %63s %" SCNu64 " %" SCNx64, name, &size, &checksum) != 3 || strchr(name, '/')
        || d->file_count >= DONE_MAX_FILES) {
        snprintf(why, why_size, "%s/%s: malformed file line", pdir, DONE_NAME);
        return 0;
    }
    char *path = lrk_path_join(pdir, name);
    uint64_t actual = 0, bytes = 0;
    lrk_error err;
    int ok = path != NULL && lrk_file_checksum(path, &actual, &bytes, &err) == LRK_OK;
    if (path == NULL)
        snprintf(why, why_size, "%s: out of memory", pdir);
    else if (!ok)
        snprintf(why, why_size, "%s", err.message);
    else if (bytes != size)
        snprintf(why, why_size, "%s: %" PRIu64 " bytes, %" PRIu64 " recorded in %s", path, bytes, size, DONE_NAME);
    else if (actual != checksum)
        snprintf(why, why_size, "%s: checksum %016" PRIx64 " differs from %016" PRIx64 " recorded in %s", path,
                 actual, checksum, DONE_NAME);
    ok = ok && bytes == size && actual == checksum;
    if (ok)
        snprintf(d->files[d->file_count++], sizeof d->files[0], "%s", name);
    free(path);
    return ok;
}

static int has_file(const point_done *d, const char *name)
{
    for (size_t i = 0; i < d->file_count; i++)
        if (strcmp(d->files[i], name) == 0)
            return 1;
    return 0;
}

/* Parse the lines of done (text, size bytes) and check what they record. */
static int check_done(const char *pdir, const char *path, char *text, size_t size, point_done *d, char *why,
                      size_t why_size)
{
    const char *marker = NULL;
    for (const char *p = text; p < text + size; p = strchr(p, '\n') + 1) {
        if (strncmp(p, "checksum: ", 10) == 0)
            marker = p;
        if (strchr(p, '\n') == NULL)
            break;
    }
    uint64_t checksum = 0, row_checksum = 0;
    if (size < sizeof DONE_MAGIC || strncmp(text, DONE_MAGIC "\n", sizeof DONE_MAGIC) != 0) {
        snprintf(why, why_size, "%s: not a done file of this lrekmc version (expected '%s')", path, DONE_MAGIC);
        return 0;
    }
    if (marker == NULL || sscanf(marker, "checksum: %" SCNx64, &checksum) != 1
        || checksum != XXH3_64bits(text, (size_t)(marker - text)) || strchr(marker, '\n') != text + size - 1) {
        snprintf(why, why_size, "%s: its checksum does not match its content (edited or truncated)", path);
        return 0;
    }
    int ok = 1;
    for (char *line = strtok(text, "\n"); ok && line != NULL && line < marker; line = strtok(NULL, "\n")) {
        if (strncmp(line, "config: ", 8) == 0)
            ok = sscanf(line, "config: %" SCNx64, &d->config_hash) == 1;
        else if (strncmp(line, "columns: ", 9) == 0)
            ok = sscanf(line, "columns: %" SCNx64, &d->columns_hash) == 1;
        else if (strncmp(line, "results: ", 9) == 0 && d->results[0] == '\0')
            ok = snprintf(d->results, sizeof d->results, "%s", line + 9) < (int)sizeof d->results;
        else if (strncmp(line, "row: ", 5) == 0 && d->row == NULL)
            ok = (d->row = strdup(line + 5)) != NULL;
        else if (strncmp(line, "row_checksum: ", 14) == 0)
            ok = sscanf(line, "row_checksum: %" SCNx64, &row_checksum) == 1;
        else if (strncmp(line, "file: ", 6) == 0) {
            if (!check_table(pdir, line, d, why, why_size))
                return 0;
        } else
            ok = strcmp(line, DONE_MAGIC) == 0;
    }
    if (!ok || d->row == NULL || point_done_text_hash(d->row) != row_checksum) {
        snprintf(why, why_size, "%s: its summary row does not match its checksum", path);
        return 0;
    }
    if (!has_file(d, "relaxation.csv") || !has_file(d, "levels.csv")) {
        snprintf(why, why_size, "%s: lists no relaxation.csv or levels.csv", path);
        return 0;
    }
    return 1;
}

int point_done_read(const char *pdir, point_done *d, char *why, size_t why_size)
{
    memset(d, 0, sizeof *d);
    why[0] = '\0';
    char *path = lrk_path_join(pdir, DONE_NAME);
    FILE *in = path ? fopen(path, "rb") : NULL;
    if (in == NULL) {
        if (path == NULL || errno != ENOENT)
            snprintf(why, why_size, "%s: cannot read: %s", path ? path : pdir, path ? strerror(errno) : "out of memory");
        free(path);
        return 0;
    }
    char *text = NULL;
    size_t size = 0, used = 0;
    for (;;) {
        if (used + 4096 + 1 > size) {
            char *bigger = size < (1u << 26) ? realloc(text, size * 2 + 8192) : NULL;
            if (bigger == NULL)
                break;
            text = bigger;
            size = size * 2 + 8192;
        }
        size_t got = fread(text + used, 1, 4096, in);
        used += got;
        if (got < 4096)
            break;
    }
    int read_ok = text != NULL && !ferror(in) && feof(in);
    fclose(in);
    int ok = 0;
    if (!read_ok) {
        snprintf(why, why_size, "%s: cannot read", path);
    } else {
        text[used] = '\0';
        ok = strlen(text) == used && check_done(pdir, path, text, used, d, why, why_size);
        if (!ok && why[0] == '\0')
            snprintf(why, why_size, "%s: holds a NUL byte", path);
    }
    if (!ok)
        point_done_free(d);
    free(text);
    free(path);
    return ok;
}
