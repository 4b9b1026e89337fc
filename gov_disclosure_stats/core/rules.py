"""Rules as data: the catalog of the spec, user rules, and their expansion into linear instances."""

from __future__ import annotations

import ast
import json
import math
import re
import string
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass, field, replace
from functools import cache, cached_property
from importlib import resources
from itertools import product
from pathlib import Path

import yaml

from .errors import RuleError
from .layouts import TABLES, VERSIONS, TableLayout, table_layout

CELL_CHECKS = ("non_negative", "integer", "present")
"""Per-cell checks the engine runs by name."""
CHECKS = (*CELL_CHECKS, "narrative")
"""Every ``check``: the per-cell ones, and ``narrative`` (figures in the prose, :mod:`.narrative`)."""
OPERATORS = ("==", "<=", ">=", "<", ">")
_CODE = r"[a-z_][a-z0-9_]*"
PREVIOUS = "previous."
"""Prefix of a cell of the same agency's report of the year before (continuity rules)."""
_CELL = re.compile(rf"(?:previous\.)?(?P<table>{_CODE})\.[@a-z0-9_{{}}]+\.[@a-z0-9_{{}}]+")
_SUM = re.compile(r"sum\(\s*([^()]+?)\s*\)")
_PLACEHOLDER = re.compile(r"\{(row|column|group|cell)\}")
_REFERENCE = re.compile(rf"(?:previous\.)?(?P<table>{_CODE})\.(?P<row>[@a-z0-9_{{}}]+)\.(?P<column>[@a-z0-9_{{}}]+)")
MESSAGE_FIELDS: dict[str, frozenset[str]] = {
    "linear": frozenset({"row_label", "column_label", "group_label"}),
    **dict.fromkeys(CELL_CHECKS, frozenset({"cell_label"})),
    "narrative": frozenset({"label", "value", "table_value", "cells", "sentence"}),
}
"""The placeholders a message may use, per kind of rule (linear statements, then by ``check``)."""
_FORMAT_SPEC = re.compile(r"(?:.?[<>^])?\d{0,2}")
"""The format specs a message field may carry: an alignment and a width under 100 (``{row_label:>12}``)."""


@dataclass(frozen=True)
class RuleLimits:
    """How large a rule statement may be; a rule past a limit is a :class:`RuleError` when it is made.

    ``max_chars``: characters of the statement as written; ``max_terms``: cells and numbers
    once every ``sum(…)`` is expanded (a whole request table is 232 cells); ``max_depth``:
    nesting of the expression (brackets, products, signs; a long ``a + b + …`` counts once).
    """

    max_chars: int = 10_000
    max_terms: int = 2_000
    max_depth: int = 32


_LIMITS: ContextVar[RuleLimits | None] = ContextVar("rule_limits", default=None)


def current_rule_limits() -> RuleLimits:
    """The limits rules are made under now (:class:`RuleLimits`' defaults unless :func:`rule_limits` changed them)."""
    return _LIMITS.get() or RuleLimits()


@contextmanager
def rule_limits(**changes: int) -> Iterator[RuleLimits]:
    """Make rules under other limits inside a ``with`` block: ``with gds.rule_limits(max_terms=5000): ...``."""
    for name, value in changes.items():
        if name not in RuleLimits.__dataclass_fields__:
            raise TypeError(f"unknown rule limit {name!r}; known: {', '.join(RuleLimits.__dataclass_fields__)}")
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"rule limit {name} must be a positive whole number, not {value!r}")
    limits = replace(current_rule_limits(), **changes)
    token = _LIMITS.set(limits)
    try:
        yield limits
    finally:
        _LIMITS.reset(token)


