"""The one label matcher every reader shares: printed labels and headings → layout codes.

A printed label is reduced to a :class:`LabelKey`: its numbering (（一）, (一),
一、, 1、, 1., 1．, (1) all read as the number) and its text with width,
whitespace, quotes and punctuation normalized away. It matches a row or column
of a :class:`~gov_disclosure_stats.layouts.TableLayout` (labels and aliases from
``data/layouts.yaml``) by, in order: the same text; the same text once notes in
brackets are dropped; one text starting with the other (four characters or
more). Several hits are narrowed by the group the label sits under, then by its
number. A label that none of these match, garbled in extraction (PDF:
"2.其他法律行政止公开"), may still name the one node under its group with its
number whose text is alike (difflib ratio of 0.75 or more). No hit, or hits that
stay ambiguous, give ``None`` (:func:`node_candidates` lists them): the caller
raises with the place.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher
from functools import cache, lru_cache

from .layouts import TABLES, VERSIONS, Node, TableLayout, table_layout

QUOTES = frozenset("“”\"'‘’「」『』〝〞‟„")
"""Quote marks of every style; they are dropped before matching."""

_CN_DIGITS = {ch: i for i, ch in enumerate("零一二三四五六七八九")} | {"〇": 0, "两": 2}
_CN = "〇零一二两三四五六七八九十"
_NUMBERING = re.compile(rf"^(?:\(([{_CN}]+)\)|([{_CN}]+)[、.,:]|\((\d+)\)|(\d+)[、.,:)](?!\d)|(\d+)(?=[^\d.,]))")
_BRACKETED = re.compile(r"\([^()]*\)|【[^【】]*】|\[[^\[\]]*\]")
_BLOCK = re.compile(r"第[^第]{1,6}条第[^第]{1,6}项")
_HEADING_MAX = 60
_HEADING_RATIO = 0.85
_PREFIX_MIN = 4
_FUZZY_RATIO = 0.75  # a garbled label (e.g. 其他法律行政止公开) is this alike to the one it names
_FUZZY_MIN_LENGTH = 4


@dataclass(frozen=True)
class LabelKey:
    """A label reduced for matching: its number (if numbered), full text and text without bracketed notes."""

    number: int | None
    full: str
    short: str


@lru_cache(maxsize=65536)
def normalize(text: str) -> str:
    """NFKC (full-width to half-width), no whitespace, no quote marks."""
    text = unicodedata.normalize("NFKC", text)
    return "".join(ch for ch in text if not ch.isspace() and ch not in QUOTES)


def chinese_number(text: str) -> int | None:
    """``"十二"`` → 12, ``"三"`` → 3, ``"二〇二二"`` → 2022 (digit by digit); None when not a numeral."""
    if not text or any(ch not in _CN for ch in text):
        return None
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    tens, _, units = text.partition("十")
    if "十" in units:
        return None
    return (_CN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def split_numbering(text: str) -> tuple[int | None, str]:
    """Split a normalized label into its number and the rest: ``"(三)不予公开"`` → ``(3, "不予公开")``."""
    m = _NUMBERING.match(text)
    if not m:
        return None, text
    cn = m.group(1) or m.group(2)
    number = chinese_number(cn) if cn else int(m.group(3) or m.group(4) or m.group(5))
    return number, text[m.end() :]


def _strip_punctuation(text: str) -> str:
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "S")))


@lru_cache(maxsize=65536)
def label_key(text: str) -> LabelKey:
    """The matching key of a printed label."""
    number, core = split_numbering(normalize(text))
    short = core
    while True:
        shorter = _BRACKETED.sub("", short)
        if shorter == short:
            break
        short = shorter
    return LabelKey(number, _strip_punctuation(core), _strip_punctuation(short))


def has_numbering(text: str) -> bool:
    """True when a label starts with an item number (（一）, 一、, 1. …)."""
    return split_numbering(normalize(text))[0] is not None


# -- rows and columns ---------------------------------------------------------------


@cache
def _node_keys(node: Node) -> tuple[LabelKey, ...]:
    labels = [node.label, *node.aliases]
    if node.parent_label:
        labels += [f"{node.parent_label}{label}" for label in list(labels)]
    return tuple(label_key(label) for label in labels)


def _same(printed: LabelKey, key: LabelKey) -> bool:
    return printed.full == key.full


def _same_short(printed: LabelKey, key: LabelKey) -> bool:
    return bool(printed.short) and printed.short == key.short


def _prefix(printed: LabelKey, key: LabelKey) -> bool:
    if min(len(printed.full), len(key.full)) < _PREFIX_MIN:
        return False
    return key.full.startswith(printed.full) or printed.full.startswith(key.full)


def _ancestors(node: Node, by_code: dict[str, Node]) -> set[str]:
    out: set[str] = set()
    parent = node.parent or node.subtotal_of
    while parent and parent not in out:
        out.add(parent)
        up = by_code.get(parent)
        parent = (up.parent or up.subtotal_of) if up else None
    return out


def _similarity(printed: LabelKey, key: LabelKey) -> float:
    """How alike two label texts are (0-1), for labels garbled in extraction; 0 for short ones."""
    best = 0.0
    for a, b in ((printed.full, key.full), (printed.short, key.short)):
        if min(len(a), len(b)) >= _FUZZY_MIN_LENGTH:
            best = max(best, SequenceMatcher(None, a, b, autojunk=False).ratio())
    return best


def _fuzzy(printed: LabelKey, nodes: Sequence[Node], by_code: dict[str, Node], group: str | None) -> list[Node]:
    """Nodes a garbled label may name: under its group, with its number, and a text alike enough.

    Used only when no label matches as printed; more than one node means the
    label is ambiguous (the caller reports it, it never picks one).
    """
    scope = list(nodes)
    if group:
        scope = [n for n in scope if group in _ancestors(n, by_code)] or scope
    if printed.number is not None:
        scope = [n for n in scope if label_key(n.label).number == printed.number]
    return [n for n in scope if max(_similarity(printed, k) for k in _node_keys(n)) >= _FUZZY_RATIO]


@lru_cache(maxsize=16384)
def _candidates(label: str, nodes: tuple[Node, ...], group: str | None) -> list[Node]:
    """Nodes a printed label may name (memoized: the same labels recur in every report)."""
    printed = label_key(label)
    if not printed.full:
        return []
    by_code = {n.code: n for n in nodes}
    for test in (_same, _same_short, _prefix):
        hits = {n.code: n for n in nodes if any(test(printed, k) for k in _node_keys(n))}
        if hits:
            picked = _pick(printed, list(hits.values()), by_code, group)
            return _by_number(printed, nodes) or picked if _numbers_differ(printed, picked) else picked
    return _fuzzy(printed, nodes, by_code, group)


def _numbers_differ(printed: LabelKey, hits: Sequence[Node]) -> bool:
    return printed.number is not None and all(label_key(n.label).number != printed.number for n in hits)


def _by_number(printed: LabelKey, nodes: Sequence[Node]) -> list[Node]:
    """The one node with the printed label's number whose text starts with the printed text (``(六) 其他`` is
    （六）其他处理, not 3.其他), else none."""
    hits = [
        n
        for n in nodes
        if label_key(n.label).number == printed.number
        and any(k.full.startswith(printed.full) and k.full != printed.full for k in _node_keys(n))
    ]
    return hits if len(hits) == 1 else []


def match_node(label: str, nodes: Sequence[Node], group: str | None = None) -> str | None:
    """The code of the node a printed label names, or None (no match, or still ambiguous)."""
    hits = _candidates(label, tuple(nodes), group)
    return hits[0].code if len(hits) == 1 else None


def node_candidates(label: str, nodes: Sequence[Node], group: str | None = None) -> list[str]:
    """The codes a printed label may name: one when it matches, several when it is ambiguous, none."""
    return [n.code for n in _candidates(label, tuple(nodes), group)]


def _pick(printed: LabelKey, hits: list[Node], by_code: dict[str, Node], group: str | None) -> list[Node]:
    if len(hits) > 1 and group:
        inside = [n for n in hits if group in _ancestors(n, by_code)]
        hits = inside or hits
    if len(hits) > 1 and printed.number is not None:
        numbered = [n for n in hits if label_key(n.label).number == printed.number]
        hits = numbered or hits
    return hits


def match_row(label: str, layout: TableLayout, group: str | None = None) -> str | None:
    """The row code of ``layout`` a printed row label names (group rows included), or None."""
    return match_node(label, layout.rows, group)


def match_column(label: str, layout: TableLayout, group: str | None = None) -> str | None:
    """The column code of ``layout`` a printed column label names (group columns included), or None."""
    return match_node(label, layout.columns, group)


def match_any(label: str, layouts: Iterable[TableLayout], axis: str, group: str | None = None) -> str | None:
    """Like :func:`match_row`/:func:`match_column`, trying several layouts (versions) in order."""
    for layout in layouts:
        code = match_node(label, layout.rows if axis == "rows" else layout.columns, group)
        if code is not None:
            return code
    return None


def candidates_any(label: str, layouts: Iterable[TableLayout], axis: str, group: str | None = None) -> list[str]:
    """Like :func:`node_candidates`, trying several layouts (versions) in order: the first that has any."""
    for layout in layouts:
        codes = node_candidates(label, layout.rows if axis == "rows" else layout.columns, group)
        if codes:
            return codes
    return []


def is_note(text: str, layout: TableLayout) -> bool:
    """True for the template's note cell (the 勾稽关系 remark of the requests table)."""
    if not layout.note:
        return False
    printed, note = label_key(text), label_key(layout.note)
    return bool(printed.full) and (printed.full == note.full or "勾稽关系" in printed.full)


