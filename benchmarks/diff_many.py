"""Diff two collections of 10,000 generated reports (matched by agency and year); prints figures only.

Goal on the 2-core machine: under 5 seconds.

    python benchmarks/diff_many.py [--agencies 5000] [--changed 500]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_series


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agencies", type=int, default=5000, help="agencies, two years each")
    parser.add_argument("--changed", type=int, default=500, help="reports with one changed cell in the second set")
    args = parser.parse_args()

    first = consistent_series(args.agencies, range(2022, 2024), seed=1)
    second = first.copy()
    rows = np.random.default_rng(0).choice(len(second), args.changed, replace=False)
    second.loc[rows, "requests.new.natural_person"] += 1
    a, b = gds.ReportSet.from_wide(first), gds.ReportSet.from_wide(second)
    gds.diff(gds.ReportSet.from_wide(first.head(2)), gds.ReportSet.from_wide(second.head(2)))  # warm up

    start = time.perf_counter()
    cells = gds.diff(a, b)
    seconds = time.perf_counter() - start
    counts = cells["status"].value_counts()
    print(f"collections: {len(a):,} and {len(b):,} reports")
    print(f"diff: {seconds:.2f} s, {len(cells):,} cell rows, {counts.get('changed', 0):,} changed")


if __name__ == "__main__":
    main()
