# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.plot - figures of lrekmc results that draw into a given Axes.

Each function takes a matplotlib ``Axes`` (or a few) and a result -- a
:class:`lrekmc.Point` (from compute, or ``run.point(k)``), a
:class:`lrekmc.Run` or a :class:`lrekmc.Points` -- draws, and returns what it
drew into; the ``figure_*`` functions make a whole figure of them (what the
analysis/ scripts save).  What a referee asks of them, done everywhere:

* the fitted beta and tau (with errors) of both fits in every panel;
* the KWW misfit shown (:func:`residuals`), and a poor fit -- largest
  |q - KWW| above ``poor_fit`` (default 0.01 in q) -- marked, since its
  small statistical error bar does not say that beta depends on the range;
* curves of a sweep coloured by the swept parameter with a colour bar, each
  curve labelled or the number of unlabelled curves said;
* legends outside the data (to the right of the axes), error bars drawn
  with caps and noted when smaller than the symbols;
* typeset labels ($t/\\tau_0$, $T/V_1$, $\\beta$), N and the trajectory count
  in the title;
* log-time panels without kinks: the output grid is linear, so at early
  times on a log axis its points are drawn as points, lines only where the
  grid is dense (and fits are sampled geometrically);
* :func:`fluctuations` refuses, in one line, a run that is not an N sweep.
"""

import math

import numpy as np

from ._plot_base import (BETA, DENSE_LOG_STEP, MAX_LABELS, NAMES, POOR_FIT, Q, TIME,  # noqa: F401
                         _colour_bar, _colour_key, _column, _finite, _fit_times, _has,
                         _norm, _outside_legend, _points_of, _pyplot, _summary_frame,
                         _time_curve, axis_name, fit_label, sizes_text)
from ._plot_fluctuations import figure_fluctuations, fluctuations, is_n_sweep  # noqa: F401

__all__ = ["relaxation", "residuals", "relaxation_overlay", "beta", "fluctuations",
           "figure_relaxation", "figure_beta", "figure_fluctuations", "beta_abscissa",
           "crossover_f", "is_n_sweep", "fit_label", "sizes_text", "axis_name",
           "POOR_FIT", "DENSE_LOG_STEP", "MAX_LABELS"]


def relaxation(ax, point, log=False, bands=True, fits=True, references=True, poor_fit=POOR_FIT,
               legend=True, title=True):
    """q(t) of one point: the KMC mean with its ±std band and p05–p95 band,
    the mean-field ODE, the master equation (exact finite-N mean) and both
    KWW fits with their β and τ in the legend.  ``log``: logarithmic time."""
    R = point.relaxation
    t = R["t"]
    if _has(R, "q_mean") and bands:
        keep = (t > 0) if log else np.isfinite(t)
        if _has(R, "q_p05") and _has(R, "q_p95"):
            ax.fill_between(t[keep], R["q_p05"][keep], R["q_p95"][keep], color="tab:blue",
                            alpha=0.12, linewidth=0, label="KMC 5–95 %")
        if _has(R, "q_std"):
            ax.fill_between(t[keep], (R["q_mean"] - R["q_std"])[keep],
                            (R["q_mean"] + R["q_std"])[keep], color="tab:blue", alpha=0.28,
                            linewidth=0, label="KMC mean ± std")
    if _has(R, "q_mean"):
        _time_curve(ax, t, R["q_mean"], log, color="tab:blue", linewidth=1.6, label="KMC mean")
    if references and _has(R, "q_ode"):
        _time_curve(ax, t, R["q_ode"], log, color="black", linewidth=1.0, label="mean-field ODE")
    if references and _has(R, "q_exact_mean"):
        _time_curve(ax, t, R["q_exact_mean"], log, color="tab:green", linewidth=1.0,
                    linestyle=":", label="master equation (exact mean)")
    if fits:
        tt = _fit_times(t, log)
        for fit, style in ((point.ode_fit, dict(color="tab:red", linestyle="--")),
                           (point.kmc_fit, dict(color="tab:purple", linestyle=(0, (6, 3))))):
            if fit is not None and fit.converged and tt.size:
                ax.plot(tt, fit.curve(tt), linewidth=1.2 if fit.poor(poor_fit) else 1.0,
                        label=fit_label(fit, poor_fit), **style)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(TIME)
    ax.set_ylabel(Q)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    if title:
        ax.set_title(f"point {point.index}: {point.label()}\n{sizes_text(point.summary)}",
                     fontsize=9)
    if legend:
        _outside_legend(ax)
    return ax

def residuals(ax, point, log=False, poor_fit=POOR_FIT, legend=True, title=True):
    """The KWW misfit q − q_KWW(t) of both fits against time, with the KMC
    mean's ±2 standard errors as a band (so misfit and noise can be told
    apart), the fitted points of the qlevels protocol as markers and the
    poor-fit threshold ±poor_fit dotted."""
    R, L = point.relaxation, point.levels
    t = R["t"]
    qlevels = str(point.summary.get("protocol", "")) == "qlevels"
    for fit, column, level_time, color in ((point.ode_fit, "q_ode", "t_ode", "tab:red"),
                                           (point.kmc_fit, "q_mean", "t_mean", "tab:purple")):
        if fit is None or not fit.converged or not _has(R, column):
            continue
        residual = R[column] - fit.curve(t)
        label = f"{'ODE' if column == 'q_ode' else 'KMC'} − its KWW fit"
        if _finite(fit.max_residual):
            label += f" (max at fitted points {fit.max_residual:.2g})"
        _time_curve(ax, t, residual, log, color=color, linewidth=1.1, label=label)
        if column == "q_mean" and _has(R, "q_sem"):
            keep = (t > 0) if log else np.isfinite(t)
            ax.fill_between(t[keep], (residual - 2 * R["q_sem"])[keep],
                            (residual + 2 * R["q_sem"])[keep], color=color, alpha=0.2,
                            linewidth=0, label="KMC ± 2 standard errors")
        if qlevels and _has(L, level_time):
            ok = np.isfinite(L[level_time]) & ((L[level_time] > 0) if log else True)
            ax.plot(L[level_time][ok], (L["q"] - fit.curve(L[level_time]))[ok], "o", color=color,
                    markersize=2.5, markerfacecolor="none", label="fitted points (q-levels)")
    ax.axhline(0.0, color="gray", linewidth=0.8)
    for sign in (1, -1):
        ax.axhline(sign * poor_fit, color="gray", linestyle=":", linewidth=0.9,
                   label=f"poor-fit threshold ±{poor_fit:g}" if sign > 0 else None)
    if log:
        ax.set_xscale("log")
    ax.set_xlabel(TIME)
    ax.set_ylabel(r"$q - q_\mathrm{KWW}$")
    ax.grid(alpha=0.3)
    if title:
        ax.set_title("KWW misfit", fontsize=9)
    if legend:
        _outside_legend(ax)
    return ax

def relaxation_overlay(ax, results, by=None, log=False, cmap="viridis", column="q_mean",
                       max_labels=MAX_LABELS, colorbar=True, legend=True):
    """q(t) of many points in one panel, coloured by the swept parameter
    ``by`` (default: the first numeric swept key) with a colour bar; the
    mean-field ODE dotted in the same colour; other swept keys by line
    style.  Up to ``max_labels`` curves are named in the legend, otherwise
    the panel says how many curves are unlabelled."""
    plt = _pyplot()
    points = _points_of(results)
    key = _colour_key(points, by)
    values = [float(p.summary[key]) if key else float(p.index) for p in points]
    norm, colormap = _norm(values), plt.get_cmap(cmap)
    others = [k for k in points[0].summary.index if "." in k and k != key]
    styles = {}
    named = len(points) <= max_labels
    for p, value in zip(points, values):
        style_key = tuple(str(p.summary[k]) for k in others)
        linestyle = styles.setdefault(style_key, ["-", "--", "-.", ":"][len(styles) % 4])
        color = colormap(norm(value))
        R = p.relaxation
        name = p.label() if named else None
        if _has(R, column):
            _time_curve(ax, R["t"], R[column], log, color=color, linewidth=1.3,
                        linestyle=linestyle, label=name)
        if _has(R, "q_ode"):
            _time_curve(ax, R["t"], R["q_ode"], log, color=color, linewidth=0.9, linestyle=":",
                        label=None if _has(R, column) else name)
    if log:
        ax.set_xscale("log")
    if colorbar:
        _colour_bar(ax, norm, colormap, values, axis_name(key) if key else "point")
    if not named:  # said in the legend, which covers no data
        ax.plot([], [], " ", label=f"{len(points)} curves, none labelled:\ncolour = "
                f"{axis_name(key) if key else 'point'} (bar)")
    if len(styles) > 1:
        for style_key, linestyle in styles.items():
            ax.plot([], [], color="gray", linestyle=linestyle,
                    label=", ".join(f"{k.split('.')[-1]}={v}" for k, v in zip(others, style_key)))
    with_kmc = any(_has(p.relaxation, column) for p in points)
    ax.plot([], [], color="gray", linestyle=":", label="mean-field ODE" if with_kmc else None)
    ax.set_xlabel(TIME)
    ax.set_ylabel(Q)
    ax.set_ylim(-0.02, 1.02)
    ax.grid(alpha=0.3)
    summary = _summary_frame(points)
    ax.set_title(("KMC mean (solid), ODE (dotted); " if with_kmc else "ODE; ") +
                 sizes_text(summary), fontsize=9)
    if legend:
        _outside_legend(ax)
    return ax

def crossover_f(T, A, T0):
    """f(T) of Eq. 10: the fraction of CER (avalanche) processes."""
    with np.errstate(over="ignore"):
        return 1.0 / (np.exp(-A * (1.0 / np.asarray(T, dtype=float) - 1.0 / T0)) + 1.0)

def beta_abscissa(summary, x=None):
    """(values, label) of the β plot's abscissa: "T/V1" (default when V1 > 0
    everywhere and no point is crossover), "T", or any summary column."""
    modes = set(map(str, summary["mode"])) if "mode" in summary else set()
    T, V1 = _column(summary, "T"), _column(summary, "V1")
    if x is None:
        x = "T" if "crossover" in modes or not np.all(V1 > 0) else "T/V1"
    if x == "T/V1":
        if not np.all(np.isfinite(V1) & (V1 > 0)):
            raise ValueError("beta: T/V1 needs V1 > 0 at every point (use x='T')")
        return T / V1, NAMES["T/V1"]
    if x not in summary:
        raise ValueError(f"beta: no column {x!r} in the summary")
    return _column(summary, x), axis_name(x)

def _series(summary, exclude):
    """Row groups: mode plus every swept key except the abscissa's."""
    others = [k for k in summary.columns if "." in k and k not in exclude]
    groups = {}
    for i in range(len(summary)):
        row = summary.iloc[i]
        mode = str(row["mode"]) if "mode" in summary else "?"
        parts = [mode.upper() if mode in ("ser", "cer") else mode]
        for key in others:
            value = row[key]
            parts.append(f"{key.split('.')[-1]}={value:.4g}" if isinstance(value, float)
                         else f"{key.split('.')[-1]}={value}")
        groups.setdefault(", ".join(parts), []).append(i)
    return groups

