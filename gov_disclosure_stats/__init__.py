"""gov_disclosure_stats: the statistical tables of 政府信息公开工作年度报告, loaded and checked.

>>> import gov_disclosure_stats as gds
>>> report = gds.load("examples/2022_beijing-shijingshan_district-government.txt")
>>> gds.validate(report).ok
True
"""

from . import narrative
from .aggregation import aggregate
from .collection import ReportSet
from .comparison import compare, diff
from .corpus import load_many
from .display import to_html
from .engine import validate
from .errors import DataError, GovDisclosureError, LoadError, RuleError, ValidationFailed
from .html_report import html_report
from .layouts import TABLES, VERSIONS, TableLayout, table_layout, version_for_year
from .limits import DEFAULT_LIMITS, Limits
from .loader import load, loads
from .localize import localize
from .matrix import CellMatrix
from .plot import failure_rate_table, failure_rates
from .report import Report, reports_to_long, reports_to_wide
from .result import ValidationResult
from .rules import Rule, RuleLimits, RuleSet, catalog, rule, rule_limits
from .values import Status, parse_cell

__all__ = [
    "DEFAULT_LIMITS",
    "TABLES",
    "VERSIONS",
    "CellMatrix",
    "DataError",
    "GovDisclosureError",
    "Limits",
    "LoadError",
    "Report",
    "ReportSet",
    "Rule",
    "RuleError",
    "RuleLimits",
    "RuleSet",
    "Status",
    "TableLayout",
    "ValidationFailed",
    "ValidationResult",
    "aggregate",
    "catalog",
    "compare",
    "diff",
    "failure_rate_table",
    "failure_rates",
    "html_report",
    "load",
    "load_many",
    "loads",
    "localize",
    "narrative",
    "parse_cell",
    "reports_to_long",
    "reports_to_wide",
    "rule",
    "rule_limits",
    "table_layout",
    "to_html",
    "validate",
    "version_for_year",
]
__version__ = "0.1.0"
