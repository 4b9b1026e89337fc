"""Localize errors in many generated failing reports; time the validate pass and the solving apart.

Prints figures, asserts nothing. Every report of the first run has one or two changed cells (the
layouts of a real corpus mixed); a second run localizes a whole corpus where 5% of the reports fail.

    python benchmarks/localize_many.py [--reports 1000] [--corpus 20000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
import pandas as pd

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.matrix import CellMatrix
from gov_disclosure_stats.model.synth import consistent_wide, mixed_corpus


def failing(n: int, errors: int, seed: int) -> tuple[pd.DataFrame, list[set[str]]]:
    """``n`` reports in a mix of layouts, each with ``errors`` cells of tables 三 and 四 changed."""
    parts = [
        consistent_wide(n * 6 // 10, "2021", seed=seed),
        consistent_wide(n * 2 // 10, "2021", seed=seed + 1, requests_layout="2019"),
        consistent_wide(n - n * 8 // 10, "2019", seed=seed + 2, subtotals=True),
    ]
    frame = pd.concat(parts, ignore_index=True)
    frame["report_id"] = [f"r{errors}-{i}" for i in range(len(frame))]
    rng = np.random.default_rng(seed)
    codes = np.array([c for c in frame.columns if c.startswith(("requests.", "review_litigation."))])
    values = frame[codes].to_numpy(dtype=float)
    truth = []
    for i in range(len(frame)):
        chosen = rng.choice(np.flatnonzero(~np.isnan(values[i])), errors, replace=False)
        old = values[i, chosen]
        values[i, chosen] = np.where(
            old < 3, old + rng.choice([1, 2, 3, 7, 10], errors), old + rng.choice([-3, -1, 1, 5], errors)
        )
        truth.append(set(codes[chosen]))
    frame[list(codes)] = values
    return frame, truth


def run(frame: pd.DataFrame, truth: list[set[str]] | None = None) -> dict[str, float]:
    matrix = CellMatrix.from_wide(frame)
    start = time.perf_counter()
    result = gds.validate(matrix)
    check = time.perf_counter() - start
    start = time.perf_counter()
    corrections = gds.localize(matrix)
    total = time.perf_counter() - start
    failing = int((~result.reports["ok"]).sum())
    out = {"reports": len(frame), "failing": failing, "validate": check, "total": total, "solve": total - check}
    if truth is not None and len(corrections):
        sets = corrections.groupby(["report_id", "solution"])["cell"].agg(frozenset).groupby(level=0).agg(list)
        ids = frame["report_id"].to_numpy()
        hits = [frozenset(t) in sets.get(r, []) for r, t in zip(ids, truth, strict=True)]
        smaller = [min(map(len, sets.get(r, [t]))) < len(t) for r, t in zip(ids, truth, strict=True)]
        capped = set(corrections.loc[corrections["note"].str.contains("max_solutions"), "report_id"])
        out["found"] = float(np.mean(hits))
        out["smaller"] = float(np.mean(smaller))
        out["capped"] = float(np.mean([r in capped for r in ids]))
        out["unique"] = float(np.mean([len(sets.get(r, [])) == 1 for r in ids]))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=1000, help="failing reports per run of one or two errors")
    parser.add_argument("--corpus", type=int, default=20_000, help="reports in the whole-corpus run (5%% failing)")
    args = parser.parse_args()
    gds.localize(failing(20, 1, seed=99)[0])  # compile the rules of each layout once

    for errors in (1, 2):
        frame, truth = failing(args.reports, errors, seed=errors)
        f = run(frame, truth)
        print(
            f"{f['reports']:,} reports with {errors} changed cell(s): {f['total']:.2f} s, "
            f"{f['reports'] / f['total']:,.0f} reports/s (validate {f['validate']:.2f} s, solving {f['solve']:.2f} s); "
            f"true cells among the minimal solutions in {f['found']:.1%} (fewer cells explain it in "
            f"{f['smaller']:.1%}, more than max_solutions ties in {f['capped']:.1%}), "
            f"one solution only in {f['unique']:.1%}"
        )
    f = run(mixed_corpus(args.corpus, 0.05))
    print(
        f"whole corpus of {f['reports']:,} reports, {f['failing']:,} failing: {f['total']:.2f} s "
        f"(validate {f['validate']:.2f} s, solving {f['solve']:.2f} s), {f['reports'] / f['total']:,.0f} reports/s"
    )


if __name__ == "__main__":
    main()
