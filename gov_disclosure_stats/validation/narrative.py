"""Figures the prose of a report states that its tables also hold, compared with the tables.

The ``narrative.*`` soft rules of the catalog. A report's paragraphs
(``Report.paragraphs``: 总体情况 and the other sections) are cut into sentences
and clauses; explicit patterns read the figures a sentence states about
requests (受理/新收, 上年结转, 办结/答复, 结转下年度, the outcomes), administrative
review and litigation (行政复议, 行政诉讼 and their outcomes, "未发生…" as 0) and
proactive disclosure (规章/规范性文件 制发/废止/现行有效, 行政许可/处罚/强制 决定,
行政事业性收费 金额), each tied to a cell code or a sum of cell codes of the report's
layout. ``narrative.report_year`` reads the years the text gives as the report's
(统计期限 "2022年1月1日至12月31日", "2022年政府信息公开工作年度报告" and "2022年，…"
opening a sentence before the tables) and compares them with the title's year.

Approximate figures (约, 余, 多, 左右), comparisons (同比, 较上年), other subjects
(网民留言, 热线, 信息处理费…) and figures whose cell the report's layout lacks are
not read. A number is tied to a cell by the words around it (its clause, the
subject of its sentence or of its sub-section such as （三）依申请公开情况), never
by its position. Counts compare exactly, money to the precision printed
("4934万元" agrees with 4934.0578).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import NamedTuple

import numpy as np
import pandas as pd

from ..core.errors import RuleError
from ..core.labels import is_section_heading, match_heading
from ..core.layouts import VERSIONS, TableLayout, cell_universe, table_layout
from ..core.rules import Rule, RuleSet, catalog
from ..model.grid import Paragraph
from ..model.matrix import cell_vector, read_as_zero
from ..model.report import Report
from ..model.result import ValidationResult, fmt

CHECK = "narrative"
"""The ``check`` marker of the narrative rules in the catalog."""
YEAR = "year"
"""What a ``narrative.report_year`` figure is compared with: the report's year (from its title)."""
FIGURE_COLUMNS = [
    "report_id",
    "rule_id",
    "figure",
    "table",
    "row",
    "column",
    "value",
    "cells",
    "label",
    "sentence",
    "where",
]
CHECK_COLUMNS = [*FIGURE_COLUMNS, "table_value", "outcome", "missing", "message_zh", "message_en"]

_LAWSUITS = "@lawsuits"  # the rows printed under the 行政诉讼 heading, summed


class Target(NamedTuple):
    """What a figure states: a rule, a short ASCII name, and the cells summed (rows × column candidates).

    A row key may be a group (its leaves are summed) or ``@lawsuits``; the first
    column candidate the row has in the report's layout is used.
    """

    rule: str
    name: str
    table: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]


def _t(rule: str, name: str, table: str, rows: str, columns: str) -> Target:
    return Target(f"narrative.{rule}", name, table, tuple(rows.split()), tuple(columns.split()))


RECEIVED = _t("requests_received", "requests.received", "requests", "new", "total")
RECEIVED_WITH_CARRIED_OVER = _t(
    "requests_received", "requests.received_with_carried_over", "requests", "new carried_over", "total"
)
NATURAL_PERSONS = _t("requests_received", "requests.received.natural_person", "requests", "new", "natural_person")
ORGANISATIONS = _t("requests_received", "requests.received.organisations", "requests", "new", "@organisations")
CARRIED_OVER = _t("requests_carried_over", "requests.carried_over", "requests", "carried_over", "total")
PROCESSED = _t("requests_processed", "requests.processed", "requests", "total_processed", "total")
CARRIED_FORWARD = _t("requests_carried_forward", "requests.carried_forward", "requests", "carried_forward", "total")
REPORT_YEAR = Target("narrative.report_year", "report_year", "", (), ())

