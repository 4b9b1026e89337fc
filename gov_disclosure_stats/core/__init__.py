"""Layer 1, core: what the reports look like and how they are checked, as data.

The official layouts (``layouts``, read from ``data/layouts.yaml``), the rule catalog and the rule
language (``rules``, ``data/rules.yaml``), a printed cell's value and status (``values``), the
exceptions (``errors``), the limits of one load (``limits``), byte decoding (``encoding``), the
matching of printed labels to template rows (``labels``) and columns for new pandas frames (``frames``).

May import: the standard library and third-party packages only; no other layer of the package.
"""

__version__ = "0.1.0"
"""The package's version (as in pyproject.toml)."""
