# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.fit_kww: the library's fit on any curve."""

import numpy as np
import pytest

import lrekmc


def test_recovers_an_exact_kww_curve():
    t = np.linspace(0.0, 20.0, 300)
    q = 1.0 - np.exp(-(t / 3.5) ** 0.7)
    fit = lrekmc.fit_kww(t, q)
    assert fit.converged and fit.source == "data"
    assert fit.beta == pytest.approx(0.7, rel=1e-9) and fit.tau == pytest.approx(3.5, rel=1e-9)
    assert fit.max_residual < 1e-9 and not fit.poor()
    assert fit.details["points"] == 299  # t = 0 (q = 0) is skipped
    weighted = lrekmc.fit_kww(t, q, sigma=np.full(t.size, 0.01))
    assert weighted.beta == pytest.approx(0.7, rel=1e-9)


def test_qlevels_reproduces_the_points_fit(tiny_file):
    point = lrekmc.compute(lrekmc.Config.load(tiny_file).point(0))
    ode = lrekmc.fit_kww(point.levels["t_ode"], point.levels["q"], protocol="qlevels")
    kmc = lrekmc.fit_kww(point.levels["t_mean"], point.levels["q"], protocol="qlevels")
    # the same doubles into the same function: the same bits
    assert ode.beta == point.summary["beta_ode"] and ode.tau == point.summary["tau_ode"]
    assert ode.beta_err == point.summary["beta_ode_err"]
    assert ode.max_residual == point.summary["max_residual_ode"]
    assert kmc.beta == point.summary["beta_kmc"]
    assert kmc.beta_err == point.kmc_fit.details["beta_err_fit"]


def test_failures():
    fit = lrekmc.fit_kww([1.0, 2.0], [0.1, 0.2])
    assert not fit.converged and np.isnan(fit.beta) and "3" in fit.details["message"]
    with pytest.raises(ValueError, match="sigma must be None"):
        lrekmc.fit_kww([1, 2, 3], [0.1, 0.2, 0.3], sigma=[1, 1, 1], protocol="qlevels")
    with pytest.raises(ValueError, match="protocol"):
        lrekmc.fit_kww([1, 2, 3], [0.1, 0.2, 0.3], protocol="levels")
    with pytest.raises(ValueError, match="length"):
        lrekmc.fit_kww([1, 2, 3], [0.1, 0.2])
