/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * run.c - `lrekmc run FILE`: parse options, load the configuration, hand the
 * campaign to the library, show progress on a terminal, print the summary.
 */
#define _POSIX_C_SOURCE 200809L
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "lrekmc/campaign.h"

static volatile sig_atomic_t stop_requested = 0;

static void request_stop(int signal_number)
{
    stop_requested = 1;
    /* A second signal of the same kind ends the process at once. */
    signal(signal_number, SIG_DFL);
}

static void install_signal_handlers(void)
{
    struct sigaction action;
    memset(&action, 0, sizeof action);
    action.sa_handler = request_stop;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, NULL);
    sigaction(SIGTERM, &action, NULL);
}

static const char run_usage[] =
    "usage: lrekmc run FILE [options]\n"
    "\n"
    "Simulate the campaign configured in FILE (YAML) and write its run directory:\n"
    "run.yaml, summary.csv and points/<k>/{relaxation,levels}.csv.  Running again\n"
    "into the same directory resumes: finished points are kept.\n"
    "\n"
    "options:\n"
    "  --set KEY=VALUE   override a configuration key (repeatable), e.g. --set model.T=0.5\n"
    "  -o, --output DIR  run directory (default: output.dir of the configuration)\n"
    "  --threads N       OpenMP threads (default: kmc.threads; 0 = all cores)\n"
    "  --seed S          random seed (same as --set kmc.seed=S)\n"
    "  --quiet           no progress line and no summary table\n"
    "  --force           replace a directory made by a different configuration\n"
    "  --dry-run         list the points and the events to simulate, write nothing\n"
    "  -h, --help        this help\n"
    "\n"
    "exit status: 0 done, 1 run failure (e.g. disk), 2 usage or configuration error,\n"
    "130 interrupted (SIGINT/SIGTERM; finished points are kept).\n";

typedef struct run_arguments {
    lrk_cli_common common;     /* FILE and --set overrides */
    const char *output_dir;
    int threads;
    int quiet, force, dry_run;
} run_arguments;

/* Returns -1 to go on, or an exit status. */
static int parse_run_arguments(int argc, char **argv, run_arguments *a)
{
    memset(a, 0, sizeof *a);
    for (int i = 2; i < argc; i++) {
        const char *arg = argv[i];
        int consumed = lrk_cli_common_option(&a->common, argc, argv, &i);
        if (consumed < 0)
            return 2;
        if (consumed > 0)
            continue;
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            fputs(run_usage, stdout);
            return 0;
        } else if (strcmp(arg, "-o") == 0 || strcmp(arg, "--output") == 0) {
            if (!(a->output_dir = lrk_cli_value(argc, argv, &i)))
                return 2;
        } else if (strcmp(arg, "--threads") == 0) {
            const char *v = lrk_cli_value(argc, argv, &i);
            if (v == NULL || lrk_cli_parse_int(arg, v, 0, 1024, &a->threads) != 0)
                return 2;
        } else if (strcmp(arg, "--seed") == 0) {
            const char *v = lrk_cli_value(argc, argv, &i);
            if (v == NULL || lrk_cli_common_add_set(&a->common, "kmc.seed", v) != 0)
                return 2;
        } else if (strcmp(arg, "--quiet") == 0) {
            a->quiet = 1;
        } else if (strcmp(arg, "--force") == 0) {
            a->force = 1;
        } else if (strcmp(arg, "--dry-run") == 0) {
            a->dry_run = 1;
        } else if (arg[0] == '-' || a->common.file != NULL) {
            fprintf(stderr, "lrekmc run: unexpected argument '%s' (see lrekmc run --help)\n", arg);
            return 2;
        } else {
            a->common.file = arg;
        }
    }
    if (a->common.file == NULL) {
        fputs("lrekmc run: missing configuration FILE (see lrekmc run --help)\n", stderr);
        return 2;
    }
    return -1;
}

/* A progress line on stderr, redrawn in place: only on a terminal. */
static void show_progress(void *user, const lrk_campaign_progress *p)
{
    (void)user;
    double rate = p->seconds > 0 ? p->events_done / p->seconds : 0;
    double left = p->events_total - p->events_done;
    fprintf(stderr, "\r\033[Kpoint %zu/%zu  trajectories %ld/%ld  %.3g events/s",
            p->points_done + 1 > p->point_count ? p->point_count : p->points_done + 1, p->point_count,
            p->trajectories_done, p->trajectories, rate);
    if (rate > 0 && left > 0)
        fprintf(stderr, "  ETA %.0f s", left / rate);
    fflush(stderr);
}

static char *join_command_line(int argc, char **argv)
{
    size_t size = 1;
    for (int i = 0; i < argc; i++)
        size += strlen(argv[i]) + 1;
    char *line = calloc(size, 1);
    for (int i = 0; line != NULL && i < argc; i++) {
        if (i > 0)
            strcat(line, " ");
        strcat(line, argv[i]);
    }
    return line;
}

static int run_campaign(const lrk_config *config, const run_arguments *a, int argc, char **argv)
{
    int interactive = !a->quiet && isatty(STDERR_FILENO);
    char *command_line = join_command_line(argc, argv);
    lrk_campaign_options options = {.output_dir = a->output_dir, .threads = a->threads, .force = a->force,
                                    .command_line = command_line, .stop = &stop_requested,
                                    .progress = interactive ? show_progress : NULL};
    lrk_campaign_report report;
    lrk_error err = {{0}};
    install_signal_handlers();
    lrk_status s = lrk_campaign_run(config, &options, &report, &err);
    if (interactive)
        fputs("\r\033[K", stderr);
    int code = 0;
    if (s == LRK_ERR_INTERRUPTED) {
        fprintf(stderr, "lrekmc run: interrupted; %zu point(s) finished are kept in %s (run again to resume)\n",
                report.points_kept + report.points_computed, report.output_dir ? report.output_dir : "?");
        code = 130;
    } else if (s != LRK_OK) {
        fprintf(stderr, "lrekmc run: %s\n", err.message);
        code = s == LRK_ERR_INVALID ? 2 : 1;
    } else {
        if (!a->quiet) {
            lrk_campaign_print_summary(report.output_dir, stdout, &err);
            printf("%zu point(s): %zu computed, %zu kept from an earlier run\n", report.point_count,
                   report.points_computed, report.points_kept);
        }
        printf("results: %s\n", report.output_dir);
    }
    lrk_campaign_report_free(&report);
    free(command_line);
    return code;
}

int lrk_cli_run(int argc, char **argv)
{
    run_arguments a;
    int code = parse_run_arguments(argc, argv, &a);
    if (code >= 0) {
        lrk_cli_common_free(&a.common);
        return code;
    }
    lrk_config config;
    code = lrk_cli_load_config(&a.common, &config);
    if (code == 0) {
        if (a.dry_run) {
            lrk_diagnostics d;
            lrk_diagnostics_init(&d);
            if (lrk_campaign_dry_run(&config, stdout, &d) != LRK_OK) {
                lrk_diagnostics_print(&d, stderr);
                code = 2;
            }
            lrk_diagnostics_free(&d);
        } else {
            code = run_campaign(&config, &a, argc, argv);
        }
        lrk_config_free(&config);
    }
    lrk_cli_common_free(&a.common);
    return code;
}