@dataclass(frozen=True)
class Rule:
    """One rule: an id, a kind (hard/soft), a statement over cell codes, a tolerance and messages."""

    id: str
    statement: str
    kind: str = "hard"
    tolerance: float = 0.0
    message_zh: str = ""
    message_en: str = ""
    check: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise RuleError(f"规则 id 应为非空字符串 / a rule id must be a non-empty string, not {self.id!r}")
        for name in ("statement", "message_zh", "message_en"):
            if not isinstance(getattr(self, name), str):
                value = getattr(self, name)
                raise RuleError(
                    f"rule {self.id}: {name} 应为字符串 / {name} must be a string, not {type(value).__name__} {value!r}"
                )
        if self.kind not in ("hard", "soft"):
            raise RuleError(f"rule {self.id}: kind must be 'hard' or 'soft', not {self.kind!r}")
        if self.check is not None and self.check not in CHECKS:
            raise RuleError(f"rule {self.id}: unknown check {self.check!r}; known: {', '.join(CHECKS)}")
        object.__setattr__(self, "tolerance", _tolerance(self.tolerance, self.id))
        for name in ("message_zh", "message_en"):
            _check_message(getattr(self, name), MESSAGE_FIELDS[self.check or "linear"], self.id, name)
        if self.check is None:
            _check_statement(self.statement, self.id, current_rule_limits())

    @property
    def table(self) -> str:
        """The table the statement expands over (the table of its first cell)."""
        if self.check is not None:
            return "*"
        match = _CELL.search(self.statement)
        if match is None:
            raise RuleError(f"rule {self.id}: the statement names no cell: {self.statement!r}")
        return match["table"]

    @property
    def uses_previous(self) -> bool:
        """True for a rule over two consecutive years of one agency (cells prefixed ``previous.``)."""
        return PREVIOUS in self.statement

    def to_dict(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v not in (None, "", 0.0) or k in ("id", "statement")}


@dataclass(frozen=True)
class Term:
    """A linear side: ``sum(coef * cell) + constant``."""

    coefs: dict[str, float] = field(default_factory=dict)
    constant: float = 0.0

    def scaled(self, factor: float) -> Term:
        return Term({k: v * factor for k, v in self.coefs.items()}, self.constant * factor)

    def plus(self, other: Term) -> Term:
        coefs = dict(self.coefs)
        for code, coef in other.coefs.items():
            coefs[code] = coefs.get(code, 0.0) + coef
        return Term({k: v for k, v in coefs.items() if v}, self.constant + other.constant)


@dataclass(frozen=True)
class Instance:
    """One concrete linear check of one rule on one layout."""

    rule: Rule
    table: str
    row: str | None
    column: str | None
    lhs: Term
    op: str
    rhs: Term
    message_zh: str
    message_en: str

    @cached_property
    def cells(self) -> tuple[str, ...]:
        """The cell codes the instance reads, left side first."""
        return tuple(dict.fromkeys([*self.lhs.coefs, *self.rhs.coefs]))


# -- parsing -------------------------------------------------------------------------


_AST_OPS = {ast.Eq: "==", ast.LtE: "<=", ast.GtE: ">=", ast.Lt: "<", ast.Gt: ">"}
_SHOWN = 120
"""Characters of a statement or sub-expression quoted in an error message."""


def _shown(text: str) -> str:
    return repr(text if len(text) <= _SHOWN else text[:_SHOWN] + "…")


def _tolerance(value: object, rule_id: str) -> float:
    """A tolerance as a float: a finite number, 0 or more."""
    ok = isinstance(value, int | float) and not isinstance(value, bool)
    number = float(value) if ok else math.nan  # type: ignore[arg-type]
    if not ok or not math.isfinite(number) or number < 0:
        raise RuleError(
            f"rule {rule_id}: 容差应为非负有限数 / the tolerance must be a finite number of 0 or more, not {value!r}"
        )
    return number


def _check_message(template: str, allowed: frozenset[str], rule_id: str, name: str) -> None:
    """Raise unless every ``{field}`` of a message template is an allowed placeholder with a plain format spec."""
    try:
        fields = [(f, spec, conv) for _, f, spec, conv in string.Formatter().parse(template) if f is not None]
    except ValueError as exc:
        raise RuleError(f"rule {rule_id}: {name} 无法解析 / cannot read the {name} template: {exc}") from None
    for fname, spec, conversion in fields:
        if fname not in allowed:
            raise RuleError(
                f"rule {rule_id}: {name} 中的占位符「{{{fname}}}」未知（可用：{'、'.join(sorted(allowed))}） / "
                f"unknown placeholder {{{fname}}} in {name}; known: {', '.join(sorted(allowed))}"
            )
        if conversion not in (None, "s", "r") or not _FORMAT_SPEC.fullmatch(spec or ""):
            raise RuleError(
                f"rule {rule_id}: {name} 中「{{{fname}}}」的格式不允许 / the format of {{{fname}}} in {name} is not "
                f"allowed: {_shown(spec or '!' + str(conversion))} (only an alignment and a width under 100)"
            )


