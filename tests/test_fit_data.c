/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_fit_data.c - `lrekmc fit` on every file of tests/data/fit_bad/ and on
 * bad command lines: exit status 2, nothing on stdout, exactly one stderr
 * line with the expected message located as PATH:LINE:COLUMN (or PATH:LINE,
 * or PATH: when the problem is the file as a whole), no output directory;
 * a good file writing every output with the documented columns; and the
 * reader's API on good input, arrays and labels.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "lrekmc/fit_model.h"

#define BAD_DIR LREKMC_TEST_DATA "/fit_bad"

#include "cli_run.h"

static int exists(const char *path)
{
    struct stat info;
    return stat(path, &info) == 0;
}

static void out_dir(char *buf, size_t size, const char *name)
{
    snprintf(buf, size, "/tmp/lrekmc-test-fit-%ld-%s", (long)getpid(), name);
}

typedef struct expectation {
    char file[128], model[32], location[32], fragment[512];
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
        cr_assert_eq(sscanf(line, "%127s %31s %31s %n", e->file, e->model, e->location, &used), 3, "bad line: %s",
                     line);
        snprintf(e->fragment, sizeof e->fragment, "%s", line + used);
        cr_assert(strlen(e->fragment) > 0, "no fragment in: %s", line);
    }
    fclose(f);
    return count;
}

static int one_line(const char *text)
{
    const char *nl = strchr(text, '\n');
    return nl != NULL && nl[1] == '\0';
}

Test(fit_bad_data, every_file_fails_with_its_message)
{
    static expectation list[200];
    size_t count = read_expectations(list, 200);
    cr_assert(count >= 30, "only %zu bad data files", count);
    char dir[256];
    out_dir(dir, sizeof dir, "bad");
    for (size_t i = 0; i < count; i++) {
        char path[1024], located[1200];
        snprintf(path, sizeof path, "%s/%.127s", BAD_DIR, list[i].file);
        if (strcmp(list[i].location, "-") == 0)
            snprintf(located, sizeof located, "%.1023s: ", path);
        else
            snprintf(located, sizeof located, "%.1023s:%.31s: ", path, list[i].location);
        char *argv[] = {"lrekmc", "fit", path, "--model", list[i].model, "-o", dir, NULL};
        run_result r = run_cli(argv);
        cr_expect_eq(r.signal, 0, "%s: killed by signal %d", list[i].file, r.signal);
        cr_expect_eq(r.status, 2, "%s: exit status %d, stderr:\n%s", list[i].file, r.status, r.err);
        cr_expect_str_empty(r.out, "%s: stdout not empty:\n%s", list[i].file, r.out);
        cr_expect(strncmp(r.err, located, strlen(located)) == 0 && strstr(r.err, list[i].fragment) != NULL,
                  "%s: expected '%s...%s', got:\n%s", list[i].file, located, list[i].fragment, r.err);
        cr_expect(one_line(r.err), "%s: not one line:\n%s", list[i].file, r.err);
        cr_expect(!exists(dir), "%s: %s was created", list[i].file, dir);
        free_result(&r);
    }
}

Test(fit_bad_data, every_file_has_an_expectation)
{
    static expectation list[200];
    size_t count = read_expectations(list, 200);
    DIR *d = opendir(BAD_DIR);
    cr_assert_not_null(d);
    struct dirent *entry;
    size_t files = 0;
    while ((entry = readdir(d)) != NULL) {
        if (strstr(entry->d_name, ".csv") == NULL)
            continue;
        files++;
        int listed = 0;
        for (size_t i = 0; i < count && !listed; i++)
            listed = strcmp(list[i].file, entry->d_name) == 0;
        cr_expect(listed, "%s has no line in EXPECT.txt", entry->d_name);
    }
    closedir(d);
    cr_expect_eq(files, count, "%zu files, %zu expectations", files, count);
}

