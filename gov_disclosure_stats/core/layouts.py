"""The official table layouts, read once from ``data/layouts.yaml``.

Everything that knows about rows, columns, labels or which cells exist in a
template version reads it from here.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache, cached_property
from importlib import resources

import yaml

VERSIONS: tuple[str, ...] = ("2019", "2021")
TABLES: tuple[str, ...] = ("proactive", "requests", "review_litigation")


@dataclass(frozen=True, eq=False)
class Node:
    """A row or a column of a table layout (made once per layout: compared and hashed by identity)."""

    code: str
    label: str
    label_en: str = ""
    parent: str | None = None
    group: bool = False
    printable: bool = False
    optional: bool = False
    subtotal_of: str | None = None
    total: bool = False
    type: str = "count"
    unit: str | None = None
    aliases: tuple[str, ...] = ()
    block: str | None = None
    parent_label: str | None = None
    columns: tuple[str, ...] | None = None

    @property
    def is_cell(self) -> bool:
        """True when the node carries numbers (always, or when a report prints it)."""
        return not self.group or self.printable

    @property
    def is_optional(self) -> bool:
        """True when the node's cells exist only where a report prints them."""
        return self.optional or (self.group and self.printable)


@dataclass(frozen=True)
class TableLayout:
    """One table of one template version."""

    table: str
    version: str
    section: str
    label: str
    label_en: str
    rows: tuple[Node, ...]
    columns: tuple[Node, ...]
    note: str | None = None
    header: str | None = None
    aliases: tuple[str, ...] = ()
    _rows: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)
    _cols: dict[str, Node] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._rows.update({n.code: n for n in self.rows})
        self._cols.update({n.code: n for n in self.columns})

    def row(self, code: str) -> Node:
        """The row node with this code."""
        return self._rows[code]

    def column(self, code: str) -> Node:
        """The column node with this code."""
        return self._cols[code]

    def has_row(self, code: str) -> bool:
        return code in self._rows

    def has_column(self, code: str) -> bool:
        return code in self._cols

    @cached_property
    def cell_rows(self) -> tuple[Node, ...]:
        """Rows that carry numbers, in template order."""
        return tuple(n for n in self.rows if n.is_cell)

    @cached_property
    def cell_columns(self) -> tuple[Node, ...]:
        """Columns that carry numbers, in template order."""
        return tuple(n for n in self.columns if n.is_cell)

    def row_columns(self, row: str) -> tuple[str, ...]:
        """The column codes that exist in one row."""
        node = self._rows[row]
        return node.columns if node.columns is not None else self._all_columns

    @cached_property
    def _all_columns(self) -> tuple[str, ...]:
        return tuple(c.code for c in self.cell_columns)

    @cached_property
    def cells(self) -> tuple[tuple[str, str], ...]:
        """Every (row, column) pair that exists in this layout, optional ones included."""
        return tuple((r.code, c) for r in self.cell_rows for c in self.row_columns(r.code))

    def is_optional_cell(self, row: str, column: str) -> bool:
        """True for a subtotal cell that exists only where a report prints it."""
        return self._rows[row].is_optional or self._cols[column].is_optional

    @cached_property
    def required_cells(self) -> tuple[tuple[str, str], ...]:
        return tuple(c for c in self.cells if not self.is_optional_cell(*c))

    def leaves(self, code: str, axis: str = "rows") -> tuple[str, ...]:
        """Leaf codes under a group, depth first (a group row printed as one row counts as a leaf)."""
        nodes = self.rows if axis == "rows" else self.columns
        out: list[str] = []
        for node in nodes:
            if node.parent != code:
                continue
            if node.group:
                out.extend(self.leaves(node.code, axis))
            elif node.subtotal_of is None and not node.total:
                out.append(node.code)
        return tuple(out)

    @cached_property
    def printable_groups(self) -> tuple[str, ...]:
        """Row groups whose subtotal a report may print."""
        return tuple(n.code for n in self.rows if n.group and n.printable)

    def column_type(self, column: str) -> str:
        """``count``, ``signed`` or ``money``."""
        return self._cols[column].type

    def money_unit(self, column: str) -> str | None:
        """``yuan`` or ``10k_yuan`` for a money column, None for counts."""
        return self._cols[column].unit

    def column_label(self, column: str) -> str:
        """A column's label with its group where that tells columns apart (法人或其他组织·商业企业)."""
        col = self._cols[column]
        parent = self._cols.get(col.parent or "")
        if parent is not None and parent.parent is not None:
            return f"{parent.label}·{col.label}"
        return col.label

    def row_label(self, row: str) -> str:
        """A row's label with its heading where the template prints one (行政诉讼·复议后起诉)."""
        node = self._rows[row]
        return f"{node.parent_label}·{node.label}" if node.parent_label else node.label

    def cell_label(self, row: str, column: str) -> str:
        """The Chinese label of a cell, e.g. ``（一）予以公开 / 自然人``."""
        return f"{self.row_label(row)} / {self.column_label(column)}"


