"""The ``narrative.*`` rules: figures stated in the prose, found, tied to cells and compared with the tables."""

from __future__ import annotations

from pathlib import Path

import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats import narrative
from gov_disclosure_stats.cli import main
from gov_disclosure_stats.model.grid import Paragraph
from gov_disclosure_stats.model.result import SUMMARY_COLUMNS

from .conftest import CORPUS, NO_CORPUS, SAMPLE
from .printed_layout import PROSE, document, docx_bytes
from .report_pages import EXPECTED, report_markdown, report_page

NARRATIVE_IDS = [
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
REVIEW, DIRECT, AFTER = (
    "review_litigation.review",
    "review_litigation.suit_direct",
    "review_litigation.suit_after_review",
)
YEAR = ("year",)

# What the prose of each corpus report states that its tables hold, read by hand:
# (rule id, the cells the figure is the sum of, the figure, the outcome).
SHIJINGSHAN_SENTENCE = "2022年，全区共受理依申请530件，办理上年结转依申请6件"
SHIJINGSHAN = [
    ("narrative.report_year", YEAR, 2022, "passed"),  # 2022年，坚持以区政府门户网站为第一平台…
    ("narrative.report_year", YEAR, 2022, "passed"),  # 2022年，全区共受理依申请530件…
    ("narrative.requests_received", ("requests.new.total",), 530, "passed"),
    ("narrative.requests_carried_over", ("requests.carried_over.total",), 6, "passed"),
    ("narrative.requests_processed", ("requests.total_processed.total",), 525, "passed"),
    ("narrative.requests_carried_forward", ("requests.carried_forward.total",), 11, "passed"),  # 结转2023年继续办理
    ("narrative.review", (f"{REVIEW}.total",), 12, "passed"),  # 被申请行政复议12件
    ("narrative.review", (f"{REVIEW}.upheld",), 4, "passed"),
    ("narrative.review", (f"{REVIEW}.corrected",), 5, "passed"),
    ("narrative.review", (f"{REVIEW}.other",), 1, "passed"),
    ("narrative.review", (f"{REVIEW}.pending",), 2, "passed"),  # 2件尚未审结
    ("narrative.litigation", (f"{DIRECT}.total", f"{AFTER}.total"), 24, "passed"),  # 被提起行政诉讼的24件
    ("narrative.litigation", (f"{DIRECT}.total",), 20, "passed"),  # （未经复议直接起诉的20件，
    ("narrative.litigation", (f"{AFTER}.total",), 4, "passed"),  # 复议后起诉的4件），
    ("narrative.litigation", (f"{DIRECT}.upheld", f"{AFTER}.upheld"), 22, "passed"),  # 其中维持行政行为22件 (18 + 4)
    ("narrative.litigation", (f"{DIRECT}.corrected", f"{AFTER}.corrected"), 0, "passed"),
    ("narrative.litigation", (f"{DIRECT}.pending", f"{AFTER}.pending"), 2, "passed"),  # 2件尚未结审 (sic)
]
HONGZE_2023 = [
    ("narrative.report_year", YEAR, 2023, "passed"),  # 统计期限自 2023 年 1 月 1 日起至 2023 年 12 月 31 日止
    ("narrative.report_year", YEAR, 2023, "passed"),  # 2023 年，洪泽区人民政府坚持…
    ("narrative.report_year", YEAR, 2023, "passed"),  # 2023 年，我区在政府网站平台主动公开政府信息 1136 条
    ("narrative.report_year", YEAR, 2023, "passed"),  # 2023 年全区受理政府信息公开申请 21 件
    ("narrative.requests_received", ("requests.new.total",), 21, "passed"),
]
HONGZE_2024_SENTENCE = (
    "2024 年，区政府办代表区政府受理政府信息公开申请 17 件，均已在法定期限内予以答复。"  # the table says 95
)
HONGZE_2024 = [
    ("narrative.report_year", YEAR, 2024, "passed"),
    ("narrative.report_year", YEAR, 2024, "passed"),
    ("narrative.report_year", YEAR, 2024, "passed"),
    ("narrative.report_year", YEAR, 2024, "passed"),
    ("narrative.requests_received", ("requests.new.total",), 17, "failed"),  # a real disagreement: the table has 95
]
CORPUS_REPORTS = {
    "2022_beijing-shijingshan_district-government.txt": SHIJINGSHAN,
    "2023_huaian-hongze_district-government.pdf": HONGZE_2023,
    "2024_huaian-hongze_district-government.pdf": HONGZE_2024,
}


def corpus_report(name: str) -> gds.Report:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(NO_CORPUS)
    return gds.load(path)


def stated(frame) -> list[tuple]:
    """(rule id, cells, value[, outcome]) per figure, as the hand-made lists write them."""
    columns = ["rule_id", "cells", "value", "outcome"] if "outcome" in frame else ["rule_id", "cells", "value"]
    return [(r, c, int(v), *rest) for r, c, v, *rest in frame[columns].itertuples(index=False)]


def sample_with(old: str, new: str) -> gds.Report:
    text = SAMPLE.read_text("utf-8")
    assert text.count(old) == 1
    return gds.loads(text.replace(old, new), source="changed.txt")


# -- the real reports -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", CORPUS_REPORTS)
def test_every_figure_the_prose_states_is_found_and_compared(name: str) -> None:
    report = corpus_report(name)
    assert stated(narrative.figures(report)) == [(r, c, v) for r, c, v, _ in CORPUS_REPORTS[name]]
    checked = narrative.check(report)
    assert stated(checked) == CORPUS_REPORTS[name]
    summary = gds.validate(report).summary().set_index("rule_id")
    for rule_id in NARRATIVE_IDS:
        mine = [o for r, _, _, o in CORPUS_REPORTS[name] if r == rule_id]
        assert summary.loc[rule_id, ["items", "passed", "failed", "unverifiable"]].tolist() == [
            len(mine),
            mine.count("passed"),
            mine.count("failed"),
            0,
        ], rule_id


def test_the_shijingshan_figures_quote_their_sentence_and_place() -> None:
    report = corpus_report("2022_beijing-shijingshan_district-government.txt")
    found = narrative.figures(report).set_index("figure")
    assert found.at["requests.received", "sentence"].startswith(SHIJINGSHAN_SENTENCE)
    assert found.at["requests.received", "where"] == "line 18"
    assert found.at["requests.received", "label"] == "一、本年新收政府信息公开申请数量 / 总计"
    assert found.at["litigation.lawsuits.upheld", "label"] == "行政诉讼 / 结果维持"


def test_a_real_disagreement_is_a_warning_quoting_its_sentence() -> None:
    report = corpus_report("2024_huaian-hongze_district-government.pdf")
    result = gds.validate(report)
    assert result.ok  # soft: a warning
    found = result.violations[result.violations["rule_id"].str.startswith("narrative.")]
    assert len(found) == 1
    v = found.iloc[0]
    assert (v["severity"], v["table"], v["row"], v["column"]) == ("soft", "requests", "new", "total")
    assert (v["lhs"], v["rhs"], v["imbalance"], v["cells"]) == (17.0, 95.0, -78.0, ("requests.new.total",))
    assert v["where"] == "page 1, line 20"
    assert HONGZE_2024_SENTENCE in v["message_zh"] and HONGZE_2024_SENTENCE in v["message_en"]
    assert "为17，表格为95" in v["message_zh"] and "states 17" in v["message_en"] and "the table 95" in v["message_en"]


def test_the_corpus_together() -> None:
    reports = [corpus_report(name) for name in CORPUS_REPORTS]
    result = gds.validate(reports)
    narrative_rows = result.violations[result.violations["rule_id"].str.startswith("narrative.")]
    assert list(narrative_rows["report_id"]) == ["2024_huaian-hongze_district-government.pdf"]
    # the hard failures of the 2023 table 四 are still there, and the violations stay sorted by report, then rule
    assert (result.violations["severity"] == "hard").sum() == 2
    assert list(result.violations["report_id"]) == sorted(result.violations["report_id"])


# -- prose altered, tables altered -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("old", "new", "rule_id", "cells", "lhs", "rhs"),
    [
        ("共受理依申请530件", "共受理依申请531件", "narrative.requests_received", ("requests.new.total",), 531, 530),
        (
            "上年结转依申请6件",
            "上年结转依申请7件",
            "narrative.requests_carried_over",
            ("requests.carried_over.total",),
            7,
            6,
        ),
        (
            "共答复依申请525件",
            "共答复依申请52件",
            "narrative.requests_processed",
            ("requests.total_processed.total",),
            52,
            525,
        ),
        (
            "继续办理11件",
            "继续办理1件",
            "narrative.requests_carried_forward",
            ("requests.carried_forward.total",),
            1,
            11,
        ),
        ("被申请行政复议12件", "被申请行政复议十三件", "narrative.review", (f"{REVIEW}.total",), 13, 12),
        ("纠正行政行为5件", "纠正行政行为6件", "narrative.review", (f"{REVIEW}.corrected",), 6, 5),
        ("复议后起诉的4件", "复议后起诉的5件", "narrative.litigation", (f"{AFTER}.total",), 5, 4),
        (
            "维持行政行为22件",
            "维持行政行为21件",
            "narrative.litigation",
            (f"{DIRECT}.upheld", f"{AFTER}.upheld"),
            21,
            22,
        ),
    ],
)
def test_a_figure_changed_in_the_prose_is_caught(old, new, rule_id, cells, lhs, rhs) -> None:
    report = sample_with(old, new)
    result = gds.validate(report)
    found = result.violations[result.violations["rule_id"].str.startswith("narrative.")]
    assert [
        (r, c, int(a), int(b)) for r, c, a, b in found[["rule_id", "cells", "lhs", "rhs"]].itertuples(index=False)
    ] == [(rule_id, cells, lhs, rhs)]
    assert new in found.iloc[0]["message_zh"]
    assert found.iloc[0]["where"] == "line 18"
    assert result.ok


