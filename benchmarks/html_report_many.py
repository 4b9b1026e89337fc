"""Size and build time of the HTML report (``gds.html_report``) of a large scan.

Prints figures, asserts nothing. Generated reports (a share of them with wrong cells) are validated
once; the page is then built with no table drawn, with the default ``max_tables`` (100 failing reports
drawn in full) and with every failing report drawn, timing the corrections (``localize``) and the page
apart. Where ``chromium`` is installed, the time headless Chromium takes to open each page, run its
script (sorting and filtering ready) and print its DOM.

    python benchmarks/html_report_many.py [--reports 10000] [--rate 0.05]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_wide, inject_errors, wide_to_reports
from gov_disclosure_stats.show.html_report import MAX_TABLES


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=int, default=10_000)
    parser.add_argument("--rate", type=float, default=0.05, help="share of cells changed (injected errors)")
    args = parser.parse_args()
    frame, _ = inject_errors(consistent_wide(args.reports, seed=1), args.rate, seed=2)
    reports = wide_to_reports(frame)
    start = time.perf_counter()
    result = gds.validate(reports)
    failing = [r for r, ok in zip(reports, result.reports["ok"], strict=True) if not ok]
    print(f"{len(reports):,} reports, {len(failing):,} failing; validate {time.perf_counter() - start:.1f} s")
    start = time.perf_counter()
    corrections = gds.localize(failing)
    print(f"localize of the failing reports: {time.perf_counter() - start:.1f} s")
    for tables in (0, MAX_TABLES, None):
        start = time.perf_counter()
        page = gds.html_report(reports, result, corrections=corrections, max_tables=tables)
        built = time.perf_counter() - start
        drawn = page.count('class="gds-failing-report"')
        size = len(page.encode()) / 2**20
        print(f"max_tables={tables}: {drawn:,} reports drawn, {size:.1f} MiB, built in {built:.1f} s")
        browser = shutil.which("chromium")
        if browser:
            print(f"  opened by headless Chromium, script run, DOM printed: {_open(browser, page):.1f} s")


def _open(browser: str, page: str) -> float:
    """Seconds for headless Chromium to load ``page``, run its script and print the DOM."""
    with tempfile.TemporaryDirectory() as work:
        path = Path(work) / "page.html"
        path.write_text(page, "utf-8")
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
        command += ["--disable-background-networking", f"--user-data-dir={work}/profile", "--dump-dom", path.as_uri()]
        start = time.perf_counter()
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)
        elapsed = time.perf_counter() - start
        if 'data-gds-ready="1"' not in done.stdout:
            print("  the page's script did not finish")
        return elapsed


if __name__ == "__main__":
    main()