static void expect_usage_error(char **argv, const char *fragment)
{
    run_result r = run_cli(argv);
    cr_expect_eq(r.signal, 0);
    cr_expect_eq(r.status, 2, "exit %d for '%s', stderr: %s", r.status, fragment, r.err);
    cr_expect_str_empty(r.out);
    cr_expect(strstr(r.err, fragment) != NULL, "expected '%s', got: %s", fragment, r.err);
    cr_expect(one_line(r.err), "not one line: %s", r.err);
    free_result(&r);
}

#define GOOD BAD_DIR "/../fit/ser.csv"

Test(fit_bad_data, bad_command_lines)
{
    char dir[256];
    out_dir(dir, sizeof dir, "args");
    expect_usage_error((char *[]){"lrekmc", "fit", NULL}, "missing DATA.csv");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, NULL}, "missing --model");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "SER", NULL},
                       "--model: expected one of kww, lre, ser, cer, crossover, got 'SER'");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", NULL}, "--model needs a value");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--frobnicate", NULL},
                       "unknown option '--frobnicate'");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, GOOD, "--model", "lre", NULL}, "is a second");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--bootstrap", "-3", NULL},
                       "--bootstrap: expected an integer in [0, 100000], got '-3'");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--bootstrap", "200000", NULL},
                       "--bootstrap: expected an integer in [0, 100000]");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--seed", "1.5", NULL},
                       "--seed: expected an integer");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--bootstrap-over", "rows", NULL},
                       "--bootstrap-over: expected points or curves, got 'rows'");
    expect_usage_error((char *[]){"lrekmc", "fit", GOOD, "--model", "lre", "--bootstrap", "5", "--bootstrap-over",
                                  "curves", "-o", dir, NULL},
                       "--bootstrap-over curves needs a joint model");
    expect_usage_error((char *[]){"lrekmc", "fit", BAD_DIR "/no-such-file.csv", "--model", "lre", "-o", dir, NULL},
                       "no-such-file.csv: cannot read: No such file or directory");
    cr_expect(!exists(dir));
}

static char *slurp_path(const char *path)
{
    int fd = open(path, O_RDONLY);
    cr_assert(fd >= 0, "cannot open %s", path);
    char *text = slurp_fd(fd);
    close(fd);
    return text;
}

static void expect_header(const char *dir, const char *name, const char *header)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    char *text = slurp_path(path);
    cr_expect(strncmp(text, header, strlen(header)) == 0, "%s starts:\n%.200s", name, text);
    free(text);
}

Test(fit_outputs, a_joint_fit_writes_every_file)
{
    char dir[256];
    out_dir(dir, sizeof dir, "good");
    char *argv[] = {"lrekmc", "fit", GOOD, "--model", "ser", "--bootstrap", "20", "--bootstrap-over", "curves",
                    "-o", dir, NULL};
    run_result r = run_cli(argv);
    cr_assert_eq(r.status, 0, "stderr: %s", r.err);
    cr_expect(strstr(r.out, "AIC prefers") != NULL, "%s", r.out);
    free_result(&r);
    expect_header(dir, "parameters.csv", "model,curve,T,parameter,value,error,bootstrap_error\n");
    expect_header(dir, "curves.csv", "curve,T,t,phi,sigma,fit_kww,residual_kww,fit_lre,residual_lre,fit_ser,"
                                     "residual_ser\n");
    expect_header(dir, "comparison.csv", "scope,model,points,parameters,chi2,dof,chi2_dof,aic,bic,delta_aic,"
                                         "delta_bic\n");
    expect_header(dir, "beta.csv", "curve,T,beta_kww,beta_kww_err,tau_kww,tau_kww_err,a_lre,a_lre_err,"
                                   "beta_predicted\n");
    expect_header(dir, "fit.yaml", "# lrekmc fit");
    /* the same seed gives the same bytes */
    char path[512];
    snprintf(path, sizeof path, "%s/parameters.csv", dir);
    char *first = slurp_path(path);
    r = run_cli(argv);
    cr_assert_eq(r.status, 0);
    free_result(&r);
    char *second = slurp_path(path);
    cr_expect_str_eq(first, second);
    cr_expect(strstr(first, "ser,,,V1,") != NULL, "%s", first);
    free(first), free(second);
    const char *names[] = {"fit.yaml", "parameters.csv", "curves.csv", "comparison.csv", "beta.csv"};
    for (int k = 0; k < 5; k++) {
        snprintf(path, sizeof path, "%s/%s", dir, names[k]);
        unlink(path);
    }
    rmdir(dir);
}

