# SPDX-License-Identifier: GPL-3.0-or-later
"""Write ser.csv: five SER curves (V0 = V1 = 2, tau0 = 1, T = 0.8 .. 2) of the
mean-field equation dq/dt = k (1 - q) exp(-a q), k = exp(-V0/T)/tau0, a = V1/T,
integrated by scipy (independently of lrekmc's closed form), sampled on a log
grid, with Gaussian noise sigma = 0.01 in phi = 1 - q (seed 1).

    /usr/bin/python3 tests/data/fit/make_ser.py > tests/data/fit/ser.csv
"""
import numpy as np
from scipy.integrate import solve_ivp

rng = np.random.default_rng(1)
V0, V1, tau0, sigma = 2.0, 2.0, 1.0, 0.01
print("# synthetic SER curves: V0 = V1 = 2, tau0 = 1, sigma = 0.01 (make_ser.py)")
print("t,phi,sigma,T")
for T in [0.8, 1.0, 1.3, 1.7, 2.0]:
    k, a = np.exp(-V0 / T) / tau0, V1 / T
    t = np.geomspace(0.05, 40, 60) / k * np.exp(a * 0.5)
    sol = solve_ivp(lambda t, q: k * (1 - q) * np.exp(-a * q), [0, t[-1]], [0.0], t_eval=t,
                    rtol=1e-11, atol=1e-13)
    phi = 1 - sol.y[0] + sigma * rng.standard_normal(len(t))
    for ti, p in zip(t, phi):
        print(f"{ti:.10g},{p:.10g},{sigma},{T}")
