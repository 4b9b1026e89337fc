"""Scan a folder of generated plain-text reports: ``load_many`` + one vectorized ``validate``.

Writes N generated consistent reports (both template versions, a few with one
changed cell) as text files with :func:`gov_disclosure_stats.show.render.to_text`,
then times the scan and prints reports per second, the workers used and their
CPU time against wall time. Prints figures, asserts nothing. Goal on the
2-core machine: 10,000 text reports in under a minute, both cores busy.

    python benchmarks/scan_many.py [--reports 10000] [--workers N] [--chunk-files 8,32] [--dir PATH]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from pathlib import Path

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.corpus import load_many
from gov_disclosure_stats.model.matrix import CellMatrix
from gov_disclosure_stats.model.synth import mixed_corpus, wide_to_reports
from gov_disclosure_stats.show.render import to_text
from gov_disclosure_stats.validation.engine import usable_cpus


def write_folder(folder: Path, n: int) -> float:
    """Write ``n`` report files in sub-folders of 1,000; return the seconds it took."""
    start = time.perf_counter()
    for i, report in enumerate(wide_to_reports(mixed_corpus(n))):
        path = folder / f"{i // 1000:03d}" / f"report-{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_text(report), encoding="utf-8")
    return time.perf_counter() - start


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def self_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def scan(folder: Path, workers: int, chunk_files: int | None) -> None:
    """One timed scan, printed."""
    cpu0, self0, wall0 = children_cpu(), self_cpu(), time.perf_counter()
    reports, failures = load_many(folder, workers=workers, progress=False, chunk_files=chunk_files)
    wall1, cpu1, self1 = time.perf_counter(), children_cpu(), self_cpu()
    matrix = CellMatrix.from_reports(reports.reports)
    wall2 = time.perf_counter()
    result = gds.validate(matrix)
    wall3 = time.perf_counter()
    n = len(reports)
    load_wall = wall1 - wall0
    workers_cpu = cpu1 - cpu0
    print(
        f"chunk_files={chunk_files or 'auto'}: loaded {n} reports ({len(failures)} failed) in {load_wall:.2f} s "
        f"with {workers} worker(s): workers' CPU {workers_cpu:.2f} s = {workers_cpu / load_wall:.2f} cores busy "
        f"over the wall time; parent CPU {self1 - self0:.2f} s"
    )
    print(f"  ReportSet matrix (CellMatrix.from_reports): {wall2 - wall1:.2f} s")
    print(f"  validate: {wall3 - wall2:.2f} s ({int((~result.reports['ok']).sum())} reports failing)")
    total = wall3 - wall0
    print(f"  total {total:.2f} s = {n / total:,.0f} reports/s (goal: 10,000 in under 60 s)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--workers", type=int, default=usable_cpus())
    parser.add_argument("--chunk-files", default="", help="comma-separated chunk sizes to compare (default: auto)")
    parser.add_argument("--dir", help="folder to write the reports to (kept; reused when it holds them already)")
    args = parser.parse_args()

    folder = Path(args.dir) if args.dir else Path(tempfile.mkdtemp(prefix="gds-scan-"))
    try:
        existing = sum(1 for _ in folder.rglob("*.txt")) if folder.exists() else 0
        if existing != args.reports:
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            seconds = write_folder(folder, args.reports)
            print(f"wrote {args.reports} text reports to {folder} in {seconds:.1f} s")
        size = sum(p.stat().st_size for p in folder.rglob("*.txt"))
        print(f"{args.reports} files, {size / 1e6:.1f} MB; {usable_cpus()} CPUs, {args.workers} worker(s)")
        sizes = [int(s) for s in args.chunk_files.split(",") if s] or [None]
        for chunk_files in sizes:
            scan(folder, args.workers, chunk_files)
    finally:
        if not args.dir:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
