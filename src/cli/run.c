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
    /* A file-size limit (ulimit -f) then fails the write with EFBIG, which
     * the library reports with the path, instead of killing the process. */
    signal(SIGXFSZ, SIG_IGN);
}

static const char run_usage[] =
    "usage: lrekmc run FILE [options]\n"
    "\n"
    "Simulate the campaign configured in FILE (YAML) and write its run directory:\n"
    "run.yaml, summary.csv and points/<k>/{relaxation,levels}.csv.  Running again\n"
    "into the same directory resumes: every finished point whose checksums hold\n"
    "and whose configuration is one of the campaign's is kept (wherever its index\n"
    "now is, so a campaign may grow); a damaged one is computed again.  One run at\n"
    "a time writes a directory (a lock).  `lrekmc verify DIR` checks it.\n"
    "\n"
    "options:\n"
    "  --set KEY=VALUE   override a configuration key (repeatable), e.g. --set model.T=0.5\n"
    "  -o, --output DIR  run directory (default: output.dir of the configuration)\n"
    "  --threads N       OpenMP threads (default: kmc.threads; 0 = all cores)\n"
    "  --seed S          random seed (same as --set kmc.seed=S)\n"
    "  --quiet           no progress line and no summary table\n"
    "  --force           replace the points of a different configuration: the\n"
    "                    directory then holds exactly this campaign\n"
    "  --dry-run         list the points and the events to simulate, write nothing\n"
    "  -h, --help        this help\n"
    "\n"
    "exit status: 0 done; 1 run failure (disk full, file-size limit, a directory\n"
    "locked by another run); 2 usage or configuration error (including a point too\n"
    "large for memory, or finished points this campaign would drop without --force);\n"
    "130 interrupted (SIGINT/SIGTERM, at any phase; finished points are kept).\n"
    "\n"
    "Results do not depend on --threads, nor on MPI ranks (mpirun -np R lrekmc run FILE\n"
    "with a -DLREKMC_MPI=ON build; see docs/clusters.md).  Configuration keys:\n"
    "lrekmc check --help; the outputs: README.md, section Output.\n";

typedef struct run_options {
    const char *output_dir;
    const char *seed;          /* --seed S: applied as kmc.seed=S */
    int threads;
    int quiet, force, dry_run;
} run_options;

/* The options of `run` beyond FILE, --set and --help (cli.h's callback). */
static int parse_run_option(void *context, int argc, char **argv, int i)
{
    run_options *o = context;
    const char *arg = argv[i];
    const char *equals = strchr(arg, '=');
    size_t name_length = equals ? (size_t)(equals - arg) : strlen(arg);
    const char *value = equals ? equals + 1 : (i + 1 < argc ? argv[i + 1] : NULL);
    int used = equals ? 1 : 2;
#define IS(name) (strlen(name) == name_length && strncmp(arg, name, name_length) == 0)
    if (IS("--quiet") || IS("--force") || IS("--dry-run")) {
        if (equals != NULL) {
            fprintf(stderr, "lrekmc run: %.*s takes no value\n", (int)name_length, arg);
            return -1;
        }
        *(IS("--quiet") ? &o->quiet : IS("--force") ? &o->force : &o->dry_run) = 1;
        return 1;
    }
    if (!(IS("-o") || IS("--output") || IS("--threads") || IS("--seed")))
        return 0;
    if (value == NULL) {
        fprintf(stderr, "lrekmc run: %.*s needs a value (see lrekmc run --help)\n", (int)name_length, arg);
        return -1;
    }
    if (IS("--threads")) {
        char *end = NULL;
        long threads = strtol(value, &end, 10);
        if (end == value || *end != '\0' || threads < 0 || threads > 1024) {
            fprintf(stderr, "lrekmc run: --threads %s: expected an integer in [0, 1024]\n", value);
            return -1;
        }
        o->threads = (int)threads;
    } else if (IS("--seed")) {
        o->seed = value;
    } else {
        o->output_dir = value;
    }
#undef IS
    return used;
}

/* A progress line on stderr, redrawn in place: only on a terminal. */
static void show_progress(void *user, const lrk_campaign_progress *p)
{
    (void)user;
    if (p->phase != NULL) {
        fprintf(stderr, "\r\033[K%s: %zu/%zu", p->phase, p->points_done, p->point_count);
        fflush(stderr);
        return;
    }
    double rate = p->seconds > 0 ? p->events_done / p->seconds : 0;
    double left = p->events_total - p->events_done;
    fprintf(stderr, "\r\033[Kpoint %zu/%zu  trajectories %ld/%ld  %.3g events/s",
            p->points_done + 1 > p->point_count ? p->point_count : p->points_done + 1, p->point_count,
            p->trajectories_done, p->trajectories, rate);
    if (rate > 0 && left > 0)
        fprintf(stderr, "  ETA %.0f s", left / rate);
    fflush(stderr);
}

