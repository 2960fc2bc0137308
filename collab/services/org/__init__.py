"""Organisation writes: the unit tree, positions, employees and periods.

Every function is keyword-only, atomic and audited. Invalid input raises Django's `ValidationError` keyed
by field, so forms show it next to the field and the API answers it as a JSON field error.

The unit tree is a materialised path: `path` is "/<ancestor ids>/<own id>/" and `depth` the number of
ancestors. A move rewrites the whole subtree in one UPDATE. Tree writes lock the rows on the paths they
depend on (ancestors of the unit and of the new parent), so concurrent moves cannot interleave.

`ensure_period_open(period)` is the guard every area calls before writing anything that belongs to a period.

`checks` (validation and look-ups every org write shares), `units`, `positions`, `employees`,
`periods`, and `importing` (the Excel/CSV importers, which write every row through the services above).
"""