def test_a_table_changed_under_its_prose_is_caught_too() -> None:
    report = sample_with("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t5\n\t1\n\t2\n\t13\n")
    result = gds.validate(report)
    assert list(result.violations["rule_id"]) == ["review_litigation.row_total", "narrative.review"]
    assert result.violations.iloc[1][["lhs", "rhs"]].tolist() == [12.0, 13.0]


def test_a_year_the_text_gives_that_is_not_the_titles_is_caught() -> None:
    report = sample_with("2022年，全区共受理", "2021年，全区共受理")
    result = gds.validate(report)
    found = result.violations[result.violations["rule_id"] == "narrative.report_year"]
    assert len(found) == 1
    v = found.iloc[0]
    assert (v["lhs"], v["rhs"], v["cells"], v["where"]) == (2021.0, 2022.0, YEAR, "line 18")
    assert "报告年度为2021，标题为2022年" in v["message_zh"]
    assert "2021年，全区共受理依申请530件" in v["message_en"]
    assert (v["table"], v["row"], v["column"]) == (None, None, None)


def test_the_statistics_period_names_the_report_year() -> None:
    prose = "本报告中所列数据的统计期限自2021年1月1日起至2021年12月31日止。"
    result = gds.validate(gds.loads(report_page(prose=prose), source="page.html"))
    found = result.violations[result.violations["rule_id"] == "narrative.report_year"]
    assert found[["lhs", "rhs"]].values.tolist() == [[2021.0, 2022.0]]


