#!/usr/bin/env python3
"""PyTorch oracle for BatchLab's training core: runs a tiny VGG-style network (the same layers,
layout and loss as NN.Network) on one batch and writes input, weights, logits, loss, every
parameter gradient and the losses of 10 SGD steps to a JSON fixture that `swift test` compares.
Run by `make fixtures`; CI never runs it (the fixture is committed)."""
import json
import sys

import torch

from model import build

SPEC = {"channels": 2, "height": 8, "width": 8, "convWidths": [3, 4], "denseWidths": [5]}
BATCH = 11          # more than one of NN.Network's 8-image chunks, the last one partial
LEARNING_RATE = 0.1
SGD_STEPS = 10
SEED = 20240601


def flat(tensors):
    """Concatenation in BatchLab's layout order (conv1.weight, conv1.bias, …, out.weight, out.bias)."""
    return [float(v) for t in tensors for v in t.detach().reshape(-1).double().tolist()]


def main(path):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    model = build(SPEC)
    with torch.no_grad():  # non-zero biases so their gradients are exercised
        for p in model.parameters():
            p.uniform_(-0.5, 0.5) if p.dim() > 1 else p.uniform_(-0.1, 0.1)
    x = torch.randn(BATCH, SPEC["channels"], SPEC["height"], SPEC["width"])
    y = torch.randint(0, 2, (BATCH,)).float()
    loss_fn = torch.nn.BCEWithLogitsLoss()  # mean over the batch
    params = list(model.parameters())
    initial = flat(params)

    logits = model(x).squeeze(1)
    loss = loss_fn(logits, y)
    loss.backward()
    gradient = flat([p.grad for p in params])

    optimizer = torch.optim.SGD(params, lr=LEARNING_RATE)
    losses = []
    for _ in range(SGD_STEPS):
        optimizer.zero_grad()
        step_loss = loss_fn(model(x).squeeze(1), y)
        losses.append(step_loss.item())
        step_loss.backward()
        optimizer.step()

    fixture = {
        "generator": f"scripts/reference/oracle.py, torch {torch.__version__}",
        "spec": SPEC, "batch": BATCH, "learningRate": LEARNING_RATE,
        "images": flat([x]), "labels": flat([y]), "parameters": initial,
        "logits": flat([logits]), "meanLoss": loss.item(), "meanGradient": gradient,
        "sgdLosses": losses, "finalParameters": flat(params),
    }
    with open(path, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(f"wrote {path}: {len(initial)} parameters, loss {loss.item():.6f}, losses after SGD {losses[-1]:.6f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/NNTests/Fixtures/oracle-tiny.json")