def _check_statement(statement: str, rule_id: str, limits: RuleLimits) -> None:
    """Raise unless ``statement`` is a readable linear comparison of known cells within ``limits``."""
    if len(statement) > limits.max_chars:
        raise RuleError(
            f"rule {rule_id}: 表达式过长（{len(statement)}字符，上限{limits.max_chars}） / the statement is too long "
            f"({len(statement)} characters; the limit is {limits.max_chars}, see rule_limits)"
        )
    _parse(_PLACEHOLDER.sub("x", _SUM.sub("0", statement)), rule_id, limits.max_depth)
    references = list(_REFERENCE.finditer(_SUM.sub(" ", statement)))
    in_sums = [m for s in _SUM.finditer(statement) for m in _REFERENCE.finditer(s.group(1))]
    if not references and not in_sums:
        raise RuleError(f"rule {rule_id}: 表达式没有单元格 / the statement names no cell: {_shown(statement)}")
    terms = len(re.findall(r"\d+(?:\.\d*)?|\.\d+", _REFERENCE.sub(" ", _SUM.sub(" ", statement))))
    terms += len(references)
    for match in (*references, *in_sums):
        _check_reference(match, rule_id)
    terms += sum(_sum_size(m) for m in in_sums)
    if terms > limits.max_terms:
        raise RuleError(
            f"rule {rule_id}: 表达式项数过多（展开后{terms}项，上限{limits.max_terms}） / the statement has too many "
            f"terms ({terms} once sum() is expanded; the limit is {limits.max_terms}, see rule_limits)"
        )


@cache
def _codes(table: str) -> dict[str, frozenset[str]]:
    """Row and column codes, and row and column group codes, of ``table`` in any template version."""
    out: dict[str, set[str]] = {"row": set(), "column": set(), "@row": set(), "@column": set()}
    for version in VERSIONS:
        layout = table_layout(table, version)
        out["row"] |= {n.code for n in layout.cell_rows}
        out["column"] |= {n.code for n in layout.cell_columns}
        out["@row"] |= {n.parent for n in layout.rows if n.parent}
        out["@column"] |= {n.parent for n in layout.columns if n.parent}
    return {k: frozenset(v) for k, v in out.items()}


def _check_reference(match: re.Match[str], rule_id: str) -> None:
    """Raise unless every literal part of one cell reference is a code (or group, after ``@``) of its table."""
    code = match.group(0)
    if match["table"] not in TABLES:
        raise RuleError(
            f"rule {rule_id}: 未知的表格「{match['table']}」（{code}） / unknown table {match['table']!r} in "
            f"{code!r}; tables: {', '.join(TABLES)}"
        )
    known = _codes(match["table"])
    for axis in ("row", "column"):
        part = match[axis]
        if part in (("{row}", "{group}", "@{group}") if axis == "row" else ("{column}",)):
            continue
        group = part.startswith("@")
        name = part[1:] if group else part
        if name not in known[("@" if group else "") + axis]:
            what_zh = ("行" if axis == "row" else "列") + ("组" if group else "")
            what_en = axis + (" group" if group else "")
            raise RuleError(
                f"rule {rule_id}: 未知的{what_zh}代码「{part}」（{code}） / unknown {what_en} code {part!r} in "
                f"{code!r}: no template version of table {match['table']} has it"
            )


def _sum_size(match: re.Match[str]) -> int:
    """The most cells one ``sum(…)`` reference expands to in any template version."""
    sizes = []
    for version in VERSIONS:
        layout = table_layout(match["table"], version)
        rows = len(layout.leaves(match["row"][1:], "rows")) if match["row"].startswith("@") else 1
        cols = len(layout.leaves(match["column"][1:], "columns")) if match["column"].startswith("@") else 1
        sizes.append(rows * cols)
    return max(sizes)