_OUTCOME_WORDS = [  # request outcomes, tried in this order
    (re.compile(r"部分公开"), "partly_granted"),
    (re.compile(r"不予公开"), "withheld"),
    (re.compile(r"予以公开|同意公开|全部公开"), "granted"),
    (re.compile(r"无法提供"), "unavailable"),
    (re.compile(r"不予处理"), "not_processed"),
    (re.compile(r"其他处理"), "other_handling"),
]
_RESULT_WORDS = [  # review and litigation results, tried in this order
    ("pending", re.compile(r"尚未审结|未审结|尚未结审|未结审|审理中|正在审理|尚在审理|尚未结案|未结案")),
    ("upheld", re.compile(r"维持")),
    ("corrected", re.compile(r"纠正|纠错|撤销|败诉")),
    ("other", re.compile(r"其他结果|其他")),
]
_REVIEW_ROWS = {None: "review"}
_SUIT_ROWS = {None: _LAWSUITS, "direct": "suit_direct", "after": "suit_after_review"}

# -- words --------------------------------------------------------------------------------------------------------

_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|[零〇一二两三四五六七八九十百千]+)"
_COUNT = re.compile(_NUM + r"(?P<unit>件|起|宗|例|项|个(?=申请|案件))")  # "个" alone counts channels, platforms…
_MONEY = re.compile(r"(?P<num>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)(?P<unit>万元|元)")
_APPROXIMATE_BEFORE = re.compile(r"(?:约|近|超过|逾|将近|大约|不到|不足)$")
_APPROXIMATE_AFTER = re.compile(r"^(?:左右|以上|以下|上下)")
_COMPARISON = re.compile(r"比|较|同比|环比|增长|增加|减少|下降|上升|占")
_CLAUSE_SPLIT = re.compile(r"[;:、()]|(?<!\d),|,(?!\d{3}(?!\d))")  # a comma in "45,648" is a thousands separator

_DIRECT = re.compile(r"直接(?:提起)?(?:行政)?(?:诉讼|起诉)|未经(?:行政)?复议")
_AFTER = re.compile(r"复议后(?:提起)?(?:行政)?(?:诉讼|起诉)|经(?:行政)?复议后?(?:提起|起诉|诉讼)")
_SUIT = re.compile(r"诉讼|起诉|应诉")
_REVIEW = re.compile(r"复议")
_REQUEST = re.compile(r"依申请|公开申请|申请公开")
_RELEVANT = re.compile(r"复议|诉讼|起诉|应诉|申请|规范性文件|规章|行政许可|行政处罚|行政强制|行政事业性收费")
"""A sentence without any of these words states no figure (unless its paragraph is about requests)."""
_OTHER_SUBJECT = re.compile(r"留言|热线|信访|来信|来访|投诉|咨询|工单|提案|建议|诉求|舆情")
_WORDING = {"规章": r"规章(?!制度)"}
"""Row wordings that need more than the words themselves: 规章 is not 规章制度 (rules and regulations in general)."""


def _row_pattern(words: Iterable[str]) -> re.Pattern[str]:
    """A pattern for any of a row's wordings (its label and aliases), longest first."""
    return re.compile("|".join(_WORDING.get(w, re.escape(w)) for w in sorted(words, key=len, reverse=True)))


_PROACTIVE_ROWS = [  # the rows of the current template's table 二, named by their labels and aliases
    (_row_pattern([node.label, *node.aliases]), node.code) for node in table_layout("proactive", VERSIONS[-1]).cell_rows
]
_DOCUMENT_VERBS = [
    (re.compile(r"废止|废除|失效"), "repealed", "repealed"),
    (re.compile(r"现行有效|有效"), "in_force", "in_force"),
    (re.compile(r"制发|印发|出台|制定|发布|起草|新增"), "issued", "issued made"),
]
_NOT_A_TOTAL = re.compile(r"纠错|纠正|败诉|撤销|未经|直接")  # "未发生…纠错": a result, not the total
_CLAUSE_END = re.compile(r"[,;。]")
_FOLLOW_ON = re.compile(r"其中|上述|以上")  # a sentence going on with the subject of the one before
_DECISION = re.compile(r"决定|作出|办理|办结|实施|查处")
_PUBLISHED = re.compile(r"信息|公示|公开")