def test_a_year_after_the_tables_is_not_the_report_year() -> None:
    text = SAMPLE.read_text("utf-8").replace("改进措施：一是", "改进措施：2023年，一是")
    report = gds.loads(text, source="plans.txt")
    years = narrative.figures(report)
    assert list(years.loc[years["rule_id"] == "narrative.report_year", "value"]) == [2022.0, 2022.0]


def test_a_missing_table_cell_makes_the_figure_unverifiable() -> None:
    report = sample_with("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t5\n\t1\n\t2\n\t\n")
    result = gds.validate(report)
    summary = result.summary().set_index("rule_id")
    assert summary.loc["narrative.review", ["items", "passed", "failed", "unverifiable"]].tolist() == [5, 4, 0, 1]
    gaps = result.unverifiable[result.unverifiable["rule_id"] == "narrative.review"]
    assert gaps[["row", "column", "missing"]].values.tolist() == [["review", "total", (f"{REVIEW}.total",)]]
    # blanks read as 0: the figure 12 is then compared with 0
    zero = gds.validate(report, blank_as_zero=True)
    found = zero.violations[zero.violations["rule_id"] == "narrative.review"]
    assert found[["lhs", "rhs"]].values.tolist() == [[12.0, 0.0]]


# -- which rules run ------------------------------------------------------------------------------------------------


