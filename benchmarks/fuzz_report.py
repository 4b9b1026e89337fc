"""Replay the fuzz mutation classes and the hostile inputs of issue 13; print what happened per class.

    python benchmarks/fuzz_report.py [--iterations 5] [--timeout 30] [--seed 13]

Every input is loaded, validated, turned into tables and JSON in a forked
child process of its own (``gds.load`` of a file for the hostile inputs). Per
class it prints how many inputs loaded, were refused with the library's error
(a GovDisclosureError), crashed (any other exception, or the child died),
hung (still running after ``--timeout`` seconds: killed), and gave a wrong
number, with the largest peak resident memory of a child (``wait4``'s
``ru_maxrss``, which includes the ~200 MB the child inherits) and the slowest
input.

A *wrong number* is a cell whose status is ``number`` and whose value differs
from the unmutated file's, where the mutation gives no reason for it:

- odd Unicode (a digit made a look-alike or an invisible mark put in a number):
  any such cell — the cell must not be read as a number at all;
- deleted or duplicated rows and cells: such a cell while the report carries no
  load issue and passes validation (nothing tells the user);
- huge numbers: a cell whose value is neither the old one nor the number put in;
- truncation and byte flips change what the file says (a flipped digit is a
  different number the file states), so no cell is called wrong; the count of
  cells that changed without a warning is shown apart (``changed``).
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import signal
import sys
import tempfile
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parents[1]))

import gov_disclosure_stats as gds
from tests.hostile_files import inflating_pdf, zip_bomb
from tests.mutations import MUTATIONS, Seed, mutate, seeds

Cells = dict[tuple[str, str, str], float]
_SHIFTS = {"delete_row", "duplicate_row", "delete_cell", "duplicate_cell"}


def numbers(report: gds.Report) -> Cells:
    """The cells of status ``number`` and their values."""
    out: Cells = {}
    for table, frame in report.tables.items():
        status = report.status(table)
        for row in frame.index:
            for column in frame.columns:
                value = frame.loc[row, column]
                if status.loc[row, column] is not None and str(status.loc[row, column]) == "number":
                    out[(table, str(row), str(column))] = math.nan if value is None or value != value else float(value)
    return out


def pipeline(load: Callable[[], gds.Report]) -> dict[str, Any]:
    """Run in the child: load, validate, tables, JSON; the outcome as a dict."""
    try:
        report = load()
        result = gds.validate(report)
        for table in report.tables.values():
            table.to_string()
        json.dumps(report.to_dict(), ensure_ascii=False)
        result.to_json()
    except gds.GovDisclosureError as exc:
        return {"outcome": "refused", "error": type(exc).__name__}
    except Exception as exc:
        return {"outcome": "crashed", "error": f"{type(exc).__name__}: {exc}"[:200]}
    issues = len(getattr(report, "issues", ()))
    cells = {"|".join(k): v for k, v in numbers(report).items()}
    return {"outcome": "loaded", "ok": bool(result.ok), "issues": issues, "cells": cells}


def in_child(load: Callable[[], gds.Report], timeout: float) -> tuple[dict[str, Any], float, float]:
    """Run :func:`pipeline` in a forked child; return its outcome, peak RSS (MiB) and seconds."""
    read, write = os.pipe()
    start = time.monotonic()
    pid = os.fork()
    if pid == 0:  # the child
        os.close(read)
        try:
            data = json.dumps(pipeline(load)).encode()
        except BaseException as exc:
            data = json.dumps({"outcome": "crashed", "error": repr(exc)[:200]}).encode()
        with os.fdopen(write, "wb") as out:
            out.write(data)
        os._exit(0)
    os.close(write)
    chunks: list[bytes] = []
    os.set_blocking(read, False)
    status, usage = 0, None
    while True:
        try:
            while chunk := os.read(read, 1 << 16):
                chunks.append(chunk)
        except BlockingIOError:
            pass
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() - start > timeout:
            os.kill(pid, signal.SIGKILL)
            _, status, usage = os.wait4(pid, 0)
            os.close(read)
            return {"outcome": "hung"}, usage.ru_maxrss / 1024, time.monotonic() - start
        time.sleep(0.005)
    os.set_blocking(read, True)
    while chunk := os.read(read, 1 << 16):
        chunks.append(chunk)
    os.close(read)
    seconds = time.monotonic() - start
    peak = usage.ru_maxrss / 1024 if usage else 0.0
    if status != 0 or not chunks:
        return {"outcome": "crashed", "error": f"child exit status {status}"}, peak, seconds
    return json.loads(b"".join(chunks)), peak, seconds


def wrong_cells(kind: str, note: str, base: dict[str, float], got: dict[str, Any]) -> tuple[int, int]:
    """``(wrong, changed without a warning)`` number cells of a loaded mutated input (see the module docstring)."""
    cells: dict[str, float] = got["cells"]
    changed = [k for k, v in cells.items() if k not in base or not _same(base[k], v)]
    unwarned = len(changed) if got["ok"] and not got["issues"] else 0
    if kind == "odd_unicode":
        return len(changed), unwarned
    if kind in _SHIFTS:
        return unwarned, unwarned
    if kind == "huge_number":
        inserted = note.rsplit("->", 1)[-1]
        try:
            value = float(inserted)
        except ValueError:
            value = math.nan
        return sum(1 for k in changed if not _same(cells[k], value)), unwarned
    return 0, unwarned


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b)) or (math.isfinite(a) and abs(a - b) <= 1e-9 * max(1, abs(a)))


def hostile_inputs(folder: Path) -> dict[str, Callable[[], gds.Report]]:
    """The hostile inputs of issue 13, as loaders of files (built here, in the parent)."""
    fifo = folder / "pipe.txt"
    os.mkfifo(fifo)
    bomb = folder / "bomb.pdf"
    bomb.write_bytes(inflating_pdf(200 << 20))
    docx_bomb = folder / "huge.docx"
    docx_bomb.write_bytes(zip_bomb("word/document.xml", 1 << 30, {"[Content_Types].xml": b"<Types/>"}))
    big_docx = folder / "big.docx"
    big_docx.write_bytes(_big_docx())
    big_html = folder / "big.html"
    big_html.write_text("<html><body><table>" + "<tr><td>1</td><td>2</td></tr>" * 400_000 + "</table></body></html>")
    return {
        "endless (/dev/zero)": lambda: gds.load("/dev/zero"),
        "named pipe": lambda: gds.load(fifo),
        "PDF stream inflating to 200 MB": lambda: gds.load(bomb),
        "docx zip bomb (1 GiB)": lambda: gds.load(docx_bomb),
        "docx of 200,000 paragraphs": lambda: gds.load(big_docx),
        "HTML of 1.2 M elements": lambda: gds.load(big_html),
    }


def _big_docx() -> bytes:
    body = "".join(f"<w:p><w:r><w:t>段落 {i}</w:t></w:r></w:p>" for i in range(200_000))
    xml = (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        f"<w:body>{body}</w:body></w:document>"
    )
    import docx

    template = io.BytesIO()
    docx.Document().save(template)
    out = io.BytesIO()
    with zipfile.ZipFile(template) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info, xml if info.filename == "word/document.xml" else source.read(info))
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--iterations", type=int, default=5, help="mutations per class and fixture")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per input before it counts as hung")
    parser.add_argument("--seed", type=int, default=13)
    args = parser.parse_args()

    fixtures: list[Seed] = seeds()
    base: dict[str, dict[str, float]] = {}
    for seed in fixtures:
        got, _, _ = in_child(lambda seed=seed: gds.loads(seed.data, seed.name), args.timeout)
        base[seed.name] = got.get("cells", {})

    rows: dict[str, Counter[str]] = defaultdict(Counter)
    peaks: dict[str, float] = defaultdict(float)
    slowest: dict[str, float] = defaultdict(float)
    crashes: list[str] = []
    wrongs: list[str] = []
    for kind in MUTATIONS:
        rng = random.Random(f"{args.seed}-{kind}")
        for seed in fixtures:
            for _ in range(args.iterations):
                data, note = mutate(seed, kind, rng)
                got, peak, seconds = in_child(lambda d=data, s=seed: gds.loads(d, s.name), args.timeout)
                _count(rows[kind], got, peak, seconds, kind, peaks, slowest)
                if got["outcome"] == "loaded":
                    wrong, unwarned = wrong_cells(kind, note, base[seed.name], got)
                    rows[kind]["wrong"] += wrong > 0
                    if wrong:
                        wrongs.append(f"{kind} {seed.name} ({note[:60]}): {wrong} cell(s)")
                    rows[kind]["changed"] += unwarned > 0
                elif got["outcome"] == "crashed":
                    crashes.append(f"{kind} {seed.name} ({note[:50]}): {got.get('error')}")
    with tempfile.TemporaryDirectory() as folder:
        for kind, load in hostile_inputs(Path(folder)).items():
            got, peak, seconds = in_child(load, args.timeout)
            _count(rows[kind], got, peak, seconds, kind, peaks, slowest)
            if got["outcome"] == "crashed":
                crashes.append(f"{kind}: {got.get('error')}")

    head = f"{'class':32}{'inputs':>7}{'loaded':>8}{'refused':>8}{'crashed':>8}{'hung':>6}{'wrong':>7}"
    print(head + f"{'changed':>9}{'peak MiB':>10}{'max s':>8}")
    for kind, c in rows.items():
        shifts = kind in MUTATIONS and kind not in {"truncate", "flip_bytes"}
        wrong = str(c["wrong"]) if shifts else "-"
        changed = str(c["changed"]) if kind in MUTATIONS else "-"
        print(
            f"{kind:32}{c['inputs']:>7}{c['loaded']:>8}{c['refused']:>8}{c['crashed']:>8}{c['hung']:>6}{wrong:>7}"
            f"{changed:>9}{peaks[kind]:>10.0f}{slowest[kind]:>8.2f}"
        )
    total = sum((c for c in rows.values()), Counter())
    print(
        f"\ntotal: {total['inputs']} inputs, {total['crashed']} crashed, {total['hung']} hung, "
        f"{total['wrong']} with a wrong number; largest peak {max(peaks.values()):.0f} MiB"
    )
    for line in crashes:
        print("  crash:", line)
    for line in wrongs:
        print("  wrong:", line)


def _count(
    row: Counter[str],
    got: dict[str, Any],
    peak: float,
    seconds: float,
    kind: str,
    peaks: dict[str, float],
    slowest: dict[str, float],
) -> None:
    row["inputs"] += 1
    row[got["outcome"]] += 1
    peaks[kind] = max(peaks[kind], peak)
    slowest[kind] = max(slowest[kind], seconds)


if __name__ == "__main__":
    main()
