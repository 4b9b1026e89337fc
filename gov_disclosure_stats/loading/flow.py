"""Tables that lost their layout: prose that holds a table, split back into rows.

Crawler text can hold a whole report on one line (``…申请数量 713000074二、上年结转…``),
and text copied from some pages has one cell fragment per line (``三`` / ``、本`` / ``年``…).
Neither shows a cell boundary. :func:`unflow` reads such prose as one flow of
words and numbers: it finds the table headings in it, and in each table's
stretch cuts a row before each row label (numbered, or one of the table's own
labels) and after its numbers, the label cells at the depth their numbering
says (``三、`` → ``（一）`` → ``1.``). Numbers stay as printed (one cell per
space-separated run); the assembler splits digits that ran together by the rules.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache
from itertools import pairwise

from ..core.labels import candidates_any, chinese_number, label_key
from ..core.layouts import TABLES, VERSIONS, table_layout
from ..model.grid import Block, GridCell, Paragraph, Table, cell_of

_SECTION = re.compile(r"([一二三四五六七八九十]+)\s*、")
_LABEL = re.compile(r"[一二三四五六七八九十]+\s*、|[（(]\s*[一二三四五六七八九十]+\s*[）)]|\d{1,2}\s*[.．、](?!\d)")
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_WIDE_GAP = re.compile(r"(?<=[^\x00-\x7f])\s+(?=[^\x00-\x7f])")  # a space between two Chinese characters
_HEADING_RATIO = 0.85
_HEADING_SPAN = range(6, 32)  # lengths of text after a section number tried as a heading


@dataclass(frozen=True)
class _Flow:
    """Consecutive paragraphs joined by spaces, with the place of every character."""

    text: str
    starts: list[int]  # where each paragraph starts in ``text``
    paragraphs: Sequence[Paragraph]

    def where(self, at: int) -> str:
        """The place of the character at ``at``: its paragraph's place and, on a line, its column."""
        i = max(bisect_right(self.starts, at) - 1, 0)
        place = self.paragraphs[i].where
        return f"{place}, column {at - self.starts[i] + 1}" if place.startswith("line ") else place

    def prose(self, start: int, end: int) -> Iterator[Paragraph]:
        """The paragraphs' text between ``start`` and ``end``, one paragraph per source paragraph."""
        for i, para in enumerate(self.paragraphs):
            a, b = max(start, self.starts[i]), min(end, self.starts[i] + len(para.text))
            if a < b and self.text[a:b].strip():
                yield Paragraph(self.text[a:b].strip(), para.where if a == self.starts[i] else self.where(a))


def _flow(paragraphs: Sequence[Paragraph]) -> _Flow:
    starts, at = [], 0
    for para in paragraphs:
        starts.append(at)
        at += len(para.text) + 1
    return _Flow(" ".join(p.text for p in paragraphs), starts, paragraphs)


def _heading_at(text: str, start: int, stop: int) -> tuple[str, int] | None:
    """The table whose heading begins at ``start`` (at its section number), ending before ``stop``, and its end."""
    best: tuple[float, int, str] | None = None
    for length in _HEADING_SPAN:
        if start + length > stop:
            break
        key = label_key(text[start : start + length]).short
        for table in TABLES:
            layout = table_layout(table, VERSIONS[-1])
            for label in (layout.label, *layout.aliases):
                ratio = SequenceMatcher(None, key, label_key(label).short).ratio()
                if ratio >= _HEADING_RATIO and (best is None or ratio >= best[0]):
                    best = (ratio, start + length, table)
    return None if best is None else (best[2], best[1])


def _headings(text: str) -> list[tuple[int, int, str]]:
    """``(start, end, table)`` of the first heading of each table in the flow, in the order printed."""
    found: dict[str, tuple[int, int, str]] = {}
    marks = [m.start() for m in _SECTION.finditer(text)]
    for start, stop in pairwise([*marks, len(text)]):
        hit = _heading_at(text, start, stop)
        if hit is not None and hit[0] not in found:
            found[hit[0]] = (start, hit[1], hit[0])
    if found:  # a heading printed without its number, searched between the tables before and after it
        for k, table in enumerate(TABLES):
            if table in found:
                continue
            after = max((found[t][1] for t in TABLES[:k] if t in found), default=min(h[0] for h in found.values()))
            before = min((found[t][0] for t in TABLES[k + 1 :] if t in found), default=len(text))
            m = _label_pattern(table).search(text, after, before)
            if m is not None:
                found[table] = (m.start(), m.end(), table)
    return sorted(found.values())


@cache
def _label_pattern(table: str) -> re.Pattern[str]:
    """A table's heading words as printed (any spacing), for a heading without its section number."""
    layout = table_layout(table, VERSIONS[-1])
    words = [r"\s*".join(map(re.escape, label)) for label in (layout.label, *layout.aliases)]
    return re.compile("|".join(words))


def _section_end(text: str, start: int, table: str) -> int:
    """Where the last table's stretch ends: at the next section number above the table's own (五、存在的…)."""
    layout = table_layout(table, VERSIONS[-1])
    own = chinese_number(layout.section) or 0
    for m in _SECTION.finditer(text, start):
        number = chinese_number(m[1].strip()) or 0
        if number > own and not candidates_any(text[m.start() : m.start() + 20], [layout], "rows"):
            return m.start()
    return len(text)


