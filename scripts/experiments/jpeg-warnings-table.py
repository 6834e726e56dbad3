"""Summarises jpeg-warnings rows: per (kind, outcome, first warning), how many files and how far their
pixels are from the clean decode. Standard library only."""
import csv
import re
import sys
from collections import defaultdict


def normalise(text: str) -> str:
    return re.sub(r"0x[0-9a-f]+", "0xNN", re.sub(r"\b\d+\b", "N", text))


groups = defaultdict(list)
with open(sys.argv[1]) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        key = (row["kind"], row["outcome"], normalise(row["first_warning"]))
        groups[key].append(float(row["mean_abs_diff"]))

print("| corruption | outcome | first warning | files | identical | mean diff > 1 | median mean diff | max mean diff |")
print("|---|---|---|---|---|---|---|---|")
for (kind, outcome, first), diffs in sorted(groups.items(), key=lambda kv: (kv[0][0], -len(kv[1]))):
    measured = sorted(d for d in diffs if d >= 0)
    if measured:
        same = sum(1 for d in measured if d == 0)
        over = sum(1 for d in measured if d > 1)
        stats = f"{same} | {over} | {measured[len(measured) // 2]:.2f} | {measured[-1]:.2f}"
    else:
        stats = "- | - | - | -"
    print(f"| {kind} | {outcome} | {first or '(none)'} | {len(diffs)} | {stats} |")
