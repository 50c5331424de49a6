# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.compute / compute_all: the CLI's bytes, in memory."""

import math
import threading
import time

import numpy as np
import pandas as pd
import pytest

import lrekmc
from lrekmc._results import LEVELS_COLUMNS, RELAXATION_COLUMNS


def test_compute_equals_cli_files(tiny_file, cli_run):
    config = lrekmc.Config.load(tiny_file)
    summary_lines = (cli_run / "summary.csv").read_text().splitlines()
    points = lrekmc.compute_all(config)
    assert len(points) == 4
    for k, point in enumerate(points):
        directory = cli_run / "points" / str(k)
        # byte for byte: the library's writer made both
        assert point.csv("relaxation") == (directory / "relaxation.csv").read_text()
        assert point.csv("levels") == (directory / "levels.csv").read_text()
        header, row = point.csv("summary").splitlines()
        assert header == summary_lines[0] and row == summary_lines[k + 1]
        # and the parsed values are the same doubles
        files = pd.read_csv(directory / "relaxation.csv", float_precision="round_trip")
        pd.testing.assert_frame_equal(point.relaxation, files, check_exact=True)
    cli = pd.read_csv(cli_run / "summary.csv", float_precision="round_trip")
    pd.testing.assert_frame_equal(points.summary.infer_objects(), cli, check_exact=True,
                                  check_dtype=False)


def test_point_contents(tiny_file):
    point = lrekmc.compute(lrekmc.Config.load(tiny_file).point(2))
    # the contract columns, then whatever the library adds (its column tables)
    assert set(RELAXATION_COLUMNS) <= set(point.relaxation.columns)
    assert set(LEVELS_COLUMNS) <= set(point.levels.columns)
    assert len(point.relaxation) == 60 and len(point.levels) == 19
    s = point.summary
    assert isinstance(s, pd.Series)
    assert s["point"] == 2 and s["model.mode"] == "cer" and s["mode"] == "cer"
    assert s["N"] == 60 and s["events"] == 60 * 300
    assert point.kmc_fit.beta == s["beta_kmc"] and point.kmc_fit.beta_err == s["beta_kmc_err"]
    assert point.ode_fit.tau == s["tau_ode"] and point.ode_fit.max_residual == s["max_residual_ode"]
    assert point.kmc_fit.details["batches_converged"] == s["batches_fitted"] == 10
    assert point.kmc_fit.beta > 1  # CER compresses
    assert point.swept() == {"model.mode": "cer", "model.T": 0.5}
    assert np.all(np.diff(point.relaxation["q_mean"]) >= 0)


def test_no_trajectories_leaves_kmc_empty():
    point = lrekmc.compute({"model": {"N": 50}, "kmc": {"trajectories": 0},
                            "grid": {"points": 20}})
    assert point.kmc_fit is None
    assert point.relaxation["q_mean"].isna().all() and point.relaxation["q_ode"].notna().all()
    assert math.isnan(point.summary["beta_kmc"]) and point.ode_fit.converged


def test_library_warnings_become_python_warnings():
    # master_equation: on where it is over its work budget (CER, V1/T = 70):
    # the point is computed, its exact columns stay empty, and the library's
    # warning line arrives as a RuntimeWarning (not only on a C stderr)
    config = {"model": {"mode": "cer", "V0": 1, "V1": 10, "T": 0.143334, "N": 50},
              "kmc": {"trajectories": 16, "seed": 5}, "fit": {"batches": 4},
              "grid": {"points": 10}, "references": {"master_equation": "on"}}
    with pytest.warns(RuntimeWarning, match="master_equation: on, but master equation: more than"):
        point = lrekmc.compute(config)
    assert point.relaxation["q_exact_mean"].isna().all()
    assert point.relaxation["q_mean"].notna().all()


def test_threads_do_not_change_results(tiny_file):
    config = lrekmc.Config.load(tiny_file).point(1)
    one, two = lrekmc.compute(config, threads=1), lrekmc.compute(config, threads=2)
    assert one.csv("relaxation") == two.csv("relaxation")
    assert one.csv("summary") == two.csv("summary")
    with pytest.raises(ValueError, match="threads"):
        lrekmc.compute(config, threads=-1)


def test_sweep_needs_a_point(tiny_file):
    with pytest.raises(ValueError, match="sweep of 4 points"):
        lrekmc.compute(lrekmc.Config.load(tiny_file))


def test_accepts_what_config_load_accepts(tiny_file):
    text = lrekmc.compute("model: {N: 40}\nkmc: {trajectories: 100, threads: 1}\n"
                          "fit: {batches: 4}\ngrid: {points: 30}\n")
    assert text.summary["N"] == 40
    with pytest.raises(lrekmc.ConfigError):
        lrekmc.compute({"model": {"N": -1}})


SLOW = {"model": {"N": 2000}, "kmc": {"trajectories": 400000, "threads": 1},
        "fit": {"batches": 20}, "references": {"master_equation": "off"}, "grid": {"points": 50}}


