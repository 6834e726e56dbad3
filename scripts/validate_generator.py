#!/usr/bin/env python3
"""Checks that the generated shapes set shows the study's effects (a reference script, not used by CI).

Reads a BLDS0001 file written by `datasets-tool generate`, splits it 80/20 (stratified, seeded) and
reports: (1) the best validation accuracy of a linear classifier (logistic regression) on raw
pixels; (2) the study's CNN (conv 16/32/64 3x3 same + ReLU + 2x2 max-pool, dense 128/64 ReLU,
1 logit; Glorot-uniform weights, zero biases; plain SGD lr 0.01) trained at batch 32 and 256:
per-epoch training/validation loss and accuracy, the epoch of minimum validation loss and whether
the training loss keeps falling after it while the validation loss rises (overfitting).

Usage: .venv/bin/python scripts/validate_generator.py FILE [--epochs 60] [--threads 2] [--csv OUT]
"""
import argparse
import json
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_blds(path):
    data = open(path, "rb").read()
    assert data[:8] == b"BLDS0001", "not a BLDS0001 file"
    n, c, h, w = np.frombuffer(data[8:24], dtype="<u4").astype(int)
    labels = np.frombuffer(data[24:24 + n], dtype=np.uint8).copy()
    pixels = np.frombuffer(data[24 + n:], dtype=np.uint8).reshape(n, c, h, w).copy()
    return pixels, labels


def stratified_split(labels, fraction=0.2, seed=0):
    rng = np.random.default_rng(seed)
    train, val = [], []
    for c in np.unique(labels):
        idx = np.flatnonzero(labels == c)
        rng.shuffle(idx)
        k = int(round(len(idx) * fraction))
        val += list(idx[:k])
        train += list(idx[k:])
    return np.sort(train), np.sort(val)


class StudyCNN(nn.Module):
    def __init__(self, size):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv2d(3, 16, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1),
                                    nn.Conv2d(32, 64, 3, padding=1)])
        flat = 64 * (size // 8) ** 2
        self.dense = nn.ModuleList([nn.Linear(flat, 128), nn.Linear(128, 64), nn.Linear(64, 1)])
        for m in list(self.convs) + list(self.dense):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)

    def forward(self, x):
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        x = x.flatten(1)
        x = F.relu(self.dense[0](x))
        x = F.relu(self.dense[1](x))
        return self.dense[2](x).squeeze(1)


def evaluate(model, x, y, batch=1000):
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            logits = model(x[i:i + batch])
            loss += F.binary_cross_entropy_with_logits(logits, y[i:i + batch], reduction="sum").item()
            correct += ((logits > 0).float() == y[i:i + batch]).sum().item()
    return loss / len(x), correct / len(x)


def train_cnn(xtr, ytr, xva, yva, batch, epochs, seed, lr=0.01):
    torch.manual_seed(seed)
    model = StudyCNN(xtr.shape[-1])
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    gen = torch.Generator().manual_seed(seed)
    curve = []
    for epoch in range(1, epochs + 1):
        model.train()
        perm = torch.randperm(len(xtr), generator=gen)
        start = time.time()
        for i in range(0, len(xtr), batch):
            b = perm[i:i + batch]
            loss = F.binary_cross_entropy_with_logits(model(xtr[b]), ytr[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
        tl, ta = evaluate(model, xtr, ytr)
        vl, va = evaluate(model, xva, yva)
        curve.append(dict(epoch=epoch, train_loss=tl, train_acc=ta, val_loss=vl, val_acc=va, seconds=time.time() - start))
        print(f"  batch {batch:3d} epoch {epoch:3d}: train loss {tl:.4f} acc {ta:.3f} | val loss {vl:.4f} acc {va:.3f}",
              file=sys.stderr, flush=True)
    return curve


def linear_probe(xtr, ytr, xva, yva):
    """Logistic regression on standardised raw pixels, L-BFGS to convergence; best of a few L2 weights."""
    mean, std = xtr.mean(0, keepdim=True), xtr.std(0, keepdim=True) + 1e-6
    a, b = ((xtr - mean) / std).flatten(1), ((xva - mean) / std).flatten(1)
    best = None
    for l2 in [1e-4, 1e-3, 1e-2, 1e-1, 1.0]:
        w = torch.zeros(a.shape[1], requires_grad=True)
        c = torch.zeros(1, requires_grad=True)
        opt = torch.optim.LBFGS([w, c], max_iter=500, history_size=20, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.binary_cross_entropy_with_logits(a @ w + c, ytr) + l2 * (w * w).sum() / 2
            loss.backward()
            return loss
        opt.step(closure)
        with torch.no_grad():
            train_acc = (((a @ w + c) > 0).float() == ytr).float().mean().item()
            val_acc = (((b @ w + c) > 0).float() == yva).float().mean().item()
        if best is None or val_acc > best["val_acc"]:
            best = dict(l2=l2, train_acc=train_acc, val_acc=val_acc)
    return best


def summarise(curve):
    best = min(curve, key=lambda r: r["val_loss"])
    last = curve[-1]
    return dict(epochs=len(curve), min_val_loss_epoch=best["epoch"], min_val_loss=best["val_loss"],
                val_acc_at_min=best["val_acc"], best_val_acc=max(r["val_acc"] for r in curve),
                final_train_loss=last["train_loss"], final_val_loss=last["val_loss"], final_val_acc=last["val_acc"],
                train_loss_at_min=best["train_loss"],
                # Overfitting, as reported: after the minimum the validation loss rose by >= 5% while the
                # training loss fell by >= 10%.
                overfits=last["val_loss"] >= best["val_loss"] * 1.05 and last["train_loss"] <= best["train_loss"] * 0.9)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("file")
    p.add_argument("--epochs", type=int, default=60)
    p.add_argument("--batches", default="32,256")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--csv")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    pixels, labels = read_blds(args.file)
    x = torch.from_numpy(pixels).float() / 255
    y = torch.from_numpy(labels).float()
    tr, va = stratified_split(labels, 0.2, args.seed)
    xtr, ytr, xva, yva = x[tr], y[tr], x[va], y[va]
    print(f"{args.file}: {len(labels)} images {pixels.shape[1:]}, train {len(tr)}, validation {len(va)}", file=sys.stderr)

    result = dict(file=args.file, images=len(labels), linear=linear_probe(xtr, ytr, xva, yva))
    print(f"linear probe: {result['linear']}", file=sys.stderr, flush=True)
    rows = []
    for batch in [int(b) for b in args.batches.split(",")]:
        curve = train_cnn(xtr, ytr, xva, yva, batch, args.epochs, args.seed)
        result[f"cnn_batch_{batch}"] = summarise(curve)
        rows += [dict(batch=batch, **r) for r in curve]
    if args.csv:
        with open(args.csv, "w") as f:
            f.write("batch,epoch,train_loss,train_acc,val_loss,val_acc\n")
            for r in rows:
                f.write(f"{r['batch']},{r['epoch']},{r['train_loss']:.5f},{r['train_acc']:.4f},{r['val_loss']:.5f},{r['val_acc']:.4f}\n")
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
