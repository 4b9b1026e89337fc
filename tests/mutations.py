"""Seeded mutations of report files, for the fuzz test and ``benchmarks/fuzz_report.py``.

Every mutation takes the file's bytes, its format and a ``random.Random`` and
returns ``(mutated bytes, note)``; the note says what was done (a digit made a
look-alike, the inserted huge number…), so that a report of the outcome can
tell a misread from a faithful read of a changed file.
"""

from __future__ import annotations

import io
import json
import random
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from .conftest import SAMPLE, SAMPLE_EXPECTED

EXAMPLE = Path(__file__).parents[1] / "examples" / "2022_beijing-shijingshan_district-government.txt"

# full-width digits (０-９) are digits Chinese reports print on purpose, read as such: not look-alikes
LOOK_ALIKES = "①②③④⑤⑥⑦⑧⑨⓪⁰¹²³⁴⁵⁶⁷⁸⁹₀₁₂₃٠١٢٣𝟎𝟏𝟐"
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\ufeff", "\u200f", "\u200e", "\u202e", "\u2066", "\u00ad"]
HUGE = ["1" + "0" * 30, str(2**63), "1e400", "9" * 401, "504.5", str(2**53 + 1), "-0", "1" * 20]

_NUMBER = re.compile(rb"(?<![0-9.])[0-9]+(?![0-9.])")


@dataclass(frozen=True)
class Seed:
    """An unmutated input: its name (with the suffix that names its format) and bytes."""

    name: str
    data: bytes

    @property
    def kind(self) -> str:
        return Path(self.name).suffix.lstrip(".")


def seeds() -> list[Seed]:
    """The fixtures mutated: the sample as text, the example, JSON, HTML, Markdown and Word."""
    from .printed_layout import document, docx_bytes
    from .report_pages import report_markdown, report_page

    expected = json.loads(SAMPLE_EXPECTED.read_text("utf-8"))
    out = [
        Seed("sample.txt", SAMPLE.read_bytes()),
        Seed("sample.json", SAMPLE_EXPECTED.read_bytes()),
        Seed("sample.html", report_page().encode("utf-8")),
        Seed("sample.md", report_markdown().encode("utf-8")),
        Seed("sample.docx", docx_bytes(document(expected))),
    ]
    if EXAMPLE.exists():
        out.append(Seed("example.txt", EXAMPLE.read_bytes()))
    return out


# -- the mutation classes ---------------------------------------------------------------------------------------------

Mutation = Callable[[bytes, str, random.Random], tuple[bytes, str]]


def truncate(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str]:
    cut = rng.randrange(1, max(2, len(data)))
    return data[:cut], f"cut at {cut}"


def flip_bytes(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str]:
    out = bytearray(data)
    for _ in range(rng.randint(1, 8)):
        i = rng.randrange(len(out))
        out[i] ^= 1 << rng.randrange(8)
    return bytes(out), "flipped"


def _rows(text: str, kind: str) -> list[tuple[int, int]]:
    """Spans of the rows of a text, page or document XML."""
    if kind in {"html", "docx"}:
        tag = "w:tr" if kind == "docx" else "tr"
        return [m.span() for m in re.finditer(rf"<{tag}\b.*?</{tag}>", text, re.S)]
    return [m.span() for m in re.finditer(r"[^\n]*\n", text)]


def _cells(text: str, kind: str) -> list[tuple[int, int]]:
    """Spans of the cells: ``<td>``/``<w:tc>``, Markdown cells, a text file's tab-indented lines, JSON numbers."""
    if kind in {"html", "docx"}:
        tag = "w:tc" if kind == "docx" else "td"
        return [m.span() for m in re.finditer(rf"<{tag}\b.*?</{tag}>", text, re.S)]
    if kind == "md":
        return [m.span() for m in re.finditer(r"\|[^|\n]*", text)]
    if kind == "json":
        return [m.span() for m in re.finditer(r"-?\d+(?:\.\d+)?,?", text)]
    return [m.span() for m in re.finditer(r"\t[^\n]*\n", text)]


