#!/usr/bin/env python3
"""PyTorch side of `make bench`: the same network, rows and measuring protocol as batchlab-bench
(training step = forward + backward + SGD; evaluation = forward + loss without gradients), in both
memory layouts (NCHW and channels_last). Writes JSON that batchlab-bench merges into its table, or,
with --serve (what `make bench` uses), measures one row per request line from batchlab-bench, so
the two sides alternate row by row and round by round and the host's slow drifts hit both.
Each row: repeats of >= MIN_SECONDS; a repeat is 'busy' when other processes used more than
BUSY_CORES of CPU during it (from /proc/stat minus our own CPU time); medians over quiet repeats."""
import argparse
import json
import os
import statistics
import time

import torch

from model import build

MODELS = {
    "32x32": {"channels": 3, "height": 32, "width": 32, "convWidths": [16, 32, 64], "denseWidths": [128, 64]},
    "64x64": {"channels": 3, "height": 64, "width": 64, "convWidths": [16, 32, 64, 64], "denseWidths": [128, 64]},
}
BUSY_CORES = 0.15


def machine_busy_jiffies():
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    return sum(v) - v[3] - v[4]  # all but idle and iowait


def own_cpu_seconds():
    t = os.times()
    return t.user + t.system


def measure(step, images_per_step, min_seconds, repeats, max_attempts):
    hz = os.sysconf("SC_CLK_TCK")
    for _ in range(2):
        step()
    quiet, busy = [], []
    attempts = 0
    while len(quiet) < repeats and attempts < max_attempts:
        attempts += 1
        j0, c0, t0 = machine_busy_jiffies(), own_cpu_seconds(), time.perf_counter()
        steps = 0
        while steps < 3 or time.perf_counter() - t0 < min_seconds:
            step()
            steps += 1
        t1 = time.perf_counter()
        other = ((machine_busy_jiffies() - j0) / hz - (own_cpu_seconds() - c0)) / (t1 - t0)
        rate = steps * images_per_step / (t1 - t0)
        (busy if other > BUSY_CORES else quiet).append(rate)
        if other > BUSY_CORES:
            time.sleep(0.3)
    samples = quiet if quiet else busy
    return {"median": statistics.median(samples), "min": min(samples), "max": max(samples),
            "quiet": len(quiet), "busy": len(busy)}


def row(spec, mode, threads, batch, layout, args):
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    model = build(spec)
    x = torch.randn(batch, spec["channels"], spec["height"], spec["width"])
    y = torch.randint(0, 2, (batch,)).float()
    if layout == "channels_last":
        model = model.to(memory_format=torch.channels_last)
        x = x.contiguous(memory_format=torch.channels_last)
    loss_fn = torch.nn.BCEWithLogitsLoss()
    if mode == "train":
        opt = torch.optim.SGD(model.parameters(), lr=0.01)

        def step():
            opt.zero_grad(set_to_none=False)
            loss_fn(model(x).squeeze(1), y).backward()
            opt.step()
    else:
        def step():
            with torch.inference_mode():
                loss_fn(model(x).squeeze(1), y).item()
    return measure(step, batch, args.seconds, args.repeats, args.repeats + 4)


def serve(args):
    """Request lines 'model mode threads batch layout seconds' → one JSON line per request with one
    measurement (a single repeat, retried while the machine is busy); 'quit' or EOF ends."""
    import sys
    print(json.dumps({"torch": torch.__version__}), flush=True)
    for line in sys.stdin:
        parts = line.split()
        if not parts or parts[0] == "quit":
            break
        name, mode, threads, batch, layout, seconds = parts
        args.seconds, args.repeats = float(seconds), 1
        stat = row(MODELS[name], mode, int(threads), int(batch), layout, args)
        print(json.dumps(stat), flush=True)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--serve", action="store_true", help="answer row requests on stdin (batchlab-bench --python)")
    p.add_argument("--out", default="artifacts/bench-pytorch.json")
    p.add_argument("--models", default="32x32,64x64")
    p.add_argument("--threads", default="1,2")
    p.add_argument("--batches", default="32,64,128,256")
    p.add_argument("--seconds", type=float, default=0.4)
    p.add_argument("--repeats", type=int, default=5)
    args = p.parse_args()
    if args.serve:
        return serve(args)
    rows = []
    for name in args.models.split(","):
        spec = MODELS[name]
        for threads in [int(t) for t in args.threads.split(",")]:
            plan = [("train", b) for b in [int(b) for b in args.batches.split(",")]] + [("eval", 256)]
            for mode, batch in plan:
                entry = {"model": name, "mode": mode, "threads": threads, "batch": batch}
                for layout in ("nchw", "channels_last"):
                    entry[layout] = row(spec, mode, threads, batch, layout, args)
                rows.append(entry)
                print(f"pytorch {name} {mode} t={threads} bs={batch}: nchw {entry['nchw']['median']:.0f} "
                      f"channels_last {entry['channels_last']['median']:.0f} img/s", flush=True)
    info = {"torch": torch.__version__, "config": torch.__config__.parallel_info().splitlines()[:6], "rows": rows}
    os.makedirs(os.path.dirname(args.out) or ".", exist_ok=True)
    with open(args.out, "w") as f:
        json.dump(info, f, indent=1)


if __name__ == "__main__":
    main()
