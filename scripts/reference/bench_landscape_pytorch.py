#!/usr/bin/env python3
"""PyTorch side of the landscape rows of `make bench`: grid points per second of the loss-landscape
grid, i.e. for each point (a, b) of a 21x21 grid over [-1, 1]^2, set the weights to
theta + (a*dx + b*dy) (Li et al.'s net_plotter.set_weights) and evaluate loss and accuracy forward-only
over a fixed set of images in batches of 256, as BatchLab's GridEvaluator does. Both memory layouts
(NCHW, channels_last); the measuring protocol of bench_pytorch.py. Writes JSON for batchlab-bench --landscape."""
import argparse
import json
import os

import torch

from bench_pytorch import MODELS, measure
from model import build

BATCH = 256


def filter_normalised_direction(weights):
    """A Gaussian direction, filter-normalised, biases zeroed (Li et al.'s defaults)."""
    out = []
    for w in weights:
        d = torch.randn_like(w)
        if d.dim() <= 1:
            d.zero_()
        else:
            for du, wu in zip(d, w):
                du.mul_(wu.norm() / (du.norm() + 1e-10))
        out.append(d)
    return out


def row(spec, threads, subset, layout, args):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(spec)
    weights = [p.detach().clone() for p in model.parameters()]
    dx, dy = filter_normalised_direction(weights), filter_normalised_direction(weights)
    x = torch.rand(subset, spec["channels"], spec["height"], spec["width"])
    y = torch.randint(0, 2, (subset,)).float()
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    batches = [(x[i:i + BATCH], y[i:i + BATCH]) for i in range(0, subset, BATCH)]
    loss_fn = torch.nn.BCEWithLogitsLoss(reduction="sum")
    coords = torch.linspace(-1, 1, 21).tolist()
    points = [(a, b) for a in coords for b in coords]
    state = {"k": 0}
    params = list(model.parameters())

    def step():
        a, b = points[state["k"] % len(points)]
        state["k"] += 1
        with torch.inference_mode():
            for p, w, u, v in zip(params, weights, dx, dy):
                p.copy_(w + (a * u + b * v))
            loss, correct = 0.0, 0
            for xb, yb in batches:
                logits = model(xb).squeeze(1)
                loss += loss_fn(logits, yb).item()
                correct += int(((logits > 0).float() == yb).sum().item())
        return loss / subset, correct / subset

    return measure(step, 1, args.seconds, args.repeats, args.repeats + 4)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--out", default="artifacts/bench-pytorch-landscape.json")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--subset", type=int, default=1000)
    p.add_argument("--seconds", type=float, default=1.0)
    p.add_argument("--repeats", type=int, default=3)
    args = p.parse_args()
    rows = []
    for threads in [int(t) for t in args.threads.split(",")]:
        entry = {"model": "32x32", "threads": threads, "subset": args.subset}
        for layout in ("nchw", "channels_last"):
            entry[layout] = row(MODELS["32x32"], threads, args.subset, layout, args)
        rows.append(entry)
        print(f"pytorch landscape 32x32 t={threads} subset={args.subset}: nchw {entry['nchw']['median']:.2f} "
              f"channels_last {entry['channels_last']['median']:.2f} points/s", flush=True)
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump({"torch": torch.__version__, "rows": rows}, f, indent=1)


if __name__ == "__main__":
    main()
