"""The study's VGG-style network in PyTorch, built from the same spec as NN.ModelSpec.

Shared by oracle.py (fixtures) and bench_pytorch.py (speed reference), so both compare
BatchLab with one and the same PyTorch model.
"""
import torch


def build(spec):
    layers, c = [], spec["channels"]
    for k in spec["convWidths"]:
        layers += [torch.nn.Conv2d(c, k, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(2)]
        c = k
    layers.append(torch.nn.Flatten())
    n = c * (spec["height"] >> len(spec["convWidths"])) * (spec["width"] >> len(spec["convWidths"]))
    for d in spec["denseWidths"]:
        layers += [torch.nn.Linear(n, d), torch.nn.ReLU()]
        n = d
    layers.append(torch.nn.Linear(n, 1))
    return torch.nn.Sequential(*layers)
