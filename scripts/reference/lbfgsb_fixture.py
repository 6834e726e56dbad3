"""Writes Tests/OptimTests/Fixtures/scipy_lbfgsb.json: scipy.optimize L-BFGS-B solutions of two
small box-constrained problems that Tests/OptimTests rebuild from the same formulas (no RNG).
Run: .venv/bin/python scripts/reference/lbfgsb_fixture.py  (CI only reads the committed JSON)."""
import json
import math
import pathlib

import numpy as np
import scipy
from scipy.optimize import minimize


def logistic_problem():
    """Regularised logistic loss, 12 weights, 40 samples, box [-0.3, 0.3]: convex, unique optimum
    with some weights on a bound and some free."""
    n, samples = 12, 40
    a = np.array([[math.sin(1.3 * i + 0.7 * j + 0.1 * i * j) for j in range(n)] for i in range(samples)])
    b = np.array([1.0 if math.cos(1.7 * i) + 0.3 * math.sin(0.9 * i * i) > 0 else -1.0 for i in range(samples)])

    def f(x):
        z = b * (a @ x)
        loss = np.sum(np.logaddexp(0, -z)) + 0.05 * x @ x
        s = -b / (1 + np.exp(z))
        return loss, a.T @ s + 0.1 * x

    x0 = np.array([0.1 * math.cos(j) for j in range(n)])
    return f, x0, [-0.3] * n, [0.3] * n


def chained_rosenbrock():
    """The L-BFGS-B distribution's driver1 problem with n = 25: odd (1-based) variables in [1, 100],
    even ones in [-100, 100], start x = 3."""
    n = 25

    def f(x):
        t = x[1:] - x[:-1] ** 2
        val = 0.25 * (x[0] - 1) ** 2 + np.sum(t ** 2)
        g = np.zeros(n)
        g[0] = 0.5 * (x[0] - 1)
        g[1:] += 2 * t
        g[:-1] -= 4 * x[:-1] * t
        return 4 * val, 4 * g

    lower = [1.0 if i % 2 == 0 else -100.0 for i in range(n)]
    return f, np.full(n, 3.0), lower, [100.0] * n


def solve(problem, memory):
    f, x0, lower, upper = problem()
    res = minimize(f, x0, jac=True, method="L-BFGS-B", bounds=list(zip(lower, upper)),
                   options={"maxcor": memory, "ftol": 1e-15, "gtol": 1e-10, "maxiter": 10000})
    return {"x": res.x.tolist(), "f": float(res.fun), "nit": int(res.nit), "memory": memory,
            "projected_gradient": float(np.max(np.abs(np.clip(res.x - res.jac, lower, upper) - res.x)))}


out = {"scipy": scipy.__version__, "logistic": solve(logistic_problem, 5), "chained_rosenbrock": solve(chained_rosenbrock, 5)}
path = pathlib.Path(__file__).resolve().parents[2] / "Tests/OptimTests/Fixtures/scipy_lbfgsb.json"
path.parent.mkdir(parents=True, exist_ok=True)
path.write_text(json.dumps(out, indent=1) + "\n")
print(json.dumps({k: (v if k == "scipy" else {"f": v["f"], "nit": v["nit"], "pg": v["projected_gradient"]}) for k, v in out.items()}))
