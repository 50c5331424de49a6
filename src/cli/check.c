/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * check.c - `lrekmc check FILE [--set KEY=VALUE]...`: load and validate a
 * configuration, then print it fully resolved (stdout, exit 0) or print
 * every problem, one per line (stderr, exit 2).  `check --keys-markdown` and
 * `check --columns-markdown` print the generated reference tables of
 * docs/configuration.md and docs/outputs.md.
 */
#include "cli.h"

#include <stdio.h>
#include <string.h>

#include "lrekmc/campaign.h"

#include "lrekmc/resources.h"

static void print_check_help(FILE *out)
{
    char meaning[512];
    fputs("usage: lrekmc check FILE [--set KEY=VALUE]...\n"
          "\n"
          "Validate the YAML configuration FILE, apply the overrides in order and print\n"
          "the resolved configuration (every key, defaults included) as YAML.\n"
          "Exit status: 0 valid, 2 invalid (every error on stderr, one per line,\n"
          "as FILE:LINE:COLUMN: message or --set KEY: message), including a point\n"
          "whose estimated memory (with kmc.threads threads) exceeds what this\n"
          "process may use: what check accepts, run can run.\n"
          "\n"
          "options:\n"
          "  --set KEY=VALUE   override one scalar key (VALUE is a YAML scalar);\n"
          "                    repeatable, also --set=KEY=VALUE\n"
          "  --keys-markdown   (alone) print the key reference of docs/configuration.md\n"
          "  --columns-markdown  (alone) print the column reference of docs/outputs.md\n"
          "  -h, --help        this help\n"
          "\n"
          "keys:\n",
          out);
    for (size_t i = 0; lrk_config_key_name(i) != NULL; i++) {
        lrk_config_key_describe(i, meaning, sizeof meaning);
        fprintf(out, "  %-27s %s\n", lrk_config_key_name(i), meaning);
    }
    fputs("\nsweep: KEY: [v, ...] | {linspace: [a, b, n]} | {logspace: [a, b, n]};\n"
          "       zip: {KEY: ..., KEY: ...} varies its keys together.\n",
          out);
}

int lrk_cli_check(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--keys-markdown") == 0 || strcmp(argv[1], "--columns-markdown") == 0)) {
        if (argv[1][2] == 'k')
            lrk_config_keys_markdown(stdout);
        else
            lrk_outputs_markdown(stdout);
        return fflush(stdout) == 0 ? LRK_CLI_OK : LRK_CLI_FAILED;
    }
    lrk_cli_config_args args;
    int usage = lrk_cli_parse_config_args("check", argc, argv, &args, NULL, NULL);
    if (usage != 0) {
        lrk_cli_config_args_free(&args);
        return usage;
    }
    if (args.help) {
        print_check_help(stdout);
        lrk_cli_config_args_free(&args);
        return LRK_CLI_OK;
    }
    lrk_config c;
    lrk_diagnostics d;
    lrk_error err = {"write error on standard output"};
    lrk_diagnostics_init(&d);
    lrk_status status = lrk_cli_resolve_config(&c, &args, &d);
    int code = LRK_CLI_OK;
    if (status != LRK_OK) {
        lrk_diagnostics_print(&d, stderr);
        code = (status == LRK_ERR_INVALID || status == LRK_ERR_IO) ? LRK_CLI_USAGE : LRK_CLI_FAILED;
    } else if (lrk_campaign_check_memory(&c, 0, &err) != LRK_OK) {
        /* the same refusal as `run` (with kmc.threads; run --threads may differ) */
        fprintf(stderr, "%s: %s\n", args.file, err.message);
        code = LRK_CLI_USAGE;
    } else if (lrk_config_emit(&c, stdout, &err) != LRK_OK || fflush(stdout) != 0) {
        fprintf(stderr, "lrekmc check: %s\n", err.message);
        code = LRK_CLI_FAILED;
    }
    lrk_diagnostics_free(&d);
    lrk_config_free(&c);
    lrk_cli_config_args_free(&args);
    return code;
}
