"""Loading speed per input format: the sample report as text, HTML, Markdown, Word and Excel.

Each input is loaded ``--repeat`` times in this one process. Prints reports per
second (wall clock) and per core (reports per CPU-second of this process), and
what that makes on all of this machine's cores. Asserts nothing.

    python benchmarks/load_formats.py [--repeat 200]

To add a format, add one entry to ``inputs()``: name -> (bytes, source name).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gov_disclosure_stats as gds  # noqa: E402
from gov_disclosure_stats.validation.engine import usable_cpus  # noqa: E402
from tests.printed_layout import document, docx_bytes, xlsx_bytes  # noqa: E402
from tests.report_pages import SAMPLE_NAME, report_markdown, report_page  # noqa: E402


def inputs() -> dict[str, tuple[bytes, str]]:
    """The inputs timed: format name -> (file content, source name that gives its suffix)."""
    text = (ROOT / "tests" / "data" / f"{SAMPLE_NAME}.txt").read_bytes()
    expected = json.loads((ROOT / "tests" / "data" / f"{SAMPLE_NAME}.expected.json").read_text("utf-8"))
    return {
        "text": (text, f"{SAMPLE_NAME}.txt"),
        "html": (report_page().encode("utf-8"), f"{SAMPLE_NAME}.html"),
        "html (gbk)": (report_page().replace('charset="utf-8"', 'charset="gbk"').encode("gbk"), f"{SAMPLE_NAME}.html"),
        "markdown": (report_markdown().encode("utf-8"), f"{SAMPLE_NAME}.md"),
        "docx": (docx_bytes(document(expected)), f"{SAMPLE_NAME}.docx"),
        "xlsx": (xlsx_bytes(document(expected)), f"{SAMPLE_NAME}.xlsx"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=200, help="loads per input (default 200)")
    parser.add_argument("--rounds", type=int, default=5, help="rounds the loads are split into (default 5)")
    args = parser.parse_args()
    cores = usable_cpus()
    per_round = max(1, args.repeat // args.rounds)
    print(f"{per_round * args.rounds} loads per input in {args.rounds} rounds, one process; {cores} cores available")
    print(f"{'input':<12} {'KiB':>7} {'ms median':>10} {'ms best':>8} {'per core':>10} {'best/core':>10}")
    for name, (data, source) in inputs().items():
        gds.loads(data, source=source)  # warm up: imports, caches
        rounds = []
        for _ in range(args.rounds):
            cpu = time.process_time()
            for _ in range(per_round):
                gds.loads(data, source=source)
            rounds.append((time.process_time() - cpu) / per_round)
        median, best = statistics.median(rounds), min(rounds)
        print(
            f"{name:<12} {len(data) / 1024:>7.1f} {1000 * median:>10.2f} {1000 * best:>8.2f} "
            f"{1 / median:>10.0f} {1 / best:>10.0f}"
        )
    print("ms = CPU milliseconds per report; per core = reports per CPU-second (median round, best round);")
    print(f"all {cores} cores load about {cores}x that in parallel (load_many).")


if __name__ == "__main__":
    main()
