/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli.c - option handling shared by the subcommands (cli.h).
 */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *lrk_cli_value(int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    const char *equals = strchr(arg, '=');
    if (arg[0] == '-' && arg[1] == '-' && equals != NULL)
        return equals + 1;
    if (*i + 1 >= argc) {
        fprintf(stderr, "lrekmc: option %s needs a value\n", arg);
        return NULL;
    }
    return argv[++*i];
}

static int push_set(lrk_cli_common *c, char *assignment)
{
    char **grown = assignment ? realloc(c->sets, (c->set_count + 1) * sizeof *grown) : NULL;
    if (grown == NULL) {
        free(assignment);
        fputs("lrekmc: out of memory\n", stderr);
        return -1;
    }
    c->sets = grown;
    c->sets[c->set_count++] = assignment;
    return 0;
}

int lrk_cli_common_option(lrk_cli_common *c, int argc, char **argv, int *i)
{
    const char *arg = argv[*i];
    if (strcmp(arg, "--set") != 0 && strncmp(arg, "--set=", 6) != 0)
        return 0;
    const char *value = lrk_cli_value(argc, argv, i);
    if (value == NULL)
        return -1;
    if (strchr(value, '=') == NULL) {
        fprintf(stderr, "lrekmc: --set %s: expected KEY=VALUE, e.g. --set model.T=0.5\n", value);
        return -1;
    }
    return push_set(c, strdup(value)) == 0 ? 1 : -1;
}

int lrk_cli_common_add_set(lrk_cli_common *c, const char *key, const char *value)
{
    size_t size = strlen(key) + strlen(value) + 2;
    char *assignment = malloc(size);
    if (assignment != NULL)
        snprintf(assignment, size, "%s=%s", key, value);
    return push_set(c, assignment);
}

void lrk_cli_common_free(lrk_cli_common *c)
{
    for (size_t i = 0; i < c->set_count; i++)
        free(c->sets[i]);
    free(c->sets);
    c->sets = NULL;
    c->set_count = 0;
}

int lrk_cli_parse_int(const char *option, const char *text, int min, int max, int *out)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        fprintf(stderr, "lrekmc: %s %s: expected an integer in [%d, %d]\n", option, text, min, max);
        return -1;
    }
    *out = (int)value;
    return 0;
}

int lrk_cli_load_config(const lrk_cli_common *c, lrk_config *config)
{
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_config_defaults(config);
    lrk_status s = lrk_config_load_file(config, c->file, &d);
    for (size_t i = 0; s == LRK_OK && i < c->set_count; i++)
        s = lrk_config_set(config, c->sets[i], &d);
    if (s == LRK_OK)
        s = lrk_config_validate(config, &d);
    if (s != LRK_OK) {
        lrk_diagnostics_print(&d, stderr);
        lrk_config_free(config);
    }
    lrk_diagnostics_free(&d);
    return s == LRK_OK ? 0 : 2;
}
