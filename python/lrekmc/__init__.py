# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc - kinetic Monte Carlo of local relaxation events, from Python.

The compiled extension runs the same C library as the ``lrekmc`` program,
so a result here is the CLI's result, number for number::

    import lrekmc
    config = lrekmc.Config.load("configs/quickstart.yaml", **{"model.T": 0.5})
    point = lrekmc.compute(config, progress=True)   # in memory, no files
    point.summary["beta_kmc"], point.kmc_fit, point.relaxation   # pandas
    run = lrekmc.run("configs/paper-fig2.yaml", "results/beta")   # a run directory
    lrekmc.plot.beta(ax, lrekmc.open_run("results/beta"))

Functions: :func:`compute`, :func:`compute_all`, :func:`run`,
:func:`open_run`, :func:`fit_kww`, :func:`fit_model` (the LRE model fitted
to measured curves), :func:`key_reference`; classes
:class:`Config`, :class:`Point`, :class:`Points`, :class:`Run`, :class:`Fit`;
errors :class:`ConfigError` (every configuration problem, as ``lrekmc check``
prints them) and :class:`LrekmcError`.  Plots: :mod:`lrekmc.plot`.
The tutorial is analysis/tutorial.ipynb; the reference docs/python.md.

Reading run directories and plotting work without the compiled part (from
a source checkout); computing needs it (built by CMake, see README.md).
"""

import math

from . import _core_or_none
from ._config import Config, dict_to_yaml, key_reference
from ._fitting import ModelFit, fit_model
from ._results import Fit, Point, Points, Run, open_run

__all__ = ["Config", "ConfigError", "LrekmcError", "LrekmcNotice", "Fit", "Point", "Points", "Run",
           "compute", "compute_all", "run", "open_run", "fit_kww", "fit_model", "ModelFit", "columns",
           "key_reference", "plot",
           "__version__"]

if _core_or_none.core is not None:
    from ._core import ConfigError, LrekmcError, __version__, git_revision
else:  # pure-Python use (reading and plotting): the same names, no computing
    class ConfigError(ValueError):
        """A configuration the library refuses (see the compiled lrekmc._core)."""

        def __init__(self, messages, source=None):
            self.messages, self.source = list(messages), source
            super().__init__("\n".join(self.messages))

    class LrekmcError(RuntimeError):
        """A computation or a run directory failed."""

    __version__ = "unknown (lrekmc._core not built)"
    git_revision = "unknown"


def __getattr__(name):
    if name == "plot":  # matplotlib is imported only when plots are asked for
        import importlib
        return importlib.import_module(".plot", __name__)
    raise AttributeError(f"module 'lrekmc' has no attribute {name!r}")


def _as_config(config):
    return config if isinstance(config, Config) else Config.load(config)


def _threads(threads):
    if threads is None:
        return 0
    if isinstance(threads, bool) or not isinstance(threads, int) or not 0 <= threads <= 1024:
        raise ValueError(f"threads: expected None or an integer in [0, 1024] (0 = all cores), "
                         f"got {threads!r}")
    return threads


def _bar(total, unit, description):
    """A tqdm bar: a widget in a notebook when ipywidgets is there, text on a
    terminal otherwise."""
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from tqdm.auto import tqdm
            return tqdm(total=total, unit=unit, desc=description, unit_scale=True)
        except Exception:  # no widgets: the text bar
            from tqdm import tqdm
            return tqdm(total=total, unit=unit, desc=description, unit_scale=True)


def compute(config, threads=None, progress=False):
    """Compute one point in memory and return a :class:`Point`.

    ``config``: a :class:`Config` without a sweep or one point of a sweep
    (``config.point(k)``), or anything :meth:`Config.load` takes.
    ``threads``: OpenMP threads (None: the configuration's ``kmc.threads``;
    0 = all cores); results do not depend on it.  ``progress``: True shows a
    tqdm bar of trajectories; a callable gets ``(trajectories_done,
    events_done)`` from time to time.

    The GIL is released while the library computes; Ctrl-C (SIGINT, main
    thread) stops it within a few trajectories and raises KeyboardInterrupt.
    Every number is what ``lrekmc run`` writes for the same configuration:
    the tables are the library's CSV text, kept as ``point.csv(name)``.
    With ``output.trajectories: true`` the per-trajectory first-passage
    times are kept too (``point.first_passage``, ``point.csv("first_passage")``:
    the bytes of points/<k>/first_passage.csv)."""
    core = _core_or_none.require()
    config = _as_config(config)
    bar, callback = None, None
    if progress is True:
        trajectories = int(config["kmc.trajectories"])
        bar = _bar(trajectories, "traj", f"point {config.index}")

        def callback(done, events):
            bar.update(done - bar.n)
    elif callable(progress):
        callback = progress
    elif progress not in (False, None):
        raise TypeError("progress: expected True, False or a callable(trajectories, events)")
    try:
        texts = core.compute(config._core, _threads(threads), callback,
                             bool(config["output.trajectories"]))
    finally:
        if bar is not None:
            bar.close()
    return Point._from_texts(texts, config)


def compute_all(config, threads=None, progress=False):
    """Compute every point of a campaign in memory (no run directory): a
    :class:`Points` list whose ``.summary`` is summary.csv as a DataFrame
    and whose ``.tidy()`` joins the tables.  Point k is ``compute(
    config.point(k))``; for long campaigns prefer :func:`run` (resume,
    files)."""
    config = _as_config(config)
    count = config.point_count
    bar = _bar(count, "point", "points") if progress is True else None
    out = Points()
    try:
        for k in range(count):
            out.append(compute(config.point(k), threads, progress if callable(progress) else False))
            if bar is not None:
                bar.update(1)
    finally:
        if bar is not None:
            bar.close()
    return out


class LrekmcNotice(UserWarning):
    """A line the library reports about a run directory while it runs (a
    damaged point computed again, a temporary of a killed run removed)."""


def run(config, directory=None, threads=None, force=False, progress=False, notice=None):
    """Run (or resume) a campaign into a run directory and return its
    :class:`Run`.

    The library's campaign code does the work, as for ``lrekmc run``: the
    same files (run.yaml, summary.csv, points/<k>/...), written whole or
    not at all; finished points are kept on a second call (resume); a
    directory of another campaign is refused unless ``force``.
    ``directory`` None means the configuration's output.dir.  ``progress``:
    True for a tqdm bar of events, or a callable receiving a dict (phase:
    None while computing points, else a start-up phase such as checking the
    finished points; point,
    points_done, point_count, trajectories_done, trajectories, events_done,
    events_total, seconds).  Ctrl-C stops after the current file and raises
    KeyboardInterrupt; finished points stay and a new call resumes.
    ``notice``: a callable receiving each line the library reports about
    the directory; by default they become :class:`LrekmcNotice` warnings.
    The whole call holds the directory's lock: a second run into it (from
    Python or the CLI) fails at once with OSError naming the holder.  The
    returned Run also says how many points were ``computed`` by this call
    and how many were ``kept`` from an earlier one.  A directory of another
    campaign raises LrekmcError (the CLI's message), a disk error OSError
    naming the path."""
    core = _core_or_none.require()
    config = _as_config(config)
    bar, callback = None, None
    if progress is True:
        bar = _bar(None, "events", "campaign")

        def callback(state):
            if bar.total is None and state["events_total"] > 0:
                bar.total = state["events_total"]
            bar.set_postfix_str(f"point {min(state['points_done'] + 1, state['point_count'])}"
                                f"/{state['point_count']}", refresh=False)
            bar.update(state["events_done"] - bar.n)
    elif callable(progress):
        callback = progress
    elif progress not in (False, None):
        raise TypeError("progress: expected True, False or a callable(state)")
    command = f"python3: lrekmc.run({config.source!r}, {directory!r})"
    notices = []
    try:
        out_dir, _count, computed, kept = core.campaign_run(
            config._core, None if directory is None else str(directory), _threads(threads),
            bool(force), command, callback, notices)
    finally:
        if bar is not None:
            bar.close()
        for line in notices:
            if notice is not None:
                notice(line)
            else:
                import warnings
                warnings.warn(line, LrekmcNotice, stacklevel=3)
    result = Run(out_dir)
    result.computed, result.kept = computed, kept
    return result


def columns(table="summary"):
    """``[(name, meaning)]`` of the columns of ``"summary"`` (the fixed
    fields of summary.csv and ``Point.summary``, after ``point`` and the
    swept keys), ``"relaxation"`` or ``"levels"``: the library's column
    tables, which its writers use."""
    return _core_or_none.require().columns(table)


def fit_kww(t, q, sigma=None, protocol="timegrid"):
    """Fit q = 1 - exp(-(t/tau)^beta) to any curve with the library's fit
    (GSL Levenberg-Marquardt in ln tau, ln beta; fit.h) and return a
    :class:`Fit` (``converged`` False and ``details["message"]`` when it
    fails).

    ``protocol="timegrid"``: q[i] is the curve at time t[i], ``sigma`` its
    standard errors (weights 1/sigma^2; None = equal weights), as the
    library fits KMC curves on the grid.  ``protocol="qlevels"``: t[i] is
    the time at which level q[i] was reached (first-passage times),
    unweighted, as for fit.protocol qlevels; sigma must be None.  Points
    with t <= 0, q outside (0, 1) or non-finite values are skipped.  The
    errors are the covariance errors scaled by chi2_dof (fit.h); the batch
    errors of summary.csv need the batches, which only compute() has."""
    import numpy as np
    core = _core_or_none.require()
    if protocol not in ("timegrid", "qlevels"):
        raise ValueError(f"protocol: expected 'timegrid' or 'qlevels', got {protocol!r}")
    if protocol == "qlevels" and sigma is not None:
        raise ValueError("protocol 'qlevels' fits unweighted (as the library does): sigma must be None")
    t = np.ascontiguousarray(t, dtype=np.float64).ravel()
    q = np.ascontiguousarray(q, dtype=np.float64).ravel()
    s = None if sigma is None else np.ascontiguousarray(sigma, dtype=np.float64).ravel()
    status, message, raw = core.kww_fit(t, q, s)
    nan = math.nan
    ok = status is None and raw["converged"]
    fit = Fit("data", raw["beta"] if ok else nan, raw["tau"] if ok else nan,
              raw["beta_err"] if ok else nan, raw["tau_err"] if ok else nan,
              raw["rms_residual"] if ok else nan, raw["max_residual"] if ok else nan,
              details={"iterations": raw["iterations"], "points": raw["points"],
                       "chi2_dof": raw["chi2_dof"], "message": message, "protocol": protocol})
    return fit