def _on_text(edit: Callable[[str, str, random.Random], tuple[str, str]]) -> Mutation:
    """A mutation of the text (for .docx: of ``word/document.xml``, the archive rebuilt)."""

    def mutation(data: bytes, kind: str, rng: random.Random) -> tuple[bytes, str]:
        if kind == "docx":
            return _in_docx(data, lambda text: edit(text, kind, rng))
        text, note = edit(data.decode("utf-8"), kind, rng)
        return text.encode("utf-8"), note

    mutation.__name__ = edit.__name__
    return mutation


def _in_docx(data: bytes, edit: Callable[[str], tuple[str, str]]) -> tuple[bytes, str]:
    out = io.BytesIO()
    note = ""
    with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == "word/document.xml":
                text, note = edit(content.decode("utf-8"))
                content = text.encode("utf-8")
            target.writestr(info, content)
    return out.getvalue(), note


def _span_edit(spans: Callable[[str, str], list[tuple[int, int]]], duplicate: bool) -> Callable:
    def edit(text: str, kind: str, rng: random.Random) -> tuple[str, str]:
        found = spans(text, kind)
        if not found:
            return text, "nothing to edit"
        start, end = rng.choice(found)
        piece = text[start:end]
        if duplicate:
            return text[:end] + piece + text[end:], f"duplicated {piece[:40]!r}"
        return text[:start] + text[end:], f"deleted {piece[:40]!r}"

    return edit


def _numbers(text: str, kind: str) -> list[re.Match[str]]:
    """Numbers a reader takes as cell values (digits outside markup)."""
    pattern = r"(?<![\w.#&])\d+(?![\w.;])" if kind in {"html", "docx"} else r"(?<![\w.])\d+(?![\w.])"
    return list(re.finditer(pattern, text))


def odd_unicode(text: str, kind: str, rng: random.Random) -> tuple[str, str]:
    """A digit of a number made a look-alike (circled, superscript, full-width…) or an invisible mark put inside it."""
    found = _numbers(text, kind)
    if not found:
        return text, "nothing to edit"
    m = rng.choice(found)
    number = m[0]
    i = rng.randrange(len(number))
    if rng.random() < 0.5:
        odd = rng.choice(LOOK_ALIKES)
        changed = number[:i] + odd + number[i + 1 :]
        note = f"look-alike {number}->{changed}"
    else:
        odd = rng.choice(INVISIBLE)
        changed = number[:i] + odd + number[i:]
        note = f"invisible {number}->{changed.encode('unicode_escape').decode()}"
    return text[: m.start()] + changed + text[m.end() :], note


def huge_number(text: str, kind: str, rng: random.Random) -> tuple[str, str]:
    found = _numbers(text, kind)
    if not found:
        return text, "nothing to edit"
    m = rng.choice(found)
    value = rng.choice(HUGE)
    return text[: m.start()] + value + text[m.end() :], f"huge {m[0]}->{value[:20]}"


MUTATIONS: dict[str, Mutation] = {
    "truncate": truncate,
    "flip_bytes": flip_bytes,
    "delete_row": _on_text(_span_edit(_rows, duplicate=False)),
    "duplicate_row": _on_text(_span_edit(_rows, duplicate=True)),
    "delete_cell": _on_text(_span_edit(_cells, duplicate=False)),
    "duplicate_cell": _on_text(_span_edit(_cells, duplicate=True)),
    "odd_unicode": _on_text(odd_unicode),
    "huge_number": _on_text(huge_number),
}
"""The mutation classes, by name."""


def mutate(seed: Seed, name: str, rng: random.Random) -> tuple[bytes, str]:
    """One mutation of ``seed`` by the class ``name``."""
    return MUTATIONS[name](seed.data, seed.kind, rng)
