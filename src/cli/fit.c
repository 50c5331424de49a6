/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * fit.c - `lrekmc fit DATA.csv --model MODEL`: parse options, read and check
 * the data, call lrk_fit_run and lrk_fit_write (fit_model.h), print a short
 * summary.  The figure is analysis/plot_fit.py's job.
 */
#define _POSIX_C_SOURCE 200809L
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "lrekmc/fit_model.h"

static const char fit_usage[] =
    "usage: lrekmc fit DATA.csv --model MODEL [options]\n"
    "\n"
    "Fit measured relaxation curves (CSV with a header: t, phi or q, and optionally\n"
    "sigma, T, curve; docs/fit-data.md) and compare the LRE model with KWW.\n"
    "\n"
    "models:\n"
    "  kww        phi = A exp(-(t/tau)^beta) + B per curve\n"
    "  lre        the LRE mean-field curve per curve: tau and a = c V1/T (a > 0 SER, a < 0 CER)\n"
    "  ser, cer   one V0, V1, tau0 for all curves (T per curve), a = +V1/T or -V1/T\n"
    "  crossover  one V0, V1, tau0, A, T0: a = (1 - 2 f(T)) V1/T\n"
    "\n"
    "options:\n"
    "  -o, --output DIR      output directory (default: fit)\n"
    "  --amplitude           fit the amplitude A per curve (else A = 1)\n"
    "  --plateau             fit the plateau B per curve (else B = 0)\n"
    "  --bootstrap N         N bootstrap replicates for a second error column\n"
    "  --bootstrap-over W    points (default) or curves (joint models)\n"
    "  --seed S              bootstrap seed (default 1)\n"
    "  --quiet               print nothing on success\n"
    "  -h, --help            this help\n"
    "\n"
    "writes DIR/fit.yaml, parameters.csv, curves.csv, comparison.csv, beta.csv;\n"
    "figure: /usr/bin/python3 analysis/plot_fit.py DIR\n"
    "exit status: 0 done, 1 the fit failed or the output could not be written,\n"
    "2 bad arguments or bad data (the message names FILE:LINE:COLUMN).\n";

typedef struct fit_args {
    const char *data, *output;
    int have_model, quiet;
    lrk_fit_options options;
} fit_args;

static int usage_error(const char *format, const char *value)
{
    fputs("lrekmc fit: ", stderr);
    fprintf(stderr, format, value);
    fputs(" (try lrekmc fit --help)\n", stderr);
    return LRK_CLI_USAGE;
}

static int parse_count(const char *text, unsigned long long *out)
{
    char *end = NULL;
    errno = 0;
    if (text[0] == '-' || text[0] == '\0')
        return 0;
    *out = strtoull(text, &end, 10);
    return errno == 0 && *end == '\0';
}

/* Returns -1 to go on, else the exit code. */
static int parse_args(int argc, char **argv, fit_args *a)
{
    memset(a, 0, sizeof *a);
    a->output = "fit";
    a->options = lrk_fit_options_default();
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i], *value = i + 1 < argc ? argv[i + 1] : NULL;
        int takes = strcmp(arg, "--model") == 0 || strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0 ||
                    strcmp(arg, "--bootstrap") == 0 || strcmp(arg, "--bootstrap-over") == 0 ||
                    strcmp(arg, "--seed") == 0;
        if (takes && value == NULL)
            return usage_error("%s needs a value", arg);
        unsigned long long n = 0;
        lrk_error err = {{0}};
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(fit_usage, stdout);
            return LRK_CLI_OK;
        } else if (strcmp(arg, "--model") == 0) {
            if (lrk_fit_kind_parse(value, &a->options.kind, &err) != LRK_OK)
                return usage_error("%s", err.message);
            a->have_model = 1;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (value[0] == '\0')
                return usage_error("%s: expected a non-empty directory", arg);
            a->output = value;
        } else if (strcmp(arg, "--bootstrap") == 0) {
            if (!parse_count(value, &n) || n > LRK_FIT_MAX_BOOTSTRAP)
                return usage_error("--bootstrap: expected an integer in [0, 100000], got '%s'", value);
            a->options.bootstrap = (size_t)n;
        } else if (strcmp(arg, "--bootstrap-over") == 0) {
            if (strcmp(value, "points") == 0)
                a->options.bootstrap_over = LRK_FIT_BOOTSTRAP_POINTS;
            else if (strcmp(value, "curves") == 0)
                a->options.bootstrap_over = LRK_FIT_BOOTSTRAP_CURVES;
            else
                return usage_error("--bootstrap-over: expected points or curves, got '%s'", value);
        } else if (strcmp(arg, "--seed") == 0) {
            if (!parse_count(value, &n))
                return usage_error("--seed: expected an integer in [0, 2^64 - 1], got '%s'", value);
            a->options.seed = (uint64_t)n;
        } else if (strcmp(arg, "--amplitude") == 0) {
            a->options.free_amplitude = 1;
        } else if (strcmp(arg, "--plateau") == 0) {
            a->options.free_plateau = 1;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (arg[0] == '-' && arg[1] != '\0') {
            return usage_error("unknown option '%s'", arg);
        } else if (a->data == NULL) {
            a->data = arg;
        } else {
            return usage_error("one DATA file expected; '%s' is a second", arg);
        }
        i += takes;
    }
    if (a->data == NULL)
        return usage_error("%s", "missing DATA.csv");
    if (!a->have_model)
        return usage_error("%s", "missing --model (kww, lre, ser, cer or crossover)");
    return -1;
}

