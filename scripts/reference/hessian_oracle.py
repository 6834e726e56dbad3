#!/usr/bin/env python3
"""PyTorch oracle for BatchLab's Curvature module: the EXACT Hessian of a tiny VGG-style network's
mean BCE loss (float64 autograd, torch.autograd.functional.hessian), its eigenvalues, trace,
squared Frobenius norm and squared diagonal (Hutchinson's variance), and exact Hessian-vector
products (torch.autograd.functional.hvp) along seeded directions. Parameters, images and
directions are float32 values, so BatchLab's Float network sees the very same point.
Run by `make fixtures`; CI never runs it (the fixture is committed)."""
import json
import sys

import torch
import torch.nn.functional as F

SPEC = {"channels": 2, "height": 8, "width": 8, "convWidths": [3, 4], "denseWidths": [5]}
IMAGES = 64          # eight of NN.Network's 8-image chunks; more than 260 parameters can fit at once
TRAIN_STEPS = 300    # full-batch SGD towards a minimizer, so the top of the spectrum is positive
LEARNING_RATE = 0.1
DIRECTIONS = 3
SEED = 20261202


def shapes(spec):
    """(shape, is_conv) per slice in BatchLab's layout order: conv weights/biases, then dense, out."""
    out, c = [], spec["channels"]
    for k in spec["convWidths"]:
        out += [(k, c, 3, 3), (k,)]
        c = k
    n = c * (spec["height"] >> len(spec["convWidths"])) * (spec["width"] >> len(spec["convWidths"]))
    for d in spec["denseWidths"] + [1]:
        out += [(d, n), (d,)]
        n = d
    return out


def forward(theta, x, spec):
    """Logits (N) of the network whose parameters are the flat vector theta (layout order)."""
    tensors, offset = [], 0
    for s in shapes(spec):
        count = 1
        for d in s:
            count *= d
        tensors.append(theta[offset:offset + count].reshape(s))
        offset += count
    h, blocks = x, len(spec["convWidths"])
    for b in range(blocks):
        h = F.max_pool2d(F.relu(F.conv2d(h, tensors[2 * b], tensors[2 * b + 1], padding=1)), 2)
    h = h.flatten(1)
    dense = tensors[2 * blocks:]
    for j in range(0, len(dense), 2):
        h = F.linear(h, dense[j], dense[j + 1])
        if j + 2 < len(dense):
            h = F.relu(h)
    return h.squeeze(1)


def main(path):
    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    count = sum(torch.Size(s).numel() for s in shapes(SPEC))
    x = torch.randn(IMAGES, SPEC["channels"], SPEC["height"], SPEC["width"]).float()
    y = torch.randint(0, 2, (IMAGES,)).float()
    theta32 = torch.empty(count).uniform_(-0.5, 0.5)
    theta = theta32.double().requires_grad_(True)
    xd, yd = x.double(), y.double()

    def loss_of(t):
        return F.binary_cross_entropy_with_logits(forward(t, xd, SPEC), yd)  # mean over the images

    for _ in range(TRAIN_STEPS):
        g, = torch.autograd.grad(loss_of(theta), theta)
        with torch.no_grad():
            theta -= LEARNING_RATE * g
    theta = theta.detach().float().double()  # a float32 point, as BatchLab stores it
    point = theta.clone().requires_grad_(True)
    loss = loss_of(point)
    gradient, = torch.autograd.grad(loss, point)

    hessian = torch.autograd.functional.hessian(loss_of, theta.detach())
    hessian = 0.5 * (hessian + hessian.T)
    eigenvalues = torch.linalg.eigvalsh(hessian).flip(0)  # descending
    directions, products = [], []
    for _ in range(DIRECTIONS):
        v = torch.randn(count).float().double()
        _, hv = torch.autograd.functional.hvp(loss_of, theta.detach(), v)
        directions.append(v)
        products.append(hv)

    fixture = {
        "generator": f"scripts/reference/hessian_oracle.py, torch {torch.__version__}, float64",
        "spec": SPEC, "images": x.reshape(-1).tolist(), "labels": y.tolist(),
        "parameters": theta.detach().tolist(), "meanLoss": loss.item(), "meanGradient": gradient.tolist(),
        "directions": [v.tolist() for v in directions], "hessianVectorProducts": [p.tolist() for p in products],
        "eigenvalues": eigenvalues.tolist(), "trace": torch.trace(hessian).item(),
        "frobeniusSquared": (hessian ** 2).sum().item(), "diagonalSquared": (torch.diagonal(hessian) ** 2).sum().item(),
    }
    with open(path, "w") as f:
        json.dump(fixture, f)
        f.write("\n")
    print(f"wrote {path}: {count} parameters, loss {loss.item():.6f}, |g| {gradient.norm().item():.3e}, "
          f"lambda_max {eigenvalues[0].item():.6f}, lambda_min {eigenvalues[-1].item():.6f}, trace {torch.trace(hessian).item():.6f}")


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "Tests/CurvatureTests/Fixtures/hessian-tiny.json")
