/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h - subcommands of the lrekmc program and the argument handling they
 * share (a configuration FILE plus `--set KEY=VALUE` overrides).
 */
#ifndef LREKMC_CLI_H
#define LREKMC_CLI_H

#include <stddef.h>

#include "lrekmc/config.h"

/* Exit codes of every subcommand. */
#define LRK_CLI_OK 0
#define LRK_CLI_FAILED 1   /* the work itself failed (I/O, numerics) */
#define LRK_CLI_USAGE 2    /* bad arguments or an invalid configuration */

/* FILE and the --set overrides of a command line. */
typedef struct lrk_cli_config_args {
    const char *file;
    size_t set_count;
    const char **sets;     /* owned array of pointers into argv */
    int help;              /* --help or -h was given */
} lrk_cli_config_args;

/* Called for an argument that is not FILE, --set or --help: return the
 * number of arguments consumed (>= 1), 0 for an unknown option, or -1 after
 * printing a usage error. */
typedef int (*lrk_cli_extra_option)(void *context, int argc, char **argv, int i);

/* Parse argv[1..argc-1] of `command` (argv[0] is the command name).
 * Accepts `--set KEY=VALUE` and `--set=KEY=VALUE`.  Returns 0, or
 * LRK_CLI_USAGE after printing a one-line message to stderr.  Free with
 * lrk_cli_config_args_free. */
int lrk_cli_parse_config_args(const char *command, int argc, char **argv, lrk_cli_config_args *args,
                              lrk_cli_extra_option extra, void *context);
void lrk_cli_config_args_free(lrk_cli_config_args *args);

/* Defaults, then FILE, then every override, then lrk_config_validate.
 * Every problem goes to d; returns LRK_OK or the first failing status.
 * c must be freed with lrk_config_free whatever the result. */
lrk_status lrk_cli_resolve_config(lrk_config *c, const lrk_cli_config_args *args, lrk_diagnostics *d);

/* `lrekmc check FILE [--set KEY=VALUE]...`; argv[0] is "check". */
int lrk_cli_check(int argc, char **argv);

/* `lrekmc run FILE [options]`; argv[0] is "run". */
int lrk_cli_run(int argc, char **argv);

/* `lrekmc verify DIR`; argv[0] is "verify". */
int lrk_cli_verify(int argc, char **argv);

/* `lrekmc fit DATA.csv --model MODEL [options]`; argv[0] is "fit". */
int lrk_cli_fit(int argc, char **argv);

/* MPI ranks > 0: serve KMC slices to rank 0 until the run ends (parallel.h). */
int lrk_cli_worker(void);

#endif /* LREKMC_CLI_H */
