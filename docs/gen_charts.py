"""The failure-rate charts of docs/display.md, drawn into docs/images/ by the library itself.

python docs/gen_charts.py     # needs matplotlib and a Chinese font (Debian: apt-get install fonts-noto-cjk)

Validates three years of six agencies (synthetic tables carrying the names of real reporting agencies, a
fifth of the reports with one cell changed) and draws ``gds.failure_rates(result, by="agency")`` into
failure_rates_by_agency.png, its agency names in the Chinese font that ``gov_disclosure_stats.show.fonts``
finds. Refuses to draw without one: the picture would show English codes instead.
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import gov_disclosure_stats as gds
from gov_disclosure_stats.model.synth import consistent_series, inject_errors
from gov_disclosure_stats.show import fonts

ROOT = Path(__file__).resolve().parents[1]
IMAGES = ROOT / "docs" / "images"
AGENCIES = [
    "北京市石景山区人民政府",
    "淮安市洪泽区人民政府",
    "国家税务总局",
    "上海市浦东新区人民政府",
    "广州市天河区人民政府",
    "成都市武侯区人民政府",
]


def draw(path: Path) -> None:
    frame = consistent_series(len(AGENCIES), range(2022, 2025), seed=5)
    frame["agency"] = frame["agency"].map(dict(zip(sorted(frame["agency"].unique()), AGENCIES, strict=True)))
    frame, _ = inject_errors(frame, 0.2, seed=6)
    result = gds.validate(frame, outcomes=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is a broken picture
        ax = gds.failure_rates(result, by="agency")
        ax.figure.set_size_inches(8, 4)
        ax.figure.savefig(path, dpi=100, bbox_inches="tight")


def main() -> int:
    if fonts.cjk_font() is None:
        print("no Chinese font: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    IMAGES.mkdir(exist_ok=True)
    path = IMAGES / "failure_rates_by_agency.png"
    draw(path)
    print(f"{path.relative_to(ROOT)}  ({path.stat().st_size:,} bytes, font {fonts.cjk_font()})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
