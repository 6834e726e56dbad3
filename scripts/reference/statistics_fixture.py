"""Writes Tests/StatisticsTests/Fixtures/statistics.json: t quantiles and CDFs, mean intervals, paired
differences and the blocked-trend models, computed by scipy and statsmodels (the reference no one
here wrote) on seeded data shaped like the study's (3–5 replicates × 4 batch sizes)."""
import json
import sys

import numpy as np
import pandas as pd
import scipy
import scipy.stats as st
import statsmodels
import statsmodels.formula.api as smf

out = sys.argv[1] if len(sys.argv) > 1 else "Tests/StatisticsTests/Fixtures/statistics.json"
rng = np.random.default_rng(20261202)
LEVEL = 0.95

quantiles = []
for df in [1, 2, 3, 4, 5, 7, 8, 10, 14, 20, 30, 100, 1000]:
    for p in [0.001, 0.025, 0.1, 0.5, 0.8, 0.95, 0.975, 0.995, 0.9995]:
        quantiles.append({"df": df, "p": p, "t": float(st.t.ppf(p, df))})
cdfs = []
for df in [1, 2, 3, 9, 30, 250]:
    for t in [-40.0, -3.2, -1.0, -0.01, 0.0, 0.4, 2.0, 6.5, 100.0]:
        cdfs.append({"df": df, "t": t, "p": float(st.t.cdf(t, df))})

means = []
for n in [2, 3, 5, 10, 40]:
    x = rng.normal(0.35, 0.02, n)
    lo, hi = st.t.interval(LEVEL, n - 1, loc=x.mean(), scale=st.sem(x))
    means.append({"values": x.tolist(), "mean": float(x.mean()), "lower": float(lo), "upper": float(hi)})

paired = []
for n in [3, 5, 8]:
    a = rng.normal(0.36, 0.03, n)
    b = a + rng.normal(0.01, 0.01, n)
    ci = st.ttest_rel(b, a).confidence_interval(LEVEL)
    paired.append({"first": a.tolist(), "second": b.tolist(), "estimate": float((b - a).mean()),
                   "lower": float(ci.low), "upper": float(ci.high)})


def frame(blocks, slope, noise, group_slope=None):
    rows = []
    for r in range(blocks):
        intercept = rng.normal(0.3, 0.05)
        for g in ([0] if group_slope is None else [0, 1]):
            s = slope if g == 0 else group_slope
            for bs in [32, 64, 128, 256]:
                x = float(np.log2(bs))
                rows.append({"block": r, "x": x, "group": g, "y": float(intercept + 0.02 * g + s * x + rng.normal(0, noise))})
    return pd.DataFrame(rows)


trends = []
for blocks, slope, noise in [(3, 0.01, 0.01), (5, -0.004, 0.01), (3, 0.0, 0.02), (8, 0.02, 0.05)]:
    d = frame(blocks, slope, noise)
    fit = smf.ols("y ~ 0 + C(block) + x", data=d).fit()
    lo, hi = fit.conf_int(1 - LEVEL).loc["x"]
    trends.append({"observations": d[["block", "x", "y", "group"]].to_dict("records"),
                   "estimate": float(fit.params["x"]), "lower": float(lo), "upper": float(hi),
                   "df": int(fit.df_resid)})

differences = []
for blocks, s0, s1, noise in [(3, 0.02, 0.005, 0.01), (5, 0.01, 0.01, 0.02)]:
    d = frame(blocks, s0, noise, group_slope=s1)
    fit = smf.ols("y ~ 0 + C(block) + group + x + x:group", data=d).fit()
    lo, hi = fit.conf_int(1 - LEVEL).loc["x:group"]
    differences.append({"observations": d[["block", "x", "y", "group"]].to_dict("records"),
                        "estimate": float(fit.params["x:group"]), "lower": float(lo), "upper": float(hi),
                        "df": int(fit.df_resid)})

with open(out, "w") as f:
    json.dump({"generator": f"scipy {scipy.__version__}, statsmodels {statsmodels.__version__}",
               "level": LEVEL, "quantiles": quantiles, "cdfs": cdfs, "means": means, "paired": paired,
               "trends": trends, "slopeDifferences": differences}, f, indent=1)
print(f"wrote {out}")
