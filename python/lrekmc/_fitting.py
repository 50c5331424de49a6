# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc._fitting - lrekmc.fit_model: the LRE model (or KWW) fitted to
measured relaxation curves by the library's fit_model.h, the same code as
``lrekmc fit`` (docs/fit-data.md describes the models and their errors)."""



import numpy as np


class ModelFit:
    """The result of :func:`lrekmc.fit_model`.

    ``parameters``: DataFrame (curve label or "" for a shared parameter,
    name, value, error, bootstrap_error); ``curves``: DataFrame (label, T,
    points, chi2); ``fitted``: the model at every data point (NumPy, curves
    in order of first appearance); ``chi2, dof, chi2_dof, chi2_p`` (NaN
    without sigma), ``aic, bic``; ``value(name, curve=None)``;
    ``curve(j, t)``: the fitted curve j at times t, in the observable the
    data were given in (phi or q)."""

    def __init__(self, core_fit, input_is_q):
        import pandas as pd
        self._core, self._q = core_fit, input_is_q
        self.model = core_fit.model
        curves = core_fit.curves()
        self.curves = pd.DataFrame(curves, columns=["label", "T", "points", "chi2"])
        labels = list(self.curves["label"])
        self.parameters = pd.DataFrame(
            [(labels[c] if c >= 0 else "", name, value, error, boot)
             for c, name, value, error, boot in core_fit.parameters()],
            columns=["curve", "name", "value", "error", "bootstrap_error"])
        fitted = np.array(core_fit.fitted(), dtype=float)
        self.fitted = 1.0 - fitted if input_is_q else fitted
        for key, value in core_fit.statistics().items():
            setattr(self, key, value)

    def value(self, name, curve=None):
        """A parameter's (value, error): shared when curve is None, else of
        the curve with that label."""
        rows = self.parameters[(self.parameters["name"] == name) &
                               (self.parameters["curve"] == ("" if curve is None else str(curve)))]
        if len(rows) != 1:
            raise KeyError(f"no parameter {name!r}" + (f" of curve {curve!r}" if curve else ""))
        return float(rows["value"].iloc[0]), float(rows["error"].iloc[0])

    def curve(self, j, t):
        """The fitted model of curve j (index) at times t."""
        phi = np.array(self._core.evaluate(int(j), [float(x) for x in np.ravel(t)]))
        return 1.0 - phi if self._q else phi

    def __repr__(self):
        return (f"<lrekmc.ModelFit {self.model}: {len(self.curves)} curve(s), "
                f"{len(self.parameters)} parameters, chi2/dof = {self.chi2_dof:.4g}>")


def fit_model(t, y=None, sigma=None, T=None, curve=None, model="lre", observable="phi",
              free_amplitude=False, free_plateau=False, bootstrap=0, bootstrap_over="points",
              seed=1):
    """Fit a model to relaxation data with the library (``lrekmc fit``).

    ``t``, ``y``: times and values (arrays), or ``t`` a DataFrame with the
    columns of docs/fit-data.md (t, phi or q, optional sigma, T, curve).
    ``observable``: "phi" (decaying, 1 at t = 0) or "q" (= 1 - phi).
    ``sigma``: standard errors (absolute: chi2 then tests the model);
    ``T``: temperature per point (needed by the joint models); ``curve``: a
    label per point (points with equal labels form a curve; without it,
    points group by T).  ``model``: "kww", "lre" (per curve), "ser", "cer",
    "crossover" (parameters shared across temperatures).
    ``free_amplitude``/``free_plateau``: fit A_j and B_j in
    phi = A (1 - q) + B.  ``bootstrap``: replicates (over "points" or whole
    "curves"), seeded by ``seed``.  Returns a :class:`ModelFit`; refused
    data or a failed fit raise ValueError with the library's message."""
    from . import _core_or_none
    _core_or_none.require()
    try:
        from . import _fit
    except ImportError:
        raise ImportError("lrekmc.fit_model: this build has no lrekmc._fit (the library "
                          "was built without fit_model.h)") from None
    import pandas as pd
    source = "arrays"
    if isinstance(t, pd.DataFrame):
        frame, source = t, "DataFrame"
        if "phi" in frame and "q" in frame:
            raise ValueError("fit_model: the DataFrame has both phi and q; keep one")
        if "q" in frame:
            observable = "q"
        y = frame["q" if observable == "q" else "phi"]
        sigma = frame["sigma"] if "sigma" in frame else sigma
        T = frame["T"] if "T" in frame else T
        curve = frame["curve"] if "curve" in frame else curve
        t = frame["t"]
    if observable not in ("phi", "q"):
        raise ValueError(f"observable: expected 'phi' or 'q', got {observable!r}")
    if bootstrap_over not in ("points", "curves"):
        raise ValueError(f"bootstrap_over: expected 'points' or 'curves', got {bootstrap_over!r}")
    if y is None:
        raise TypeError("fit_model: y is missing")

    def array(values):
        return None if values is None else np.ascontiguousarray(values, dtype=np.float64).ravel()

    curve_id, labels = None, None
    if curve is not None:
        codes, uniques = pd.factorize(pd.Series(np.asarray(curve).ravel()), sort=False)
        curve_id = np.ascontiguousarray(codes, dtype=np.int64)
        labels = [str(u) for u in uniques]
    core_fit = _fit.fit(array(t), array(y), observable == "q", array(sigma), array(T), curve_id,
                        labels, str(model), bool(free_amplitude), bool(free_plateau),
                        int(bootstrap), bootstrap_over == "curves", int(seed), source)
    return ModelFit(core_fit, observable == "q")



