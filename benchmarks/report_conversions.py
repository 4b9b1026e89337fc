"""What a loaded report costs to use, next to what it cost to load; and many reports to long and wide.

Part 1, per input (the sample report as text, as an HTML page, as a Word file): the CPU time of ``load``,
then on each freshly loaded report ``tables`` (all three), ``labelled`` and ``status`` (each table),
``to_dict`` and ``to_json`` in that order, each in milliseconds per report, their sum and its ratio to
the load. ``one table`` is the README's use on a fresh report: ``tables``, then ``labelled`` and ``status`` of
``requests`` only, ``to_dict``, ``to_json``. ``to_dict alone`` is ``to_dict`` as the first thing done with a
fresh report (the to_dict/load ratio: loading a folder and writing it as JSON).

Part 2: ``--reports`` generated reports (the mixed layouts of ``synth.mixed_corpus``) as ``Report`` objects
and as a set read from a wide table, converted to long and to wide; microseconds per report.

Each figure is the median (and the best) of ``--rounds`` rounds; the machine is shared, so compare the
figures of one run with each other. Asserts nothing.

    python benchmarks/report_conversions.py [--repeat 40] [--rounds 5] [--reports 10000]
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import load_formats  # noqa: E402  (beside this script)

import gov_disclosure_stats as gds  # noqa: E402
from gov_disclosure_stats.model import synth  # noqa: E402
from gov_disclosure_stats.model.collection import ReportSet  # noqa: E402

STEPS: dict[str, Callable[[gds.Report], object]] = {
    "tables": lambda r: [r.tables[t] for t in r.tables],
    "labelled": lambda r: [r.labelled(t) for t in r.tables],
    "status": lambda r: [r.status(t) for t in r.tables],
    "to_dict": lambda r: r.to_dict(),
    "to_json": lambda r: r.to_json(),
}


def readme_use(report: gds.Report) -> None:
    """The README's lines: every table's values, one table labelled and its statuses, the dict and the JSON."""
    _ = report.tables, report.labelled("requests"), report.status("requests"), report.to_dict(), report.to_json()


def inputs() -> dict[str, tuple[bytes, str]]:
    """The inputs timed: name -> (file content, source name that gives its suffix), as load_formats.py makes them."""
    return {name: made for name, made in load_formats.inputs().items() if name in ("text", "html", "docx")}


def cpu_ms(action: Callable[[gds.Report], object], reports: list[gds.Report]) -> float:
    """CPU milliseconds per report of ``action`` over ``reports`` (garbage the loads left collected first, so
    that a collection they made due is not counted here)."""
    gc.collect()
    start = time.process_time()
    for report in reports:
        action(report)
    return 1000 * (time.process_time() - start) / len(reports)


def one_report(repeat: int, rounds: int) -> None:
    names = ["load", *STEPS, "all five", "one table", "to_dict alone"]
    print(f"Part 1: CPU ms per report, median of {rounds} rounds of {repeat} reports (best in brackets)")
    ratios = ["five/load", "one/load", "to_dict/load"]
    print(f"{'input':<6} " + " ".join(f"{n:>15}" for n in names) + " " + " ".join(f"{r:>12}" for r in ratios))
    for name, (data, source) in inputs().items():
        for step in STEPS.values():  # warm up: imports, caches
            step(gds.loads(data, source=source))
        times: dict[str, list[float]] = {n: [] for n in names}
        for _ in range(rounds):
            gc.collect()
            start = time.process_time()
            reports = [gds.loads(data, source=source) for _ in range(repeat)]
            times["load"].append(1000 * (time.process_time() - start) / repeat)
            for step, action in STEPS.items():
                times[step].append(cpu_ms(action, reports))
            times["all five"].append(sum(times[step][-1] for step in STEPS))
            fresh = [gds.loads(data, source=source) for _ in range(repeat)]
            times["one table"].append(cpu_ms(readme_use, fresh))
            fresh = [gds.loads(data, source=source) for _ in range(repeat)]
            times["to_dict alone"].append(cpu_ms(lambda r: r.to_dict(), fresh))
        median = {n: statistics.median(t) for n, t in times.items()}
        best = {n: min(t) for n, t in times.items()}
        cells = " ".join(f"{median[n]:>7.3f} ({best[n]:>5.3f})" for n in names)
        shares = " ".join(f"{median[n] / median['load']:>12.3f}" for n in ("all five", "one table", "to_dict alone"))
        print(f"{name:<6} {cells} {shares}")
    print("ratios: medians over the load's median")


def many_reports(count: int, rounds: int) -> None:
    print(f"\nPart 2: {count:,} generated reports (synth.mixed_corpus), CPU µs per report, median of {rounds} rounds")
    frame = synth.mixed_corpus(count)
    start = time.perf_counter()
    reports = synth.wide_to_reports(frame)
    print(f"(making the {count:,} Report objects took {time.perf_counter() - start:.1f} s; not counted below)")
    cases: dict[str, Callable[[], object]] = {
        "reports_to_long(reports)": lambda: gds.reports_to_long(reports),
        "ReportSet(reports).to_long()": lambda: ReportSet(reports).to_long(),
        "ReportSet(reports).to_wide()": lambda: ReportSet(reports).to_wide(),
        "ReportSet.from_wide(frame).to_long()": lambda: ReportSet.from_wide(frame).to_long(),
        "ReportSet.from_wide(frame).to_wide()": lambda: ReportSet.from_wide(frame).to_wide(),
    }
    print(f"{'conversion':<40} {'µs/report':>10} {'best':>8} {'cells':>10}")
    for name, action in cases.items():
        rounds_us = []
        for _ in range(rounds):
            start = time.process_time()
            out = action()
            rounds_us.append(1e6 * (time.process_time() - start) / count)
        print(f"{name:<40} {statistics.median(rounds_us):>10.1f} {min(rounds_us):>8.1f} {out.size:>10,}")  # type: ignore[attr-defined]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=40, help="reports loaded per round (default 40)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds (default 5)")
    parser.add_argument("--reports", type=int, default=10_000, help="reports converted in part 2 (default 10000)")
    args = parser.parse_args()
    one_report(args.repeat, args.rounds)
    if args.reports:
        many_reports(args.reports, max(1, args.rounds // 2))


if __name__ == "__main__":
    main()
