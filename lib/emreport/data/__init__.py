"""The data stage: the input tables declared once (schema), read from the analysts' workbooks
and CSV files (sources, xlsxscan, cells), checked (validate, problems), ingested into one DuckDB
store beside its own companion folder (ingest, companions, store), and the periods, input
template, sample data and data-model wording built from the same declarations."""
