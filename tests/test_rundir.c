/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * test_rundir.c - run directories that never lie, through the real program:
 * the lock against a second run, damaged / deleted / edited files found by
 * `verify` and recomputed on resume to the bytes of an uninterrupted run, a
 * grown campaign keeping its points, a shrunk one refused, --force leaving
 * exactly the new campaign, memory and barrier refusals shared by check and
 * run, and a file-size limit reported instead of killing the run.
 */
#define _POSIX_C_SOURCE 200809L
#include <criterion/criterion.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define XXH_INLINE_ALL /* to re-seal an edited done file as lrekmc would */
#include <xxhash.h>

#define SMALL_SWEEP LREKMC_TEST_DATA "/campaign/small-sweep.yaml"
#define RESUME_SWEEP LREKMC_TEST_DATA "/campaign/resume-sweep.yaml"
#define SPACE_SWEEP LREKMC_TEST_DATA "/campaign/space-sweep.yaml"

typedef struct limits {
    rlim_t address_space, file_size;   /* 0: unlimited */
} limits;

/* Start lrekmc with the given arguments (NULL-terminated), both streams to log. */
static pid_t start(const char *log, limits lim, const char *const *args)
{
    pid_t pid = fork();
    cr_assert_neq(pid, -1);
    if (pid == 0) {
        if (lim.address_space > 0) {
            struct rlimit l = {lim.address_space, lim.address_space};
            setrlimit(RLIMIT_AS, &l);
        }
        if (lim.file_size > 0) {
            struct rlimit l = {lim.file_size, lim.file_size};
            setrlimit(RLIMIT_FSIZE, &l); /* SIGXFSZ left at its default: lrekmc must ignore it itself */
        }
        int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0644);
        dup2(fd, STDOUT_FILENO);
        dup2(fd, STDERR_FILENO);
        char *argv[32] = {"lrekmc"};
        for (int i = 0; args[i] != NULL && i < 30; i++)
            argv[i + 1] = (char *)args[i];
        execv(LREKMC_CLI, argv);
        _exit(127);
    }
    return pid;
}

static int wait_exit(pid_t pid)
{
    int status = 0;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    cr_assert(WIFEXITED(status), "the program died of signal %d", WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return WEXITSTATUS(status);
}

#define LREKMC(log, ...) wait_exit(start(log, (limits){0, 0}, (const char *const[]){__VA_ARGS__, NULL}))

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

static void write_text(const char *path, const char *text)
{
    FILE *out = fopen(path, "w");
    cr_assert_not_null(out, "%s", path);
    fputs(text, out);
    fclose(out);
}

static char *path_of(const char *dir, const char *format, ...)
{
    static char buffers[8][512];
    static int next = 0;
    char name[256];
    va_list args;
    va_start(args, format);
    vsnprintf(name, sizeof name, format, args);
    va_end(args);
    char *path = buffers[next++ % 8];
    snprintf(path, 512, "%s/%s", dir, name);
    return path;
}

static void assert_same_file(const char *a_dir, const char *b_dir, const char *name)
{
    char *x = slurp(path_of(a_dir, "%s", name)), *y = slurp(path_of(b_dir, "%s", name));
    cr_assert(x != NULL && y != NULL, "%s/%s or %s/%s missing", a_dir, name, b_dir, name);
    cr_assert_str_eq(x, y, "%s/%s differs from %s/%s", a_dir, name, b_dir, name);
    free(x);
    free(y);
}

/* summary.csv and every point's tables are the bytes of the reference. */
static void assert_same_results(const char *reference, const char *dir, int points)
{
    assert_same_file(reference, dir, "summary.csv");
    for (int k = 0; k < points; k++) {
        char name[64];
        snprintf(name, sizeof name, "points/%d/relaxation.csv", k);
        assert_same_file(reference, dir, name);
        snprintf(name, sizeof name, "points/%d/levels.csv", k);
        assert_same_file(reference, dir, name);
    }
}

static void assert_contains(const char *log, const char *needle)
{
    char *text = slurp(log);
    cr_assert_not_null(text);
    cr_assert(strstr(text, needle) != NULL, "'%s' not in: %s", needle, text);
    free(text);
}

static void make_root(char *root)
{
    strcpy(root, "/tmp/lrekmc-rundir-XXXXXX");
    cr_assert_not_null(mkdtemp(root));
}

/* The names under dir/points/ (sorted, comma-separated). */
static void list_points(const char *dir, char *out, size_t size)
{
    char names[64][256];
    int n = 0;
    DIR *d = opendir(path_of(dir, "points"));
    cr_assert_not_null(d);
    struct dirent *e;
    while ((e = readdir(d)) != NULL && n < 64)
        if (e->d_name[0] != '.' || (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0))
            snprintf(names[n++], sizeof names[0], "%s", e->d_name);
    closedir(d);
    qsort(names, (size_t)n, sizeof names[0], (int (*)(const void *, const void *))strcmp);
    out[0] = '\0';
    for (int i = 0; i < n; i++)
        snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? "," : "", names[i]);
}