_CARRIED_OVER = re.compile(r"上一?年度?结转|去年结转|结转上一?年")
_CARRIED_FORWARD_BEFORE = re.compile(r"结转|转入下")
_CARRIED_FORWARD_AFTER = re.compile(r"^(?:结转|转入|留待|继续办理|正在办理|尚在办理|仍在办理|尚未办结|未办结)")
_WITH_CARRIED_OVER = re.compile(r"^\((?:含|包括|包含|其中)(?:上一?年度?|去年)结转")
_NATURAL = re.compile(r"自然人")
_ORGANISATION = re.compile(r"法人|其他组织|企业")
_RECEIVED = re.compile(r"受理|收到|新收|接收|接到|收悉|共收|新增")
_PROCESSED = re.compile(r"答复|办结|办理完毕|处理完毕|办复|办理完成|处理完成|已处理|已办理")

_NONE_STATED = re.compile(
    r"(?:未(?:发生|出现|收到|产生|有)|没有(?:发生|出现|收到)?|无)"
    r"(?P<what>[^,;。\d]{0,30}?(?:行政复议|行政诉讼)[^,;。\d]{0,20}?)(?:情况|案件|事项|情形)?(?=[,;。]|$)"
)
_NO_REQUESTS = re.compile(
    r"(?:未|没有)(?:收到|受理|接到)过?(?:任何)?[^,;。\d]{0,10}?(?:政府信息公开申请|依申请|公开申请)"
)
_BOTH_STATED = re.compile(
    r"行政复议[^,;。\d]{0,12}?(?:和|、|及|与)[^,;。\d]{0,6}?行政诉讼[^,;。\d]{0,8}?(?:各|均为|均|都为|都是|都)"
    r"(?P<num>\d+|[零〇一二两三四五六七八九十]+)(?:件|起|宗|例)?(?=[,;。]|$)"
)

_PERIOD = re.compile(r"(\d{4})年1月1日(?:起)?(?:至|到|-|—|~|－)(?:(\d{4})年)?12月31日")
_REPORT_NAMED = re.compile(r"(\d{4})年度?[^,;。]{0,16}?政府信息公开(?:工作)?(?:年度)?报告")
_OPENING_YEAR = re.compile(r"^(\d{4})年度?(?![\d一二三四五六七八九十]{1,2}月|至|到|-|—|以来|以前|之前|起)")
_SUB_HEADING = re.compile(r"^[(（]?[一二三四五六七八九十\d]{1,3}[)）、.．]")

_CN_DIGITS = {**{ch: i for i, ch in enumerate("零一二三四五六七八九")}, "〇": 0, "两": 2}
_CN_UNITS = {"十": 10, "百": 100, "千": 1000}


def _number(text: str) -> float:
    """A figure as printed: digits (thousands separators allowed) or a Chinese numeral."""
    if text[0].isdigit():
        return float(text.replace(",", ""))
    if not any(ch in _CN_UNITS for ch in text):
        return float("".join(str(_CN_DIGITS[ch]) for ch in text))
    total, digit = 0, None
    for ch in text:
        if ch in _CN_UNITS:
            total += (1 if digit is None else digit) * _CN_UNITS[ch]
            digit = None
        else:
            digit = _CN_DIGITS[ch]
    return float(total + (digit or 0))


_ASCII = {**{c: c - 0xFEE0 for c in range(0xFF01, 0xFF5F)}, ord("，"): ";", 0x3000: " "}
"""Full-width forms as ASCII ("，" as ";": both end a clause, so a "," left was typed in ASCII, as in "45,648")."""


_FULL_WIDTH = re.compile(r"[\uff01-\uff5e\u3000]")
_SENTENCE_END = re.compile(r"(?<=[。！？!?])")


def _normalize(text: str) -> str:
    """Full-width digits and punctuation as ASCII, whitespace removed (PDF text spaces numbers out)."""
    text = text.replace("，", ";").replace("；", ";").replace("（", "(").replace("）", ")").replace("：", ":")
    if _FULL_WIDTH.search(text):  # the rest, rarer: translated only where present (translate is slow on CJK text)
        text = text.translate(_ASCII)
    return "".join(text.split())


# -- reading the prose --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Found:
    """One figure stated in the prose: what it is, its value, and the sentence and paragraph it is in."""

    target: Target
    value: float
    sentence: str
    where: str
    decimals: int | None = None  # money: the decimals printed (in 万元), the figure's precision


@dataclass
class _State:
    """The subject a sentence is talking about, carried from clause to clause."""

    topic: str | None = None  # requests, review, suit, proactive
    sub: str | None = None  # for suit: direct / after; for proactive: the row
    sub_depth: int = 0
    awaiting_total: bool = False


