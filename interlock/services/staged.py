"""Set-based writes of computed rows through a staging table (what a recompute stores).

The rows to write go first into a temporary table shaped like the stored one (`Stage`), then into the stored
table with one statement per kind of change: `UPDATE … FROM stage` (by primary key, or by keys comparing the
values), `INSERT … SELECT … FROM stage`, `DELETE … WHERE NOT EXISTS (stage row)`. Each statement is one pass
over the stored rows, however many rows change, and no statement text carries the values.

Filling the stage: on PostgreSQL `COPY … FROM STDIN` in text format, streamed — the rows are formatted and
sent a chunk at a time as the caller makes them (an iterator of chunks), so a period's rows never exist as
one text and the server parses one chunk while the next is made; on SQLite one `executemany` per chunk. The
temporary table is the session's own (`ON COMMIT DROP` on PostgreSQL, and dropped after use on both), so it
needs the database's TEMPORARY privilege, which PostgreSQL grants to every role by default. Row-level
security applies to the stored table as to any statement of the caller's role and transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connection, models

NULL = "\\N"
CHUNK = 2000  # rows a caller hands over at a time: bounds what is formatted at once


def _escape(text: str) -> str:
    """A text value as COPY's text format spells it (backslash, tab and line breaks escaped)."""
    if "\\" in text:
        text = text.replace("\\", "\\\\")
    if "\t" in text or "\n" in text or "\r" in text:
        text = text.replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    return text