def _node(spec: dict, version: str) -> Node:
    columns = spec.get("columns")
    return Node(
        code=spec["code"],
        label=spec["label"],
        label_en=spec.get("label_en", ""),
        parent=spec.get("parent"),
        group=bool(spec.get("group", False)),
        printable=bool(spec.get("printable", False)),
        optional=bool(spec.get("optional", False)),
        subtotal_of=spec.get("subtotal_of"),
        total=bool(spec.get("total", False)),
        type=spec.get("type", "count"),
        unit=spec.get("unit"),
        aliases=tuple(spec.get("aliases", ())),
        block=spec.get("block"),
        parent_label=spec.get("parent_label"),
        columns=tuple(columns[version]) if columns else None,
    )


def _in_version(spec: dict, version: str) -> bool:
    return version in spec.get("versions", VERSIONS)


@cache
def _data() -> dict:
    text = resources.files("gov_disclosure_stats").joinpath("data/layouts.yaml").read_text("utf-8")
    return yaml.safe_load(text)


@cache
def table_layout(table: str, version: str) -> TableLayout:
    """The layout of ``table`` in template ``version`` ("2019" or "2021")."""
    if version not in VERSIONS:
        raise KeyError(f"unknown template version {version!r}; known: {', '.join(VERSIONS)}")
    spec = _data()["tables"][table]
    return TableLayout(
        table=table,
        version=version,
        section=spec["section"],
        label=spec["label"],
        label_en=spec["label_en"],
        note=spec.get("note"),
        header=spec.get("header"),
        aliases=tuple(spec.get("aliases", ())),
        rows=tuple(_node(r, version) for r in spec["rows"] if _in_version(r, version)),
        columns=tuple(_node(c, version) for c in spec["columns"] if _in_version(c, version)),
    )


def layouts(version: str) -> dict[str, TableLayout]:
    """All three tables of one template version."""
    return {t: table_layout(t, version) for t in TABLES}


def version_for_year(year: int) -> str:
    """The template version in force for a report year (2019 onward)."""
    for version, spec in _data()["versions"].items():
        first, last = spec["years"]
        if year >= first and (last is None or year <= last):
            return version
    raise ValueError(f"no common template for report year {year}: reports before 2019 are out of scope")


def version_info(version: str) -> dict:
    """Who issued a template version and the years it covers."""
    return dict(_data()["versions"][version])


@cache
def cell_universe() -> tuple[str, ...]:
    """Every cell code of every version, in a stable order (the wide format's columns)."""
    seen: dict[str, None] = {}
    for table in TABLES:
        for version in VERSIONS:
            for row, col in table_layout(table, version).cells:
                seen.setdefault(f"{table}.{row}.{col}", None)
    return tuple(seen)


def split_code(code: str) -> tuple[str, str, str]:
    """``"requests.new.total"`` → ``("requests", "new", "total")``."""
    parts = code.split(".")
    if len(parts) != 3:
        raise ValueError(f"a cell code has three parts table.row.column, got {code!r}")
    return parts[0], parts[1], parts[2]