def _depth(tree: ast.AST) -> int:
    """How deeply ``tree`` nests, a chain ``a + b - c + …`` counting as one level (no recursion)."""
    deepest, stack = 0, [(tree, 1)]
    while stack:
        node, depth = stack.pop()
        deepest = max(deepest, depth)
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.operator | ast.unaryop | ast.cmpop | ast.expr_context):
                continue
            same = _is_sum(node) and _is_sum(child) and child is node.left  # type: ignore[attr-defined]
            stack.append((child, depth if same else depth + 1))
    return deepest


def _is_sum(node: ast.AST) -> bool:
    return isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub)


def _parse(statement: str, rule_id: str, max_depth: int | None = None) -> tuple[Term, str, Term]:
    """Parse ``lhs OP rhs`` (a single ``=`` reads as ``==``) into two linear sides."""
    text = re.sub(r"(?<![=<>!])=(?!=)", "==", statement)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(
            f"rule {rule_id}: 无法读取表达式 / cannot read the statement {_shown(statement)}: {exc.msg}"
        ) from None
    except (ValueError, RecursionError, MemoryError) as exc:
        raise RuleError(
            f"rule {rule_id}: 无法读取表达式 / cannot read the statement {_shown(statement)}: "
            f"{type(exc).__name__} {str(exc)[:_SHOWN]}"
        ) from None
    if max_depth is not None and (depth := _depth(tree)) > max_depth:
        raise RuleError(
            f"rule {rule_id}: 表达式嵌套过深（{depth}层，上限{max_depth}） / the statement nests too deeply "
            f"({depth} levels; the limit is {max_depth}, see rule_limits)"
        )
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in _AST_OPS:
        raise RuleError(
            f"rule {rule_id}: 表达式应为一个比较 / a statement is one comparison ({', '.join(OPERATORS)}): "
            f"{_shown(statement)}"
        )
    try:
        lhs, rhs = _linear(tree.left, rule_id, text), _linear(tree.comparators[0], rule_id, text)
    except RecursionError:
        raise RuleError(
            f"rule {rule_id}: 表达式嵌套过深 / the statement nests too deeply: {_shown(statement)}"
        ) from None
    for side in (lhs, rhs):
        if not all(math.isfinite(x) for x in (side.constant, *side.coefs.values())):
            raise RuleError(
                f"rule {rule_id}: 表达式中的数超出范围 / a number in the statement is out of range: {_shown(statement)}"
            )
    return lhs, _AST_OPS[type(tree.ops[0])], rhs


def _not_linear(node: ast.expr, rule_id: str, text: str, why: str = "") -> RuleError:
    source = ast.get_source_segment(text.strip(), node) or ""
    return RuleError(
        f"rule {rule_id}: 不是单元格代码的线性式 / not a linear expression of cell codes{why}: {_shown(source)}"
    )


def _linear(node: ast.expr, rule_id: str, text: str = "") -> Term:
    """A linear combination of cell codes and numbers; anything else is an error."""
    chain: list[tuple[float, ast.expr]] = []  # a + b - c + …: walked without recursion
    while isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        chain.append((1.0 if isinstance(node.op, ast.Add) else -1.0, node.right))
        node = node.left
    if chain:
        total = _linear(node, rule_id, text)
        for factor, part in reversed(chain):
            total = total.plus(_linear(part, rule_id, text).scaled(factor))
        return total
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float) and not isinstance(node.value, bool):
        try:
            return Term({}, float(node.value))
        except OverflowError:
            raise _not_linear(node, rule_id, text, " (数超出范围 / a number out of range)") from None
    if isinstance(node, ast.Attribute) and _CELL.fullmatch(code := ast.unparse(node)):
        return Term({code: 1.0})
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return _linear(node.operand, rule_id, text).scaled(-1.0 if isinstance(node.op, ast.USub) else 1.0)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left, right = _linear(node.left, rule_id, text), _linear(node.right, rule_id, text)
        if isinstance(node.op, ast.Div) and not right.coefs and right.constant == 0:
            raise _not_linear(node, rule_id, text, " (除数为0 / division by zero)")
        if not right.coefs:
            return left.scaled(right.constant if isinstance(node.op, ast.Mult) else 1.0 / right.constant)
        if not left.coefs and isinstance(node.op, ast.Mult):
            return right.scaled(left.constant)
    raise _not_linear(node, rule_id, text)