def _texts(values: Any, kind: str) -> list[str]:
    """One column of a chunk as COPY text values: `values` a list (None for NULL) or a numpy array (floats:
    NaN for NULL); `kind` "int", "float", "bool" or "text" (decimals and JSON come as their text)."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f" and kind == "int":  # ids as floats, NaN for none
            return [NULL if v != v else str(int(v)) for v in values.tolist()]
        if kind == "float":
            floats = values.astype(np.float64, copy=False)
            made = list(map(float.__repr__, floats.tolist()))
            for at in np.flatnonzero(np.isnan(floats)).tolist():
                made[at] = NULL
            return made
        if kind == "bool":
            return np.where(values.astype(bool), "t", "f").tolist()
        if kind == "int":
            return list(map(str, values.tolist()))
        values = values.tolist()
    if kind == "text":
        return [NULL if v is None else _escape(v if isinstance(v, str) else str(v)) for v in values]
    if kind == "bool":
        return [NULL if v is None else ("t" if v else "f") for v in values]
    if kind == "float":
        return [NULL if v is None or v != v else float.__repr__(float(v)) for v in values]
    return [NULL if v is None else str(v) for v in values]


def _kind(field: models.Field) -> str:
    internal = field.get_internal_type()
    if field.is_relation or internal in ("AutoField", "BigAutoField") or "IntegerField" in internal:
        return "int"
    if internal == "FloatField":
        return "float"
    if internal == "BooleanField":
        return "bool"
    return "text"  # text, decimals (their text), JSON (its text)


@dataclass(frozen=True)
class Column:
    name: str  # the field's name ("org_unit"), or "id" for the primary key
    column: str  # the database column ("org_unit_id"), quoted
    kind: str


class Stage:
    """A temporary table with the primary key (`with_pk`: to update rows by it; NULL for a row to insert) and
    some fields of `model`, each of its field's database type; `fill` adds rows a chunk at a time."""

    def __init__(self, model, fields: Sequence[str], *, with_pk: bool = False) -> None:
        quote = connection.ops.quote_name
        meta = model._meta
        self.model = model
        self.table = quote(meta.db_table)
        self.name = quote(f"stage_{meta.model_name}")
        found = [meta.get_field(name) for name in fields]
        self.columns = [Column(f.name, quote(f.column), _kind(f)) for f in found]
        types = [f.db_type(connection) for f in found]
        if with_pk:
            self.columns.insert(0, Column("id", quote(meta.pk.column), "int"))
            types.insert(0, "bigint")
        self.rows = 0
        definition = ", ".join(f"{c.column} {t}" for c, t in zip(self.columns, types, strict=True))
        drop = " ON COMMIT DROP" if connection.vendor == "postgresql" else ""
        with connection.cursor() as cursor:
            cursor.execute(f"CREATE TEMPORARY TABLE {self.name} ({definition}){drop}")

    def fill(self, chunks: Iterable[dict[str, Any]]) -> int:
        """Add the rows of `chunks` (each: field name → equal-length list or array, "id" for the primary
        key); returns how many. PostgreSQL: one COPY reading the chunks as it goes."""
        before = self.rows
        if connection.vendor == "postgresql":
            names = ", ".join(c.column for c in self.columns)
            with connection.cursor() as cursor:
                cursor.copy_expert(f"COPY {self.name} ({names}) FROM STDIN", _Reader(self._lines(chunks)))
        else:
            marks = ", ".join(["%s"] * len(self.columns))
            with connection.cursor() as cursor:
                for chunk in chunks:
                    rows = list(zip(*(_plain(chunk[c.name]) for c in self.columns), strict=True))
                    cursor.executemany(f"INSERT INTO {self.name} VALUES ({marks})", rows)  # noqa: S608
                    self.rows += len(rows)
        return self.rows - before

    def _lines(self, chunks: Iterable[dict[str, Any]]) -> Iterator[str]:
        for chunk in chunks:
            columns = [_texts(chunk[c.name], c.kind) for c in self.columns]
            if columns and columns[0]:
                self.rows += len(columns[0])
                yield "\n".join(map("\t".join, zip(*columns, strict=True))) + "\n"

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE {self.name}")

    # ------------------------------------------------------------------------------------ statements

    def _set(self, names: Sequence[str], stamp: dict[str, Any], alias: str = "s") -> tuple[str, list]:
        quote = connection.ops.quote_name
        meta = self.model._meta
        sets = [f"{quote(meta.get_field(name).column)} = %s" for name in stamp]
        sets += [f"{c.column} = {alias}.{c.column}" for c in self.columns if c.name in names]
        return ", ".join(sets), list(stamp.values())

    def update_by_pk(self, stamp: dict[str, Any]) -> int:
        """Update the stored rows whose primary key a stage row names with its values and `stamp`."""
        sets, params = self._set([c.name for c in self.columns if c.name != "id"], stamp)
        pk = self.columns[0].column
        sql = f"UPDATE {self.table} AS t SET {sets} FROM {self.name} AS s WHERE t.{pk} = s.{pk}"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.rowcount

    def insert(self, fixed: dict[str, Any], *, where: str = "", params: Sequence[Any] = ()) -> int:
        """Insert the stage rows (those matching `where` and its `params`, on alias `s`) with the `fixed`
        values."""
        quote = connection.ops.quote_name
        meta = self.model._meta
        values = [c for c in self.columns if c.name != "id"]
        targets = [quote(meta.get_field(name).column) for name in fixed] + [c.column for c in values]
        marks = ", ".join(["%s"] * len(fixed) + [f"s.{c.column}" for c in values])
        sql = f"INSERT INTO {self.table} ({', '.join(targets)}) SELECT {marks} FROM {self.name} AS s"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql + (f" WHERE {where}" if where else ""), [*fixed.values(), *params])
            return cursor.rowcount

    def insert_new(self, fixed: dict[str, Any]) -> int:
        """Insert the stage rows that name no stored row (a NULL primary key) with the `fixed` values."""
        return self.insert(fixed, where=f"s.{self.columns[0].column} IS NULL")

    def merge(self, *, keys: Sequence[str], scope: dict, stamp: dict) -> tuple[int, int, int]:
        """Bring the stored rows of `scope` (field → value, or a list of values) to the stage, row by row
        matched on `keys`: delete the stored rows no stage row has, update those whose values differ (NULLs
        compare as values), insert the stage rows not stored; the rest stay as they are. `stamp` (version,
        time) goes on every row written, with the scope's single values on inserted ones. Returns
        (inserted, updated, deleted)."""
        quote = connection.ops.quote_name
        meta = self.model._meta
        column = {c.name: c.column for c in self.columns}
        where, params = [], []
        for name, value in scope.items():
            target = quote(meta.get_field(name).column)
            if isinstance(value, list):
                where.append(f"t.{target} IN ({', '.join(['%s'] * len(value))})" if value else "1 = 0")
                params += value
            else:
                where.append(f"t.{target} = %s")
                params.append(value)
        stored = " AND ".join(where)
        same_key = " AND ".join(f"s.{column[k]} = t.{column[k]}" for k in keys)
        distinct = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"  # NULL-safe
        values = [c.column for c in self.columns if c.name not in keys]
        differ = " OR ".join(f"t.{v} {distinct} s.{v}" for v in values) or "1 = 0"
        fixed = {**{k: v for k, v in scope.items() if not isinstance(v, list)}, **stamp}
        written = [c.name for c in self.columns if c.name not in keys]
        if connection.vendor == "postgresql":
            sets, stamped = self._set(written, stamp, alias="j")
            return self._merge_once(
                column[keys[0]], stored, same_key, differ, sets, [*params, *stamped, *fixed.values()], fixed
            )
        sets, stamped = self._set(written, stamp)
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {self.table} AS t WHERE {stored} AND NOT EXISTS "  # noqa: S608
                f"(SELECT 1 FROM {self.name} AS s WHERE {same_key})",
                params,
            )
            deleted = cursor.rowcount
            cursor.execute(
                f"UPDATE {self.table} AS t SET {sets} FROM {self.name} AS s "  # noqa: S608
                f"WHERE {stored} AND {same_key} AND ({differ})",
                stamped + params,
            )
            updated = cursor.rowcount
        new = f"NOT EXISTS (SELECT 1 FROM {self.table} AS t WHERE {stored} AND {same_key})"  # noqa: S608
        return self.insert(fixed, where=new, params=params), updated, deleted

    def _merge_once(self, key, stored, same_key, differ, sets, params, fixed) -> tuple[int, int, int]:
        """`merge` on PostgreSQL: one statement — one full join of the stage with the stored rows tells
        each row gone, new, changed or the same, and the three writes read it."""
        quote = connection.ops.quote_name
        meta = self.model._meta
        pk = quote(meta.pk.column)
        names = [c.column for c in self.columns]
        targets = [quote(meta.get_field(name).column) for name in fixed] + names
        values = ["%s"] * len(fixed) + [f"j.{n}" for n in names]
        sql = (
            f"WITH j AS MATERIALIZED (SELECT t.{pk} AS stored_pk, s.{key} IS NULL AS gone, "  # noqa: S608
            f"t.{pk} IS NULL AS new, ({differ}) AS differs, {', '.join(f's.{n}' for n in names)} "
            f"FROM {self.name} AS s FULL JOIN (SELECT * FROM {self.table} AS t WHERE {stored}) AS t "
            f"ON {same_key}), "
            f"gone AS (DELETE FROM {self.table} AS t USING j WHERE j.gone AND t.{pk} = j.stored_pk "
            "RETURNING 1), "
            f"changed AS (UPDATE {self.table} AS t SET {sets} FROM j "
            f"WHERE NOT j.gone AND NOT j.new AND j.differs AND t.{pk} = j.stored_pk RETURNING 1), "
            f"added AS (INSERT INTO {self.table} ({', '.join(targets)}) SELECT {', '.join(values)} FROM j "
            "WHERE j.new RETURNING 1) "
            "SELECT (SELECT count(*) FROM added), (SELECT count(*) FROM changed), (SELECT count(*) FROM gone)"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            inserted, updated, deleted = cursor.fetchone()
        return inserted, updated, deleted


def chunks(columns: dict[str, Any], size: int = CHUNK) -> Iterator[dict[str, Any]]:
    """`columns` (name → equal-length list or array) `size` rows at a time, for `Stage.fill`."""
    n = len(next(iter(columns.values()))) if columns else 0
    for start in range(0, n, size):
        yield {name: values[start : start + size] for name, values in columns.items()}


def _plain(values: Any) -> list:
    """A chunk's column as SQLite takes it: numpy values as Python ones, NaN as None."""
    if isinstance(values, np.ndarray):
        if values.dtype.kind == "f":
            return [None if v != v else v for v in values.tolist()]
        return values.tolist()
    return list(values)


class _Reader:
    """A file psycopg2's `copy_expert` reads: each `read` returns the next text of `lines` (psycopg2 sends
    whatever length a read returns, and encodes text in the connection's encoding), "" at the end."""

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines = lines

    def read(self, size: int = -1) -> str:
        return next(self.lines, "")

    readline = read
