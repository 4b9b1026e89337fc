"""The command line of the docs' generators: print the generated part of a page, or write it into the page.

python docs/gen_rules.py            # print
python docs/gen_rules.py --write    # replace the part between the page's BEGIN and END markers
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def main(generate: Callable[[], str], page: Path, begin: str, end: str) -> None:
    """Print ``generate()``, or with ``--write`` put it in ``page`` in place of its generated part."""
    if sys.argv[1:] != ["--write"]:
        sys.stdout.write(generate())
        return
    text = page.read_text("utf-8")
    start, stop = text.index(begin), text.index(end) + len(end) + 1
    page.write_text(text[:start] + generate() + text[stop:], "utf-8")