/* A line about the directory (a damaged point, a removed temporary). */
static void show_notice(void *user, const char *message)
{
    int interactive = *(const int *)user;
    fprintf(stderr, "%slrekmc run: %s\n", interactive ? "\r\033[K" : "", message);
}

static char *join_command_line(int argc, char **argv)
{
    size_t size = sizeof "lrekmc";
    for (int i = 0; i < argc; i++)
        size += strlen(argv[i]) + 1;
    char *line = calloc(size, 1);
    if (line != NULL)
        strcpy(line, "lrekmc");
    for (int i = 0; line != NULL && i < argc; i++) {
        strcat(line, " ");
        strcat(line, argv[i]);
    }
    return line;
}

static int run_campaign(const lrk_config *config, const run_options *o, int argc, char **argv)
{
    int interactive = !o->quiet && isatty(STDERR_FILENO);
    char *command_line = join_command_line(argc, argv);
    lrk_campaign_options options = {.output_dir = o->output_dir, .threads = o->threads, .force = o->force,
                                    .command_line = command_line, .stop = &stop_requested,
                                    .progress = interactive ? show_progress : NULL,
                                    .notice = show_notice, .notice_user = &interactive};
    lrk_campaign_report report;
    lrk_error err = {{0}};
    lrk_status s = lrk_campaign_run(config, &options, &report, &err);
    if (interactive)
        fputs("\r\033[K", stderr);
    int code = LRK_CLI_OK;
    if (s == LRK_ERR_INTERRUPTED) {
        fprintf(stderr, "lrekmc run: interrupted; %zu finished point(s) are kept in %s (run again to resume)\n",
                report.points_kept + report.points_computed, report.output_dir ? report.output_dir : "?");
        code = 130;
    } else if (s != LRK_OK) {
        fprintf(stderr, "lrekmc run: %s\n", err.message);
        code = s == LRK_ERR_INVALID ? LRK_CLI_USAGE : LRK_CLI_FAILED;
    } else {
        if (!o->quiet)
            lrk_campaign_print_summary(report.output_dir, stdout, &err);
        printf("%zu point(s): %zu computed, %zu kept from an earlier run\n", report.point_count,
                   report.points_computed, report.points_kept);
        printf("results: %s\n", report.output_dir);
    }
    lrk_campaign_report_free(&report);
    free(command_line);
    return code;
}

/* The configuration with --seed applied last, or LRK_CLI_USAGE after printing why not. */
static int resolve(const lrk_cli_config_args *args, const run_options *o, lrk_config *config)
{
    lrk_diagnostics d;
    lrk_diagnostics_init(&d);
    lrk_status s = lrk_cli_resolve_config(config, args, &d);
    if (s == LRK_OK && o->seed != NULL) {
        char assignment[128];
        snprintf(assignment, sizeof assignment, "kmc.seed=%s", o->seed);
        s = lrk_config_set(config, assignment, &d);
    }
    if (s != LRK_OK) {
        lrk_diagnostics_print(&d, stderr);
        lrk_config_free(config);
    }
    lrk_diagnostics_free(&d);
    return s == LRK_OK ? LRK_CLI_OK : LRK_CLI_USAGE;
}

int lrk_cli_run(int argc, char **argv)
{
    run_options o = {0};
    lrk_cli_config_args args;
    int code = lrk_cli_parse_config_args("run", argc, argv, &args, parse_run_option, &o);
    if (code == LRK_CLI_OK && args.help)
        fputs(run_usage, stdout);
    if (code != LRK_CLI_OK || args.help) {
        lrk_cli_config_args_free(&args);
        return code;
    }
    /* from here on a signal is a request to stop, honoured in every phase
     * (a dry run writes nothing: the default, immediate end, suits it) */
    if (!o.dry_run)
        install_signal_handlers();
    lrk_config config;
    code = resolve(&args, &o, &config);
    if (code == LRK_CLI_OK && stop_requested) {
        fputs("lrekmc run: interrupted before the run started\n", stderr);
        lrk_config_free(&config);
        lrk_cli_config_args_free(&args);
        return 130;
    }
    if (code == LRK_CLI_OK) {
        if (o.dry_run) {
            lrk_diagnostics d;
            lrk_diagnostics_init(&d);
            if (lrk_campaign_dry_run(&config, stdout, &d) != LRK_OK) {
                lrk_diagnostics_print(&d, stderr);
                code = LRK_CLI_USAGE;
            }
            lrk_diagnostics_free(&d);
        } else {
            code = run_campaign(&config, &o, argc, argv);
        }
        lrk_config_free(&config);
    }
    lrk_cli_config_args_free(&args);
    return code;
}
