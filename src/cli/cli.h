/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.h - pieces shared by the subcommands of the lrekmc program: the
 * configuration FILE with its `--set KEY=VALUE` overrides, and option values.
 * Every function prints its own one-line message on stderr when it fails.
 */
#ifndef LREKMC_CLI_H
#define LREKMC_CLI_H

#include <stddef.h>

#include "lrekmc/config.h"

typedef struct lrk_cli_common {
    const char *file;      /* the configuration FILE */
    size_t set_count;
    char **sets;           /* "KEY=VALUE", owned */
} lrk_cli_common;

/* If argv[*i] is `--set` (`--set K=V` or `--set=K=V`), record it and return 1
 * (advancing *i past its value); 0 if it is another argument; -1 on error. */
int lrk_cli_common_option(lrk_cli_common *c, int argc, char **argv, int *i);

/* Record KEY=VALUE as if given with --set; 0 or -1. */
int lrk_cli_common_add_set(lrk_cli_common *c, const char *key, const char *value);

void lrk_cli_common_free(lrk_cli_common *c);

/* The value of option argv[*i]: `--opt=value` or `--opt value`; NULL after
 * printing an error when it is missing. */
const char *lrk_cli_value(int argc, char **argv, int *i);

/* Parse an integer option value in [min, max]; 0 or -1 after a message. */
int lrk_cli_parse_int(const char *option, const char *text, int min, int max, int *out);

/* Load FILE, apply the overrides, validate.  Returns 0, or 2 after printing
 * every error (one per line); config is then freed. */
int lrk_cli_load_config(const lrk_cli_common *c, lrk_config *config);

/* Subcommands: each returns the process exit status. */
int lrk_cli_run(int argc, char **argv);
int lrk_cli_check(int argc, char **argv);

#endif /* LREKMC_CLI_H */
