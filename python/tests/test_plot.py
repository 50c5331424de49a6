# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.plot on synthetic points and on real runs: images written, axes
labelled, and the referee's list (fits in every panel, residuals, colour
bars, legends off the data, poor fits marked, N sweeps only)."""

import math

import matplotlib
import numpy as np
import pandas as pd
import pytest

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import lrekmc  # noqa: E402
import lrekmc.plot as lp  # noqa: E402
from lrekmc._results import Point, Points  # noqa: E402

PNG = b"\x89PNG\r\n\x1a\n"


def synthetic(k, T=1.0, N=1000, beta=0.8, tau=2.0, misfit=0.003, mode="ser", swept=("model.T",)):
    """A Point whose curves are KWW plus a small bump, with its summary."""
    t = np.linspace(0.0, 5 * tau, 120)
    q = 1.0 - np.exp(-(t / tau) ** beta) + misfit * np.sin(np.pi * t / t[-1])
    std = np.sqrt(q * (1 - q) / N)
    relaxation = pd.DataFrame({"t": t, "q_mean": q, "q_std": std, "q_sem": std / 30,
                               "q_p05": q - 1.6 * std, "q_p50": q, "q_p95": q + 1.6 * std,
                               "q_ode": q, "q_exact_mean": q, "q_exact_std": std,
                               "q_lna_std": std})
    levels_q = np.linspace(0.05, 0.95, 19)
    t_levels = tau * (-np.log(1 - levels_q)) ** (1 / beta)
    levels = pd.DataFrame({"q": levels_q, "t_mean": t_levels, "t_std": 0.1 * t_levels,
                           "t_sem": 0.001 * t_levels, "t_exact_mean": t_levels,
                           "t_exact_std": 0.1 * t_levels, "t_ode": t_levels})
    values = {"point": k, "model.T": T, "model.N": N, "model.mode": mode}
    summary = {key: values[key] for key in swept}
    summary.update(point=k, mode=mode, V0=1.0, V1=1.0, T=T, N=N, trajectories=10000, seed=1,
                   protocol="qlevels", beta_ode=beta, beta_ode_err=0.001, tau_ode=tau,
                   tau_ode_err=0.01, rms_ode=misfit / 2, max_residual_ode=misfit,
                   beta_kmc=beta + 0.001, beta_kmc_err=0.0005, tau_kmc=tau, tau_kmc_err=0.01,
                   rms_kmc=misfit / 2, max_residual_kmc=misfit)
    summary = pd.Series(summary, dtype=object)
    summary = pd.concat([pd.Series({"point": k}, dtype=object), summary.drop("point")])
    return Point(summary, relaxation, levels)


def sweep(count=5, **options):
    return Points(synthetic(k, T=0.5 + 0.25 * k, beta=0.6 + 0.05 * k, **options)
                  for k in range(count))


def legend_is_off_the_data(ax):
    fig = ax.figure
    fig.canvas.draw()
    legend = ax.get_legend()
    assert legend is not None
    box, axes_box = legend.get_window_extent(), ax.get_window_extent()
    assert box.x0 >= axes_box.x1 - 1  # beside the axes: it covers nothing drawn in them


def saved(fig, tmp_path, name):
    path = tmp_path / f"{name}.png"
    fig.savefig(path, dpi=80)
    plt.close(fig)
    data = path.read_bytes()
    assert data.startswith(PNG) and len(data) > 5000
    return path


def test_relaxation_panel(tmp_path):
    fig, ax = plt.subplots(layout="constrained")
    point = synthetic(0)
    assert lp.relaxation(ax, point) is ax
    assert ax.get_xlabel() == r"$t/\tau_0$" and ax.get_ylabel() == r"$q = n/N$"
    texts = [t.get_text() for t in ax.get_legend().get_texts()]
    assert any(t.startswith("KWW ODE: β = 0.8 ± 0.001") for t in texts)
    assert any(t.startswith("KWW KMC: β = 0.801 ± 0.0005") for t in texts)
    assert not any("poor fit" in t for t in texts)
    assert "N = 1000, 10⁴ trajectories" in ax.get_title()
    legend_is_off_the_data(ax)
    saved(fig, tmp_path, "relaxation")


def test_log_panel_has_no_long_segments(tmp_path):
    fig, ax = plt.subplots()
    lp.relaxation(ax, synthetic(0), log=True)
    for line in ax.get_lines():
        t = np.asarray(line.get_xdata(), dtype=float)
        if line.get_linestyle() in ("None", "none", " ", "") or t.size < 2:
            continue
        steps = np.diff(np.log(t[t > 0]))
        assert steps.max() <= lp.DENSE_LOG_STEP + 1e-12, line.get_label()
    plt.close(fig)


def test_poor_fit_is_marked(tmp_path):
    fig, (a, b) = plt.subplots(1, 2)
    lp.relaxation(a, synthetic(0, misfit=0.05))
    assert any("poor fit: max |q − KWW| = 0.05" in t.get_text()
               for t in a.get_legend().get_texts())
    lp.beta(b, Points([synthetic(0, misfit=0.05), synthetic(1, T=2.0)]))
    labels = [t.get_text() for t in b.get_legend().get_texts()]
    assert "poor KWW fit: max |q − KWW| > 0.01\n(β depends on the fitted range)" in labels
    plt.close(fig)
    fig, ax = plt.subplots()
    lp.beta(ax, sweep())
    assert not any("poor" in t.get_text() for t in ax.get_legend().get_texts())
    plt.close(fig)


def test_residual_panel():
    fig, ax = plt.subplots()
    lp.residuals(ax, synthetic(0, misfit=0.02))
    assert ax.get_ylabel() == r"$q - q_\mathrm{KWW}$"
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert "poor-fit threshold ±0.01" in labels and "KMC ± 2 standard errors" in labels
    # the drawn ODE residual is the data minus the fitted curve
    line = next(l for l in ax.get_lines() if l.get_label().startswith("ODE"))
    t = np.asarray(line.get_xdata())
    expected = 0.02 * np.sin(np.pi * t / t[-1])
    assert np.allclose(line.get_ydata(), expected, atol=1e-12)
    plt.close(fig)


def test_overlay_colour_bar_and_labels(tmp_path):
    fig, ax = plt.subplots(layout="constrained")
    lp.relaxation_overlay(ax, sweep(3))
    assert len(fig.axes) == 2 and fig.axes[1].get_ylabel() == "$T$"  # the colour bar
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert [l for l in labels if l.startswith("T=")] == ["T=0.5", "T=0.75", "T=1"]
    legend_is_off_the_data(ax)
    saved(fig, tmp_path, "overlay")
    fig, ax = plt.subplots()
    lp.relaxation_overlay(ax, sweep(20), log=True)
    assert "20 curves, none labelled:\ncolour = $T$ (bar)" in \
        [t.get_text() for t in ax.get_legend().get_texts()]
    plt.close(fig)


def test_beta_error_bars_and_difference(tmp_path):
    fig = lp.figure_beta(sweep(6), x="T")
    ax, diff = fig.axes[0], fig.axes[1]
    assert ax.get_ylabel().startswith(r"$\beta$") and diff.get_xlabel() == "$T$"
    assert len(ax.containers) == 1 and len(diff.containers) == 1  # error bars in both
    caps = ax.containers[0].lines[1]
    assert caps and all(c.get_marker() for c in caps)
    assert "(KMC error bars are smaller than the symbols)" in \
        [t.get_text() for t in ax.get_legend().get_texts()]
    saved(fig, tmp_path, "beta")
    with pytest.raises(ValueError, match="no column"):
        lp.beta(plt.subplots()[1], sweep(), x="nope")


def test_fluctuations_refuse_other_sweeps():
    with pytest.raises(ValueError) as caught:
        lp.figure_fluctuations(sweep())
    assert "not an N sweep" in str(caught.value) and "\n" not in str(caught.value)
    n_sweep = Points(synthetic(k, N=N, swept=("model.N",)) for k, N in enumerate((30, 100, 1000)))
    fig = lp.figure_fluctuations(n_sweep)
    assert fig.axes[0].get_ylabel() == r"$\sqrt{N}\,\mathrm{std}(q)$"
    assert fig.axes[1].get_xscale() == "log"
    plt.close(fig)


def test_on_real_runs(tmp_path, tiny_file, cli_run):
    run = lrekmc.open_run(cli_run)
    saved(lp.figure_relaxation(run.point(3)), tmp_path, "real_relaxation")
    saved(lp.figure_beta(run, x="T"), tmp_path, "real_beta")
    point = lrekmc.compute(lrekmc.Config.load(tiny_file).point(0))
    saved(lp.figure_relaxation(point, log=False), tmp_path, "computed")
    fig, ax = plt.subplots(layout="constrained")
    lp.relaxation_overlay(ax, run, by="model.T", log=True)
    saved(fig, tmp_path, "real_overlay")
    n_run = lrekmc.run({"model": {"N": 30}, "kmc": {"trajectories": 300, "threads": 1},
                        "fit": {"batches": 5}, "grid": {"points": 40},
                        "output": {"trajectories": True}, "sweep": {"model.N": [20, 60, 180]}},
                       tmp_path / "n")
    fig = lp.figure_fluctuations(n_run)
    assert len(fig.axes) >= 4  # three panels and a colour bar
    saved(fig, tmp_path, "real_fluctuations")
    assert math.isfinite(n_run.point(1).kmc_fit.beta)
