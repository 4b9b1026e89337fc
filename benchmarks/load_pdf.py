"""Loading speed of PDF reports: each corpus PDF (or the files given), per file and per page.

Loads each file ``--repeat`` times in this one process and prints the median
wall-clock and CPU time, how many pages held ruled tables (read with
pdfplumber/pdfminer, the slow part) and how many only prose (read with
PDFium), and the same with PDFium switched off. Asserts nothing. Goal: a
typical 10-page report in under 1 s: ``--pages 10`` also times each file
lengthened to 10 pages with copies of its own prose pages (a typical report
has its three tables on 3-4 of its pages and prose on the rest).

    python benchmarks/load_pdf.py [--repeat 5] [--pages 10] [FILE.pdf ...]
"""

from __future__ import annotations

import argparse
import io
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import pdfplumber  # noqa: E402
import pypdfium2 as pdfium  # noqa: E402

import gov_disclosure_stats as gds  # noqa: E402
from gov_disclosure_stats.loading.readers import pdf as pdf_reader  # noqa: E402

CORPUS = ROOT / ".." / "shared" / "corpus"


def lengthened(data: bytes, pages: int, prose: list[int]) -> bytes:
    """The PDF with copies of its prose pages (0-based) appended until it has ``pages`` pages."""
    doc, source = pdfium.PdfDocument(data), pdfium.PdfDocument(data)
    k = 0
    while len(doc) < pages:
        doc.import_pages(source, [prose[k % len(prose)]])
        k += 1
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def timed(data: bytes, name: str, repeat: int) -> str:
    """Median wall-clock and CPU seconds of loading ``data``."""
    wall, cpu = [], []
    for _ in range(repeat):
        w, c = time.perf_counter(), time.process_time()
        gds.loads(data, source=name)
        wall.append(time.perf_counter() - w)
        cpu.append(time.process_time() - c)
    return f"median {statistics.median(wall):.3f} s wall, {statistics.median(cpu):.3f} s CPU"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--pages", type=int, default=0, help="also time each file lengthened to this many pages")
    args = parser.parse_args()
    files = args.files or sorted(CORPUS.glob("*.pdf"))
    if not files:
        sys.exit(f"no PDF given and none in {CORPUS}")
    gds.load(files[0])  # warm up: imports, font tables
    for file in files:
        data = file.read_bytes()
        prescanned = pdf_reader._prescan(data) or []
        with pdfplumber.open(file) as pdf:
            pages = len(pdf.pages)
        tables = sum(page is None for page in prescanned) if prescanned else pages
        print(f"{file.name}: {pages} pages, {tables} with tables")
        for mode in ("PDFium for prose pages", "pdfminer for every page"):
            saved = pdf_reader.pdfium
            if mode.startswith("pdfminer"):
                pdf_reader.pdfium = None
            print(f"  {mode}: {timed(data, file.name, args.repeat)}")
            pdf_reader.pdfium = saved
        prose = [i for i, page in enumerate(prescanned) if page is not None]
        if args.pages > pages and prose:
            longer = lengthened(data, args.pages, prose)
            print(f"  lengthened to {args.pages} pages with its prose pages: {timed(longer, file.name, args.repeat)}")


if __name__ == "__main__":
    main()
