# SPDX-License-Identifier: GPL-3.0-or-later
"""lrekmc.fit_model: the library's model fit (fit_model.h) from Python,
checked on curves the library itself computed (the ODE of known V0, V1, T)."""

import math

import numpy as np
import pandas as pd
import pytest

import lrekmc


def ode_curve(mode, T, V0=1.0, V1=1.0):
    point = lrekmc.compute({"model": {"mode": mode, "V0": V0, "V1": V1, "T": T, "N": 100},
                            "kmc": {"trajectories": 0}, "grid": {"points": 120}})
    R = point.relaxation[point.relaxation["t"] > 0]
    return R["t"].to_numpy(), R["q_ode"].to_numpy()


def test_lre_per_curve_recovers_the_model():
    t, q = ode_curve("ser", 0.5)
    fit = lrekmc.fit_model(t, q, observable="q", model="lre")
    a, _ = fit.value("a", "1")
    tau, _ = fit.value("tau", "1")
    assert a == pytest.approx(2.0, rel=1e-5)          # c V1 / T
    assert tau == pytest.approx(math.exp(2.0), rel=1e-5)  # e^(V0 / T)
    assert np.max(np.abs(fit.fitted - q)) < 1e-5
    assert np.allclose(fit.curve(0, t), fit.fitted, atol=1e-9)
    assert math.isnan(fit.chi2_p)  # unweighted


def test_joint_ser_over_temperatures_from_a_dataframe():
    frames = []
    for T in (0.5, 1.0, 2.0):
        t, q = ode_curve("ser", T, V0=1.2, V1=0.8)
        frames.append(pd.DataFrame({"t": t, "q": q, "T": T, "curve": f"T={T}"}))
    fit = lrekmc.fit_model(pd.concat(frames), model="ser")
    assert list(fit.curves["label"]) == ["T=0.5", "T=1.0", "T=2.0"]
    assert fit.value("V0")[0] == pytest.approx(1.2, rel=1e-4)
    assert fit.value("V1")[0] == pytest.approx(0.8, rel=1e-4)
    assert fit.value("tau0")[0] == pytest.approx(1.0, rel=1e-4)


def test_kww_and_weights():
    t = np.linspace(0.1, 20, 200)
    phi = np.exp(-(t / 3.0) ** 0.6)
    fit = lrekmc.fit_model(t, phi, sigma=np.full(t.size, 1e-3), model="kww")
    assert fit.value("beta", "1")[0] == pytest.approx(0.6, rel=1e-8)
    assert fit.value("tau", "1")[0] == pytest.approx(3.0, rel=1e-8)
    assert fit.weighted and fit.chi2 < 1e-10


def test_refusals_carry_the_library_messages():
    t = np.linspace(0.1, 5, 20)
    with pytest.raises(ValueError, match="kww"):
        lrekmc.fit_model(t, np.exp(-t), model="stretchy")
    with pytest.raises(ValueError, match="point 3"):
        lrekmc.fit_model(t, np.where(np.arange(20) == 3, np.nan, np.exp(-t)))
    with pytest.raises(ValueError, match="T"):
        lrekmc.fit_model(t, np.exp(-t), model="ser")


def test_same_numbers_as_lrekmc_fit(tmp_path):
    """The CLI's `lrekmc fit` and fit_model on the same file: the same doubles."""
    import os
    from conftest import SOURCE_DIR, run_cli
    data = os.path.join(SOURCE_DIR, "tests", "data", "fit", "ser.csv")
    run_cli("fit", data, "--model", "ser", "-o", tmp_path / "fit", "--quiet")
    cli = pd.read_csv(tmp_path / "fit" / "parameters.csv", float_precision="round_trip")
    cli = cli[cli["model"] == "ser"].set_index("parameter")
    frame = pd.read_csv(data, comment="#", float_precision="round_trip")
    fit = lrekmc.fit_model(frame, model="ser")
    for name in ("V0", "V1", "tau0"):
        value, error = fit.value(name)
        assert value == cli.loc[name, "value"] and error == cli.loc[name, "error"], name
