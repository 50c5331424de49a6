# SPDX-License-Identifier: GPL-3.0-or-later
"""test_data.py ANALYSIS_DIR FAKE_DIR - checks of analysis/lrekmc_data.py and
of the formulas the plots draw, on the synthetic runs of make_fake_run.py.
Exit 0 when every check holds; the first failure is printed."""

import math
import os
import shutil
import sys
import tempfile

import numpy as np

sys.dont_write_bytecode = True


def check(condition, message):
    if not condition:
        raise AssertionError(message)


def test_summary(data, fake):
    run = data.Run(os.path.join(fake, "crossover"))
    check(len(run.rows) == 8, "crossover run has 8 points")
    check(run.rows[0]["mode"] == "crossover", "text fields stay text")
    check(run.rows[0]["beta_kmc"] is None, "an empty field reads as None")
    check(math.isnan(run.column("beta_kmc")[0]), "an empty field is NaN in a column")
    check(not run.has("beta_kmc") and run.has("beta_ode"), "has() means some value present")
    check(run.swept_keys() == ["model.T"], "dotted columns are the swept keys")
    check(np.isnan(run.column("no_such_column")).all(), "an absent column is all NaN")
    check(run.label(0).startswith("T=0.045"), f"label from the swept key: {run.label(0)!r}")


def test_tables(data, fake):
    run = data.Run(os.path.join(fake, "sweep"))
    check(run.point_ids() == list(range(6)), "six points")
    check(sorted(run.points) == list(range(6)), "zero-padded directories map to 0..5")
    table = run.relaxation(3)
    check(table.has_data("q_mean") and table.has_data("q_ode"), "KMC and ODE columns")
    check(not table.has_data("nothing") and np.isnan(table.get("nothing")).all(),
          "get() of an absent column is NaN")
    check(abs(table["q_ode"][-1] - 0.99) < 1e-3, "the grid ends where the ODE reaches q_max")
    levels, times = run.first_passage(0) or (None, None)
    check(levels is None, "no first_passage.csv in the sweep run")
    fluct = data.Run(os.path.join(fake, "fluctuations"))
    levels, times = fluct.first_passage(0)
    check(list(levels) == [0.1, 0.5, 0.9], f"levels from the headers: {levels}")
    check(times.shape[1] == 3 and times.shape[0] > 100, "trajectories x levels")


def test_errors(data, fake):
    for path, expected in ((os.path.join(fake, "no-such-run"), "no such directory"),
                           (os.path.join(fake, "broken"), "missing column(s) beta_ode")):
        try:
            data.Run(path)
        except data.DataError as exc:
            check(expected in str(exc), f"message {exc} names the problem")
        else:
            raise AssertionError(f"{path} was accepted")
    run = data.Run(os.path.join(fake, "badtable"))
    try:
        run.relaxation(0)
    except data.DataError as exc:
        check("q_ode" in str(exc), "the missing column is named")
    else:
        raise AssertionError("relaxation.csv without q_ode was accepted")
    for text in ("0,x", "99"):
        try:
            data.parse_points(text, run)
        except data.DataError:
            pass
        else:
            raise AssertionError(f"--points {text} was accepted")


def test_point_names(data, fake):
    scratch = tempfile.mkdtemp()
    try:
        run_dir = os.path.join(scratch, "run")
        shutil.copytree(os.path.join(fake, "fluctuations"), run_dir)
        points = os.path.join(run_dir, "points")
        for k, name in enumerate(("alpha", "beta", "gamma")):
            os.rename(os.path.join(points, str(k)), os.path.join(points, name))
        run = data.Run(run_dir)
        check(run.points[1].endswith("beta"), "unnumbered directories in sorted order")
        os.rename(os.path.join(points, "gamma"), os.path.join(points, "point-7"))
        os.rename(os.path.join(points, "alpha"), os.path.join(points, "point-0"))
        os.rename(os.path.join(points, "beta"), os.path.join(points, "point-12"))
        run = data.Run(run_dir)
        check(sorted(run.points) == [0, 7, 12], "numbers at the end of the names")
    finally:
        shutil.rmtree(scratch)


def test_formulas(analysis):
    sys.path.insert(0, analysis)
    import lrekmc_data as data
    plot_beta = data.import_lrekmc().plot  # the formulas the plots draw live there
    check(abs(data.kww(4.0, 0.8, 4.0) - (1 - math.exp(-1))) < 1e-15, "KWW at t = tau")
    check(data.kww(0.0, 0.5, 1.0) == 0.0, "KWW at t = 0")
    check(abs(plot_beta.crossover_f(0.06, 0.5, 0.06) - 0.5) < 1e-15, "f(T0) = 1/2")
    check(plot_beta.crossover_f(1.0, 0.5, 0.06) < 0.001, "f -> 0 at high T (SER)")
    check(plot_beta.crossover_f(0.03, 0.5, 0.06) > 0.99, "f -> 1 at low T (CER)")


def main():
    analysis, fake = sys.argv[1], sys.argv[2]
    sys.path.insert(0, analysis)
    import lrekmc_data as data
    for test in (test_summary, test_tables, test_errors, test_point_names):
        test(data, fake)
        print(f"ok: {test.__name__}")
    test_formulas(analysis)
    print("ok: test_formulas")
    return 0


if __name__ == "__main__":
    sys.exit(main())