def match_block(text: str, layout: TableLayout) -> str | None:
    """The block title a cell prints (第二十条第（一）项 …), normalized, or None."""
    norm = normalize(text)
    blocks = {normalize(n.block) for n in layout.rows if n.block}
    if norm in blocks or _BLOCK.fullmatch(norm):
        return norm
    return None


# -- headings -------------------------------------------------------------------------


@lru_cache(maxsize=16384)
def match_heading(text: str) -> str | None:
    """The table a section heading introduces (``"proactive"``, ``"requests"``, ``"review_litigation"``) or None.

    The heading's number may be missing or wrong; wordings listed as aliases in
    the layouts and near variants (a few characters off) match too.
    """
    norm = normalize(text)
    if not norm or len(norm) > _HEADING_MAX or "。" in norm:
        return None
    printed = label_key(text)
    if not printed.short:
        return None
    for table in TABLES:
        layout = table_layout(table, VERSIONS[-1])
        for label in (layout.label, *layout.aliases):
            key = label_key(label)
            if printed.full == key.full or printed.short == key.short:
                return table
            if SequenceMatcher(None, printed.short, key.short).ratio() >= _HEADING_RATIO:
                return table
    return None


def is_section_heading(text: str) -> bool:
    """True for a top-level heading such as 五、存在的主要问题及改进情况 (a Chinese numeral and 、)."""
    norm = normalize(text)
    return bool(re.match(rf"[{_CN}]+、", norm)) and len(norm) <= _HEADING_MAX and "。" not in norm
