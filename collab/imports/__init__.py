"""All-or-nothing tabular imports from Excel (.xlsx) or CSV, with a dry run, and exports that import back.

`tabular`: `TabularImport`, the base every import subclasses (reading, headers, dry run, commit); `table`:
the parsed table, columns, row errors and results; `ordering`: parents before children; `export`: .xlsx out.
"""