def _tokens(text: str, offset: int) -> list[tuple[str, int, bool]]:
    """The stretch as ``(text, start, is_number)`` tokens; a digit glued before ``.`` or ``、`` is a label's number."""
    tokens: list[tuple[str, int, bool]] = []
    at = 0
    for m in _NUMBER.finditer(text):
        if text[at : m.start()].strip():
            tokens.append((text[at : m.start()], offset + at, False))
        tokens.append((m[0], offset + m.start(), True))
        at = m.end()
    if text[at:].strip():
        tokens.append((text[at:], offset + at, False))
    out: list[tuple[str, int, bool]] = []
    for token in tokens:
        word, start, number = token
        previous = out[-1] if out else None
        if (
            not number
            and previous
            and previous[2]
            and "." not in previous[0]
            and word.lstrip()[:1] in (".", "．", "、")
        ):
            digits, p_start, _ = out.pop()
            if len(digits) > 1:  # "00000002.其他": the 2 numbers the next label
                out.append((digits[:-1], p_start, True))
            word, start = digits[-1] + word, p_start + len(digits) - 1
            if out and not out[-1][2]:  # "（三）不予公开" + "1.属于国家秘密": one stretch of labels
                word, start = out[-1][0] + word, out.pop()[1]
        out.append((word, start, number))
    return out


def _level(piece: str) -> int:
    """A label's depth from its numbering: 一、 → 0, （一） → 1, 1. → 2; unnumbered → 0."""
    m = _LABEL.match(piece)
    if m is None or ("、" in m[0] and not m[0][0].isdigit()):
        return 0
    return 1 if m[0][0] in "（(" else 2


@cache
def _row_keys(table: str) -> frozenset[str]:
    """The row labels of ``table`` (every version, aliases too) as matching keys."""
    keys = (
        label_key(label) for v in VERSIONS for row in table_layout(table, v).rows for label in (row.label, *row.aliases)
    )
    return frozenset(k for key in keys for k in (key.full, key.short) if k)


def _label_start(text: str, table: str) -> int | None:
    """Where the row labels begin in a stretch of words before a row's numbers (None: no row label in it).

    At the first numbered label that names a row of the table; else where the stretch ends in one of the
    table's labels as printed (``…现行有效件数 规章``: ``规章``).
    """
    layouts = [table_layout(table, v) for v in VERSIONS]
    marks = list(_LABEL.finditer(text))
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        if candidates_any(text[m.start() : end], layouts, "rows"):
            return m.start()
    keys = _row_keys(table)
    return next((i for i in range(len(text)) if text[i].strip() and label_key(text[i:]).full in keys), None)


def _rows(flow: _Flow, start: int, end: int, table: str) -> list[Block]:
    """The blocks of one table's stretch: rows of label and number cells; words that label no row are prose."""
    blocks: list[Block] = []
    rows: list[tuple[GridCell, ...]] = []

    def cell(text: str, at: int) -> GridCell:
        return cell_of((_WIDE_GAP.sub("", text.strip()), len(rows), 0, flow.where(at)))

    def end_table() -> None:
        if rows:
            blocks.append(Table(tuple(rows), f"{rows[0][0].where} to {rows[-1][-1].where}"))
            rows.clear()

    tokens = _tokens(flow.text[start:end], start)
    i = 0
    while i < len(tokens):
        word, at, number = tokens[i]
        numbers = []
        j = i + (0 if number else 1)
        while j < len(tokens) and tokens[j][2]:
            numbers.append(tokens[j])
            j += 1
        labels: list[tuple[str, int]] = []
        if not number:
            begin = _label_start(word, table) if numbers else None
            if begin is None:
                begin = len(word)
            if word[:begin].strip():
                end_table()
                blocks.extend(flow.prose(at, at + begin))
            marks = [m.start() for m in _LABEL.finditer(word, begin)] or [begin]
            cuts = [begin, *[m for m in marks if m > begin], len(word)]
            labels = [(word[a:b], at + a) for a, b in pairwise(cuts) if word[a:b].strip()]
        for k, (piece, p_at) in enumerate(labels):
            depth = _level(piece)
            last = k == len(labels) - 1
            if k and depth > _level(labels[k - 1][0]) and rows and not rows[-1][-1].text.isdigit():
                rows[-1] = (*rows[-1], cell(piece, p_at))  # a child label: same row, next column
            else:
                rows.append((*(cell("", p_at) for _ in range(depth)), cell(piece, p_at)))
            if last and numbers:
                rows[-1] = (*rows[-1], *(cell(n, n_at) for n, n_at, _ in numbers))
        if not labels and numbers:
            rows.append(tuple(cell(n, n_at) for n, n_at, _ in numbers))
        i = j
    end_table()
    return [b if isinstance(b, Paragraph) else _renumbered(b) for b in blocks]


def _renumbered(table: Table) -> Table:
    """The table with its cells' row and column indices set."""
    rows = tuple(tuple(c._replace(row=r, col=k) for k, c in enumerate(row)) for r, row in enumerate(table.rows))
    return Table(rows, table.where)


def unflow(blocks: Sequence[Block]) -> list[Block] | None:
    """The blocks with every run of paragraphs that holds table headings re-read as tables, or None if none does."""
    out: list[Block] = []
    run: list[Paragraph] = []
    changed = False

    def end_run() -> None:
        nonlocal changed
        if not run:
            return
        flow = _flow(run)
        headings = _headings(flow.text)
        if not headings:
            out.extend(run)
        else:
            changed = True
            out.extend(flow.prose(0, headings[0][0]))
            for k, (start, end, table) in enumerate(headings):
                stop = headings[k + 1][0] if k + 1 < len(headings) else _section_end(flow.text, end, table)
                out.append(Paragraph(flow.text[start:end].strip(), flow.where(start)))
                out.extend(_rows(flow, end, stop, table))
            out.extend(flow.prose(stop, len(flow.text)))
        run.clear()

    for block in blocks:
        if isinstance(block, Paragraph):
            run.append(block)
        else:
            end_run()
            out.append(block)
    end_run()
    return out if changed else None