/* ---- parsing good input ----------------------------------------------------- */

Test(fit_data, parses_comments_crlf_curves_and_q)
{
    const char text[] = "# measured\r\ncurve, t ,q,T\r\n\r\nA,0,0,1.5\r\nB,1,0.1,2\r\nA,2,0.5,1.5\r\n"
                        "B,3,0.4,2\r\n# end\r\n";
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_parse(text, strlen(text), "mem.csv", &d, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(d.curve_count, 2);
    cr_assert_eq(d.point_count, 4);
    cr_assert(d.input_is_q && d.has_T && d.has_curve && !d.has_sigma);
    cr_assert_str_eq(d.curves[0].label, "A");
    cr_assert_eq(d.curves[0].T, 1.5);
    cr_assert_eq(d.curves[1].T, 2.0);
    cr_assert_eq(d.curves[0].y[1], 0.5); /* phi = 1 - q */
    cr_assert_eq(d.curves[1].line[1], 7);
    lrk_fit_data_free(&d);
}

Test(fit_data, relabel_checks_labels)
{
    double t[] = {0, 1, 2, 0, 1, 2}, y[] = {1, 0.5, 0.2, 1, 0.6, 0.3};
    long id[] = {7, 7, 7, 9, 9, 9};
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_from_arrays(6, t, y, 0, NULL, NULL, id, "arrays", &d, &err), LRK_OK, "%s", err.message);
    cr_assert_eq(d.curve_count, 2);
    cr_assert_str_eq(d.curves[1].label, "9");
    cr_assert_eq(lrk_fit_data_relabel(&d, 1, "sample B", &err), LRK_OK);
    cr_assert_str_eq(d.curves[1].label, "sample B");
    cr_assert_eq(lrk_fit_data_relabel(&d, 0, "a,b", &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_fit_data_relabel(&d, 0, "", &err), LRK_ERR_INVALID);
    cr_assert_eq(lrk_fit_data_relabel(&d, 2, "x", &err), LRK_ERR_INVALID);
    lrk_fit_data_free(&d);
}

Test(fit_data, a_temperature_varying_per_row_is_refused)
{
    size_t rows = LRK_FIT_MAX_CURVES + 1, size = 40 * rows + 16, used = 0;
    char *text = malloc(size);
    used += (size_t)snprintf(text, size, "t,phi,T\n");
    for (size_t i = 0; i < rows; i++)
        used += (size_t)snprintf(text + used, size - used, "%zu,0.5,%.6f\n", i, 1.0 + 1e-4 * (double)i);
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_parse(text, used, "drift.csv", &d, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "drift.csv:10002:") == err.message, "%s", err.message);
    cr_assert(strstr(err.message, "more than 10000 curves: is T constant within each curve?") != NULL, "%s",
              err.message);
    free(text);
}

Test(fit_data, arrays_report_point_indices)
{
    double t[] = {0, 1, 1}, y[] = {1, 0.5, 0.2};
    lrk_fit_data d;
    lrk_error err;
    cr_assert_eq(lrk_fit_data_from_arrays(3, t, y, 0, NULL, NULL, NULL, "arrays", &d, &err), LRK_ERR_INVALID);
    cr_assert(strstr(err.message, "arrays point 2: t = 1 is not after the previous t = 1") != NULL, "%s",
              err.message);
}
