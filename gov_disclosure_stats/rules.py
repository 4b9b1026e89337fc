"""Rules as data: the catalog of the spec, user rules, and their expansion into linear instances."""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from importlib import resources
from itertools import product
from pathlib import Path

import yaml

from .errors import RuleError
from .layouts import TableLayout

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
        if self.kind not in ("hard", "soft"):
            raise RuleError(f"rule {self.id}: kind must be 'hard' or 'soft', not {self.kind!r}")
        if self.check is not None and self.check not in CHECKS:
            raise RuleError(f"rule {self.id}: unknown check {self.check!r}; known: {', '.join(CHECKS)}")
        if self.check is None:
            _parse(_PLACEHOLDER.sub("x", _SUM.sub("0", self.statement)), self.id)

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


def _parse(statement: str, rule_id: str) -> tuple[Term, str, Term]:
    """Parse ``lhs OP rhs`` (a single ``=`` reads as ``==``) into two linear sides."""
    text = re.sub(r"(?<![=<>!])=(?!=)", "==", statement)
    try:
        tree = ast.parse(text.strip(), mode="eval").body
    except SyntaxError as exc:
        raise RuleError(f"rule {rule_id}: cannot read the statement {statement!r}: {exc.msg}") from exc
    if not isinstance(tree, ast.Compare) or len(tree.ops) != 1 or type(tree.ops[0]) not in _AST_OPS:
        raise RuleError(f"rule {rule_id}: a statement is one comparison ({', '.join(OPERATORS)}): {statement!r}")
    return _linear(tree.left, rule_id), _AST_OPS[type(tree.ops[0])], _linear(tree.comparators[0], rule_id)


def _linear(node: ast.expr, rule_id: str) -> Term:
    """A linear combination of cell codes and numbers; anything else is an error."""
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return Term({}, float(node.value))
    if isinstance(node, ast.Attribute) and _CELL.fullmatch(code := ast.unparse(node)):
        return Term({code: 1.0})
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub | ast.UAdd):
        return _linear(node.operand, rule_id).scaled(-1.0 if isinstance(node.op, ast.USub) else 1.0)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add | ast.Sub):
        sign = 1.0 if isinstance(node.op, ast.Add) else -1.0
        return _linear(node.left, rule_id).plus(_linear(node.right, rule_id).scaled(sign))
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult | ast.Div):
        left, right = _linear(node.left, rule_id), _linear(node.right, rule_id)
        if not right.coefs:
            return left.scaled(right.constant if isinstance(node.op, ast.Mult) else 1.0 / right.constant)
        if not left.coefs and isinstance(node.op, ast.Mult):
            return right.scaled(left.constant)
    raise RuleError(f"rule {rule_id}: not a linear expression of cell codes: {ast.unparse(node)!r}")


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

    def __new__(cls, rules: Iterable[Rule | str] = ()) -> RuleSet:
        items = list(rules)
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
    def from_yaml(cls, text: str) -> RuleSet:
        return cls.from_records(yaml.safe_load(text) or [])

    @classmethod
    def from_json(cls, text: str) -> RuleSet:
        return cls.from_records(json.loads(text))

    @classmethod
    def from_records(cls, records: Iterable[Mapping]) -> RuleSet:
        try:
            return cls(Rule(**dict(r)) for r in records)
        except TypeError as exc:
            raise RuleError(f"a rule record has unknown or missing fields: {exc}") from exc

    @classmethod
    def read(cls, path: str | Path) -> RuleSet:
        """Load rules from a ``.yaml``/``.yml`` or ``.json`` file."""
        path = Path(path)
        try:
            text = path.read_text("utf-8")
            rules = cls.from_json(text) if path.suffix == ".json" else cls.from_yaml(text)
        except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
            raise RuleError(f"{path}: 无法读取规则文件 / cannot read the rule file: {exc}") from None
        except RuleError as exc:
            raise RuleError(f"{path}: {exc}") from None
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
