"""Layer 5, analysis: what is done with validated reports.

``localize`` finds the fewest cells to change so that the hard rules hold (``slips`` names the
printing slip a change undoes); ``comparison`` diffs and compares collections; ``aggregation``
sums reports; ``corpus`` loads and writes folders of reports (``load_many``, in local worker
processes or on a Dask cluster).

May import: ``core``, ``model``, ``loading``, ``validation``.
"""