def _clauses(s: str) -> Iterator[tuple[int, int, int]]:
    """(start, end, bracket depth) of the clauses of a normalized sentence."""
    depth, start = 0, 0
    for m in _CLAUSE_SPLIT.finditer(s):
        yield start, m.start(), depth
        depth = depth + 1 if m.group() == "(" else max(0, depth - 1) if m.group() == ")" else depth
        start = m.end()
    yield start, len(s), depth


def _set_topic(state: _State, clause: str, depth: int) -> bool:
    """Update the subject from the words of a clause; True when the clause names one."""
    if _DIRECT.search(clause) or _AFTER.search(clause):
        state.topic, state.sub, state.sub_depth = "suit", "direct" if _DIRECT.search(clause) else "after", depth
    elif _SUIT.search(clause):
        state.topic, state.sub = "suit", None
    elif _REVIEW.search(clause):
        state.topic, state.sub = "review", None
    elif _REQUEST.search(clause):
        state.topic, state.sub = "requests", None
    elif _OTHER_SUBJECT.search(clause):  # messages, hotlines, petitions: counted elsewhere, not in the tables
        state.topic, state.sub = None, None
    else:
        rows = [row for pattern, row in _PROACTIVE_ROWS if pattern.search(clause)]
        if len(rows) != 1:
            return False
        state.topic, state.sub = "proactive", rows[0]
    return True


def _request_target(before: str, after: str, rest: str) -> Target | None:
    if _CARRIED_OVER.search(before):
        return CARRIED_OVER
    if _CARRIED_FORWARD_BEFORE.search(before) or _CARRIED_FORWARD_AFTER.search(after):
        return CARRIED_FORWARD
    for words, row in _OUTCOME_WORDS:
        if words.search(before) or words.match(after):
            return _t("requests_outcome", f"requests.{row}", "requests", row, "total")
    if _PROCESSED.search(before):
        return PROCESSED
    if _NATURAL.search(before):
        return NATURAL_PERSONS
    if _ORGANISATION.search(before):
        return ORGANISATIONS
    if _RECEIVED.search(before):
        return RECEIVED_WITH_CARRIED_OVER if _WITH_CARRIED_OVER.match(rest) else RECEIVED
    return None


def _result_target(state: _State, before: str, after: str, named: bool) -> Target | None:
    rows = _REVIEW_ROWS if state.topic == "review" else _SUIT_ROWS
    rule = "review" if state.topic == "review" else "litigation"
    row = rows.get(state.sub, rows[None])
    for column, words in _RESULT_WORDS:
        if words.search(before) or words.match(after):
            return _t(rule, f"{rule}.{row.lstrip('@')}.{column}", "review_litigation", row, column)
    if named or state.awaiting_total:
        return _t(rule, f"{rule}.{row.lstrip('@')}.total", "review_litigation", row, "total")
    return None


def _proactive_target(state: _State, before: str, clause: str) -> Target | None:
    row = state.sub or ""
    if row in ("normative_documents", "regulations"):
        for words, name, columns in _DOCUMENT_VERBS:
            if words.search(before):
                return _t("proactive", f"proactive.{row}.{name}", "proactive", row, columns)
        return None
    if row in ("licensing", "penalty", "coercion") and _DECISION.search(before) and not _PUBLISHED.search(clause):
        return _t("proactive", f"proactive.{row}.decisions", "proactive", row, "decisions")
    return None