def _expand_sums(statement: str, layout: TableLayout) -> str:
    def one(match: re.Match[str]) -> str:
        table, row, col = match.group(1).split(".")
        rows = layout.leaves(row[1:], "rows") if row.startswith("@") else (row,)
        cols = layout.leaves(col[1:], "columns") if col.startswith("@") else (col,)
        return "(" + " + ".join(f"{table}.{r}.{c}" for r in rows for c in cols) + ")"

    return _SUM.sub(one, statement)


# -- expansion -----------------------------------------------------------------------


def _labels(layout: TableLayout, row: str | None, column: str | None, group: str | None) -> dict[str, str]:
    return {
        "row_label": layout.row_label(row) if row and layout.has_row(row) else "",
        "column_label": layout.column_label(column) if column and layout.has_column(column) else "",
        "group_label": layout.row_label(group) if group and layout.has_row(group) else "",
    }


def expand(
    rule: Rule, layouts: Mapping[str, TableLayout], previous: Mapping[str, TableLayout] | None = None
) -> Iterator[Instance]:
    """The linear instances of ``rule`` on one report's layouts (cells it lacks drop the instance).

    A rule over two years needs ``previous``, the layouts of the year-before report.
    """
    if rule.check is not None or rule.table not in layouts or rule.uses_previous != (previous is not None):
        return
    layout = layouts[rule.table]
    names = set(_PLACEHOLDER.findall(rule.statement))
    choices: dict[str, tuple[str | None, ...]] = {
        "row": tuple(n.code for n in layout.cell_rows) if "row" in names else (None,),
        "column": tuple(n.code for n in layout.cell_columns) if "column" in names else (None,),
        "group": layout.printable_groups if "group" in names else (None,),
    }
    for row, column, group in product(choices["row"], choices["column"], choices["group"]):
        text = rule.statement.replace("{row}", row or "").replace("{column}", column or "")
        text = _expand_sums(text.replace("{group}", group or ""), layout)
        lhs, op, rhs = _parse(text, rule.id)
        if not all(_exists(code, layouts, previous) for code in (*lhs.coefs, *rhs.coefs)):
            continue
        at_row, at_column = row or group, column
        if len(lhs.coefs) == 1:  # locate by the total on the left: row_total → column "total"
            _, lhs_row, lhs_col = next(iter(lhs.coefs)).removeprefix(PREVIOUS).split(".")
            at_row, at_column = at_row or lhs_row, at_column or lhs_col
        labels = _labels(layout, at_row, at_column, group)
        yield Instance(
            rule=rule,
            table=rule.table,
            row=at_row,
            column=at_column,
            lhs=lhs,
            op=op,
            rhs=rhs,
            message_zh=rule.message_zh.format(**labels) if rule.message_zh else rule.statement,
            message_en=rule.message_en.format(**labels) if rule.message_en else rule.statement,
        )


def _exists(code: str, layouts: Mapping[str, TableLayout], previous: Mapping[str, TableLayout] | None = None) -> bool:
    if code.startswith(PREVIOUS):
        code, layouts = code.removeprefix(PREVIOUS), previous or {}
    table, row, col = code.split(".")
    layout = layouts.get(table)
    return layout is not None and layout.has_row(row) and layout.row(row).is_cell and col in layout.row_columns(row)


# -- the catalog -----------------------------------------------------------------------