def test_progress_callback_and_its_exceptions():
    calls = []
    config = lrekmc.Config.load({"model": {"N": 200}, "kmc": {"trajectories": 20000, "threads": 1},
                                 "grid": {"points": 20}})
    lrekmc.compute(config, progress=lambda done, events: calls.append((done, events)))
    assert calls and calls[-1] == (20000, 20000 * 200)
    assert all(a[0] <= b[0] for a, b in zip(calls, calls[1:]))

    def stop(done, events):
        raise RuntimeError("stop here")
    started = time.monotonic()
    with pytest.raises(RuntimeError, match="stop here"):
        lrekmc.compute(SLOW, progress=stop)  # the first call (about 1 s in) stops the run
    assert time.monotonic() - started < 30
    lrekmc.compute(config, progress=True)  # a tqdm bar on stderr
    with pytest.raises(TypeError):
        lrekmc.compute(config, progress="yes")


def test_gil_is_released():
    """Another Python thread runs while the library computes.

    Timed by gaps, not by a count: with the GIL held through the C loop, one
    gap between the main thread's ticks would span that loop, nearly all of
    the run (2e8 events of the chain engine, ~1 s here); released, the longest gap is the
    scheduler's, milliseconds even on a loaded machine."""
    ticks = []
    worker = threading.Thread(target=lrekmc.compute,
                              args=({"model": {"N": 1000}, "kmc": {"trajectories": 200000,
                                     "threads": 1}, "references": {"master_equation": "off"}},))
    started = time.monotonic()
    worker.start()
    while worker.is_alive():
        time.sleep(0.001)
        ticks.append(time.monotonic())
    worker.join()
    duration = ticks[-1] - started
    longest = float(np.max(np.diff([started] + ticks)))
    assert longest < 0.25 * duration, f"the main thread waited {longest:.3f} s of a {duration:.3f} s run"


def test_first_passage_rows_are_the_cli_file(tiny_file, tmp_path):
    from conftest import run_cli
    run_cli("run", tiny_file, "--set", "output.trajectories=true", "-o", tmp_path / "fp", "--quiet")
    config = lrekmc.Config.load(tiny_file, **{"output.trajectories": True})
    point = lrekmc.compute(config.point(1))
    assert point.csv("first_passage") == (tmp_path / "fp/points/1/first_passage.csv").read_text()
    table = point.first_passage
    assert len(table) == 300 and table["trajectory"].tolist() == list(range(300))
    assert np.allclose(table.iloc[:, 1:].mean().values, point.levels["t_mean"].values,
                       rtol=1e-12)
    assert lrekmc.compute(lrekmc.Config.load(tiny_file).point(1)).first_passage is None


def test_concurrent_computations_give_the_same_bytes(tiny_file):
    """Two Python threads computing at once (the GIL is released), OpenMP
    threads calling the progress callback: the bytes of a lone run."""
    config = lrekmc.Config.load(tiny_file, **{"kmc.trajectories": 4000}).point(2)
    alone = lrekmc.compute(config, threads=1).csv("relaxation")
    results, calls = [None, None], []

    def work(i):
        results[i] = lrekmc.compute(config, threads=2,
                                    progress=lambda done, events: calls.append(done))

    workers = [threading.Thread(target=work, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert all(r is not None and r.csv("relaxation") == alone for r in results)
    assert calls.count(4000) == 2  # each run's final call


def test_columns_are_the_library_tables(tiny_file):
    point = lrekmc.compute(lrekmc.Config.load(tiny_file).point(0))
    names = [name for name, _ in lrekmc.columns("summary")]
    assert list(point.summary.index) == ["point", "model.mode", "model.T"] + names
    assert [n for n, _ in lrekmc.columns("relaxation")] == list(point.relaxation.columns)
    assert [n for n, _ in lrekmc.columns("levels")] == list(point.levels.columns)
    assert all(doc for _, doc in lrekmc.columns("summary"))
    with pytest.raises(ValueError):
        lrekmc.columns("nothing")


SPACE = """\
model: {mode: cer, V0: 1.0, V1: 1.0, T: 0.6666666666666666, space: {lattice: cubic, L: 6, d_el: 2}}
kmc: {trajectories: 16, seed: 3, threads: 1}
fit: {batches: 4}
sweep:
  model.space.kernel: [r3, uniform]
"""


def test_spatial_tables_are_the_cli_files(tmp_path):
    """compute() keeps the spatial tables (C(r), snapshots, avalanches, the
    local q) as the CLI's bytes, and open_run reads the same frames."""
    from conftest import run_cli
    path = tmp_path / "space.yaml"
    path.write_text(SPACE)
    out = tmp_path / "cli"
    run_cli("run", path, "-o", out, "--quiet")
    points = lrekmc.compute_all(lrekmc.Config.load(path))
    run = lrekmc.open_run(out)
    for k, point in enumerate(points):
        for name in ("correlation", "snapshots", "avalanches", "local_q"):
            assert point.csv(name) == (out / "points" / str(k) / f"{name}.csv").read_text()
            pd.testing.assert_frame_equal(point.space(name), run.point(k).space(name), check_exact=True)
            pd.testing.assert_frame_equal(run.space(k, name), run.point(k).space(name), check_exact=True)
    local = points[0].space("local_q")
    assert list(local.columns) == ["q_from", "q_to", "events", "sampled", "local_q", "local_q_sem", "null", "z"]
    assert len(local) == 20
    with pytest.raises(ValueError, match="local_q"):
        points[0].space("local-q")


def test_points_without_a_lattice_have_no_spatial_tables(tiny_file, cli_run):
    point = lrekmc.compute(lrekmc.Config.load(tiny_file).point(0))
    assert point.space("correlation") is None
    assert lrekmc.open_run(cli_run).point(0).space("local_q") is None
    with pytest.raises(KeyError):
        point.csv("local_q")
