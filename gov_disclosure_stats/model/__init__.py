"""Layer 2, model: the objects the other layers hand each other.

The blocks a reader produces (``grid``), load issues (``issues``), one report (``report.Report``),
many reports as a matrix (``matrix.CellMatrix``) or a keyed collection (``collection.ReportSet``),
what validation found (``result.ValidationResult``) and generated reports (``synth``).

May import: ``core``. A model method whose work is done higher up (``Report._repr_html_``,
``Report.to_wide``, ``ReportSet.validate``, ``ValidationResult._repr_html_``) calls it through
``model.upcalls``, which the package ``__init__`` fills.
"""
