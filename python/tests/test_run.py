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


def test_damaged_point_is_named_and_computed_again(tiny_file, tmp_path):
    run = lrekmc.run(tiny_file, tmp_path / "d")
    assert run.verify() == dict(points_finished=4, points_outdated=0, points_unfinished=0, problems=0,
                                messages=[])
    with open(tmp_path / "d/points/1/levels.csv", "a") as stream:
        stream.write("1,2,3,4,5,6,7\n")
    report = lrekmc.open_run(tmp_path / "d").verify()
    assert report["points_finished"] == 3 and report["problems"] >= 1
    assert any("points/1/levels.csv" in m for m in report["messages"])
    with pytest.warns(lrekmc.LrekmcNotice, match="points/1/levels.csv"):
        again = lrekmc.run(tiny_file, tmp_path / "d")
    assert (again.computed, again.kept) == (1, 3)
    assert again.verify()["problems"] == 0
    lines = []
    lrekmc.run(tiny_file, tmp_path / "d", notice=lines.append)
    assert lines == []


def test_a_locked_directory_is_refused(tmp_path):
    """While the CLI writes a directory, lrekmc.run into it fails at once and
    changes nothing (the library's lock)."""
    import signal
    import subprocess
    import time
    from conftest import CLI
    slow = tmp_path / "slow.yaml"
    slow.write_text("model: {N: 2000}\nkmc: {trajectories: 5000000, threads: 1}\n"
                    "references: {master_equation: off}\ngrid: {points: 40}\n")
    directory = tmp_path / "locked"
    child = subprocess.Popen([CLI, "run", str(slow), "-o", str(directory), "--quiet"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    def read(name):
        try:
            return (directory / name).read_text()
        except OSError:
            return ""
    try:
        # the holder takes the lock (its pid in the lock file), then writes run.yaml
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not (
                read(".lrekmc.lock").strip() == str(child.pid) and "command_line" in read("run.yaml")):
            time.sleep(0.02)
        assert "lrekmc run" in read("run.yaml"), "the CLI did not start its run"
        with pytest.raises(OSError, match=str(child.pid)):
            lrekmc.run(str(slow), directory)
        # nothing of this call reached the directory: the record is the CLI's
        assert read(".lrekmc.lock").strip() == str(child.pid)
        assert "python3: lrekmc.run" not in read("run.yaml")
    finally:
        child.send_signal(signal.SIGINT)
        child.communicate(timeout=30)
    assert child.returncode == 130
