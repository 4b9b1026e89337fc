"""The rule catalog, user rule statements and their (de)serialization."""

from __future__ import annotations

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.core.layouts import layouts
from gov_disclosure_stats.core.rules import RuleSet, expand

SPEC_RULE_IDS = [
    "requests.row_total",
    "requests.outcome_total",
    "requests.balance",
    "requests.group_subtotal",
    "requests.org_subtotal",
    "review_litigation.row_total",
    "cells.non_negative",
    "cells.integer",
    "cells.present",
    "continuity.carry_over",
    "continuity.in_force_stock",
    "narrative.requests_received",
    "narrative.requests_carried_over",
    "narrative.requests_processed",
    "narrative.requests_carried_forward",
    "narrative.requests_outcome",
    "narrative.review",
    "narrative.litigation",
    "narrative.proactive",
    "narrative.report_year",
]


def test_catalog_has_the_spec_rules() -> None:
    rules = gds.catalog()
    assert [r.id for r in rules] == SPEC_RULE_IDS
    assert rules.get("cells.present").kind == "soft"
    assert all(r.message_zh and r.message_en for r in rules)


@pytest.mark.parametrize(
    ("version", "rule_id", "count"),
    [
        ("2021", "requests.row_total", 29),  # 25 rows + 4 printable group subtotals
        ("2019", "requests.row_total", 26),  # 23 rows + 3
        ("2021", "requests.outcome_total", 8),  # 7 columns + org_subtotal
        ("2021", "requests.group_subtotal", 32),
        ("2019", "requests.group_subtotal", 24),
        ("2021", "review_litigation.row_total", 3),
    ],
)
def test_expansion_counts(version: str, rule_id: str, count: int) -> None:
    assert len(list(expand(gds.catalog().get(rule_id), layouts(version)))) == count


def test_outcome_total_follows_the_layout() -> None:
    rule = gds.catalog().get("requests.outcome_total")
    new = next(expand(rule, layouts("2021")))
    old = next(expand(rule, layouts("2019")))
    assert "requests.other_other.natural_person" in new.rhs.coefs
    assert "requests.other_handling.natural_person" not in new.rhs.coefs
    assert "requests.other_handling.natural_person" in old.rhs.coefs
    assert len(new.rhs.coefs) == 21 and len(old.rhs.coefs) == 19
    assert (new.row, new.column) == ("total_processed", "natural_person")


def test_user_statement_parsing() -> None:
    rule = gds.rule("2 * requests.granted.total - (requests.new.total - 3) = requests.new.total / 2", id="mine")
    (inst,) = expand(rule, layouts("2021"))
    assert inst.op == "=="
    assert inst.lhs.coefs == {"requests.granted.total": 2.0, "requests.new.total": -1.0}
    assert inst.lhs.constant == 3.0
    assert inst.rhs.coefs == {"requests.new.total": 0.5}


@pytest.mark.parametrize(
    "statement",
    [
        "requests.new.total * requests.new.total == 1",
        "requests.new.total",
        "requests.new.total == 1 == 2",
        "abs(requests.new.total) == 1",
        "requests.new.total == import os",
        "1 == 2",
    ],
)
def test_bad_statements_raise_rule_error(statement: str) -> None:
    with pytest.raises(gds.RuleError):
        rule = gds.rule(statement, id="bad")
        rule.table  # noqa: B018 - a statement must name a cell


def test_user_rule_on_missing_cells_does_not_apply() -> None:
    rule = gds.rule("requests.other_other.total <= requests.new.total", id="other")
    assert list(expand(rule, layouts("2019"))) == []
    assert len(list(expand(rule, layouts("2021")))) == 1


def test_yaml_and_json_round_trip(tmp_path) -> None:
    rules = gds.catalog() + RuleSet(["requests.granted.total <= requests.new.total"])
    assert RuleSet.from_yaml(rules.to_yaml()) == rules
    assert RuleSet.from_json(rules.to_json()) == rules
    path = tmp_path / "rules.yaml"
    path.write_text(rules.to_yaml(), "utf-8")
    assert RuleSet.read(path)[-1].id == "user.1"
    assert list(rules.to_frame()["id"])[-1] == "user.1"


def test_rule_file_errors() -> None:
    with pytest.raises(gds.RuleError, match="duplicate"):
        RuleSet([gds.catalog()[0], gds.catalog()[0]])
    with pytest.raises(gds.RuleError, match="unknown or missing"):
        RuleSet.from_yaml("- id: x\n  statment: typo")
    with pytest.raises(gds.RuleError, match="kind"):
        gds.Rule(id="x", statement="requests.new.total >= 0", kind="medium")
