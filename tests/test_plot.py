"""Charts with Chinese labels: drawn in an installed CJK font through matplotlib's font fallback, or in English
with one warning where no such font is installed."""

from __future__ import annotations

import io
import warnings
from collections.abc import Iterator

import matplotlib
import pytest

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_series, inject_errors
from gov_disclosure_stats.show import fonts
from gov_disclosure_stats.show.plot import failure_rates

from .conftest import SAMPLE

matplotlib.use("Agg")

import matplotlib.pyplot as plt
from matplotlib import font_manager

AGENCIES = ["北京市石景山区人民政府", "淮安市洪泽区人民政府", "国务院办公厅", "上海市浦东新区人民政府"]
NO_CJK_FONT = "no font with Chinese glyphs is installed (apt-get install fonts-noto-cjk; .ci/run installs it)"


@pytest.fixture(scope="module")
def result() -> gds.ValidationResult:
    """Two years of four agencies with real names, some cells changed."""
    frame = consistent_series(4, range(2022, 2024), seed=3)
    frame["agency"] = frame["agency"].map(dict(zip(sorted(frame["agency"].unique()), AGENCIES, strict=True)))
    frame, _ = inject_errors(frame, 0.3, seed=4)
    return gds.validate(frame, outcomes=True)


@pytest.fixture(autouse=True)
def fresh() -> Iterator[None]:
    """Each test looks for the font anew and may warn again; figures are closed after it."""
    fonts._find.cache_clear()
    fonts._warned = False
    yield
    fonts._find.cache_clear()
    fonts._warned = False
    plt.close("all")


def png(ax) -> list[warnings.WarningMessage]:
    """Render the Axes' figure as a PNG (Agg), returning every warning raised meanwhile."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        ax.figure.savefig(io.BytesIO(), format="png")
    return list(caught)


def missing_glyphs(caught: list[warnings.WarningMessage]) -> list[str]:
    return [str(w.message) for w in caught if "missing from font" in str(w.message)]


def test_the_warning_capture_sees_missing_glyphs() -> None:
    """The check below can fail: Chinese drawn in DejaVu Sans alone warns of each missing glyph."""
    _, ax = plt.subplots()
    ax.set_title("国务院办公厅", fontfamily="DejaVu Sans")
    assert len(missing_glyphs(png(ax))) >= 6


def test_chinese_agency_names_render_without_missing_glyphs(result) -> None:
    font = fonts.cjk_font()
    if font is None:
        pytest.skip(NO_CJK_FONT)
    before = dict(matplotlib.rcParams)
    with warnings.catch_warnings(record=True) as drawing:
        warnings.simplefilter("always")
        ax = failure_rates(result, by="agency")
    caught = png(ax) + list(drawing)
    assert missing_glyphs(caught) == []
    assert not [w for w in caught if issubclass(w.category, fonts.MissingFontWarning)]
    labels = ax.get_yticklabels()
    assert [t.get_text() for t in labels] == sorted(AGENCIES)
    assert all(t.get_fontfamily() == [*matplotlib.rcParams["font.family"], font] for t in labels)
    assert dict(matplotlib.rcParams) == before  # the user's settings are untouched
    assert all(t.get_fontfamily() == list(matplotlib.rcParams["font.family"]) for t in ax.get_xticklabels())


def test_a_font_missing_from_matplotlibs_cached_list_is_found(monkeypatch: pytest.MonkeyPatch) -> None:
    """A CJK font installed after matplotlib built its font cache (the cause of the empty boxes) is found."""
    manager = font_manager.fontManager
    if not any(fonts._FILES.search(f) for f in font_manager.findSystemFonts()) and not fonts._fontconfig_files():
        pytest.skip(NO_CJK_FONT)
    chinese = set(fonts._fontconfig_files())
    stale = [e for e in manager.ttflist if not fonts._FILES.search(e.fname) and e.fname not in chinese]
    assert fonts._best(e.name for e in stale) is None
    monkeypatch.setattr(manager, "ttflist", stale)
    manager._findfont_cached.cache_clear()
    try:
        font = fonts.cjk_font()
        assert font is not None and fonts._draws_chinese(font)
        assert any(e.name == font for e in manager.ttflist)  # added to matplotlib's font manager
    finally:
        manager._findfont_cached.cache_clear()


def test_without_a_cjk_font_labels_are_english_and_warned_once(result, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        first = failure_rates(result, by="agency")
        caught += png(first)
        second = failure_rates(result, by="agency", top=2)
        caught += png(second)
    ours = [w for w in caught if issubclass(w.category, fonts.MissingFontWarning)]
    assert len(ours) == 1
    assert "fonts-noto-cjk" in str(ours[0].message) and "没有找到可显示中文的字体" in str(ours[0].message)
    assert missing_glyphs(caught) == []
    labels = [t.get_text() for t in first.get_yticklabels()]
    assert labels == ["agency 1", "agency 2", "agency 3", "agency 4"]  # the report ids are Chinese too
    assert all(label.isascii() for label in [t.get_text() for t in second.get_yticklabels()])
    assert all(t.get_fontfamily() == list(matplotlib.rcParams["font.family"]) for t in first.get_yticklabels())


def test_english_labels_come_from_file_names(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reports loaded from files named like the corpus are labelled by their file names less year and extension."""
    text = SAMPLE.read_text("utf-8")
    sample = gds.load(SAMPLE)
    other = gds.loads(text, source="2023_huaian-hongze_district-government.pdf")
    other.agency = "淮安市洪泽区人民政府"
    again = gds.loads(text, source="2021_beijing-shijingshan_district-government.txt")
    result = gds.validate([sample, other, again], outcomes=True)
    monkeypatch.setattr(fonts, "cjk_font", lambda: None)
    with pytest.warns(fonts.MissingFontWarning):
        ax = failure_rates(result, by="agency")
    names = dict(zip(sorted([sample.agency, other.agency]), [t.get_text() for t in ax.get_yticklabels()], strict=True))
    assert names == {
        "北京市石景山区人民政府": "beijing-shijingshan_district-government",
        "淮安市洪泽区人民政府": "huaian-hongze_district-government",
    }


def test_ascii_labels_need_no_font(result, monkeypatch: pytest.MonkeyPatch) -> None:
    """Years and rule ids are ASCII: no CJK font is asked for and nothing is warned."""
    asked = []
    monkeypatch.setattr(fonts, "cjk_font", lambda: asked.append(1))
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png(failure_rates(result, by="year"))
        png(failure_rates(result))
    assert not asked and not [w for w in caught if issubclass(w.category, fonts.MissingFontWarning)]


def test_discovery_prefers_simplified_chinese_and_checks_glyphs() -> None:
    assert fonts._best(["DejaVu Sans", "STIXGeneral"]) is None
    if fonts.cjk_font() is None:
        pytest.skip(NO_CJK_FONT)
    if fonts.cjk_font() == "Noto Sans CJK SC":  # Debian's fonts-noto-cjk
        assert fonts._best(["Noto Sans CJK JP", "DejaVu Sans", "Noto Sans CJK SC"]) == "Noto Sans CJK SC"
    assert fonts._draws_chinese(fonts.cjk_font())
    assert not fonts._draws_chinese("DejaVu Sans")


def test_no_fontconfig_means_no_fontconfig_files(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(fonts.shutil, "which", lambda name: None)
    assert fonts._fontconfig_files() == []