MODE_STYLE = {"SER": ("tab:blue", "o"), "CER": ("tab:red", "s"), "crossover": ("black", "D")}

def beta(ax, results, x=None, logx=False, poor_fit=POOR_FIT, difference_ax=None, legend=True,
         title=True, crossover_axis=True):
    """β against a swept parameter: the ODE fit as a line, the KMC fit as
    points with 1σ (batch-means) error bars, β = 1 dotted.  A point whose
    KWW misfit exceeds ``poor_fit`` is circled in orange (its error bar is
    statistical only).  ``x``: "T/V1", "T" or a summary column (default
    T/V1, T for a crossover run, whose f(T) is drawn on a right-hand axis).
    ``difference_ax``: also draw β_KMC − β_ODE with its error bars there."""
    summary = _summary_frame(results)
    xs, xlabel = beta_abscissa(summary, x)
    b_ode, b_kmc, b_err = (_column(summary, n) for n in ("beta_ode", "beta_kmc", "beta_kmc_err"))
    if not (np.isfinite(xs).any() and (np.isfinite(b_ode).any() or np.isfinite(b_kmc).any())):
        raise ValueError("beta: no finite abscissa and beta to plot")
    misfit = np.fmax(_column(summary, "max_residual_kmc"), _column(summary, "max_residual_ode"))
    poor = np.isfinite(misfit) & (misfit > poor_fit)
    exclude = {"model.T", "model.mode", "model.V1"} if x in (None, "T", "T/V1") else {x}
    groups = _series(summary, exclude)
    cycle = _pyplot().rcParams["axes.prop_cycle"].by_key()["color"]
    by_mode = len({name.split(",")[0] for name in groups}) == len(groups)
    error_px = []
    for number, (name, rows) in enumerate(groups.items()):
        rows = np.array(sorted(rows, key=lambda i: xs[i]))
        color, marker = MODE_STYLE.get(name.split(",")[0], (None, "o"))
        if color is None or not by_mode:
            color = cycle[number % len(cycle)]
        ok = np.isfinite(xs[rows]) & np.isfinite(b_ode[rows])
        if ok.any():
            ax.plot(xs[rows][ok], b_ode[rows][ok], color=color, linewidth=1.3,
                    label=f"{name}: ODE fit")
        ok = np.isfinite(xs[rows]) & np.isfinite(b_kmc[rows])
        if ok.any():
            err = np.where(np.isfinite(b_err[rows][ok]), b_err[rows][ok], 0.0)
            ax.errorbar(xs[rows][ok], b_kmc[rows][ok], yerr=err, fmt=marker, markersize=3.5,
                        color=color, markerfacecolor="none", capsize=3, elinewidth=1.2,
                        linewidth=1, label=f"{name}: KMC fit ± 1σ")
            error_px.extend(err)
            if difference_ax is not None:
                difference_ax.errorbar(xs[rows][ok], (b_kmc - b_ode)[rows][ok], yerr=err,
                                       fmt=marker, markersize=3.5, color=color, capsize=3,
                                       markerfacecolor="none", label=name)
    if poor.any():
        y = np.where(np.isfinite(b_kmc), b_kmc, b_ode)
        ax.plot(xs[poor], y[poor], "o", color="tab:orange", markersize=10, markeredgewidth=1.3,
                markerfacecolor="none",
                label=f"poor KWW fit: max |q − KWW| > {poor_fit:g}\n(β depends on the fitted range)")
    ax.axhline(1.0, color="gray", linestyle=":", linewidth=1.1, label="β = 1 (exponential)")
    if logx:
        ax.set_xscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(BETA)
    ax.grid(alpha=0.3)
    _note_small_errors(ax, error_px)
    crossover = "mode" in summary and "crossover" in set(map(str, summary["mode"]))
    if crossover and crossover_axis:
        _crossover_axis(ax, summary, x or "T", _crossover_parameters(results, summary))
    if difference_ax is not None:
        difference_ax.axhline(0.0, color="gray", linewidth=0.9)
        difference_ax.set_xlabel(xlabel)
        difference_ax.set_ylabel(r"$\beta_\mathrm{KMC} - \beta_\mathrm{ODE}$")
        difference_ax.grid(alpha=0.3)
        if logx:
            difference_ax.set_xscale("log")
    if title:
        protocol = str(summary["protocol"].iloc[0]) if "protocol" in summary else ""
        what = "β of the SER–CER crossover (Eq. 10)" if crossover else "KWW exponent β"
        ax.set_title(f"{what}; {sizes_text(summary)}" +
                     (f", fit {protocol}" if protocol else ""), fontsize=9)
    if legend:
        _outside_legend(ax, offset=1.2 if crossover and crossover_axis else 1.02)
    return ax