def _sentence_figures(s: str, state: _State) -> Iterator[tuple[Target, float, int | None]]:
    """The figures of one normalized sentence: (target, value, decimals printed for money, None for counts)."""
    taken: set[int] = set()  # number positions read by the sentence-level patterns
    for m in _NONE_STATED.finditer(s):
        what = m["what"]
        if _NOT_A_TOTAL.search(what):
            continue
        if "复议" in what.replace("复议后", ""):
            yield _t("review", "review.review.total", "review_litigation", "review", "total"), 0.0, None
        if _SUIT.search(what):
            yield _t("litigation", "litigation.lawsuits.total", "review_litigation", _LAWSUITS, "total"), 0.0, None
    for m in _BOTH_STATED.finditer(s):
        value = _number(m["num"])
        taken.add(m.start("num"))
        yield _t("review", "review.review.total", "review_litigation", "review", "total"), value, None
        yield _t("litigation", "litigation.lawsuits.total", "review_litigation", _LAWSUITS, "total"), value, None
    for m in _NO_REQUESTS.finditer(s):
        if not re.search(r"复议|诉讼|投诉", _CLAUSE_END.split(s[m.end() :], maxsplit=1)[0]):
            yield RECEIVED, 0.0, None
    for start, end, depth in _clauses(s):
        if state.sub is not None and state.topic == "suit" and depth < state.sub_depth:
            state.sub = None
        clause = s[start:end]
        named = _set_topic(state, clause, depth)
        if state.topic == "proactive" and state.sub == "fees":
            for m in _MONEY.finditer("" if "处理费" in clause else clause):
                value = _number(m["num"]) / (10_000.0 if m["unit"] == "元" else 1.0)
                decimals = len(m["num"].partition(".")[2]) + (4 if m["unit"] == "元" else 0)
                target = _t("proactive", "proactive.fees.amount_10k_yuan", "proactive", "fees", "amount_10k_yuan")
                yield target, value, decimals
            continue
        counts = list(_COUNT.finditer(clause))
        if not counts and named:
            state.awaiting_total = True
            continue
        previous = 0
        for i, m in enumerate(counts):
            before = clause[previous : m.start()]
            after = clause[m.end() : counts[i + 1].start() if i + 1 < len(counts) else len(clause)]
            previous = m.end()
            if start + m.start() in taken or _APPROXIMATE_BEFORE.search(before) or _APPROXIMATE_AFTER.match(after):
                continue
            if _COMPARISON.search(before):
                continue
            target = _target(state, before, after, s[start + m.end() :], clause, named and i == 0)
            state.awaiting_total = False
            if target is not None:
                yield target, _number(m["num"]), None


def _target(state: _State, before: str, after: str, rest: str, clause: str, named: bool) -> Target | None:
    if state.topic == "requests":
        return _request_target(before, after, rest)
    if state.topic in ("review", "suit"):
        return _result_target(state, before, after, named)
    if state.topic == "proactive":
        return _proactive_target(state, before, clause)
    return None


def _sentences(text: str, normalized: str) -> Iterator[tuple[str, str]]:
    """(sentence as printed, normalized) of a paragraph, from the paragraph and its normalized text."""
    raws, norms = _SENTENCE_END.split(text), _SENTENCE_END.split(normalized)
    if len(raws) != len(norms):  # cannot happen (normalizing keeps every sentence end), but never mis-pair
        norms = [_normalize(raw) for raw in raws]
    for raw, norm in zip(raws, norms, strict=True):
        if norm:
            yield " ".join(raw.split()), norm


def _year_figures(sentence: str, before_tables: bool, title_like: bool) -> Iterator[float]:
    for m in _PERIOD.finditer(sentence):
        yield from dict.fromkeys(float(y) for y in m.groups() if y)
    if not before_tables or title_like:
        return
    named = [float(m[1]) for m in _REPORT_NAMED.finditer(sentence)]
    yield from named
    opening = _OPENING_YEAR.match(sentence)
    if opening and not named:
        yield float(opening[1])


def read_paragraphs(paragraphs: Sequence[Paragraph]) -> list[Found]:
    """Every figure the paragraphs state, in reading order."""
    found: list[Found] = []
    before_tables = True
    section_topic: str | None = None
    for para in paragraphs:
        text = _normalize(para.text)
        if not text:
            continue
        if match_heading(para.text) is not None:
            before_tables, section_topic = False, None
            continue
        if is_section_heading(para.text):
            section_topic = None
            continue
        title_like = "。" not in text and len(text) <= 60
        heading = _SUB_HEADING.match(text)
        if heading is not None:
            first = re.split(r"[。.]", text[heading.end() :], maxsplit=1)[0]
            if len(first) <= 30:  # a sub-heading, alone or opening its paragraph: its subject holds below it
                section_topic = "requests" if _REQUEST.search(first) else None
        yearly = "1月1日" in text or (before_tables and not title_like and "年" in text)
        if section_topic is None and not yearly and not _RELEVANT.search(text):
            continue  # most paragraphs: nothing to read
        carried: _State | None = None
        for sentence, s in _sentences(para.text, text):
            if yearly:
                for year in _year_figures(s, before_tables, title_like):
                    found.append(Found(REPORT_YEAR, year, sentence, para.where))
            if carried is not None and carried.topic is not None and _FOLLOW_ON.match(s):
                state = _State(carried.topic, carried.sub, carried.sub_depth)
            elif section_topic is None and not _RELEVANT.search(s):
                carried = None
                continue
            else:
                state = _State(section_topic)
            for target, value, decimals in _sentence_figures(s, state):
                found.append(Found(target, value, sentence, para.where, decimals))
            carried = state
    return found