static size_t count_temporaries(const char *dir)
{
    size_t found = 0;
    DIR *d = opendir(dir);
    if (d == NULL)
        return 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        char path[1024];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        struct stat info;
        if (stat(path, &info) == 0 && S_ISDIR(info.st_mode))
            found += count_temporaries(path);
        else if (strstr(e->d_name, ".tmp.") != NULL)
            found++;
    }
    closedir(d);
    return found;
}

static void sleep_ms(long ms)
{
    struct timespec t = {ms / 1000, (ms % 1000) * 1000000};
    nanosleep(&t, NULL);
}

Test(rundir, a_second_run_into_a_locked_directory_fails_at_once, .timeout = 120)
{
    char root[64], dir[128], log_a[128], log_b[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log_a, sizeof log_a, "%s/a.log", root);
    snprintf(log_b, sizeof log_b, "%s/b.log", root);
    /* seconds of work a point, so that the first run certainly holds the lock */
    pid_t a = start(log_a, (limits){0, 0},
                    (const char *const[]){"run", RESUME_SWEEP, "-o", dir, "--quiet", "--set=kmc.trajectories=400000",
                                          NULL});
    char *holder = NULL;
    for (int i = 0; i < 200 && (holder == NULL || holder[0] == '\0'); i++) {
        free(holder);
        sleep_ms(20);
        holder = slurp(path_of(dir, ".lrekmc.lock"));
    }
    cr_assert(holder != NULL && atol(holder) == (long)a, "lock file holds '%s', not pid %ld", holder, (long)a);
    /* the holder writes run.yaml after taking the lock: wait for it, so that
     * "touching nothing" compares the record before and after */
    char *before = NULL;
    for (int i = 0; i < 500 && (before == NULL || strstr(before, "seed: 7\n") == NULL); i++) {
        free(before);
        sleep_ms(20);
        before = slurp(path_of(dir, "run.yaml"));
    }
    cr_assert(before != NULL && strstr(before, "seed: 7\n") != NULL, "the first run wrote no run.yaml");
    cr_assert_eq(LREKMC(log_b, "run", RESUME_SWEEP, "-o", dir, "--quiet", "--seed=99",
                        "--set=kmc.trajectories=400000"), 1);
    char pid[32];
    snprintf(pid, sizeof pid, "pid %ld", (long)a);
    assert_contains(log_b, dir);
    assert_contains(log_b, pid);
    /* touching nothing: the record is the first run's */
    char *after = slurp(path_of(dir, "run.yaml"));
    /* (the holder may rewrite run.yaml as its points finish: compare the seed, not the bytes) */
    cr_assert(after != NULL && strstr(after, "seed: 7\n") != NULL && strstr(after, "seed: 99") == NULL);
    kill(a, SIGTERM);
    cr_assert_eq(wait_exit(a), 130);
    /* the kernel released the lock with the process: the next run may start */
    cr_assert_eq(LREKMC(log_b, "run", SMALL_SWEEP, "-o", dir, "--quiet", "--force"), 0);
    free(holder);
    free(before);
    free(after);
}

/* Replace the first occurrence of `from` by `to` (same length) in a file. */
static void edit_file(const char *path, const char *from, const char *to)
{
    char *text = slurp(path);
    cr_assert_not_null(text, "%s", path);
    char *at = strstr(text, from);
    cr_assert_not_null(at, "'%s' not in %s", from, path);
    cr_assert_eq(strlen(from), strlen(to));
    memcpy(at, to, strlen(to));
    write_text(path, text);
    free(text);
}

