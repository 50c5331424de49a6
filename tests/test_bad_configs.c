/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_bad_configs.c - `lrekmc check` on every file of tests/data/bad/ and on
 * bad command lines: exit status 2, nothing on stdout, no crash, and the
 * expected message (tests/data/bad/EXPECT.txt) in FILE:LINE:COLUMN form.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#define BAD_DIR LREKMC_TEST_DATA "/bad"
#define GOOD_FILE LREKMC_TEST_DATA "/config/full.yaml"
#define SER_FILE LREKMC_TEST_DATA "/config/elastic.yaml"

#include "cli_run.h"

/* Every line of text starts with prefix followed by digits:digits": ". */
static int every_line_located(const char *text, const char *path)
{
    size_t n = strlen(path);
    for (const char *line = text; *line != '\0';) {
        const char *p = line;
        if (strncmp(p, path, n) != 0 || p[n] != ':')
            return 0;
        p += n + 1;
        if (strspn(p, "0123456789") == 0)
            return 0;
        p += strspn(p, "0123456789");
        if (*p++ != ':' || strspn(p, "0123456789") == 0)
            return 0;
        p += strspn(p, "0123456789");
        if (strncmp(p, ": ", 2) != 0)
            return 0;
        const char *end = strchr(line, '\n');
        if (end == NULL)
            return 0;  /* every message ends with a newline */
        line = end + 1;
    }
    return 1;
}

/* A line of text that starts with `located` and contains fragment. */
static int has_message(const char *text, const char *located, const char *fragment)
{
    for (const char *line = text; line != NULL && *line != '\0';) {
        const char *end = strchr(line, '\n');
        size_t length = end ? (size_t)(end - line) : strlen(line);
        char *copy = strndup(line, length);
        int found = strncmp(copy, located, strlen(located)) == 0 && strstr(copy, fragment) != NULL;
        free(copy);
        if (found)
            return 1;
        line = end ? end + 1 : NULL;
    }
    return 0;
}

typedef struct expectation {
    char file[128], location[32], fragment[512];
} expectation;

static size_t read_expectations(expectation *list, size_t max)
{
    FILE *f = fopen(BAD_DIR "/EXPECT.txt", "r");
    cr_assert_not_null(f, "cannot open EXPECT.txt");
    char line[1024];
    size_t count = 0;
    while (fgets(line, sizeof line, f) != NULL) {
        if (line[0] == '#' || line[0] == '\n')
            continue;
        line[strcspn(line, "\n")] = '\0';
        cr_assert(count < max);
        expectation *e = &list[count++];
        int used = 0;
        cr_assert_eq(sscanf(line, "%127s %31s %n", e->file, e->location, &used), 2, "bad line: %s", line);
        snprintf(e->fragment, sizeof e->fragment, "%s", line + used);
        cr_assert(strlen(e->fragment) > 0, "no fragment in: %s", line);
    }
    fclose(f);
    return count;
}

Test(bad_configs, every_file_fails_with_its_message)
{
    static expectation list[200];
    size_t count = read_expectations(list, 200);
    cr_assert(count >= 35, "only %zu bad configurations", count);
    for (size_t i = 0; i < count; i++) {
        char path[1024], located[1200];
        snprintf(path, sizeof path, "%s/%.127s", BAD_DIR, list[i].file);
        snprintf(located, sizeof located, "%.1023s:%.31s: ", path, list[i].location);
        char *argv[] = {"lrekmc", "check", path, NULL};
        run_result r = run_cli(argv);
        cr_expect_eq(r.signal, 0, "%s: killed by signal %d", list[i].file, r.signal);
        cr_expect_eq(r.status, 2, "%s: exit status %d, stderr:\n%s", list[i].file, r.status, r.err);
        cr_expect_str_empty(r.out, "%s: stdout not empty:\n%s", list[i].file, r.out);
        cr_expect(has_message(r.err, located, list[i].fragment), "%s: expected a line starting '%s' with '%s', got:\n%s",
                  list[i].file, located, list[i].fragment, r.err);
        cr_expect(every_line_located(r.err, path), "%s: a message without PATH:LINE:COLUMN:\n%s", list[i].file,
                  r.err);
        free_result(&r);
    }
}

Test(bad_configs, every_file_has_an_expectation)
{
    static expectation list[200];
    size_t count = read_expectations(list, 200);
    DIR *dir = opendir(BAD_DIR);
    cr_assert_not_null(dir);
    struct dirent *entry;
    size_t files = 0;
    while ((entry = readdir(dir)) != NULL) {
        if (strstr(entry->d_name, ".yaml") == NULL)
            continue;
        files++;
        int listed = 0;
        for (size_t i = 0; i < count && !listed; i++)
            listed = strcmp(list[i].file, entry->d_name) == 0;
        cr_expect(listed, "%s has no line in EXPECT.txt", entry->d_name);
    }
    closedir(dir);
    cr_expect_eq(files, count, "%zu files, %zu expectations", files, count);
}