def test_the_catalog_lists_the_narrative_rules() -> None:
    rules = gds.catalog()
    assert [r.id for r in rules if r.check == "narrative"] == NARRATIVE_IDS
    assert all(rules.get(i).kind == "soft" for i in NARRATIVE_IDS)
    assert gds.RuleSet.from_yaml(rules.to_yaml()) == rules


def test_a_rule_set_without_them_gives_no_narrative_results() -> None:
    report = sample_with("共受理依申请530件", "共受理依申请531件")
    linear = [r for r in gds.catalog() if r.check != "narrative"]
    result = gds.validate(report, rules=linear, outcomes=True)
    assert not result.summary()["rule_id"].str.startswith("narrative.").any()
    assert not result.violations["rule_id"].str.startswith("narrative.").any()
    assert not result.outcomes["rule_id"].str.startswith("narrative.").any()
    only = gds.validate(report, rules=[gds.catalog().get("narrative.review")], outcomes=True)
    assert only.summary()[SUMMARY_COLUMNS].values.tolist() == [["narrative.review", "soft", 5, 5, 0, 0]]
    assert set(only.outcomes["rule_id"]) == {"narrative.review"} and len(only.outcomes) == 5


def test_an_unknown_narrative_rule_is_an_error() -> None:
    mine = gds.Rule(id="narrative.mine", statement="prose", kind="soft", check="narrative")
    with pytest.raises(gds.RuleError, match=r"narrative\.mine"):
        gds.validate(gds.load(SAMPLE), rules=[mine])


def test_a_report_with_no_prose_gives_no_narrative_results() -> None:
    report = gds.Report.from_dict(gds.load(SAMPLE).to_dict())
    assert report.paragraphs == ()
    assert narrative.figures(report).empty and list(narrative.figures(report).columns) == narrative.FIGURE_COLUMNS
    summary = gds.validate(report).summary().set_index("rule_id")
    assert (summary.loc[NARRATIVE_IDS, "items"] == 0).all()
    wide = gds.validate(gds.reports_to_wide([gds.load(SAMPLE)]))
    assert (wide.summary().set_index("rule_id").loc[NARRATIVE_IDS, "items"] == 0).all()


def test_the_prose_stays_out_of_the_json_shape() -> None:
    report = gds.load(SAMPLE)
    assert report.paragraphs and all(isinstance(p, Paragraph) for p in report.paragraphs)
    assert report.paragraphs[0].text == "北京市石景山区人民政府"
    assert list(report.to_dict()) == ["template", "year", "agency", "source", "tables"]
    assert "paragraphs" not in repr(report)


# -- every reader ------------------------------------------------------------------------------------------------------


def test_html_prose_is_checked() -> None:
    prose = "全年共收到政府信息公开申请530件，上年结转6件，办结525件，结转下年度11件；被申请行政复议12件。"
    good = narrative.check(gds.loads(report_page(prose=prose), source="page.html"))
    assert stated(good) == [
        ("narrative.report_year", YEAR, 2022, "passed"),
        ("narrative.requests_received", ("requests.new.total",), 530, "passed"),
        ("narrative.requests_carried_over", ("requests.carried_over.total",), 6, "passed"),
        ("narrative.requests_processed", ("requests.total_processed.total",), 525, "passed"),
        ("narrative.requests_carried_forward", ("requests.carried_forward.total",), 11, "passed"),
        ("narrative.review", (f"{REVIEW}.total",), 12, "passed"),
    ]
    bad = gds.validate(gds.loads(report_page(prose=prose.replace("办结525件", "办结520件")), source="page.html"))
    assert bad.violations[["rule_id", "lhs", "rhs"]].values.tolist() == [["narrative.requests_processed", 520.0, 525.0]]


def test_docx_prose_is_checked(tmp_path: Path) -> None:
    path = tmp_path / "report.docx"
    path.write_bytes(docx_bytes(document(EXPECTED)))
    assert stated(narrative.check(gds.load(path))) == [
        ("narrative.report_year", YEAR, 2022, "passed"),
        ("narrative.requests_received", ("requests.new.total",), 530, "passed"),
        ("narrative.review", (f"{REVIEW}.total",), 12, "passed"),
    ]
    parts = [PROSE.replace("530件", "503件") if part == PROSE else part for part in document(EXPECTED)]
    path.write_bytes(docx_bytes(parts))
    result = gds.validate(gds.load(path))
    assert result.violations[["rule_id", "lhs", "rhs"]].values.tolist() == [
        ["narrative.requests_received", 503.0, 530.0]
    ]
    assert result.violations.iloc[0]["where"].startswith("paragraph")


