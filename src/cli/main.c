/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * main.c - the lrekmc command-line program.  It only parses arguments and
 * calls the library; everything it prints comes from library results.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lrekmc/parallel.h"
#include "lrekmc/version.h"

static void print_usage(FILE *out)
{
    fputs("usage: lrekmc <command> [options]\n"
          "\n"
          "commands:\n"
          "  run FILE     simulate the configured campaign and write its results\n"
          "  check FILE   validate FILE and print the resolved configuration\n"
          "  verify DIR   check a run directory's files without running anything\n"
          "  fit DATA     fit the LRE model and KWW to measured relaxation curves (CSV)\n"
          "\n"
          "  lrekmc --help | --version\n"
          "\n"
          "lrekmc COMMAND --help describes each command.\n",
          out);
}

static int dispatch(int argc, char **argv)
{
    if (argc < 2) {
        print_usage(stderr);
        return 2;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        print_usage(stdout);
        return 0;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("lrekmc %s (git %s)\n", lrk_version(), lrk_git_revision());
        return 0;
    }
    if (strcmp(argv[1], "check") == 0)
        return lrk_cli_check(argc - 1, argv + 1);
    if (strcmp(argv[1], "run") == 0)
        return lrk_cli_run(argc - 1, argv + 1);
    if (strcmp(argv[1], "verify") == 0)
        return lrk_cli_verify(argc - 1, argv + 1);
    if (strcmp(argv[1], "fit") == 0)
        return lrk_cli_fit(argc - 1, argv + 1);
    fprintf(stderr, "lrekmc: unknown command '%s' (try lrekmc --help)\n", argv[1]);
    return 2;
}

/* Under mpirun or srun (built with -DLREKMC_MPI=ON) rank 0 is the program
 * and the other ranks only serve it KMC slices; lrk_parallel_init is
 * MPI_Init_thread there, and nothing in a plain process or a serial build
 * (parallel.h). */
int main(int argc, char **argv)
{
    lrk_error err = {{0}};
    if (lrk_parallel_init(&argc, &argv, &err) != LRK_OK) {
        fprintf(stderr, "lrekmc: %s\n", err.message);
        return LRK_CLI_FAILED;
    }
    int code = lrk_parallel_rank() == 0 ? dispatch(argc, argv) : lrk_cli_worker();
    lrk_parallel_finalize();
    return code;
}