class RuleSet(tuple[Rule, ...]):
    """An ordered, immutable collection of rules with (de)serialization."""

    def __new__(cls, rules: Iterable[Rule | str] | Rule | str = ()) -> RuleSet:
        items = [rules] if isinstance(rules, Rule | str) else list(rules)  # one rule, not its characters
        strings = [i for i, r in enumerate(items) if not isinstance(r, Rule)]
        for n, i in enumerate(strings, 1):
            items[i] = Rule(id=f"user.{n}", statement=str(items[i]))
        ids = [r.id for r in items]
        duplicates = sorted({i for i in ids if ids.count(i) > 1})
        if duplicates:
            raise RuleError(f"duplicate rule ids: {', '.join(duplicates)}")
        return super().__new__(cls, items)

    def __add__(self, other: Iterable[Rule | str]) -> RuleSet:  # type: ignore[override]
        return RuleSet([*self, *RuleSet(other)])

    def get(self, rule_id: str) -> Rule:
        for rule in self:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def to_frame(self):  # -> pd.DataFrame
        """The rules as a DataFrame, one row each."""
        import pandas as pd

        return pd.DataFrame([asdict(r) for r in self])

    def to_yaml(self) -> str:
        return yaml.safe_dump([r.to_dict() for r in self], allow_unicode=True, sort_keys=False)

    def to_json(self) -> str:
        return json.dumps([r.to_dict() for r in self], ensure_ascii=False, indent=1)

    @classmethod
    def from_yaml(cls, text: str, *, allow_empty: bool = False) -> RuleSet:
        """Rules from YAML text (a list of rule records); none is a :class:`RuleError` unless ``allow_empty``."""
        try:
            records = yaml.safe_load(text)
        except (yaml.YAMLError, RecursionError, ValueError) as exc:
            raise RuleError(f"无法读取YAML规则 / cannot read the YAML rules: {str(exc)[:300]}") from None
        return cls.from_records([] if records is None else records, allow_empty=allow_empty)

    @classmethod
    def from_json(cls, text: str, *, allow_empty: bool = False) -> RuleSet:
        """Rules from JSON text (a list of rule records); none is a :class:`RuleError` unless ``allow_empty``."""
        try:
            records = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise RuleError(f"无法读取JSON规则 / cannot read the JSON rules: {str(exc)[:300]}") from None
        return cls.from_records(records, allow_empty=allow_empty)

    @classmethod
    def from_records(cls, records: Iterable[Mapping], *, allow_empty: bool = False) -> RuleSet:
        """Rules from records (``id``, ``statement``, …); no records is a :class:`RuleError` unless ``allow_empty``."""
        if not isinstance(records, list | tuple):
            raise RuleError(f"规则应为记录的列表 / rules must be a list of records, not {type(records).__name__}")
        rules = []
        for n, record in enumerate(records, 1):
            if not isinstance(record, Mapping):
                raise RuleError(
                    f"第{n}条规则应为映射（id、statement…） / rule record {n} must be a mapping (id, statement, …), "
                    f"not {type(record).__name__}"
                )
            try:
                rules.append(Rule(**dict(record)))
            except TypeError as exc:
                raise RuleError(
                    f"第{n}条规则的字段未知或缺失 / a rule record has unknown or missing fields (record {n}): {exc}"
                ) from None
        return check_not_empty(cls(rules), allow_empty)

    @classmethod
    def read(cls, path: str | Path, *, allow_empty: bool = False) -> RuleSet:
        """Load rules from a ``.yaml``/``.yml`` or ``.json`` file; an empty file is an error unless ``allow_empty``."""
        path = Path(path)
        try:
            text = path.read_text("utf-8")
            rules = (cls.from_json if path.suffix == ".json" else cls.from_yaml)(text, allow_empty=allow_empty)
        except (OSError, UnicodeDecodeError, ValueError) as exc:
            raise RuleError(f"{path}: 无法读取规则文件 / cannot read the rule file: {exc}") from None
        except RuleError as exc:
            raise RuleError(f"{path}: {exc}") from None
        return rules


def check_not_empty(rules: RuleSet, allow_empty: bool) -> RuleSet:
    """``rules``, unless it is empty and that was not asked for (``allow_empty=True``): then a :class:`RuleError`."""
    if not rules and not allow_empty:
        raise RuleError(
            "规则集为空，什么也不会检查；如确需空规则集，请传入 allow_empty=True / the rule set is empty, so nothing "
            "would be checked; pass allow_empty=True if that is what you want"
        )
    return rules


@cache
def catalog() -> RuleSet:
    """The built-in rule catalog of the spec."""
    text = resources.files("gov_disclosure_stats").joinpath("data/rules.yaml").read_text("utf-8")
    return RuleSet.from_yaml(text)


def rule(
    statement: str, id: str, kind: str = "hard", tolerance: float = 0.0, message_zh: str = "", message_en: str = ""
) -> Rule:
    """A user rule written as a string, e.g. ``"requests.granted.total <= requests.new.total"``."""
    return Rule(
        id=id, statement=statement, kind=kind, tolerance=tolerance, message_zh=message_zh, message_en=message_en
    )