static void print_summary(const lrk_fit_data *d, const lrk_fit_report *r, const char *dir)
{
    const lrk_fit_result *m = lrk_fit_report_main(r);
    printf("%s fit of %zu curve%s (%zu points)%s\n", lrk_fit_kind_name(m->kind), d->curve_count,
           d->curve_count == 1 ? "" : "s", d->point_count, d->has_sigma ? ", weighted by sigma" : "");
    for (size_t k = 0; k < m->parameter_count; k++) {
        const lrk_fit_parameter *p = &m->parameters[k];
        printf("  %-10s %-10s %.6g +- %.2g", p->curve >= 0 ? d->curves[p->curve].label : "(shared)", p->name,
               p->value, p->error);
        if (p->bootstrap_error == p->bootstrap_error)
            printf("  (bootstrap %.2g)", p->bootstrap_error);
        putchar('\n');
    }
    const lrk_fit_result *fits[3] = {&r->kww, &r->lre, &r->joint};
    size_t count = lrk_fit_kind_is_joint(r->options.kind) ? 3 : 2;
    const char *names[3] = {"kww", "lre", lrk_fit_kind_name(r->options.kind)};
    const lrk_error *why[3] = {&r->kww_error, &r->lre_error, NULL};
    for (size_t k = 0; k < count; k++) {
        if (fits[k]->parameter_count == 0)
            printf("  %-9s failed: %s\n", names[k], why[k]->message);
        else
            printf("  %-9s chi2/dof %.4g  AIC %.6g  BIC %.6g\n", names[k], fits[k]->chi2_dof, fits[k]->aic,
                   fits[k]->bic);
    }
    if (!r->kww_failed && !r->lre_failed) {
        double delta = r->lre.aic - r->kww.aic;
        printf("  AIC prefers %s over kww by %.3g\n", delta < 0 ? "lre" : "kww", delta < 0 ? -delta : delta);
    }
    if (d->has_sigma && m->chi2_p_value < 1e-3)
        printf("  note: chi2/dof = %.3g is unlikely under the model (p = %.2g): the sigmas are too small or "
               "the model does not describe the data; the errors assume it does\n",
               m->chi2_dof, m->chi2_p_value);
    const lrk_fit_parameter *V1 = lrk_fit_find(m, -1, "V1");
    if (V1 != NULL && V1->value < 0)
        printf("  note: V1 < 0: the data prefer the opposite sign of the coupling (try the other mode)\n");
    printf("wrote %s (figure: /usr/bin/python3 analysis/plot_fit.py %s)\n", dir, dir);
}

static char *join_command_line(int argc, char **argv)
{
    size_t size = 16;
    for (int i = 0; i < argc; i++)
        size += strlen(argv[i]) + 1;
    char *line = malloc(size);
    if (line == NULL)
        return NULL;
    strcpy(line, "lrekmc");
    for (int i = 0; i < argc; i++) {
        strcat(line, " ");
        strcat(line, argv[i]);
    }
    return line;
}

int lrk_cli_fit(int argc, char **argv)
{
    fit_args a;
    int code = parse_args(argc, argv, &a);
    if (code >= 0)
        return code;
    lrk_error err = {{0}};
    lrk_fit_data data;
    lrk_status status = lrk_fit_data_read(a.data, &data, &err);
    if (status == LRK_OK) {
        status = lrk_fit_check(&data, &a.options, &err);
        if (status != LRK_OK)
            lrk_fit_data_free(&data);
    }
    if (status != LRK_OK) {
        fprintf(stderr, "%s\n", err.message);
        return status == LRK_ERR_NOMEM ? LRK_CLI_FAILED : LRK_CLI_USAGE;
    }
    lrk_fit_report report;
    status = lrk_fit_run(&data, &a.options, &report, &err);
    if (status == LRK_OK) {
        char *command = join_command_line(argc, argv);
        status = lrk_fit_write(a.output, &data, &report, command, &err);
        free(command);
        if (status == LRK_OK && !a.quiet)
            print_summary(&data, &report, a.output);
        lrk_fit_report_free(&report);
    }
    lrk_fit_data_free(&data);
    if (status != LRK_OK) {
        fprintf(stderr, "lrekmc fit: %s\n", err.message);
        return status == LRK_ERR_INVALID ? LRK_CLI_USAGE : LRK_CLI_FAILED;
    }
    return LRK_CLI_OK;
}
