#!/usr/bin/python3
# SPDX-License-Identifier: GPL-3.0-or-later
"""Every CSV of a run directory reads unchanged with pandas.read_csv: the
documented columns, numeric where numbers are written, empty fields as NaN.
Usage: read_with_pandas.py RUN_DIR"""
import glob
import os
import sys

import pandas as pd

RELAXATION = ["t", "q_mean", "q_std", "q_sem", "q_p05", "q_p50", "q_p95", "q_ode",
              "q_exact_mean", "q_exact_std", "q_lna_std", "chi4", "chi4_err"]
LEVELS = ["q", "t_mean", "t_std", "t_sem", "t_exact_mean", "t_exact_std", "t_ode"]
SUMMARY = ["mode", "V0", "V1", "T", "N", "trajectories", "seed", "beta_ode", "tau_ode", "rms_ode",
           "beta_kmc", "beta_kmc_err", "tau_kmc", "tau_kmc_err", "rms_kmc", "z_max", "chi2_p",
           "t_max", "t_max_rule", "t_max_ode", "q_kmc_end", "grid_covers"]
# Both protocols' fits, whatever fit.protocol is (docs/fit.md).
BOTH = [f"{name}_{protocol}{suffix}" for protocol in ("qlevels", "timegrid")
        for name, suffix in (("beta_ode", ""), ("tau_ode", ""), ("rms_ode", ""), ("beta_kmc", ""),
                             ("beta_kmc", "_err"), ("tau_kmc", ""), ("tau_kmc", "_err"), ("rms_kmc", ""))]


def main():
    run = sys.argv[1]
    summary = pd.read_csv(os.path.join(run, "summary.csv"))
    assert list(summary.columns[:1]) == ["point"], summary.columns
    missing = [c for c in SUMMARY if c not in summary.columns]
    assert not missing, f"summary.csv lacks {missing}"
    missing = [c for c in BOTH if c not in summary.columns]
    assert not missing, f"summary.csv lacks {missing}"
    for column in ("beta_ode", "tau_ode", "beta_kmc", "z_max", "chi2_p", "t_max", "q_kmc_end", *BOTH):
        assert summary[column].dtype.kind == "f", (column, summary[column].dtype)
    assert summary["grid_covers"].dtype.kind == "i", summary["grid_covers"].dtype
    assert (summary["grid_covers"] == (summary["q_kmc_end"] >= 0.99)).all(), "grid_covers is q_kmc_end >= q_max"
    assert (summary["t_max"] >= summary["t_max_ode"]).all(), "the grid never ends before the ODE's t(q_max)"
    # The point's own protocol is the one in the unsuffixed columns.
    for _, row in summary.iterrows():
        own = row["protocol"]
        for name in ("beta_kmc", "beta_kmc_err", "tau_kmc", "beta_ode"):
            suffixed = name.replace("_err", "") + f"_{own}" + ("_err" if name.endswith("_err") else "")
            same = row[name] == row[suffixed] or (pd.isna(row[name]) and pd.isna(row[suffixed]))
            assert same, (name, suffixed, row[name], row[suffixed])
    points = sorted(glob.glob(os.path.join(run, "points", "*")))
    assert len(points) == len(summary), (len(points), len(summary))
    for point in points:
        relaxation = pd.read_csv(os.path.join(point, "relaxation.csv"))
        assert list(relaxation.columns) == RELAXATION, relaxation.columns
        assert all(relaxation[c].dtype.kind == "f" for c in RELAXATION)
        levels = pd.read_csv(os.path.join(point, "levels.csv"))
        assert list(levels.columns) == LEVELS, levels.columns
        assert all(levels[c].dtype.kind == "f" for c in LEVELS)
        fp = os.path.join(point, "first_passage.csv")
        if os.path.exists(fp):
            table = pd.read_csv(fp)
            assert table.columns[0] == "trajectory" and table["trajectory"].dtype.kind == "i"
            assert len(table.columns) == len(levels) + 1
    print(f"{run}: summary.csv and {len(points)} point(s) read with pandas")


if __name__ == "__main__":
    main()
