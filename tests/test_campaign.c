/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_campaign.c - the run directory contract, through the real program:
 * resume after SIGKILL at arbitrary moments gives the bytes of an
 * uninterrupted run; another configuration is refused; SIGTERM exits 130;
 * an unwritable directory fails with a message naming the path.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "lrekmc/rng.h"

#define SMALL_SWEEP LREKMC_TEST_DATA "/campaign/small-sweep.yaml"
#define RESUME_SWEEP LREKMC_TEST_DATA "/campaign/resume-sweep.yaml"

/* Start `lrekmc run CONFIG -o dir --quiet [extra]`, stdout and stderr to log;
 * file_limit > 0 caps the size of every file it writes (a full disk). */
static pid_t start_limited_run(const char *config, const char *dir, const char *extra, const char *log,
                               rlim_t file_limit)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (file_limit > 0) {
            struct rlimit limit = {file_limit, file_limit};
            signal(SIGXFSZ, SIG_IGN); /* then write() fails with EFBIG, like ENOSPC */
            setrlimit(RLIMIT_FSIZE, &limit);
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (extra != NULL)
            execl(LREKMC_CLI, "lrekmc", "run", config, "-o", dir, "--quiet", extra, (char *)NULL);
        else
            execl(LREKMC_CLI, "lrekmc", "run", config, "-o", dir, "--quiet", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static pid_t start_run(const char *dir, const char *extra, const char *log)
{
    return start_limited_run(SMALL_SWEEP, dir, extra, log, 0);
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "the program died of signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WEXITSTATUS(status);
}

static char *slurp(const char *path)
{
    FILE *in = fopen(path, "rb");
    if (in == NULL)
        return NULL;
    fseek(in, 0, SEEK_END);
    long size = ftell(in);
    fseek(in, 0, SEEK_SET);
    char *text = calloc((size_t)size + 1, 1);
    cr_assert_eq(fread(text, 1, (size_t)size, in), (size_t)size);
    fclose(in);
    return text;
}

static void assert_same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char a[512], b[512];
    snprintf(a, sizeof a, "%s/%s", a_dir, name);
    snprintf(b, sizeof b, "%s/%s", b_dir, name);
    char *x = slurp(a), *y = slurp(b);
    cr_assert(x != NULL && y != NULL, "%s or %s missing", a, b);
    cr_assert_str_eq(x, y, "%s differs from %s", a, b);
    free(x);
    free(y);
}

static void make_temp_dir(char *path)
{
    strcpy(path, "/tmp/lrekmc-campaign-XXXXXX");
    cr_assert_not_null(mkdtemp(path));
}

static void sleep_microseconds(long us)
{
    struct timespec t = {us / 1000000, (us % 1000000) * 1000};
    nanosleep(&t, NULL);
}

Test(campaign, resume_after_sigkill_is_byte_identical, .timeout = 600)
{
    char root[64], reference[128], resumed[128], log[128];
    make_temp_dir(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(resumed, sizeof resumed, "%s/resumed", root);
    snprintf(log, sizeof log, "%s/log", root);
    struct timespec begin, end;
    clock_gettime(CLOCK_MONOTONIC, &begin);
    cr_assert_eq(wait_exit(start_limited_run(RESUME_SWEEP, reference, NULL, log, 0)), 0);
    clock_gettime(CLOCK_MONOTONIC, &end);
    double duration = (double)(end.tv_sec - begin.tv_sec) + 1e-9 * (double)(end.tv_nsec - begin.tv_nsec);

    /* Kill at moments drawn from a fixed stream, uniform in the first third
     * of an uninterrupted run (so most attempts die inside the campaign),
     * resuming each time until a run finishes. */
    lrk_pcg64 g;
    lrk_pcg64_seed(&g, 2026u, 11u);
    int finished = 0, killed = 0;
    for (int attempt = 0; attempt < 100 && !finished; attempt++) {
        pid_t pid = start_limited_run(RESUME_SWEEP, resumed, NULL, log, 0);
        sleep_microseconds((long)(lrk_pcg64_uniform(&g) * duration / 3 * 1e6));
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        finished = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        killed += WIFSIGNALED(status);
    }
    cr_assert_geq(killed, 3, "only %d runs were killed before finishing: the test proved nothing", killed);
    cr_assert_eq(wait_exit(start_limited_run(RESUME_SWEEP, resumed, NULL, log, 0)), 0);
    assert_same_file(reference, resumed, "summary.csv");
    for (int k = 0; k < 6; k++) {
        char name[64];
        snprintf(name, sizeof name, "points/%d/relaxation.csv", k);
        assert_same_file(reference, resumed, name);
        snprintf(name, sizeof name, "points/%d/levels.csv", k);
        assert_same_file(reference, resumed, name);
    }
}

Test(campaign, another_configuration_is_refused_unless_forced, .timeout = 120)
{
    char root[64], dir[128], log[128];
    make_temp_dir(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    cr_assert_eq(wait_exit(start_run(dir, NULL, log)), 0);
    cr_assert_eq(wait_exit(start_run(dir, "--seed=8", log)), 2);
    char *text = slurp(log);
    cr_assert(strstr(text, "different configuration") && strstr(text, "--force"), "%s", text);
    free(text);
    cr_assert_eq(wait_exit(start_run(dir, "--force", log)), 0);
}

Test(campaign, sigterm_stops_with_130, .timeout = 120)
{
    char root[64], dir[128], log[128];
    make_temp_dir(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    /* 8e8 events a point: seconds of work, so the signal lands inside it. */
    pid_t pid = start_limited_run(RESUME_SWEEP, dir, "--set=kmc.trajectories=400000", log, 0);
    sleep_microseconds(300000);
    kill(pid, SIGTERM);
    cr_assert_eq(wait_exit(pid), 130);
    char *text = slurp(log);
    cr_assert(strstr(text, "interrupted"), "%s", text);
    free(text);
    /* Nothing half-written: no point finished, and no table of point 0. */
    char path[192];
    struct stat info;
    snprintf(path, sizeof path, "%s/points/0/relaxation.csv", dir);
    cr_assert_neq(stat(path, &info), 0, "%s exists after the interrupt", path);
    snprintf(path, sizeof path, "%s/summary.csv", dir);
    char *summary = slurp(path);
    cr_assert_not_null(summary);
    cr_assert_null(strchr(strchr(summary, '\n') + 1, '\n'), "summary has rows: %s", summary);
    free(summary);
}

Test(campaign, unwritable_directory_names_the_path)
{
    /* Root writes through permission bits, so make the directory impossible
     * instead: its parent is a regular file. */
    char root[64], file[128], dir[160], log[128];
    make_temp_dir(root);
    snprintf(file, sizeof file, "%s/plain-file", root);
    snprintf(dir, sizeof dir, "%s/run", file);
    snprintf(log, sizeof log, "%s/log", root);
    FILE *f = fopen(file, "w");
    fclose(f);
    cr_assert_eq(wait_exit(start_run(dir, NULL, log)), 1);
    char *text = slurp(log);
    cr_assert(strstr(text, file), "message does not name %s: %s", file, text);
    free(text);
}

Test(campaign, full_disk_fails_cleanly_and_leaves_no_half_file, .timeout = 120)
{
    char root[64], dir[128], log[128], path[192];
    make_temp_dir(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    /* 3000 bytes: run.yaml and the first summary fit, relaxation.csv does not. */
    cr_assert_eq(wait_exit(start_limited_run(SMALL_SWEEP, dir, NULL, log, 3000)), 1);
    char *text = slurp(log);
    snprintf(path, sizeof path, "%s/points/0/relaxation.csv", dir);
    cr_assert(strstr(text, path), "message does not name %s: %s", path, text);
    free(text);
    struct stat info;
    cr_assert_neq(stat(path, &info), 0, "a half-written %s was left", path);
    /* With room again the same directory completes. */
    cr_assert_eq(wait_exit(start_run(dir, NULL, log)), 0);
    cr_assert_eq(stat(path, &info), 0);
}

Test(campaign, output_bytes_do_not_depend_on_threads, .timeout = 120)
{
    char root[64], one[128], two[128], three[128], log[128];
    make_temp_dir(root);
    snprintf(one, sizeof one, "%s/one", root);
    snprintf(two, sizeof two, "%s/two", root);
    snprintf(three, sizeof three, "%s/three", root);
    snprintf(log, sizeof log, "%s/log", root);
    cr_assert_eq(wait_exit(start_run(one, "--threads=1", log)), 0);
    cr_assert_eq(wait_exit(start_run(two, "--threads=2", log)), 0);
    cr_assert_eq(wait_exit(start_run(three, "--threads=3", log)), 0);
    assert_same_file(one, two, "summary.csv");
    assert_same_file(one, three, "summary.csv");
    for (int k = 0; k < 6; k++) {
        char name[64];
        snprintf(name, sizeof name, "points/%d/relaxation.csv", k);
        assert_same_file(one, two, name);
        assert_same_file(one, three, name);
        snprintf(name, sizeof name, "points/%d/levels.csv", k);
        assert_same_file(one, two, name);
        assert_same_file(one, three, name);
    }
}

/* Run `lrekmc run SMALL_SWEEP -o dir` without --quiet, output to log;
 * through `script` (a pseudo-terminal) when on_terminal. */
static int run_visible(const char *dir, const char *log, int on_terminal)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        if (on_terminal) {
            char command[1024];
            snprintf(command, sizeof command, "%s run %s -o %s", LREKMC_CLI, SMALL_SWEEP, dir);
            execlp("script", "script", "-qec", command, "/dev/null", (char *)NULL);
        } else {
            execl(LREKMC_CLI, "lrekmc", "run", SMALL_SWEEP, "-o", dir, (char *)NULL);
        }
        _exit(127);
    }
    return wait_exit(pid);
}

Test(campaign, progress_only_on_a_terminal, .timeout = 120)
{
    char root[64], dir[128], log[128];
    make_temp_dir(root);
    snprintf(dir, sizeof dir, "%s/plain", root);
    snprintf(log, sizeof log, "%s/plain.log", root);
    cr_assert_eq(run_visible(dir, log, 0), 0);
    char *text = slurp(log);
    cr_assert_null(strstr(text, "events/s"), "progress without a terminal: %s", text);
    cr_assert(strstr(text, "beta_kmc") && strstr(text, "results: "), "no summary table: %s", text);
    free(text);

    snprintf(dir, sizeof dir, "%s/terminal", root);
    snprintf(log, sizeof log, "%s/terminal.log", root);
    int code = run_visible(dir, log, 1);
    if (code == 127)
        cr_skip_test("no `script` program to make a pseudo-terminal");
    cr_assert_eq(code, 0);
    text = slurp(log);
    cr_assert(strstr(text, "events/s") && strstr(text, "point "), "no progress line: %s", text);
    free(text);
}
