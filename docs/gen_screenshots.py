"""The screenshots of the HTML report in docs/images/, taken with headless Chromium.

python docs/gen_screenshots.py     # needs `chromium` (Debian: apt-get install chromium fonts-noto-cjk)

Builds the folder of docs/cli.md's `gds scan` example (the sample as 2022.txt, a 2023 copy whose 行政复议
总计 is 13 instead of 12, a copy with （一）予以公开 / 自然人 misprinted 279 instead of 297, an empty file,
a page cut inside its table), runs `gds scan reports --html report.html`, and photographs the top of
the page (html_report.png) and the misprinted report's tables further down (html_report_tables.png).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "examples" / "2022_beijing-shijingshan_district-government.txt"
IMAGES = ROOT / "docs" / "images"
WIDTH = 1280


def make_folder(reports: Path) -> None:
    """The example folder of docs/cli.md, plus typo.txt."""
    reports.mkdir()
    text = SAMPLE.read_text("utf-8")
    (reports / "2022.txt").write_text(text, "utf-8")
    lines = text.splitlines(keepends=True)
    lines[411] = lines[411].replace("12", "13")  # line 412: 行政复议 总计
    later = "".join(lines).replace("2022年政府信息公开工作年度报告", "2023年政府信息公开工作年度报告")
    (reports / "2023.txt").write_text(later, "utf-8")
    (reports / "typo.txt").write_text(text.replace("\n\t297\n", "\n\t279\n", 1), "utf-8")
    (reports / "empty.txt").write_text("", "utf-8")
    cut = "<html><body><h2>三、收到和处理政府信息公开申请情况</h2><table><tr><td>一本年新收"
    (reports / "cut.html").write_text(cut, "utf-8")


def screenshot(browser: str, url: str, out: Path, height: int) -> None:
    """A ``WIDTH`` × ``height`` screenshot of ``url``."""
    with tempfile.TemporaryDirectory() as profile:
        command = [browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run"]
        command += ["--disable-background-networking", "--disable-component-update", "--disable-sync"]
        command += [f"--user-data-dir={profile}", "--hide-scrollbars", "--force-device-scale-factor=1"]
        command += [f"--window-size={WIDTH},{height}", f"--screenshot={out}", url]
        subprocess.run(command, check=True, capture_output=True, timeout=120)
    print(f"{out.relative_to(ROOT)}: {out.stat().st_size:,} bytes")


def main() -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        sys.exit("gen_screenshots: chromium is not installed (apt-get install chromium fonts-noto-cjk)")
    IMAGES.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as work:
        make_folder(Path(work) / "reports")
        scan = [sys.executable, "-m", "gov_disclosure_stats.cli", "scan", "reports", "--html", "report.html"]
        subprocess.run([*scan, "--no-progress"], cwd=work, capture_output=True, env=os.environ, timeout=300)
        page = Path(work) / "report.html"
        screenshot(browser, page.as_uri(), IMAGES / "html_report.png", 1180)
        # headless Chromium photographs the top of a page: the same page with what precedes typo.txt hidden
        hide = "header, #summary, #reports, #failing > p, .gds-failing-report:not(#report-2) { display: none; }"
        tables = Path(work) / "tables.html"
        tables.write_text(page.read_text("utf-8").replace("</head>", f"<style>{hide}</style></head>", 1), "utf-8")
        screenshot(browser, tables.as_uri(), IMAGES / "html_report_tables.png", 1080)


if __name__ == "__main__":
    main()
