/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run_record.c - run.yaml (run_record.h).  The resolved configuration is
 * emitted by config.c under the key `config:`; the rest is plain metadata
 * written here.  Strings that may hold anything (the command line) are
 * double-quoted with YAML escapes.
 */
#define _POSIX_C_SOURCE 200809L
#include "run_record.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lrekmc/output.h"
#include "lrekmc/version.h"

void run_record_now(char stamp[32])
{
    time_t now = time(NULL);
    struct tm utc;
    gmtime_r(&now, &utc);
    strftime(stamp, 32, "%Y-%m-%dT%H:%M:%SZ", &utc);
}

static void write_quoted(FILE *out, const char *text)
{
    fputc('"', out);
    for (const unsigned char *c = (const unsigned char *)text; *c; c++) {
        if (*c == '"' || *c == '\\')
            fprintf(out, "\\%c", *c);
        else if (*c < 0x20 || *c == 0x7f)
            fprintf(out, "\\x%02x", *c);
        else
            fputc(*c, out);
    }
    fputc('"', out);
}

/* The emitted configuration, indented under `config:`. */
static lrk_status write_config(FILE *out, const lrk_config *c, lrk_error *err)
{
    char *text = NULL;
    size_t size = 0;
    FILE *memory = open_memstream(&text, &size);
    if (memory == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "run.yaml: out of memory");
    lrk_status s = lrk_config_emit(c, memory, err);
    fclose(memory);
    if (s == LRK_OK) {
        fputs("config:\n", out);
        for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
            if (strcmp(line, "---") == 0 || strcmp(line, "...") == 0)
                continue; /* document markers do not nest */
            fprintf(out, "  %s\n", line);
        }
    }
    free(text);
    return s;
}

/* Computed points one by one (with their time); runs of consecutive kept
 * or pending points as one line, so that a campaign of 10^7 points starts
 * without writing 10^7 lines. */
static void write_points(FILE *out, const run_record *r)
{
    static const char *const names[] = {"pending", "kept", "computed"};
    fputs("points:\n", out);
    for (size_t k = 0; k < r->point_count;) {
        if (r->state[k] == POINT_COMPUTED) {
            fprintf(out, "  - {point: %zu, state: computed, seconds: %.3f}\n", k, r->seconds[k]);
            k++;
            continue;
        }
        size_t end = k + 1;
        while (end < r->point_count && r->state[end] == r->state[k])
            end++;
        if (end == k + 1)
            fprintf(out, "  - {point: %zu, state: %s}\n", k, names[r->state[k]]);
        else
            fprintf(out, "  - {points: [%zu, %zu], state: %s}\n", k, end - 1, names[r->state[k]]);
        k = end;
    }
}

lrk_status run_record_write(const run_record *r, lrk_error *err)
{
    char *path = lrk_path_join(r->dir, "run.yaml");
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "run.yaml: out of memory");
    lrk_output_file file;
    lrk_status s = lrk_output_open(&file, path, err);
    free(path);
    if (s != LRK_OK)
        return s;
    FILE *out = file.stream;
    char host[256] = "unknown";
    gethostname(host, sizeof host - 1);
    host[sizeof host - 1] = '\0';
    fprintf(out, "# lrekmc run record: what produced this directory.\n");
    fprintf(out, "lrekmc_version: %s\ngit_revision: %s\n", lrk_version(), lrk_git_revision());
    fprintf(out, "campaign_hash: \"%016" PRIx64 "\"\n", r->campaign_hash);
    fputs("command_line: ", out);
    write_quoted(out, r->command_line ? r->command_line : "");
    fputs("\nhost: ", out);
    write_quoted(out, host);
    fprintf(out, "\nseed: %" PRIu64 "\nthreads: %d\nranks: %d\n", r->base->kmc.seed, r->threads, r->ranks);
    fprintf(out, "started: %s\nfinished: %s\n", r->started, r->finished[0] ? r->finished : "null");
    write_points(out, r);
    s = write_config(out, r->base, err);
    if (s != LRK_OK) {
        lrk_output_abandon(&file);
        return s;
    }
    return lrk_output_commit(&file, err);
}

lrk_status run_record_read_hash(const char *dir, int *found, uint64_t *hash, lrk_error *err)
{
    *found = 0;
    char *path = lrk_path_join(dir, "run.yaml");
    if (path == NULL)
        return lrk_error_set(err, LRK_ERR_NOMEM, "run.yaml: out of memory");
    FILE *in = fopen(path, "r");
    if (in == NULL) {
        int saved = errno;
        lrk_status s = saved == ENOENT ? LRK_OK
                                       : lrk_error_set(err, LRK_ERR_IO, "%s: cannot read: %s", path, strerror(saved));
        free(path);
        return s;
    }
    char line[256];
    while (fgets(line, sizeof line, in) != NULL)
        if (sscanf(line, "campaign_hash: \"%" SCNx64 "\"", hash) == 1) {
            *found = 1;
            break;
        }
    fclose(in);
    free(path);
    return LRK_OK;
}