def _note_small_errors(ax, errors):
    """Say so when every error bar is shorter than the symbols."""
    errors = np.asarray(errors, dtype=float)
    if errors.size == 0:
        return
    y0, y1 = ax.get_ylim()
    height_px = ax.get_window_extent().height or 1.0
    longest_px = 2 * np.nanmax(errors) / max(y1 - y0, 1e-300) * height_px
    if not longest_px > 6:  # a marker of 3.5 pt is about 5 px at 100 dpi
        ax.plot([], [], " ", label="(KMC error bars are smaller than the symbols)")

def _crossover_parameters(results, summary):
    """A and T0 per point: the summary columns A, T0 (or swept
    model.crossover.A, .T0), else the run record's configuration; NaN."""
    for a, t0 in (("A", "T0"), ("model.crossover.A", "model.crossover.T0")):
        A, T0 = _column(summary, a), _column(summary, t0)
        if np.isfinite(A).any() and np.isfinite(T0).any():
            return A, T0
    record = getattr(results, "record", None) or {}
    model = (record.get("config") or record).get("model") if isinstance(record, dict) else None
    crossover = model.get("crossover") if isinstance(model, dict) else None
    if isinstance(crossover, dict) and _finite(crossover.get("A")) and _finite(crossover.get("T0")):
        count = len(summary)
        return np.full(count, float(crossover["A"])), np.full(count, float(crossover["T0"]))
    return np.full(len(summary), math.nan), np.full(len(summary), math.nan)