/* `lrekmc check FILE --set ASSIGNMENT` must fail with message. */
static void expect_set_error_in(const char *file, const char *assignment, const char *message)
{
    char *argv[] = {"lrekmc", "check", (char *)file, "--set", (char *)assignment, NULL};
    run_result r = run_cli(argv);
    cr_expect_eq(r.signal, 0);
    cr_expect_eq(r.status, 2, "--set %s: exit status %d", assignment, r.status);
    cr_expect_str_empty(r.out, "--set %s: stdout:\n%s", assignment, r.out);
    cr_expect(strstr(r.err, message) != NULL, "--set %s: expected '%s', got:\n%s", assignment, message, r.err);
    cr_expect(strncmp(r.err, "--set ", 6) == 0, "--set %s: message should start with '--set ': %s", assignment,
              r.err);
    free_result(&r);
}

static void expect_set_error(const char *assignment, const char *message)
{
    expect_set_error_in(GOOD_FILE, assignment, message);
}

Test(bad_configs, set_errors)
{
    expect_set_error("model.Tt=1", "--set model.Tt: unknown key 'model.Tt'; did you mean 'model.T'?");
    expect_set_error("model.T=-1", "--set model.T: expected a finite number > 0, got '-1'");
    expect_set_error("model.T", "--set model.T: expected KEY=VALUE");
    expect_set_error("model.T=", "--set model.T: expected a finite number > 0, got '' (an empty value)");
    expect_set_error("model.T=[1, 2]", "--set model.T: expected a single YAML scalar");
    expect_set_error("model.T=1e999", "(out of the range of a double)");
    expect_set_error("model.N=1.5", "--set model.N: expected an integer in [1, 1000000000], got '1.5'");
    expect_set_error("kmc.seed=-3", "--set kmc.seed: expected an integer in [0, 18446744073709551615]");
    expect_set_error("kmc.streams=random", "--set kmc.streams: expected one of independent, common, got 'random'");
    expect_set_error("sweep.model.T=1", "--set sweep.model.T: the sweep cannot be set with --set");
    expect_set_error("model=1", "--set model: 'model' is a section, not a key");
    expect_set_error("=1", "expected KEY=VALUE with a key before '='");
    expect_set_error_in(SER_FILE, "model.mode=crossover",
                        "--set model.mode: model.crossover.A is required when model.mode is crossover");
    expect_set_error_in(SER_FILE, "model.V1=2", "--set model.V1: model.V1 and model.elastic are both given");
    expect_set_error("fit.q_levels.from=0.95", "--set fit.q_levels.from: fit.q_levels.from = 0.95 is greater");
    expect_set_error("output.trajectories=yes", "--set output.trajectories: expected true or false");
    expect_set_error("model.T=\"0.5\"", "(a quoted string; remove the quotes)");
}

Test(bad_configs, usage_errors_are_one_line)
{
    char *missing[] = {"lrekmc", "check", NULL};
    char *unknown[] = {"lrekmc", "check", GOOD_FILE, "--frobnicate", NULL};
    char *no_value[] = {"lrekmc", "check", GOOD_FILE, "--set", NULL};
    char *two_files[] = {"lrekmc", "check", GOOD_FILE, GOOD_FILE, NULL};
    char *no_file[] = {"lrekmc", "check", BAD_DIR "/does-not-exist.yaml", NULL};
    char **cases[] = {missing, unknown, no_value, two_files, no_file};
    const char *messages[] = {"missing FILE", "unknown option '--frobnicate'", "--set needs KEY=VALUE",
                              "more than one FILE", "cannot open"};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        run_result r = run_cli(cases[i]);
        cr_expect_eq(r.status, 2, "case %zu: exit status %d", i, r.status);
        cr_expect_str_empty(r.out);
        cr_expect(strstr(r.err, messages[i]) != NULL, "case %zu: expected '%s', got %s", i, messages[i], r.err);
        cr_expect_eq(strchr(r.err, '\n'), r.err + strlen(r.err) - 1, "case %zu: not one line: %s", i, r.err);
        free_result(&r);
    }
}

Test(bad_configs, good_file_and_help_succeed)
{
    char *good[] = {"lrekmc", "check", GOOD_FILE, "--set", "model.T=0.5", "--set=kmc.seed=7", NULL};
    run_result r = run_cli(good);
    cr_expect_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect_str_empty(r.err);
    cr_expect(strstr(r.out, "  T: 0.5\n") != NULL, "stdout: %s", r.out);
    cr_expect(strstr(r.out, "  seed: 7\n") != NULL, "stdout: %s", r.out);
    free_result(&r);
    char *help[] = {"lrekmc", "check", "--help", NULL};
    r = run_cli(help);
    cr_expect_eq(r.status, 0);
    cr_expect(strstr(r.out, "usage: lrekmc check FILE") != NULL);
    cr_expect(strstr(r.out, "model.crossover.T0") != NULL, "help lists the keys");
    free_result(&r);
}
