"""Layer 3, loading: a file becomes a ``Report``.

``readers`` turn bytes into blocks (one reader per format, chosen by ``readers.pick_reader``);
``flow`` finds tables in flowing text; ``digits`` splits digits printed run together; ``assemble``
places the blocks' rows and columns on the template; ``loader`` (``load``, ``loads``) ties them together.

May import: ``core``, ``model``.
"""