def _crossover_axis(ax, summary, x, parameters):
    """f(T) dashed on a right-hand axis (from A and T0 when known)."""
    T, V1 = _column(summary, "T"), _column(summary, "V1")
    A, T0 = parameters
    scale = 1.0 / V1 if x == "T/V1" else np.ones_like(T)
    ok = np.isfinite(A) & np.isfinite(T0) & np.isfinite(T) & (T > 0)
    twin = ax.twinx()
    if ok.any() and np.allclose(A[ok], A[ok][0]) and np.allclose(T0[ok], T0[ok][0]):
        line = np.geomspace(T[ok].min(), T[ok].max(), 300)
        twin.plot(line * scale[ok][0], crossover_f(line, A[ok][0], T0[ok][0]), color="tab:green",
                  linestyle="--", linewidth=1.2,
                  label=f"f(T), A = {A[ok][0]:.3g}, T₀ = {T0[ok][0]:.3g}")
    else:
        f = _column(summary, "f_T")
        ok = np.isfinite(f) & np.isfinite(T)
        order = np.argsort((T * scale)[ok])
        twin.plot((T * scale)[ok][order], f[ok][order], color="tab:green", linestyle="--",
                  marker=".", label="f(T)")
    twin.set_ylabel("f(T): fraction of CER processes", color="tab:green")
    twin.set_ylim(-0.03, 1.03)
    twin.tick_params(axis="y", colors="tab:green")
    handles, labels = twin.get_legend_handles_labels()
    for handle, label in zip(handles, labels):
        ax.plot([], [], color=handle.get_color(), linestyle="--", label=label)
    return twin

