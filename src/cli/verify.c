/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * verify.c - `lrekmc verify DIR`: check a run directory without running
 * anything (lrk_run_dir_verify): each problem on stderr naming the file,
 * a one-line verdict on stdout; exit 0 intact, 1 problems found.
 */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "lrekmc/rundir.h"

static const char verify_usage[] =
    "usage: lrekmc verify DIR\n"
    "\n"
    "Check the run directory DIR without changing it: every finished point's\n"
    "`done` record and the checksums of its tables, summary.csv against the\n"
    "points (one row per finished point, the same values), no temporaries left\n"
    "by a killed run.  Every problem is printed on stderr naming the file.\n"
    "\n"
    "exit status: 0 intact (points of an interrupted run that never finished are\n"
    "counted, not problems), 1 problems found or DIR unreadable, 2 usage error.\n";

static void print_problem(void *user, const char *message)
{
    (void)user;
    fprintf(stderr, "lrekmc verify: %s\n", message);
}

int lrk_cli_verify(int argc, char **argv)
{
    if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        fputs(verify_usage, stdout);
        return LRK_CLI_OK;
    }
    if (argc != 2 || argv[1][0] == '-') {
        fputs("lrekmc verify: expected one run directory (see lrekmc verify --help)\n", stderr);
        return LRK_CLI_USAGE;
    }
    lrk_verify_report report;
    lrk_error err = {{0}};
    if (lrk_run_dir_verify(argv[1], print_problem, NULL, &report, &err) != LRK_OK) {
        fprintf(stderr, "lrekmc verify: %s\n", err.message);
        return LRK_CLI_FAILED;
    }
    printf("%s: %zu finished point(s)", argv[1], report.points_finished);
    if (report.points_outdated > 0)
        printf(", %zu made by another results version (a resumed run computes them again)", report.points_outdated);
    if (report.points_unfinished > 0)
        printf(", %zu unfinished (run again to complete)", report.points_unfinished);
    if (report.problems > 0)
        printf(", %zu problem(s)\n", report.problems);
    else
        printf(", intact\n");
    return report.problems > 0 ? LRK_CLI_FAILED : LRK_CLI_OK;
}
