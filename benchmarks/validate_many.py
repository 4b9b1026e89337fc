"""Validate many generated reports end to end; compare per report with pandera loops; time many violations.

Prints figures, asserts nothing. Goals on the 2-core machine (issue 10): a wide DataFrame of
100,000 mixed reports validated end to end (the frame in, the result out) in under 0.5 s and at
least 1,000× faster per report than a lean hand-written pandera loop with the same table
arithmetic; the same corpus with ~450,000 soft violations at most twice as long. Wall-clock
figures are the best of ``--runs`` runs (the machine is shared).

Two pandera loops, one report at a time as a user would run them:

- lean: one hand-written ``DataFrameSchema`` per table and layout version with the table
  arithmetic of the catalog's hard rules (row totals, outcome totals, the balance, review
  totals, non-negative cells), the shape a user writes for ``Report.tables``;
- library: the library's own schemas (:func:`gov_disclosure_stats.validation.schemas.schema`), one
  check per rule instance, with dtypes and the row and column sets.

    python benchmarks/validate_many.py [--reports 100000] [--runs 5] [--pandera-sample 200]
"""

from __future__ import annotations

import argparse
import contextlib
import resource
import time
import tracemalloc
from collections.abc import Callable
from functools import cache

import pandas as pd
import pandera.errors
import pandera.pandas as pa

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.layouts import table_layout
from gov_disclosure_stats.model.matrix import CellMatrix
from gov_disclosure_stats.model.synth import mixed_corpus, wide_to_reports, without_table
from gov_disclosure_stats.validation.schemas import schema


def best_of(runs: int, fn: Callable[[], object]) -> tuple[float, object]:
    best, out = float("inf"), None
    for _ in range(runs):
        start = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - start)
    return best, out


@cache
def lean_schema(table: str, version: str) -> pa.DataFrameSchema:
    """The schema a user would write for one table: its sums as dataframe checks, cells ``>= 0``.

    The row and column codes come from the layouts (a user would type the same lists).
    """
    layout = table_layout(table, version)
    signed = [c.code for c in layout.cell_columns if c.type == "signed"]
    columns = {
        c.code: pa.Column(nullable=True, required=False, checks=None if c.code in signed else pa.Check.ge(0))
        for c in layout.cell_columns
    }
    checks = []
    if table == "requests":
        applicants = list(layout.leaves("applicants", "columns"))
        outcomes = list(layout.leaves("outcomes"))
        checks = [
            pa.Check(lambda df: df["total"] == df[applicants].sum(axis=1), name="row totals"),
            pa.Check(lambda df: df.loc["total_processed"] == df.loc[outcomes].sum(), name="outcome totals"),
            pa.Check(
                lambda df: (
                    df.loc["new"] + df.loc["carried_over"] == df.loc["total_processed"] + df.loc["carried_forward"]
                ),
                name="balance",
            ),
        ]
    elif table == "review_litigation":
        results = list(layout.leaves("results", "columns"))
        checks = [pa.Check(lambda df: df["total"] == df[results].sum(axis=1), name="review totals")]
    return pa.DataFrameSchema(columns, checks=checks)


def pandera_loop(reports: list[gds.Report], schema_of: Callable[[str, str], pa.DataFrameSchema]) -> float:
    """Seconds for pandera's lazy validation of every table of every report, one report at a time."""
    start = time.perf_counter()
    for report in reports:
        for table, frame in report.tables.items():
            with contextlib.suppress(pandera.errors.SchemaErrors):
                schema_of(table, report.layouts[table]).validate(frame, lazy=True)
    return time.perf_counter() - start


def arrow_backed(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame with every column Arrow-backed (``double[pyarrow]`` cells, ``string[pyarrow]`` text)."""
    return frame.convert_dtypes(dtype_backend="pyarrow")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=100_000)
    parser.add_argument("--error-rate", type=float, default=0.1, help="reports with one changed cell")
    parser.add_argument("--runs", type=int, default=5, help="runs per timing; the best is printed")
    parser.add_argument("--pandera-sample", type=int, default=200, help="reports the pandera loops check")
    args = parser.parse_args()

    wide = mixed_corpus(args.reports, args.error_rate)
    many = without_table(wide, "proactive", (wide["layout.requests"] == "2019").to_numpy())
    arrow = arrow_backed(wide)
    gds.validate(wide.head(50))  # compile the rule set for each layout once
    n = len(wide)

    total, result = best_of(args.runs, lambda: gds.validate(wide))
    total_arrow, _ = best_of(args.runs, lambda: gds.validate(arrow))
    total_many, result_many = best_of(args.runs, lambda: gds.validate(many))
    convert, matrix = best_of(args.runs, lambda: CellMatrix.from_wide(wide))
    check, _ = best_of(args.runs, lambda: gds.validate(matrix))
    tracemalloc.start()  # a separate run: tracing slows allocation down
    gds.validate(wide)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    soft = result_many.violations["severity"] == "soft"
    layouts = wide["layout.requests"].value_counts().to_dict()
    print(f"reports: {n:,} (request layouts {layouts}); wall-clock times: best of {args.runs} runs")
    print(f"hard violations: {int((result.violations['severity'] == 'hard').sum()):,}")
    print(f"failing reports: {int((~result.reports['ok']).sum()):,}")
    print(f"(1) validate(wide DataFrame), end to end: {total:.3f} s = {n / total:,.0f} reports/s")
    print(f"    the same frame with Arrow-backed columns: {total_arrow:.3f} s")
    print(f"(2) many violations ({int(soft.sum()):,} soft, {len(result_many.violations):,} in all): {total_many:.3f} s")
    print(f"    ratio (2)/(1): {total_many / total:.2f}")
    print(f"    for reference: CellMatrix.from_wide {convert:.3f} s, validate(CellMatrix) {check:.3f} s")
    print(f"peak memory traced during validate(wide DataFrame): {peak / 2**20:,.0f} MiB")
    print(
        f"process peak RSS (generation included): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**10:,.0f} MiB"
    )

    sample = wide_to_reports(wide.sample(args.pandera_sample, random_state=0))
    per_report = total / n
    print(f"end to end, per report: {per_report * 1e6:.2f} µs")
    for name, schema_of in (("lean hand-written pandera loop", lean_schema), ("library's own pandera schemas", schema)):
        pandera_loop(sample[:5], schema_of)  # build the schemas once
        seconds = pandera_loop(sample, schema_of) / len(sample)
        print(f"{name}: {seconds * 1e3:.2f} ms a report over {len(sample)} reports; ratio {seconds / per_report:,.0f}×")


if __name__ == "__main__":
    main()