def stated_figures(report: Report) -> list[Found]:
    """The figures of a report's prose (kept on the report once read)."""
    cached = report.__dict__.get("_narrative")
    if cached is not None and cached[0] is report.paragraphs:
        return cached[1]
    found = read_paragraphs(report.paragraphs)
    report.__dict__["_narrative"] = (report.paragraphs, found)
    return found


# -- tying figures to cells ---------------------------------------------------------------------------------------


Located = tuple[str | None, str | None, str | None]


@cache
def _resolve(target: Target, version: str) -> tuple[tuple[str, ...], str, Located] | None:
    """The cells a figure sums, its label and its (table, row, column) in one layout version.

    None when that layout lacks the figure. The row is the one the figure names (a
    group for a group's items summed; None for 行政诉讼 or several rows), the column
    the one its cells share (None for several).
    """
    layout = table_layout(target.table, version)
    cells = _cells(target, layout)
    if cells is None:
        return None
    row = target.rows[0] if len(target.rows) == 1 and not target.rows[0].startswith("@") else None
    columns = {c.split(".")[2] for c in cells}
    column = columns.pop() if len(columns) == 1 else None
    return cells, _label(target, layout, cells), (target.table, row, column)


def _cells(target: Target, layout: TableLayout) -> tuple[str, ...] | None:
    """The cell codes a figure sums in one layout; None when the layout does not hold that figure."""
    codes: list[str] = []
    for key in target.rows:
        if key == _LAWSUITS:
            rows: Sequence[str] = [r.code for r in layout.cell_rows if r.parent_label]
        elif layout.has_row(key):
            rows = layout.leaves(key) or (key,)
        else:
            return None
        for row in rows:
            columns = layout.row_columns(row)
            column = next((c for c in target.columns if c in columns or c.startswith("@")), None)
            if column is None:
                return None
            if column.startswith("@"):
                codes += [f"{layout.table}.{row}.{c}" for c in layout.leaves(column[1:], "columns")]
            else:
                codes.append(f"{layout.table}.{row}.{column}")
    return tuple(codes) or None


def _label(target: Target, layout: TableLayout, cells: tuple[str, ...]) -> str:
    """The figure in the template's words: a cell's label, or the labels summed."""
    parts = []
    for key in target.rows:
        if key == _LAWSUITS:
            row = next(r.parent_label for r in layout.cell_rows if r.parent_label)
        else:
            row = layout.row_label(key)
        parts.append(row)
    column = next(c.split(".")[2] for c in cells)
    column_label = "、".join(layout.column(c[1:]).label for c in target.columns if c.startswith("@")) or (
        layout.column_label(column)
    )
    return f"{' + '.join(parts)} / {column_label}"


def figures(x: Report | Iterable[Report]) -> pd.DataFrame:
    """The figures stated in the prose of one or more reports (a Report, Reports, a ReportSet) that their
    tables also hold.

    One row per figure: ``report_id``, ``rule_id``, ``figure`` (a short ASCII
    name), ``value``, ``cells`` (the cell codes the figure is the sum of;
    ``("year",)`` for the report year), ``label`` (the template's words),
    ``sentence`` and ``where`` (the paragraph's place in the source).
    """
    return _frame(_rows(_reports(x, "figures"), False, None), FIGURE_COLUMNS)