def test_markdown_prose_is_read() -> None:
    report = gds.loads(report_markdown(), source="report.md")
    assert stated(narrative.check(report)) == [("narrative.report_year", YEAR, 2022, "passed")]


def test_the_command_line_shows_a_narrative_warning(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "year.txt"
    path.write_text(SAMPLE.read_text("utf-8").replace("2022年，全区共受理", "2021年，全区共受理"), "utf-8")
    assert main(["validate", str(path)]) == 0
    out = capsys.readouterr().out
    assert "! narrative.report_year [soft] year" in out and "2021年，全区共受理依申请530件" in out


# -- the patterns ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "本机关共收到政府信息公开申请536件（含上年结转6件），办结525件，11件结转下一年度继续办理。",
            [
                ("requests.received_with_carried_over", 536),
                ("requests.carried_over", 6),
                ("requests.processed", 525),
                ("requests.carried_forward", 11),
            ],
        ),
        (
            "其中，自然人申请500件，法人或其他组织申请30件。",
            [("requests.received.natural_person", 500), ("requests.received.organisations", 30)],
        ),
        (
            "本年度予以公开309件，部分公开25件，不予公开23件，无法提供141件，不予处理10件，其他处理17件。",
            [
                ("requests.granted", 309),
                ("requests.partly_granted", 25),
                ("requests.withheld", 23),
                ("requests.unavailable", 141),
                ("requests.not_processed", 10),
                ("requests.other_handling", 17),
            ],
        ),
        (
            "全年受理依申请公开十二件，办结十件，两件结转至2023年。",
            [("requests.received", 12), ("requests.processed", 10), ("requests.carried_forward", 2)],
        ),
        (
            "本年度未发生因政府信息公开工作被申请行政复议、提起行政诉讼的情况。",
            [("review.review.total", 0), ("litigation.lawsuits.total", 0)],
        ),
        ("全年被申请行政复议和提起行政诉讼各1件。", [("review.review.total", 1), ("litigation.lawsuits.total", 1)]),
        ("行政复议、行政诉讼均为零。", [("review.review.total", 0), ("litigation.lawsuits.total", 0)]),
        (
            "本年度没有发生因政府信息公开引起的行政复议和行政诉讼。",
            [("review.review.total", 0), ("litigation.lawsuits.total", 0)],
        ),
        ("本年度未收到因依申请公开引发的行政复议申请。", [("review.review.total", 0)]),
        ("本机关未收到政府信息公开申请。", [("requests.received", 0)]),
        ("行政复议：3件，其中1件尚未审结。", [("review.review.total", 3), ("review.review.pending", 1)]),
        (
            "直接起诉2件，其中维持1件，1件尚未审结；复议后起诉3件，其中纠正1件。",
            [
                ("litigation.suit_direct.total", 2),
                ("litigation.suit_direct.upheld", 1),
                ("litigation.suit_direct.pending", 1),
                ("litigation.suit_after_review.total", 3),
                ("litigation.suit_after_review.corrected", 1),
            ],
        ),
        (
            "本年度制发行政规范性文件70件，废止30件，现行有效192件。",
            [
                ("proactive.normative_documents.issued", 70),
                ("proactive.normative_documents.repealed", 30),
                ("proactive.normative_documents.in_force", 192),
            ],
        ),
        (
            "全年作出行政处罚决定45,648件，行政许可决定36627件。",
            [("proactive.penalty.decisions", 45648), ("proactive.licensing.decisions", 36627)],
        ),
        ("收取行政事业性收费4934.0578万元。", [("proactive.fees.amount_10k_yuan", 4934.0578)]),
        # not read: approximations, comparisons, deadlines, other subjects, published-information counts, other fees
        ("共受理政府信息公开申请约500件，同比增长12件，在15个工作日内答复。", []),
        ("共收到网民留言1725件，已答复1723件，2件正在办理中。", []),
        ("共公开行政许可、行政处罚及其他执法结果各类信息918条。", []),
        ("全年发布政策文件24个，制定规章制度3件。", []),
        ("发出收费通知的件数为5件，收取信息处理费70元。", []),
        ("本年度未发生行政复议纠错情况。", []),
        ("新增依申请公开受理渠道2个，2025年计划受理申请更多。", []),
    ],
)
def test_patterns(text: str, expected: list[tuple[str, float]]) -> None:
    paragraphs = [Paragraph("（三）依申请公开情况", "a"), Paragraph(text, "b")]
    assert [(f.target.name, f.value) for f in narrative.read_paragraphs(paragraphs)] == expected


