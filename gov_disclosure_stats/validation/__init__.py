"""Layer 4, validation: reports checked against the rules.

``engine`` compiles a rule set per layout and checks a ``CellMatrix`` (``validate``); ``narrative``
checks the figures stated in a report's prose against its tables (called by the engine); ``schemas``
gives the layouts and rules as pandera schemas.

May import: ``core``, ``model``, ``loading``.
"""