def check(
    x: Report | Iterable[Report], rules: RuleSet | Iterable[Rule | str] | None = None, blank_as_zero: bool = False
) -> pd.DataFrame:
    """:func:`figures` compared with the tables: ``table_value``, ``outcome`` and the messages.

    ``outcome`` is ``passed``, ``failed`` or ``unverifiable`` (the table's cell
    is blank, "/" or text: ``missing`` names it). ``rules`` picks the narrative
    rules checked (default: the catalog's), and ``blank_as_zero`` reads blank
    cells as 0, as in :func:`gov_disclosure_stats.validate`.
    """
    return _frame(_rows(_reports(x, "check"), True, rules, blank_as_zero), CHECK_COLUMNS)


def _reports(x: object, caller: str) -> list[Report]:
    """``x`` as a list of Reports: the prose is read from Report objects only (a wide table has none)."""
    items = [x] if isinstance(x, Report) else None
    if items is None and isinstance(x, Iterable) and not isinstance(x, (str, bytes, pd.DataFrame)):
        items = list(x)
    if items is None or not all(isinstance(r, Report) for r in items):
        raise TypeError(
            f"narrative.{caller}() 接受 Report、Report 列表或 ReportSet（读取报告正文）/ "
            f"narrative.{caller}() takes a Report, a list of Reports or a ReportSet (it reads the reports' prose)"
        )
    return items


def _frame(rows: list[tuple], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns, dtype=object)
    for name in ("value", "table_value"):
        if name in frame:
            frame[name] = frame[name].astype(float)
    return frame


