"""Layer 6, show: reports and results for people.

``printed`` holds what every view shares (verdicts, cell markings, texts); ``display`` draws HTML for
notebooks (``to_html``); ``html_report`` makes one self-contained page of a scan from it; ``render`` draws
terminal tables (rich); ``corrections`` shows ``gds localize``'s corrections; ``plot`` charts failure
rates, in a CJK font that ``fonts`` finds.

May import: every layer below (``core``, ``model``, ``loading``, ``validation``, ``analysis``).
"""
