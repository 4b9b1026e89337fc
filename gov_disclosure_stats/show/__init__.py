"""Layer 6, show: reports and results for people.

``printed`` holds what every view shares (verdicts, cell markings, texts); ``display`` draws HTML for
notebooks (``to_html``); ``render`` draws terminal tables (rich); ``plot`` charts failure rates.

May import: every layer below (``core``, ``model``, ``loading``, ``validation``, ``analysis``).
"""