def _rules(rules: RuleSet | Iterable[Rule | str] | None) -> dict[str, Rule]:
    """The narrative rules of ``rules`` (the catalog's by default) by id; unknown narrative ids are an error."""
    ruleset = catalog() if rules is None else rules if isinstance(rules, RuleSet) else RuleSet(rules)
    chosen = {r.id: r for r in ruleset if r.check == CHECK}
    known = {r.id for r in catalog() if r.check == CHECK}
    unknown = sorted(set(chosen) - known)
    if unknown:
        raise RuleError(
            f"未知的正文规则 / unknown narrative rules: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return chosen


def _rows(
    items: Sequence[Report],
    compare: bool,
    rules: RuleSet | Iterable[Rule | str] | None,
    blank_as_zero: bool = False,
    ids: Sequence[str] | None = None,
) -> list[tuple]:
    chosen = _rules(rules)
    out: list[tuple] = []
    for n, report in enumerate(items):
        if not report.paragraphs:
            continue
        report_id = str(report.report_id) if ids is None else ids[n]
        values = _values(report, blank_as_zero) if compare else {}
        for fig in stated_figures(report):
            rule = chosen.get(fig.target.rule)
            if rule is None:
                continue
            if fig.target == REPORT_YEAR:
                cells, label, located = (YEAR,), "报告年度", (None, None, None)
            else:
                version = report.layouts.get(fig.target.table)
                resolved = _resolve(fig.target, version) if version is not None else None
                if resolved is None:
                    continue  # the report's layout does not hold this figure
                cells, label, located = resolved
            row = (report_id, rule.id, fig.target.name, *located, fig.value, cells, label, fig.sentence, fig.where)
            if compare:
                row += _compare(fig, rule, cells, label, values, report)
            out.append(row)
    return out


def _values(report: Report, blank_as_zero: bool) -> dict[str, float]:
    """Cell code → value for the cells that hold a number (blank ones as 0 with ``blank_as_zero``)."""
    positions, values, status = cell_vector(report)
    if blank_as_zero:
        values = np.where(read_as_zero(status), 0.0, values)
    universe = cell_universe()
    keep = ~np.isnan(values)
    return dict(zip([universe[p] for p in positions[keep]], values[keep].tolist(), strict=True))


def _compare(
    fig: Found, rule: Rule, cells: tuple[str, ...], label: str, values: dict[str, float], report: Report
) -> tuple:
    if cells == (YEAR,):
        missing = () if report.year is not None else (YEAR,)
        table = float(report.year) if report.year is not None else np.nan
    else:
        missing = tuple(c for c in cells if c not in values)
        table = np.nan if missing else float(sum(values[c] for c in cells))
    precision = 0.0 if fig.decimals is None else 0.5 * 10.0**-fig.decimals  # "4934万元" stands for 4933.5–4934.5
    tolerance = max(rule.tolerance, precision)
    outcome = "unverifiable" if missing else "failed" if abs(fig.value - table) > tolerance else "passed"
    if outcome == "passed":
        return table, outcome, missing, "", ""
    fields = {
        "label": label,
        "value": fmt(fig.value),
        "table_value": fmt(table),
        "sentence": fig.sentence,
        "cells": " + ".join(cells),
    }
    plain = f"{label}: {fields['value']} ≠ {fields['table_value']}"
    zh = rule.message_zh.format(**fields) if rule.message_zh else plain
    en = rule.message_en.format(**fields) if rule.message_en else plain
    return table, outcome, missing, zh, en


# -- in validate() ------------------------------------------------------------------------------------------------


def attach(
    result: ValidationResult, reports: Sequence[Report], ids: Sequence[str], rules: RuleSet, blank_as_zero: bool
) -> ValidationResult:
    """``result`` with the narrative rules of ``rules`` checked on the reports' prose (``ids`` as in the result)."""
    if not any(r.check == CHECK for r in rules) or not any(r.paragraphs for r in reports):
        return result
    checked = _frame(_rows(reports, True, rules, blank_as_zero, [str(i) for i in ids]), CHECK_COLUMNS)
    kinds = {r.id: r.kind for r in rules}
    summary = result.summary()
    for rule_id, group in checked.groupby("rule_id", sort=False):
        at = summary.index[summary["rule_id"] == rule_id]
        counts = group["outcome"].value_counts()
        summary.loc[at, ["items", "passed", "failed", "unverifiable"]] = [
            len(group),
            int(counts.get("passed", 0)),
            int(counts.get("failed", 0)),
            int(counts.get("unverifiable", 0)),
        ]
    failed = checked[checked["outcome"] == "failed"]
    new = pd.DataFrame(
        {
            "report_id": failed["report_id"],
            "rule_id": failed["rule_id"],
            "severity": failed["rule_id"].map(kinds),
            "table": failed["table"],
            "row": failed["row"],
            "column": failed["column"],
            "lhs": failed["value"],
            "rhs": failed["table_value"],
            "imbalance": failed["value"] - failed["table_value"],
            "cells": failed["cells"],
            "message_zh": failed["message_zh"],
            "message_en": failed["message_en"],
            "related_report_id": None,
            "where": failed["where"],
        }
    )
    order = {r.id: i for i, r in enumerate(rules)}
    violations = _concat(result.violations, new)
    violations = violations.sort_values(
        ["report_id", "rule_id"], key=lambda s: s.map(order) if s.name == "rule_id" else s, kind="stable"
    ).reset_index(drop=True)
    gaps = checked[checked["outcome"] == "unverifiable"]
    unverifiable = _concat(
        result.unverifiable,
        pd.DataFrame(
            {
                "report_id": gaps["report_id"],
                "related_report_id": None,
                "rule_id": gaps["rule_id"],
                "row": gaps["row"],
                "column": gaps["column"],
                "missing": gaps["missing"],
            }
        ),
    )
    outcomes = result.outcomes
    if outcomes is not None and len(checked):
        # one outcome per rule and place (compare() lines instances up by them): a cell stated twice, or the
        # report year given in three sentences, is failed when one figure fails, else unverifiable when one is
        rank = {"failed": 0, "unverifiable": 1, "passed": 2}
        key = ["report_id", "rule_id", "table", "row", "column"]
        worst = checked.assign(rank=checked["outcome"].map(rank)).groupby(key, dropna=False, sort=False)["rank"].min()
        places = worst.reset_index()
        outcomes = _concat(
            outcomes,
            places[key]
            .assign(related_report_id=None, outcome=places["rank"].map({v: k for k, v in rank.items()}))
            .reindex(columns=outcomes.columns),
        )
    hard = violations.loc[violations["severity"] == "hard", "report_id"].unique()
    verdicts = result.reports.assign(ok=~result.reports["report_id"].isin(hard))
    return ValidationResult(violations, summary, unverifiable, verdicts, blank_as_zero, outcomes)


def _concat(first: pd.DataFrame, second: pd.DataFrame) -> pd.DataFrame:
    if second.empty:
        return first
    if first.empty:
        return second.reindex(columns=list(first.columns) or list(second.columns)).reset_index(drop=True)
    return pd.concat([first, second.reindex(columns=first.columns)], ignore_index=True)
