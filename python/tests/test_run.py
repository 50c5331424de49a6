# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.run and lrekmc.open_run: the CLI's run directory, both ways."""

import os

import pandas as pd
import pytest

import lrekmc
from conftest import run_cli


def test_run_directory_round_trip(tiny_file, tmp_path, cli_run):
    config = lrekmc.Config.load(tiny_file)
    run = lrekmc.run(config, tmp_path / "py")
    assert isinstance(run, lrekmc.Run) and (run.computed, run.kept) == (4, 0)
    # the same files as the CLI's, byte for byte (run.yaml records times and the command)
    for name in ["summary.csv"] + [f"points/{k}/{table}.csv" for k in range(4)
                                   for table in ("relaxation", "levels")]:
        assert (tmp_path / "py" / name).read_bytes() == (cli_run / name).read_bytes(), name
    assert run.record["config"] == lrekmc.open_run(cli_run).record["config"]
    assert run.config == config
    # the CLI resumes what Python ran: every point kept
    resumed = run_cli("run", tiny_file, "-o", tmp_path / "py")
    assert "0 computed, 4 kept" in resumed.stdout
    # and Python resumes too
    again = lrekmc.run(config, tmp_path / "py")
    assert (again.computed, again.kept) == (0, 4)


def test_open_run_tables(cli_run):
    run = lrekmc.open_run(cli_run)
    assert run.points == [0, 1, 2, 3] and len(run) == 4
    assert run.swept_keys == ["model.mode", "model.T"]
    summary = pd.read_csv(cli_run / "summary.csv", float_precision="round_trip")
    pd.testing.assert_frame_equal(run.summary, summary, check_exact=True)
    relaxation = run.relaxation(3)
    assert relaxation.equals(pd.read_csv(cli_run / "points/3/relaxation.csv",
                                         float_precision="round_trip"))
    assert list(run.levels(1)["q"].round(2))[:2] == [0.05, 0.10]
    assert run.first_passage(0) is None
    point = run.point(2)
    assert point.summary["model.mode"] == "cer" and point.kmc_fit.beta == summary["beta_kmc"][2]
    with pytest.raises(KeyError, match="no point 9"):
        run.relaxation(9)


def test_tidy_table(cli_run):
    run = lrekmc.open_run(cli_run)
    tidy = run.tidy()
    assert len(tidy) == 4 * 60
    assert list(tidy.columns[:8]) == ["point", "model.mode", "model.T", "mode", "T", "V1", "N",
                                      "trajectories"]
    part = tidy[(tidy["model.mode"] == "cer") & (tidy["model.T"] == 1.0)]
    assert set(part["point"]) == {3}
    assert part["q_mean"].tolist() == run.relaxation(3)["q_mean"].tolist()
    levels = run.tidy("levels", columns=["beta_kmc"])
    assert len(levels) == 4 * 19 and (levels.groupby("point")["beta_kmc"].nunique() == 1).all()
    with pytest.raises(ValueError):
        run.tidy("nothing")


def test_bad_directories(tmp_path, tiny_file, cli_run):
    with pytest.raises(FileNotFoundError, match="no such directory"):
        lrekmc.open_run(tmp_path / "none")
    (tmp_path / "empty").mkdir()
    with pytest.raises(FileNotFoundError, match="summary.csv"):
        lrekmc.open_run(tmp_path / "empty")
    other = lrekmc.Config.load(tiny_file, **{"kmc.seed": 12})
    with pytest.raises(lrekmc.LrekmcError, match="different configuration"):
        lrekmc.run(other, cli_run)
    forced = lrekmc.run(other, cli_run, force=True)
    assert forced.computed == 4 and int(forced.summary["seed"][0]) == 12
    blocked = tmp_path / "file"
    blocked.write_text("x")
    with pytest.raises(OSError, match=str(blocked)):
        lrekmc.run(tiny_file, blocked / "run")


def test_progress_of_a_campaign(tiny_file, tmp_path):
    states = []
    lrekmc.run(tiny_file, tmp_path / "p", progress=states.append)
    assert states and all(s["point_count"] == 4 for s in states)
    lrekmc.run(tiny_file, tmp_path / "q", progress=True)
    assert os.path.exists(tmp_path / "q" / "summary.csv")