def figure_relaxation(point, log=True, residual=True):
    """A figure of one point: q(t) linear, q(t) on log time, the KWW misfit."""
    plt = _pyplot()
    kinds = [False] + ([True] if log else [])
    count = len(kinds) + (1 if residual else 0)
    fig, axes = plt.subplots(1, count, figsize=(5.6 * count, 3.9), layout="constrained",
                             squeeze=False)
    for ax, kind in zip(axes[0], kinds):
        relaxation(ax, point, log=kind, legend=ax is axes[0][-1 - int(residual)])
    if residual:
        residuals(axes[0][-1], point, log=log)
    return fig

def figure_beta(results, x=None, logx=False, difference=True):
    """β against the swept parameter, with β_KMC − β_ODE below."""
    plt = _pyplot()
    difference = difference and np.isfinite(_column(_summary_frame(results), "beta_kmc")).any()
    if difference:
        fig, (ax, diff) = plt.subplots(2, 1, figsize=(7.6, 6.4), sharex=True, layout="constrained",
                                       gridspec_kw={"height_ratios": [3, 1.2]})
    else:
        fig, ax = plt.subplots(figsize=(7.6, 4.6), layout="constrained")
        diff = None
    beta(ax, results, x=x, logx=logx, difference_ax=diff)
    if diff is not None:
        ax.set_xlabel("")
    return fig
