"""Writes of responsibility matrices. Keyword-only, atomic, audited; invalid input raises `ValidationError`.

Rules checked here (they need all rows at once):
- exactly one lead, and shares (each > 0, at most two decimals) that add up to exactly 100;
- every row's unit and evaluation KPI belong to the tenant (another tenant's id reads as missing);
- a unit appears once per matrix;
- a version takes effect from an open period, and no closed period changes how it was scored: editing a
  version that closed periods were scored with is refused (add a new version from an open period instead),
  a new version takes effect from the current version's start or later, so earlier periods stay untouched,
  and a first version over a period whose first months are closed applies to the open periods only (the
  closed ones, scored without a matrix, keep their scores): `matrix_period_check`, the one rule the save,
  the editor's choices, its live check and the API share.

Row errors are keyed like form-set fields, "rows-<index>-<field>" (index from 0), whole-matrix errors
"rows"; pages put them next to the inputs and the API returns them as JSON field errors. Stale saves
(the editor's `lock_version` is not the stored one) raise `StaleEditError` naming who changed it.

`rows` (the row rules and the live summary), `periods` (which period a version may take effect from),
`matrices` (create, new version, correct).
"""
