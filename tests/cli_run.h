/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_run.h - run the lrekmc program from a test and capture its exit
 * status, signal, stdout and stderr (shared by the bad-input corpora of
 * configurations and fit data).  Include after <criterion/criterion.h>;
 * needs LREKMC_CLI.
 */
#ifndef LREKMC_TESTS_CLI_RUN_H
#define LREKMC_TESTS_CLI_RUN_H

#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

typedef struct run_result {
    int exited, status, signal;
    char *out, *err;
} run_result;

static inline char *slurp_fd(int fd)
{
    size_t size = 0, capacity = 4096;
    char *buf = malloc(capacity + 1);
    cr_assert_not_null(buf);
    lseek(fd, 0, SEEK_SET);
    ssize_t got;
    while ((got = read(fd, buf + size, capacity - size)) > 0) {
        size += (size_t)got;
        if (size == capacity) {
            capacity *= 2;
            buf = realloc(buf, capacity + 1);
            cr_assert_not_null(buf);
        }
    }
    buf[size] = '\0';
    return buf;
}

static inline int temp_fd(void)
{
    char name[] = "/tmp/lrekmc-test-XXXXXX";
    int fd = mkstemp(name);
    cr_assert(fd >= 0, "mkstemp failed");
    unlink(name);
    return fd;
}

/* Run the CLI with argv (NULL-terminated, argv[0] ignored). */
static inline run_result run_cli(char *const argv[])
{
    run_result r = {0, 0, 0, NULL, NULL};
    int out = temp_fd(), err = temp_fd();
    fflush(NULL);
    pid_t pid = fork();
    cr_assert(pid >= 0, "fork failed");
    if (pid == 0) {
        dup2(out, 1);
        dup2(err, 2);
        execv(LREKMC_CLI, argv);
        _exit(127);
    }
    int status;
    cr_assert_eq(waitpid(pid, &status, 0), pid);
    r.exited = WIFEXITED(status);
    r.status = r.exited ? WEXITSTATUS(status) : -1;
    r.signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
    r.out = slurp_fd(out);
    r.err = slurp_fd(err);
    close(out);
    close(err);
    return r;
}

static inline void free_result(run_result *r)
{
    free(r->out);
    free(r->err);
}

#endif /* LREKMC_TESTS_CLI_RUN_H */
