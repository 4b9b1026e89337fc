"""Validate many generated reports with the full catalog; compare with a per-report pandera loop.

Prints figures, asserts nothing. Goal on the 2-core machine: 100,000 reports
in under 1 s, at least 1,000× faster per report than pandera, under 1 GB peak.

    python benchmarks/validate_many.py [--reports 100000] [--pandera-sample 200]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time
import tracemalloc

import pandera.errors

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.matrix import CellMatrix
from gov_disclosure_stats.model.synth import mixed_corpus, wide_to_reports
from gov_disclosure_stats.validation.schemas import schema


def best_of(runs: int, fn) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


def pandera_loop(reports: list[gds.Report]) -> float:
    """Seconds for pandera's lazy validation of every table of every report, one report at a time."""
    start = time.perf_counter()
    for report in reports:
        for table, frame in report.tables.items():
            with contextlib.suppress(pandera.errors.SchemaErrors):
                schema(table, report.layouts[table]).validate(frame, lazy=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--error-rate", type=float, default=0.05)
    parser.add_argument("--pandera-sample", type=int, default=200)
    args = parser.parse_args()

    wide = mixed_corpus(args.reports, args.error_rate)
    gds.validate(wide.head(50))  # compile the rule set for each layout once

    convert, matrix = best_of(3, lambda: CellMatrix.from_wide(wide))
    check, result = best_of(3, lambda: gds.validate(matrix))
    tracemalloc.start()  # a separate run: tracing slows allocation down
    gds.validate(matrix)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    total, _ = best_of(1, lambda: gds.validate(wide))

    n = len(wide)
    print(f"reports: {n:,} ({wide['layout.requests'].value_counts().to_dict()} request layouts)")
    print(f"hard violations found: {int((result.violations['severity'] == 'hard').sum()):,}")
    print(f"failing reports: {int((~result.reports['ok']).sum()):,}")
    print(f"wide DataFrame -> matrix: {convert:.3f} s")
    print(f"validate(matrix): {check:.3f} s = {n / check:,.0f} reports/s")
    print(f"validate(wide DataFrame), end to end: {total:.3f} s = {n / total:,.0f} reports/s")
    print(f"peak memory traced during validate: {peak / 2**20:,.0f} MiB")
    print(
        f"process peak RSS (generation included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB"
    )

    sample = wide_to_reports(wide.sample(args.pandera_sample, random_state=0))
    pandera_s = pandera_loop(sample)
    per_pandera = pandera_s / len(sample)
    per_engine = check / n
    print(f"pandera lazy validate, per report (3 tables): {per_pandera * 1e3:.2f} ms over {len(sample)} reports")
    print(f"engine, per report: {per_engine * 1e6:.2f} µs")
    print(f"speed-up per report: {per_pandera / per_engine:,.0f}×")


if __name__ == "__main__":
    main()
