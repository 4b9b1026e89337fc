"""Layer 4, validation: reports checked against the rules.

``engine`` compiles a rule set per layout and checks a ``CellMatrix`` (``validate``); ``narrative``
checks the figures stated in a report's prose against its tables (called by the engine); ``schemas``
gives the layouts and rules as pandera schemas; ``dask_frames`` checks a Dask DataFrame partition by
partition with the engine; ``api`` holds the package's ``validate``, which sends each input to one of them.

May import: ``core``, ``model``, ``loading``.
"""
