#!/usr/bin/env python3
"""PyTorch oracle for BatchLab's loss-landscape grid: a tiny VGG-style network, raw Gaussian
directions, the same directions after Li et al.'s filter normalisation (net_plotter.py's rule:
per output filter / neuron d * ||w|| / (||d|| + 1e-10), parameters with <= 1 dimension zeroed),
and the loss and accuracy at theta + (a*dx + b*dy) on a NON-square grid, loss[i][j] at (x[i], y[j]).
Written as a JSON fixture that `swift test` compares (Tests/StudyTests/LandscapeOracleTests.swift).
Run by `make fixtures`; CI never runs it (the fixture is committed)."""
import json
import sys

import torch

from model import build

SPEC = {"channels": 2, "height": 8, "width": 8, "convWidths": [3, 4], "denseWidths": [5]}
BATCH = 11
SEED = 20261127
XS = [-0.5, 0.0, 0.75]
YS = [-1.0, 0.5]


def flat(tensors):
    """Concatenation in BatchLab's layout order (conv1.weight, conv1.bias, ..., out.weight, out.bias)."""
    return [float(v) for t in tensors for v in t.detach().reshape(-1).double().tolist()]


def filter_normalised(direction, weights):
    """Li et al.'s normalize_directions_for_weights(norm='filter', ignore='biasbn'), written anew."""
    out = []
    for d, w in zip(direction, weights, strict=True):
        d = d.clone()
        if d.dim() <= 1:
            d.zero_()
        else:
            for unit_d, unit_w in zip(d, w, strict=True):  # first axis: conv output filter, dense neuron
                unit_d.mul_(unit_w.norm() / (unit_d.norm() + 1e-10))
        out.append(d)
    return out


def main(path):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    model = build(SPEC)
    with torch.no_grad():  # filters of very different norms, so a wrong slice shows
        for p in model.parameters():
            if p.dim() > 1:
                scale = torch.logspace(-1, 0.5, p.shape[0]).reshape(-1, *([1] * (p.dim() - 1)))
                p.copy_(torch.randn_like(p) * scale)
            else:
                p.uniform_(-0.2, 0.2)
    weights = [p.detach().clone() for p in model.parameters()]
    raw_x = [torch.randn_like(w) for w in weights]
    raw_y = [torch.randn_like(w) for w in weights]
    dx, dy = filter_normalised(raw_x, weights), filter_normalised(raw_y, weights)
    x = torch.rand(BATCH, SPEC["channels"], SPEC["height"], SPEC["width"])
    y = torch.randint(0, 2, (BATCH,)).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()
    loss, acc = [], []
    with torch.no_grad():
        for a in XS:
            row_loss, row_acc = [], []
            for b in YS:
                for p, w, u, v in zip(model.parameters(), weights, dx, dy, strict=True):
                    p.copy_(w + (a * u + b * v))
                logits = model(x).squeeze(1)
                row_loss.append(loss_fn(logits, y).item())
                row_acc.append(((logits > 0).float() == y).float().mean().item())
            loss.append(row_loss)
            acc.append(row_acc)
    fixture = {
        "generator": f"scripts/reference/landscape_oracle.py, torch {torch.__version__}",
        "spec": SPEC, "images": flat([x]), "labels": flat([y]), "theta": flat(weights),
        "rawX": flat(raw_x), "rawY": flat(raw_y), "dirX": flat(dx), "dirY": flat(dy),
        "xcoordinates": XS, "ycoordinates": YS, "loss": loss, "accuracy": acc,
    }
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(fixture['theta'])} parameters, grid {len(XS)}x{len(YS)}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/StudyTests/Fixtures/landscape-tiny.json")