def test_a_money_figure_is_compared_to_the_precision_it_is_printed_with() -> None:
    base = "收取行政事业性收费{}。"
    report = gds.load(SAMPLE)  # 4934.0578 万元 in the table
    for printed, outcome in [
        ("4934.0578万元", "passed"),
        ("4934万元", "passed"),
        ("4935万元", "failed"),
        ("49340578元", "passed"),
        ("4934.06万元", "passed"),
        ("4934.05万元", "failed"),
    ]:
        report.paragraphs = (Paragraph(base.format(printed), "p"),)
        assert narrative.check(report)["outcome"].tolist() == [outcome], printed


def test_compare_lines_the_figures_up_once_per_place() -> None:
    moves = gds.compare(gds.load(SAMPLE), sample_with("被申请行政复议12件", "被申请行政复议13件"))
    mine = moves[moves["rule_id"].str.startswith("narrative.")]
    assert not mine.duplicated(["rule_id", "table", "row", "column"]).any()
    assert len(mine[mine["rule_id"] == "narrative.report_year"]) == 1  # stated in two sentences: one place
    moved = mine[mine["movement"] != "still_passing"]
    assert moved[["rule_id", "row", "column", "a", "b"]].values.tolist() == [
        ["narrative.review", "review", "total", "passed", "failed"]
    ]


def test_the_prose_survives_load_many(tmp_path: Path) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(SAMPLE.read_text("utf-8"), "utf-8")
    reports, failures = gds.load_many(tmp_path, workers=2, progress=False)
    assert failures.empty and [len(r.paragraphs) for r in reports] == [len(gds.load(SAMPLE).paragraphs)] * 2
    assert len(narrative.figures(reports)) == 2 * len(SHIJINGSHAN)


@pytest.mark.parametrize("node", gds.table_layout("proactive", "2021").cell_rows, ids=lambda n: n.code)
def test_every_proactive_row_is_named_by_its_layout_wordings(node) -> None:
    columns = gds.table_layout("proactive", "2021").row_columns(node.code)
    for words in (node.label, *node.aliases):
        if "issued" in columns:
            text, figure = f"本年度制发{words}3件。", f"proactive.{node.code}.issued"
        elif "decisions" in columns:
            text, figure = f"全年作出{words}决定3件。", f"proactive.{node.code}.decisions"
        else:
            text, figure = f"收取{words}3万元。", f"proactive.{node.code}.amount_10k_yuan"
        found = narrative.read_paragraphs([Paragraph(text, "p")])
        assert [(f.target.name, f.value) for f in found] == [(figure, 3)], text


def test_check_takes_rules_like_validate() -> None:
    report = sample_with("被申请行政复议12件", "被申请行政复议13件")
    review = gds.catalog().get("narrative.review")
    for rules in ([review], gds.RuleSet([review]), (r for r in [review, "requests.new.total >= 0"])):
        checked = narrative.check(report, rules)
        assert set(checked["rule_id"]) == {"narrative.review"} and (checked["outcome"] == "failed").sum() == 1
    assert len(narrative.check(report)) == len(SHIJINGSHAN)
    blank = sample_with("\t4\n\t5\n\t1\n\t2\n\t12\n", "\t4\n\t5\n\t1\n\t2\n\t\n")
    total = f"{REVIEW}.total"
    assert narrative.check(blank, blank_as_zero=True).set_index("figure").at["review.review.total", "table_value"] == 0
    assert narrative.check(blank).set_index("figure").at["review.review.total", "missing"] == (total,)


@pytest.mark.parametrize("call", [narrative.check, narrative.figures])
def test_check_refuses_what_has_no_prose(call) -> None:
    wide = gds.reports_to_wide([gds.load(SAMPLE)])
    for bad in (wide, "report.txt", 3, [gds.load(SAMPLE), wide]):
        with pytest.raises(TypeError, match=r"接受 Report.* takes a Report, a list of Reports or a ReportSet"):
            call(bad)
    assert len(call(gds.ReportSet([gds.load(SAMPLE)]))) == len(SHIJINGSHAN)