Test(rundir, damaged_points_are_found_and_recomputed_to_the_same_bytes, .timeout = 120)
{
    char root[64], reference[128], dir[128], log[128];
    make_root(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(dir, sizeof dir, "%s/damaged", root);
    snprintf(log, sizeof log, "%s/log", root);
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", reference, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    assert_contains(log, "6 finished point(s), intact");

    truncate(path_of(dir, "points/1/relaxation.csv"), 100);           /* truncated */
    unlink(path_of(dir, "points/2/levels.csv"));                       /* deleted */
    edit_file(path_of(dir, "points/3/done"), "row: cer,", "row: ser,"); /* edited row in done */
    edit_file(path_of(dir, "points/4/levels.csv"), "0.", "1.");         /* same size, other bytes */
    edit_file(path_of(dir, "summary.csv"), ",cer,", ",ser,");           /* the summary itself */
    write_text(path_of(dir, "points/5/.relaxation.csv.tmp.4242"), "half");

    cr_assert_eq(LREKMC(log, "verify", dir), 1);
    assert_contains(log, "points/1/relaxation.csv");
    assert_contains(log, "points/2/levels.csv: missing");
    assert_contains(log, "points/3/done");
    assert_contains(log, "points/4/levels.csv");
    assert_contains(log, "summary.csv");
    assert_contains(log, "points/5/.relaxation.csv.tmp.4242");

    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    assert_contains(log, "points/1/relaxation.csv");
    assert_contains(log, "points/2/levels.csv");
    assert_contains(log, "points/3/done");
    assert_contains(log, "points/4/levels.csv");
    assert_contains(log, "4 computed, 2 kept");
    cr_assert_eq(count_temporaries(dir), 0);
    assert_same_results(reference, dir, 6);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
}

/* Replace the `results:` line of a done file (NULL: remove it, as written
 * before versions were recorded) and re-seal its checksum, so that the file
 * is intact and only its results version differs. */
static void set_results_stamp(const char *path, const char *stamp)
{
    char *text = slurp(path);
    cr_assert_not_null(text, "%s", path);
    char *line = strstr(text, "\nresults: "), *end = line ? strchr(line + 1, '\n') : NULL;
    cr_assert(line != NULL && end != NULL, "no results line in %s", path);
    char edited[8192];
    int used = snprintf(edited, sizeof edited, "%.*s", (int)(line - text), text);
    if (stamp != NULL)
        used += snprintf(edited + used, sizeof edited - (size_t)used, "\nresults: %s", stamp);
    used += snprintf(edited + used, sizeof edited - (size_t)used, "%s", end);
    char *seal = strstr(edited, "checksum: ");
    while (seal != NULL && seal != edited && seal[-1] != '\n')
        seal = strstr(seal + 1, "checksum: ");
    char *last = seal;
    while ((seal = strstr(last + 1, "\nchecksum: ")) != NULL)
        last = seal + 1;
    cr_assert_not_null(last);
    snprintf(last, sizeof edited - (size_t)(last - edited), "checksum: %016llx\n",
             (unsigned long long)XXH3_64bits(edited, (size_t)(last - edited)));
    write_text(path, edited);
    free(text);
}

Test(rundir, points_of_another_results_version_are_computed_again, .timeout = 120)
{
    char root[64], reference[128], dir[128], log[128];
    make_root(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(dir, sizeof dir, "%s/versions", root);
    snprintf(log, sizeof log, "%s/log", root);
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", reference, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    assert_contains(path_of(dir, "points/0/done"), "\nresults: chain 3\n");

    set_results_stamp(path_of(dir, "points/1/done"), "chain 0");   /* an older chain engine */
    set_results_stamp(path_of(dir, "points/2/done"), NULL);        /* before versions were recorded */
    set_results_stamp(path_of(dir, "points/3/done"), "warp 1");    /* an engine this build lacks */
    cr_assert_eq(LREKMC(log, "verify", dir), 0);                   /* intact, but outdated */
    assert_contains(log, "6 finished point(s), 3 made by another results version");

    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    assert_contains(log, "points/1/done: the point was made by results version 0 of the chain engine");
    assert_contains(log, "points/2/done: the point records no results version");
    assert_contains(log, "points/3/done: the point was made by an engine this lrekmc does not have ('warp 1')");
    assert_contains(log, "3 computed, 3 kept");
    assert_same_results(reference, dir, 6);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    assert_contains(log, "6 finished point(s), intact");
}

Test(rundir, sigkill_then_resume_leaves_no_temporary, .timeout = 300)
{
    char root[64], reference[128], dir[128], log[128];
    make_root(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(dir, sizeof dir, "%s/killed", root);
    snprintf(log, sizeof log, "%s/log", root);
    /* output.trajectories streams a temporary for the whole of each point */
    cr_assert_eq(LREKMC(log, "run", RESUME_SWEEP, "-o", reference, "--quiet", "--set=output.trajectories=true"), 0);
    int killed = 0;
    for (int attempt = 0; attempt < 20 && killed < 3; attempt++) {
        pid_t pid = start(log, (limits){0, 0},
                          (const char *const[]){"run", RESUME_SWEEP, "-o", dir, "--quiet",
                                                "--set=output.trajectories=true", NULL});
        sleep_ms(150 + 50 * attempt);
        kill(pid, SIGKILL);
        int status = 0;
        waitpid(pid, &status, 0);
        killed += WIFSIGNALED(status) && count_temporaries(dir) > 0;
    }
    cr_assert_geq(killed, 1, "no kill left a temporary behind: the test proved nothing");
    cr_assert_eq(LREKMC(log, "run", RESUME_SWEEP, "-o", dir, "--quiet", "--set=output.trajectories=true"), 0);
    cr_assert_eq(count_temporaries(dir), 0);
    assert_same_results(reference, dir, 6);
    for (int k = 0; k < 6; k++) {
        char name[64];
        snprintf(name, sizeof name, "points/%d/first_passage.csv", k);
        assert_same_file(reference, dir, name);
    }
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
}

static const char campaign_head[] = "model: {mode: ser, V0: 1.0, V1: 1.0, T: 1.0, N: 200}\n"
                                    "kmc: {trajectories: 400, seed: 7, threads: 1}\n"
                                    "grid: {points: 50}\n"
                                    "fit: {q_levels: {from: 0.05, to: 0.95, count: 19}, batches: 8}\n";

static void write_campaign(const char *path, const char *sweep)
{
    char text[1024];
    snprintf(text, sizeof text, "%ssweep:\n%s", campaign_head, sweep);
    write_text(path, text);
}

Test(rundir, a_grown_campaign_keeps_its_points_and_a_shrunk_one_is_refused, .timeout = 120)
{
    char root[64], reference[128], dir[128], log[128], small[128], grown[128], names[512];
    make_root(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(dir, sizeof dir, "%s/grown", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(small, sizeof small, "%s/small.yaml", root);
    snprintf(grown, sizeof grown, "%s/grown.yaml", root);
    write_campaign(small, "  model.mode: [ser, cer]\n  model.T: [0.8, 1.6]\n");
    /* another T in the middle: the old points 1, 2, 3 move to 2, 3, 5 */
    write_campaign(grown, "  model.mode: [ser, cer]\n  model.T: [0.8, 1.2, 1.6]\n");
    cr_assert_eq(LREKMC(log, "run", grown, "-o", reference, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "run", small, "-o", dir, "--quiet"), 0);
    char *old_point_3 = slurp(path_of(dir, "points/3/relaxation.csv"));
    cr_assert_eq(LREKMC(log, "run", grown, "-o", dir, "--quiet"), 0);
    assert_contains(log, "6 point(s): 2 computed, 4 kept");
    char *moved = slurp(path_of(dir, "points/5/relaxation.csv"));
    cr_assert_str_eq(old_point_3, moved, "old point 3 (cer, T = 1.6) is not the new point 5");
    assert_same_results(reference, dir, 6);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);

    /* Back to the small campaign: it would drop two finished points. */
    cr_assert_eq(LREKMC(log, "run", small, "-o", dir, "--quiet"), 2);
    assert_contains(log, "2 finished point(s)");
    assert_contains(log, "--force");
    list_points(dir, names, sizeof names);
    cr_assert_str_eq(names, "0,1,2,3,4,5", "a refused run changed the points: %s", names);
    assert_same_results(reference, dir, 6);
    free(old_point_3);
    free(moved);
}

Test(rundir, outdated_points_a_campaign_would_drop_need_force, .timeout = 120)
{
    char root[64], dir[128], log[128], small[128], names[512];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/outdated", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(small, sizeof small, "%s/small.yaml", root);
    write_campaign(small, "  model.mode: [ser, cer]\n  model.T: [0.8, 1.6]\n");
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    /* points 1 and 4 (T = 1.2) are the ones the small campaign lacks */
    set_results_stamp(path_of(dir, "points/1/done"), "chain 0");
    set_results_stamp(path_of(dir, "points/4/done"), NULL);
    cr_assert_eq(LREKMC(log, "run", small, "-o", dir, "--quiet"), 2);
    assert_contains(log, "2 finished point(s)");
    assert_contains(log, "--force");
    list_points(dir, names, sizeof names);
    cr_assert_str_eq(names, "0,1,2,3,4,5", "a refused run changed the points: %s", names);
    cr_assert_eq(LREKMC(log, "run", small, "-o", dir, "--quiet", "--force"), 0);
    list_points(dir, names, sizeof names);
    cr_assert_str_eq(names, "0,1,2,3", "after --force: %s", names);
    assert_contains(log, "4 point(s): 0 computed, 4 kept");
}

Test(rundir, force_leaves_exactly_the_new_campaign, .timeout = 120)
{
    char root[64], reference[128], dir[128], log[128], two[128], names[512];
    make_root(root);
    snprintf(reference, sizeof reference, "%s/reference", root);
    snprintf(dir, sizeof dir, "%s/forced", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(two, sizeof two, "%s/two.yaml", root);
    write_campaign(two, "  model.T: [0.9, 1.1]\n");
    cr_assert_eq(LREKMC(log, "run", two, "-o", reference, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet"), 0);
    write_text(path_of(dir, "points/4/.levels.csv.tmp.77"), "x");
    cr_assert_eq(LREKMC(log, "run", two, "-o", dir, "--quiet"), 2);
    cr_assert_eq(LREKMC(log, "run", two, "-o", dir, "--quiet", "--force"), 0);
    list_points(dir, names, sizeof names);
    cr_assert_str_eq(names, "0,1", "after --force: points/{%s}", names);
    assert_same_results(reference, dir, 2);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    assert_contains(log, "2 finished point(s), intact");
}

Test(rundir, memory_that_cannot_fit_is_refused_by_check_and_run)
{
    char root[64], dir[128], log[128], config[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/never", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/big.yaml", root);
    /* 10^7 grid times x 4097 histogram bins: ~300 GiB, on no test machine */
    write_text(config, "model: {mode: ser, N: 100000}\nkmc: {trajectories: 1000, threads: 1}\n"
                       "grid: {points: 10000000}\n");
    cr_assert_eq(LREKMC(log, "check", config), 2);
    assert_contains(log, "grid.points");
    assert_contains(log, "GiB");
    cr_assert_eq(LREKMC(log, "run", config, "-o", dir, "--quiet"), 2);
    assert_contains(log, "grid.points");
    struct stat info;
    cr_assert_neq(stat(dir, &info), 0, "a refused run created %s", dir);
}

/* Under a 512 MiB address space `check` refuses `yaml`, naming `key`, and
 * accepts it with the two overrides (NULL: none). */
static void check_memory_refusal(const char *yaml, const char *key, const char *set1, const char *set2)
{
    char root[64], log[128], config[128];
    make_root(root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/memory.yaml", root);
    write_text(config, yaml);
    limits lim = {512u << 20, 0};
    cr_assert_eq(wait_exit(start(log, lim, (const char *const[]){"check", config, NULL})), 2);
    assert_contains(log, key);
    cr_assert_eq(wait_exit(start(log, lim, (const char *const[]){"check", config, set1, set2, NULL})), 0);
}

Test(rundir, the_lattice_workers_count_in_the_memory_estimate)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("AddressSanitizer reserves more address space than the limit this test sets");
#endif
    /* L = 256: 1.7e7 sites, about 36 bytes each in a worker (lattice_engine.h):
     * 0.6 GB, beyond a 512 MiB address space; L = 64 (9 MB) fits */
    check_memory_refusal("model: {mode: ser, V1: 1, space: {lattice: cubic, L: 256, d_el: 3}}\n"
                         "kmc: {trajectories: 2, threads: 1}\nfit: {batches: 2}\n",
                         "model.space.L", "--set=model.space.L=64", NULL);
}

Test(rundir, the_disorder_workers_count_in_the_memory_estimate)
{
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("AddressSanitizer reserves more address space than the limit this test sets");
#endif
    /* N = 10^7 with disorder: a worker's operational times, buckets and
     * counts are ~56 bytes an LRE (535 MiB), beyond a 512 MiB address space;
     * the same N without disorder (an 80 MB rate table) fits */
    check_memory_refusal("model: {mode: ser, V1: 1, N: 10000000, disorder: {distribution: normal, width: 0.5}}\n"
                         "kmc: {trajectories: 2, threads: 1}\nfit: {batches: 2}\ngrid: {points: 10}\n",
                         "model.N", "--set=model.disorder.distribution=none", "--set=model.disorder.width=0");
}

Test(rundir, threads_count_in_the_memory_estimate)
{
    char root[64], dir[128], log[128], config[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/never", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/threads.yaml", root);
    /* N = 10^5: 3126 histogram bins; 4000 grid times: 50 MB a thread, 100 MB
     * for the result.  Under a 1 GiB address space 1 thread fits, 32 do not. */
    write_text(config, "model: {mode: ser, N: 100000}\nkmc: {trajectories: 64, threads: 1}\n"
                       "grid: {points: 4000}\nfit: {batches: 32}\n");
#if defined(__SANITIZE_ADDRESS__)
    cr_skip_test("AddressSanitizer reserves more address space than the limit this test sets");
#endif
    limits lim = {1024u << 20, 0};
    cr_assert_eq(wait_exit(start(log, lim, (const char *const[]){"check", config, NULL})), 0);
    cr_assert_eq(wait_exit(start(log, lim, (const char *const[]){"check", config, "--set=kmc.threads=32", NULL})), 2);
    assert_contains(log, "32 KMC threads");
    assert_contains(log, "kmc.threads");
    cr_assert_eq(wait_exit(start(log, lim, (const char *const[]){"run", config, "-o", dir, "--threads=32", NULL})), 2);
    assert_contains(log, "kmc.threads");
    /* without the limit the same point is accepted */
    cr_assert_eq(LREKMC(log, "check", config, "--set=kmc.threads=32"), 0);
}

Test(rundir, the_barrier_limit_is_one_rule_for_check_and_run, .timeout = 60)
{
    char root[64], dir[128], log[128], config[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/barrier.yaml", root);
    write_text(config, "model: {mode: ser, V0: 200, V1: 200, T: 1, N: 100}\nkmc: {trajectories: 100}\n"
                       "grid: {points: 50}\n");
    cr_assert_eq(LREKMC(log, "check", config), 2);
    assert_contains(log, "(|V0| + V1) / T = 400");
    cr_assert_eq(LREKMC(log, "run", config, "-o", dir, "--quiet"), 2);
    assert_contains(log, "(|V0| + V1) / T = 400");
    /* just inside the rule, both accept, and run delivers every column */
    const char *const inside[] = {"--set=model.V0=169.9", "--set=model.V1=169.9"};
    cr_assert_eq(LREKMC(log, "check", config, inside[0], inside[1]), 0);
    cr_assert_eq(LREKMC(log, "run", config, "-o", dir, "--quiet", inside[0], inside[1]), 0);
    char *levels = slurp(path_of(dir, "points/0/levels.csv"));
    cr_assert(levels != NULL && strstr(levels, "inf") == NULL && strstr(levels, ",,") == NULL, "%s", levels);
    free(levels);
}

Test(rundir, a_file_size_limit_is_an_error_naming_the_path, .timeout = 60)
{
    char root[64], dir[128], log[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    /* SIGXFSZ at its default (it would kill the process): lrekmc ignores it */
    int code = wait_exit(start(log, (limits){0, 3000},
                               (const char *const[]){"run", SMALL_SWEEP, "-o", dir, "--quiet", NULL}));
    cr_assert_eq(code, 1);
    assert_contains(log, "File too large");
    assert_contains(log, path_of(dir, "points/0/relaxation.csv"));
    cr_assert_eq(count_temporaries(dir), 0);
}

Test(rundir, set_on_a_swept_key_collapses_its_axis_and_the_table_shows_every_swept_key, .timeout = 60)
{
    char root[64], dir[128], log[128], config[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/zip.yaml", root);
    write_campaign(config, "  model.T: [0.8, 1.6]\n  zip: {model.V0: [1, 10.125], model.N: [100, 1000]}\n");
    cr_assert_eq(LREKMC(log, "run", config, "-o", dir, "--set=model.T=1.25", "--set=model.V0=2"), 0);
    assert_contains(log, "replaces the sweep over that key (2 values)");
    char *text = slurp(log);
    /* model.T left the sweep; model.V0 left the zip group, model.N still varies */
    cr_assert(strstr(text, "model.T") == NULL || strstr(text, "model.T=1.25") != NULL, "%s", text);
    cr_assert(strstr(text, " model.N ") != NULL && strstr(text, " model.V0 ") == NULL, "%s", text);
    /* every line of the table has the same length: aligned columns */
    char *table = strstr(text, "point ");
    cr_assert_not_null(table, "%s", text);
    size_t width = strcspn(table, "\n");
    char *line = table;
    for (int row = 0; row < 3; row++) {
        cr_assert_eq(strcspn(line, "\n"), width, "line %d of the table is not aligned:\n%s", row, table);
        line += width + 1;
    }
    char *summary = slurp(path_of(dir, "summary.csv"));
    cr_assert(strncmp(summary, "point,model.N,mode,", 19) == 0, "%s", summary);
    free(summary);
    free(text);
}

Test(rundir, sigint_is_honoured_in_every_phase_of_a_large_campaign, .timeout = 120)
{
    char root[64], dir[128], log[128], config[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/run", root);
    snprintf(log, sizeof log, "%s/log", root);
    snprintf(config, sizeof config, "%s/large.yaml", root);
    /* 10^7 points (the maximum) of deterministic references only */
    write_text(config, "kmc: {trajectories: 0}\ngrid: {points: 20}\nfit: {q_levels: {count: 5}}\nsweep:\n"
                       "  model.T: {linspace: [0.5, 2, 3125]}\n  model.V0: {linspace: [0.5, 2, 3200]}\n");
    /* signals from the start (loading, start-up) to well into the points */
    const long delays_ms[] = {5, 30, 80, 150, 300, 600, 1200};
    for (size_t i = 0; i < sizeof delays_ms / sizeof delays_ms[0]; i++) {
        pid_t pid = start(log, (limits){0, 0}, (const char *const[]){"run", config, "-o", dir, "--quiet", NULL});
        sleep_ms(delays_ms[i]);
        struct timespec sent, ended;
        clock_gettime(CLOCK_MONOTONIC, &sent);
        kill(pid, SIGINT);
        int status = 0;
        cr_assert_eq(waitpid(pid, &status, 0), pid);
        /* 130, or (a signal before main installed its handler) death by SIGINT */
        cr_assert((WIFEXITED(status) && WEXITSTATUS(status) == 130) || (WIFSIGNALED(status) && WTERMSIG(status) == SIGINT),
                  "after %ld ms: status %d", delays_ms[i], status);
        clock_gettime(CLOCK_MONOTONIC, &ended);
        double seconds = (double)(ended.tv_sec - sent.tv_sec) + 1e-9 * (double)(ended.tv_nsec - sent.tv_nsec);
        cr_assert_lt(seconds, 5.0, "SIGINT after %ld ms took %.1f s to stop the run", delays_ms[i], seconds);
        cr_assert_eq(count_temporaries(dir), 0);
    }
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
}

/* The spatial observables are files of the point like its tables: checksummed
 * in `done` (verify finds a damaged one, resume recomputes it) and removed by
 * --force (they are lrekmc's own). */
Test(rundir, spatial_observable_files_are_checked_and_replaced, .timeout = 120)
{
    char root[64], dir[128], log[128];
    make_root(root);
    snprintf(dir, sizeof dir, "%s/space", root);
    snprintf(log, sizeof log, "%s/log", root);
    cr_assert_eq(LREKMC(log, "run", SPACE_SWEEP, "-o", dir, "--quiet"), 0);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    edit_file(path_of(dir, "points/1/snapshots.csv"), "0.", "1.");
    cr_assert_eq(LREKMC(log, "verify", dir), 1);
    assert_contains(log, "points/1/snapshots.csv");
    cr_assert_eq(LREKMC(log, "run", SPACE_SWEEP, "-o", dir, "--quiet"), 0);
    assert_contains(log, "1 computed, 1 kept");
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    /* a different campaign over it: --force leaves exactly the new one */
    cr_assert_eq(LREKMC(log, "run", SMALL_SWEEP, "-o", dir, "--quiet", "--force"), 0);
    cr_assert_eq(LREKMC(log, "verify", dir), 0);
    struct stat info;
    cr_assert_neq(stat(path_of(dir, "points/1/snapshots.csv"), &info), 0, "an old spatial file survived --force");
}
