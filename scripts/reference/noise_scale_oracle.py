#!/usr/bin/env python3
"""PyTorch oracle for BatchLab's gradient noise scale (McCandlish et al. 2018, appendix A.1): the
per-example gradients of a tiny VGG-style network's BCE loss in float64 autograd, and from them, for
a fixed order of the images cut into batches of BATCH and each batch into chunks of CHUNK (NN.Network's
fixed partition): every chunk's mean-gradient squared norm, the batch's, and the two-batch-size
estimates of |G|^2 and tr(Sigma) with and without the finite-population correction; then the epoch's
window (plain means, then the ratio) and the exact population values |G|^2 and tr(S) (S with N-1).
Run by `make fixtures`; CI never runs it (the fixture is committed)."""
import json
import sys

import torch
import torch.nn.functional as F

from hessian_oracle import forward, shapes

SPEC = {"channels": 2, "height": 8, "width": 8, "convWidths": [3, 4], "denseWidths": [5]}
IMAGES = 64
BATCH = 20           # batches 20, 20, 20, 4: chunks 8, 8, 4 and a last batch of one chunk (no estimate)
CHUNK = 8            # NN.Network.chunkSize
SEED = 20261203


def estimate(big, chunk_norms, chunk_sizes, batch, population):
    """McCandlish's unbiased pair from one batch, b = the harmonic mean of the chunk sizes."""
    if len(chunk_norms) < 2:
        return None
    small = sum(chunk_norms) / len(chunk_norms)
    b = len(chunk_sizes) / sum(1.0 / s for s in chunk_sizes)
    trace = (small - big) / (1.0 / b - 1.0 / batch)
    g2 = (batch * big - b * small) / (batch - b)
    if population:
        g2 += trace / population
    return g2, trace


def main(path):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    count = sum(torch.Size(s).numel() for s in shapes(SPEC))
    x = torch.randn(IMAGES, SPEC["channels"], SPEC["height"], SPEC["width"]).float()
    y = (x[:, 0].mean((1, 2)) > 0).float()  # a learnable label: the gradients share a direction (|G|² is not tiny)
    theta = torch.empty(count).uniform_(-0.5, 0.5).float().double()
    xd, yd = x.double(), y.double()
    per_example = []
    for i in range(IMAGES):
        t = theta.clone().requires_grad_(True)
        loss = F.binary_cross_entropy_with_logits(forward(t, xd[i:i + 1], SPEC), yd[i:i + 1], reduction="sum")
        g, = torch.autograd.grad(loss, t)
        per_example.append(g)
    grads = torch.stack(per_example)                       # (N, P)
    mean = grads.mean(0)
    centred = grads - mean
    population_trace = (centred ** 2).sum().item() / (IMAGES - 1)
    order = torch.randperm(IMAGES).tolist()

    batches = []
    for start in range(0, IMAGES, BATCH):
        idx = order[start:start + BATCH]
        big = grads[idx].mean(0).pow(2).sum().item()
        norms, sizes = [], []
        for c in range(0, len(idx), CHUNK):
            chunk = idx[c:c + CHUNK]
            norms.append(grads[chunk].mean(0).pow(2).sum().item())
            sizes.append(len(chunk))
        independent = estimate(big, norms, sizes, len(idx), None)
        finite = estimate(big, norms, sizes, len(idx), IMAGES)
        batches.append({"indices": idx, "batchMeanSquaredNorm": big, "chunkMeanSquaredNorms": norms, "chunkSizes": sizes,
                        "independent": list(independent) if independent else None,
                        "finitePopulation": list(finite) if finite else None})
    used = [b["finitePopulation"] for b in batches if b["finitePopulation"]]
    window_g2 = sum(u[0] for u in used) / len(used)
    window_trace = sum(u[1] for u in used) / len(used)

    fixture = {
        "generator": f"scripts/reference/noise_scale_oracle.py, torch {torch.__version__}, float64 per-example gradients",
        "spec": SPEC, "images": x.reshape(-1).tolist(), "labels": y.tolist(), "parameters": theta.tolist(),
        "chunkSize": CHUNK, "batches": batches,
        "window": {"gradientSquared": window_g2, "trace": window_trace, "batches": len(used), "bSimple": window_trace / window_g2},
        "population": {"gradientSquared": mean.pow(2).sum().item(), "trace": population_trace,
                       "bSimple": population_trace / mean.pow(2).sum().item()},
    }
    with open(path, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print(f"wrote {path}: {count} parameters; population |G|^2 {fixture['population']['gradientSquared']:.6f}, "
          f"tr(S) {population_trace:.6f}, B_simple {fixture['population']['bSimple']:.3f}; "
          f"window B_simple {fixture['window']['bSimple']:.3f} over {len(used)} batches")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/StudyTests/Fixtures/noise-scale-tiny.json")
