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
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import gov_disclosure_stats as gds  # noqa: E402
from gov_disclosure_stats.engine import usable_cpus  # noqa: E402
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
    args = parser.parse_args()
    cores = usable_cpus()
    print(f"{args.repeat} loads per input, one process; {cores} cores available")
    print(f"{'input':<12} {'KiB':>7} {'ms/report':>10} {'reports/s':>10} {'per core':>10} {'all cores':>10}")
    for name, (data, source) in inputs().items():
        gds.loads(data, source=source)  # warm up: imports, caches
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(args.repeat):
            gds.loads(data, source=source)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        per_core = args.repeat / cpu if cpu else float("inf")
        print(
            f"{name:<12} {len(data) / 1024:>7.1f} {1000 * wall / args.repeat:>10.2f} {args.repeat / wall:>10.0f} "
            f"{per_core:>10.0f} {per_core * cores:>10.0f}"
        )
    print("per core = reports per CPU-second of this process; all cores = per core x cores (ideal, no sharing)")


if __name__ == "__main__":
    main()
