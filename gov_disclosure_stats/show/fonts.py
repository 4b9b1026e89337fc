"""Finding an installed font with Chinese glyphs for the charts (matplotlib), once per process.

matplotlib keeps a cached list of the fonts it found when it first ran; a font installed after
that (``apt-get install fonts-noto-cjk``) is missing from it, and Chinese text then falls back to
DejaVu Sans, drawn as empty boxes. :func:`cjk_font` looks in that list first, then among the
system's font files, and adds the one it takes to matplotlib's font manager (never to the user's
``rcParams``). :func:`families` gives the family list a Text uses, so that matplotlib's font
fallback draws Latin text in the user's font and Chinese in the CJK one.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import warnings
from collections.abc import Iterable
from functools import cache

PREFERRED = (
    "Noto Sans CJK SC",
    "Noto Sans SC",
    "Source Han Sans SC",
    "Source Han Sans CN",
    "WenQuanYi Zen Hei",
    "WenQuanYi Micro Hei",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "Noto Sans CJK",
    "Source Han Sans",
    "Hiragino Sans GB",
    "Heiti SC",
    "STHeiti",
    "Noto Sans Mono CJK SC",
    "Noto Serif CJK SC",
    "Source Han Serif",
    "Droid Sans Fallback",
    "AR PL UMing",
    "AR PL UKai",
    "Arial Unicode MS",
)
"""Families with Chinese glyphs, best first (a name matches a family that starts with it)."""
_FILES = re.compile(
    r"noto\w*cjk|notosans(sc|tc)|sourcehan|wqy|wenquanyi|msyh|simhei|simsun|pingfang|hiragino|stheiti|"
    r"droidsansfallback|uming|ukai|arialuni",
    re.IGNORECASE,
)
"""File names of such fonts, for those matplotlib's cached font list does not know yet."""
_PROBE = "国务院办公厅"
INSTALL_ZH = (
    "请安装中文字体，如 Debian/Ubuntu 的 fonts-noto-cjk（apt-get install fonts-noto-cjk）、"
    "Fedora 的 google-noto-sans-cjk-fonts 或思源黑体"
)
INSTALL_EN = (
    "install a Chinese font such as fonts-noto-cjk (Debian/Ubuntu: apt-get install fonts-noto-cjk), "
    "google-noto-sans-cjk-fonts (Fedora) or Source Han Sans"
)


class MissingFontWarning(UserWarning):
    """No installed font has Chinese glyphs: chart labels fall back to English (warned once per process)."""


_warned = False


def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None (looked up once per process)."""
    return _find()


@cache
def _find() -> str | None:
    from matplotlib import font_manager

    known = _best(entry.name for entry in font_manager.fontManager.ttflist)
    if known:
        return known
    seen = {entry.fname for entry in font_manager.fontManager.ttflist}
    files = [f for f in font_manager.findSystemFonts() if f not in seen and _FILES.search(f)]
    files += [f for f in _fontconfig_files() if f not in seen and f not in files]
    for path in files:
        try:
            font_manager.fontManager.addfont(path)
        except (OSError, RuntimeError, ValueError):  # unreadable or not a font matplotlib can use
            continue
    added = [e.name for e in font_manager.fontManager.ttflist if e.fname in files]
    return _best(added) or next((name for name in added if _draws_chinese(name)), None)


def _best(names: Iterable[str]) -> str | None:
    """The most preferred of ``names`` that :data:`PREFERRED` lists and that has Chinese glyphs."""
    present = set(names)
    for wanted in PREFERRED:
        for name in sorted(n for n in present if n.lower().startswith(wanted.lower())):
            if _draws_chinese(name):
                return name
    return None


def _draws_chinese(name: str) -> bool:
    from matplotlib import font_manager

    try:
        path = font_manager.findfont(font_manager.FontProperties(family=name), fallback_to_default=False)
        font = font_manager.get_font(path)
    except (OSError, RuntimeError, ValueError):
        return False
    return all(font.get_char_index(ord(c)) for c in _PROBE)


def _fontconfig_files() -> list[str]:
    """Font files that fontconfig says cover Chinese (``fc-list :lang=zh``), where fontconfig is installed."""
    fc_list = shutil.which("fc-list")
    if not fc_list:
        return []
    try:
        out = subprocess.run([fc_list, ":lang=zh", "file"], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return []
    files = {line.strip().rstrip(":") for line in out.stdout.splitlines() if line.strip()}
    return sorted(f for f in files if f.lower().endswith((".ttf", ".otf", ".ttc")))


def families(font: str) -> list[str]:
    """The family list for a Text: the user's ``font.family`` first, then ``font`` for what it lacks."""
    import matplotlib

    return [*matplotlib.rcParams["font.family"], font]


def warn_missing(zh: str, en: str) -> None:
    """Warn once per process that no Chinese font was found and the chart shows ``zh`` / ``en`` instead."""
    global _warned
    if _warned:
        return
    _warned = True
    warnings.warn(
        f"没有找到可显示中文的字体，图中改用{zh}。{INSTALL_ZH} / "
        f"no font with Chinese glyphs found: the chart shows {en}; {INSTALL_EN}",
        MissingFontWarning,
        stacklevel=3,
    )
