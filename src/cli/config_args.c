/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * config_args.c - the FILE [--set KEY=VALUE]... part of a command line and
 * the one way every subcommand turns it into a validated configuration.
 */
#include "cli.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int usage_error(const char *command, const char *what, const char *argument)
{
    fprintf(stderr, "lrekmc %s: %s%s%s%s (try lrekmc %s --help)\n", command, what, argument ? " '" : "",
            argument ? argument : "", argument ? "'" : "", command);
    return LRK_CLI_USAGE;
}

static int add_set(lrk_cli_config_args *args, const char *assignment)
{
    const char **grown = realloc(args->sets, (args->set_count + 1) * sizeof *grown);
    if (grown == NULL)
        return -1;
    args->sets = grown;
    args->sets[args->set_count++] = assignment;
    return 0;
}

int lrk_cli_parse_config_args(const char *command, int argc, char **argv, lrk_cli_config_args *args,
                              lrk_cli_extra_option extra, void *context)
{
    memset(args, 0, sizeof *args);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
            args->help = 1;
        } else if (strcmp(arg, "--set") == 0 || strcmp(arg, "-s") == 0) {
            if (i + 1 >= argc)
                return usage_error(command, "--set needs KEY=VALUE", NULL);
            if (add_set(args, argv[++i]) != 0)
                return usage_error(command, "out of memory", NULL);
        } else if (strncmp(arg, "--set=", 6) == 0) {
            if (add_set(args, arg + 6) != 0)
                return usage_error(command, "out of memory", NULL);
        } else if (arg[0] == '-' && arg[1] != '\0') {
            int used = extra ? extra(context, argc, argv, i) : 0;
            if (used < 0)
                return LRK_CLI_USAGE;
            if (used == 0)
                return usage_error(command, "unknown option", arg);
            i += used - 1;
        } else if (args->file != NULL) {
            return usage_error(command, "more than one FILE; the second is", arg);
        } else {
            args->file = arg;
        }
    }
    if (args->file == NULL && !args->help)
        return usage_error(command, "missing FILE", NULL);
    return 0;
}

void lrk_cli_config_args_free(lrk_cli_config_args *args)
{
    free(args->sets);
    memset(args, 0, sizeof *args);
}

/* The number of values the sweep gives the key of KEY=VALUE (0: not swept). */
static size_t swept_values(const lrk_config *c, const char *assignment)
{
    const char *equals = strchr(assignment, '=');
    if (equals == NULL)
        return 0;
    while (isspace((unsigned char)*assignment))
        assignment++;
    size_t length = (size_t)(equals - assignment);
    while (length > 0 && isspace((unsigned char)assignment[length - 1]))
        length--;
    for (size_t a = 0; a < c->sweep_axis_count; a++)
        for (size_t i = 0; i < c->sweep_axes[a].key_count; i++)
            if (strlen(c->sweep_axes[a].keys[i]) == length && strncmp(c->sweep_axes[a].keys[i], assignment, length) == 0)
                return c->sweep_axes[a].value_count;
    return 0;
}

lrk_status lrk_cli_resolve_config(lrk_config *c, const lrk_cli_config_args *args, lrk_diagnostics *d)
{
    lrk_config_defaults(c);
    lrk_status status = lrk_config_load_file(c, args->file, d);
    if (status != LRK_OK && status != LRK_ERR_INVALID)
        return status;  /* unreadable file: overrides would only add noise */
    /* Overrides are checked even when the file had errors: report everything at once. */
    for (size_t i = 0; i < args->set_count; i++) {
        size_t swept = swept_values(c, args->sets[i]);
        lrk_status set = lrk_config_set(c, args->sets[i], d);
        if (set == LRK_OK && swept > 0)
            fprintf(stderr, "lrekmc: --set %s replaces the sweep over that key (%zu values) by this one value\n",
                    args->sets[i], swept);
        if (status == LRK_OK)
            status = set;
    }
    if (status == LRK_OK)
        status = lrk_config_validate(c, d);
    return status;
}
