"""Responsibility matrix pages (责任量化 · 差异化关联矩阵).

HR admins create matrices, correct a version, add a version from a later period and compare versions;
managers, committee members and auditors read; employees have no access. The row editor validates live:
every change posts the form to `matrix_validate`, which runs the service's own row rules
(`responsibility.services.rows.matrix_rows_clean`, no writes) and answers the summary (share sum, leads) and
each row's messages. Saves carry `lock_version`; a stale save is refused naming who changed the matrix and
when, and the editor keeps what was typed. Every page runs a fixed number of queries.

`common` (the editor's context and posted rows), `listing`, `detail`, `editors` (create, correct, new
version), `live` (the editor's live check), `compare`.
"""
