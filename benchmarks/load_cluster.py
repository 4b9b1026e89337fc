"""Load a folder of generated text reports on a Dask cluster: reports per second with 1 and 2 local workers.

Writes N generated reports (the layouts of real corpora) as text files, then
times ``load_many(folder, client=...)`` on a ``LocalCluster`` of 1 and of 2
worker processes (one thread each; the cluster's start and the workers' first
import are timed apart, by a warm-up load), and the local process pool with
1 and 2 workers for comparison (with 1 worker the pool loads in this process, so its
CPU is "this process"). The CPU seconds the workers spent are printed too:
reports per CPU-second hold up when other programs share the machine, wall
time does not. With ``--validate`` it also times ``validate``
of the loaded reports' wide frame as a Dask DataFrame on the 2-worker cluster
against pandas. Prints figures, asserts nothing.

    python benchmarks/load_cluster.py [--reports 2000] [--rounds 2] [--validate]
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from functools import partial
from pathlib import Path

import gov_disclosure_stats as gds
from gov_disclosure_stats.analysis.corpus import load_many
from gov_disclosure_stats.model.synth import mixed_corpus, wide_to_reports
from gov_disclosure_stats.show.render import to_text
from gov_disclosure_stats.validation.engine import usable_cpus


def write_folder(folder: Path, n: int) -> None:
    for i, report in enumerate(wide_to_reports(mixed_corpus(n))):
        path = folder / f"{i // 1000:03d}" / f"report-{i:05d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(to_text(report), encoding="utf-8")


def cpu(who: int = resource.RUSAGE_SELF) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def per_cpu(reports: int, seconds: float) -> str:
    return f" ({reports / seconds:4.0f} reports per CPU-second)" if seconds > 0 else " (loaded in this process)"


def timed(label: str, rounds: int, run, workers_cpu) -> float:
    """The best of ``rounds`` runs of ``run()`` (which returns the reports loaded), printed with the CPU
    seconds the workers (``workers_cpu()``, a running total) and this process spent in that run."""
    best, loaded, spent = float("inf"), 0, (0.0, 0.0)
    for _ in range(rounds):
        workers0, self0, start = workers_cpu(), cpu(), time.perf_counter()
        loaded = run()
        wall = time.perf_counter() - start
        if wall < best:
            best, spent = wall, (workers_cpu() - workers0, cpu() - self0)
    print(
        f"  {label:<12} {loaded} reports in {best:6.2f} s = {loaded / best:5.0f} reports/s; "
        f"CPU: workers {spent[0]:5.1f} s{per_cpu(loaded, spent[0])}, "
        f"this process {spent[1]:4.1f} s"
    )
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=2, help="runs per setting; the best is printed")
    parser.add_argument("--validate", action="store_true", help="also validate a Dask DataFrame on the cluster")
    args = parser.parse_args()

    from distributed import Client, LocalCluster

    folder = Path(tempfile.mkdtemp(prefix="gds-cluster-"))
    try:
        write_folder(folder, args.reports)
        sample = next(folder.rglob("*.txt"))
        print(f"{args.reports} text reports; {usable_cpus()} CPUs on this machine")
        print("local process pool (load_many(workers=N)):")
        for workers in (1, 2):
            run = partial(lambda w: len(load_many(folder, w, progress=False)[0]), workers)
            children = partial(cpu, resource.RUSAGE_CHILDREN) if workers > 1 else float
            timed(f"{workers} worker(s)", args.rounds, run, children)
        print("Dask LocalCluster (load_many(client=...)), worker processes of one thread:")
        for workers in (1, 2):
            start = time.perf_counter()
            with (
                LocalCluster(
                    n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=":0", silence_logs=40
                ) as cluster,
                Client(cluster) as client,
            ):
                up = time.perf_counter() - start
                client.run(lambda: __import__("gov_disclosure_stats"))
                load_many([sample] * (2 * workers), client=client, progress=False)  # warm-up
                warm = time.perf_counter() - start - up
                print(f"  cluster of {workers} started in {up:.1f} s, warmed up in {warm:.1f} s")
                timed(
                    f"{workers} worker(s)",
                    args.rounds,
                    partial(lambda c: len(load_many(folder, client=c, progress=False)[0]), client),
                    partial(lambda c: sum(c.run(cpu).values()), client),
                )
                if args.validate and workers == 2:
                    validate_on(client, folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def validate_on(client, folder: Path) -> None:
    """``validate`` of the wide frame in pandas, and as a Dask DataFrame of 4 partitions on the cluster."""
    import dask.dataframe as dd

    wide = gds.ReportSet(load_many(folder, client=client, progress=False)[0]).to_wide()
    start = time.perf_counter()
    gds.validate(wide)
    local = time.perf_counter() - start
    frame = dd.from_pandas(wide, npartitions=4)
    start = time.perf_counter()
    gds.validate(frame)
    remote = time.perf_counter() - start
    print(f"  validate {len(wide)} reports: pandas {local:.2f} s, Dask DataFrame of 4 partitions {remote:.2f} s")


if __name__ == "__main__":
    main()
