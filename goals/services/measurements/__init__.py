"""Writes of measurements: the one agreed target and actual of a KPI for a period.

`measurement_upsert` writes one; `measurements_bulk_upsert` writes many all-or-nothing: every row is
checked first and any error (per row, per field) writes nothing. Each change is audited (one audit row
per measurement created or changed; unchanged rows are not rewritten) and kept in the measurement's
history. A closed period is read-only.

Values: numbers (int, Decimal, finite float, or text such as "1,234.5") with at most 16 digits before the
decimal point; more than 4 decimals are rounded half-up. A target is required for a new measurement;
leaving it out of an update keeps the stored target. An empty actual means "no actual yet".

`values` (parsing numbers and notes, the bulk result), `writes` (one or many measurements),
`importing` (the Excel/CSV import of one period).
"""
