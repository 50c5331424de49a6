# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._plot_fluctuations - lrekmc.plot.fluctuations: finite-N noise and
bias of an N sweep (and nothing else)."""

import math

import numpy as np

from ._plot_base import (MAX_LABELS, NAMES, TIME, _colour_bar, _count, _has, _norm,
                         _outside_legend, _points_of, _pyplot, _summary_frame, sizes_text)


def is_n_sweep(points):
    """True when the points differ in N and in nothing else that is swept."""
    Ns = {int(p.summary["N"]) for p in points}
    others = [k for k in points[0].summary.index if "." in k and k != "model.N"]
    same = all(len({str(p.summary[k]) for p in points}) == 1 for k in others)
    return len(Ns) > 1 and same

def _value_at(R, name, t_star):
    t, v = np.asarray(R["t"], dtype=float), np.asarray(R[name], dtype=float)
    ok = np.isfinite(t) & np.isfinite(v)
    return float(np.interp(t_star, t[ok], v[ok])) if ok.any() else math.nan

def fluctuations(axes, results, cmap="plasma", level=0.5):
    """Finite-N behaviour of an N sweep in two or three Axes: (0) √N·std(q)
    against t coloured by N (colour bar) with the noise approximation
    dashed; (1) |KMC mean − ODE|, its standard error, |master eq. − ODE| and
    std(q) at t = τ_ODE against N with the slopes 1/N and 1/√N; (2, if given
    and first_passage.csv exists) first-passage histograms at the level
    nearest ``level`` against the exact mean and std.  Raises ValueError
    when the points are not an N sweep."""
    plt = _pyplot()
    points = _points_of(results)
    if not is_n_sweep(points):
        raise ValueError("fluctuations: not an N sweep (the points must differ in model.N and in "
                         "nothing else swept; e.g. configs/fluctuations.yaml)")
    points.sort(key=lambda p: int(p.summary["N"]))
    Ns = np.array([float(p.summary["N"]) for p in points])
    norm, colormap = _norm(Ns), plt.get_cmap(cmap)
    ax = axes[0]
    for p, N in zip(points, Ns):
        R, color = p.relaxation, colormap(norm(N))
        if _has(R, "q_std"):
            ax.plot(R["t"], math.sqrt(N) * R["q_std"], color=color, linewidth=1.2,
                    label=f"N = {_count(N)}" if len(points) <= MAX_LABELS else None)
        if _has(R, "q_lna_std"):
            ax.plot(R["t"], math.sqrt(N) * R["q_lna_std"], color="black", linestyle="--",
                    linewidth=0.9)
    ax.plot([], [], color="black", linestyle="--", label="linear noise approximation")
    _colour_bar(ax, norm, colormap, Ns, NAMES["N"])
    ax.set_xlabel(TIME)
    ax.set_ylabel(r"$\sqrt{N}\,\mathrm{std}(q)$")
    ax.set_title("noise collapses as 1/√N; " + sizes_text(_summary_frame(points)), fontsize=9)
    ax.grid(alpha=0.3)
    _outside_legend(ax)
    _scaling_panel(axes[1], points, Ns)
    if len(axes) > 2:
        _first_passage_panel(axes[2], points, level, colormap, norm)
    return axes

def _scaling_panel(ax, points, Ns):
    rows = []
    for p in points:
        R, tau = p.relaxation, float(p.summary["tau_ode"])
        ode = _value_at(R, "q_ode", tau)
        rows.append([abs(_value_at(R, "q_mean", tau) - ode) if _has(R, "q_mean") else math.nan,
                     _value_at(R, "q_sem", tau) if _has(R, "q_sem") else math.nan,
                     abs(_value_at(R, "q_exact_mean", tau) - ode)
                     if _has(R, "q_exact_mean") else math.nan,
                     _value_at(R, "q_std", tau) if _has(R, "q_std") else math.nan])
    rows = np.array(rows)
    styles = (("o", "tab:red", "|KMC mean − ODE|"), ("x", "gray", "standard error of the KMC mean"),
              ("s", "tab:orange", "|master eq. − ODE| (exact)"), ("D", "tab:blue", "std(q), KMC"))
    for column, (marker, color, label) in enumerate(styles):
        ok = np.isfinite(rows[:, column]) & (rows[:, column] > 0)
        if ok.any():
            ax.plot(Ns[ok], rows[ok, column], marker, color=color, markerfacecolor="none",
                    label=label)
    span = np.geomspace(Ns.min(), Ns.max(), 50)
    for column, power, label, style in ((3, 0.5, "∝ 1/√N", ":"), (2, 1.0, "∝ 1/N", "-.")):
        ok = np.flatnonzero(np.isfinite(rows[:, column]) & (rows[:, column] > 0))
        if column == 2 and ok.size == 0:
            ok = np.flatnonzero(np.isfinite(rows[:, 0]) & (rows[:, 0] > 0))
            column = 0
        if ok.size:
            anchor = rows[ok[0], column]
            ax.plot(span, anchor * (span / Ns[ok[0]]) ** (-power), color="gray", linestyle=style,
                    linewidth=1.0, label=label)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(NAMES["N"] + " (LREs per trajectory)")
    ax.set_ylabel(r"value at $t = \tau_\mathrm{ODE}$")
    ax.set_title("bias and noise against N", fontsize=9)
    ax.grid(alpha=0.3, which="both")
    _outside_legend(ax)

def _first_passage_panel(ax, points, level, colormap, norm):
    drawn = 0
    for p in points:
        table = p.first_passage
        if table is None:
            continue
        names = [c for c in table.columns if c != "trajectory"]
        levels = np.array([float(str(c).lstrip("qQ_")) for c in names])
        j = int(np.argmin(np.abs(levels - level)))
        sample = np.asarray(table[names[j]], dtype=float)
        sample = sample[np.isfinite(sample)]
        if sample.size < 2:
            continue
        color = colormap(norm(float(p.summary["N"])))
        ax.hist(sample, bins=min(60, max(10, int(math.sqrt(sample.size)))), density=True,
                histtype="step", color=color, linewidth=1.2,
                label=f"N = {_count(p.summary['N'])}, q = {levels[j]:g}")
        L = p.levels
        i = int(np.nanargmin(np.abs(L["q"] - levels[j])))
        mean, std = float(L["t_exact_mean"][i]), float(L["t_exact_std"][i])
        if math.isfinite(mean) and std > 0:
            t = np.linspace(sample.min(), sample.max(), 200)
            ax.plot(t, np.exp(-0.5 * ((t - mean) / std) ** 2) / (std * math.sqrt(2 * math.pi)),
                    color=color, linestyle="--", linewidth=1.0)
        drawn += 1
    if drawn:
        ax.plot([], [], color="gray", linestyle="--", label="normal with the exact mean, std")
    ax.set_xlabel("first-passage time " + TIME)
    ax.set_ylabel("density")
    ax.set_title("first-passage times", fontsize=9)
    ax.grid(alpha=0.3)
    _outside_legend(ax)

def figure_fluctuations(results, level=0.5):
    """The panels of :func:`fluctuations` side by side (three with
    first-passage files)."""
    plt = _pyplot()
    points = _points_of(results)
    panels = 3 if any(p.first_passage is not None for p in points) else 2
    fig, axes = plt.subplots(1, panels, figsize=(6.0 * panels, 4.3), layout="constrained")
    fluctuations(list(axes), points, level=level)
    return fig
