"""The readers: CSV and Excel with a column mapping, XES as a stream."""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Iterator, Mapping
from contextlib import ExitStack, contextmanager
from typing import IO, Any

import numpy as np
import pandas as pd
from lxml import etree

from alerts.engine.eventlog.fields import parse_fields
from alerts.engine.eventlog.frame import (
    ACTIVITY,
    CASE,
    LIFECYCLE,
    RESOURCE,
    TIMESTAMP,
    UNIT,
    UTC,
    ColumnMapping,
    Errors,
    Progress,
    Source,
    finish,
)


def read_csv(
    source: Source,
    mapping: ColumnMapping,
    *,
    sep: str = ",",
    encoding: str = "utf-8-sig",
    naive_zone: str = UTC,
    timestamp_format: str | None = None,
    chunk_rows: int = 200_000,
    max_errors: int = 100,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """A CSV event log (plain or compressed, pandas infers it from a path's suffix), read in chunks of
    `chunk_rows` rows so a million-event file is never held as text all at once."""
    wanted = mapping.columns()
    errors = Errors(max_errors)
    source = _rewindable(source)
    parts, read = [], 0
    try:
        header = pd.read_csv(source, sep=sep, encoding=encoding, nrows=0, compression="infer")
        _check_headers(list(header.columns), wanted, errors)
        _rewind(source)
        headers = set(wanted.values())
        reader = pd.read_csv(
            source,
            sep=sep,
            encoding=encoding,
            dtype=str,
            keep_default_na=False,
            skip_blank_lines=False,
            usecols=lambda name: name in headers,
            chunksize=chunk_rows,
            compression="infer",
        )
        for chunk in reader:
            texts = {field: chunk[header] for field, header in wanted.items()}
            rows = np.arange(read, read + len(chunk)) + 2  # the header is row 1
            parts.append(
                parse_fields(texts, rows, errors, naive_zone=naive_zone, timestamp_format=timestamp_format)
            )
            read += len(chunk)
            if progress:
                progress(read)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        errors.add(0, "", f"not a readable CSV file: {exc}")
        errors.raise_if_any()
    return finish(parts, errors)


def read_excel(
    source: Source,
    mapping: ColumnMapping,
    *,
    sheet: str | int = 0,
    naive_zone: str = UTC,
    timestamp_format: str | None = None,
    max_errors: int = 100,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """An Excel (.xlsx) event log, first row the headers; date cells are read in `naive_zone`."""
    wanted = mapping.columns()
    errors = Errors(max_errors)
    try:
        sheet_frame = pd.read_excel(source, sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl and zipfile raise many kinds of error for what is not a workbook
        errors.add(0, "", f"not a readable Excel file: {exc}")
        errors.raise_if_any()
    _check_headers([str(name) for name in sheet_frame.columns], wanted, errors)
    sheet_frame.columns = [str(name) for name in sheet_frame.columns]
    texts = {field: _cells_as_text(sheet_frame[header]) for field, header in wanted.items()}
    rows = np.arange(len(sheet_frame)) + 2
    part = parse_fields(texts, rows, errors, naive_zone=naive_zone, timestamp_format=timestamp_format)
    if progress:
        progress(len(sheet_frame))
    return finish([part], errors)


def read_xes(
    source: Source,
    *,
    unit_attribute: str = "org:group",
    resource_attribute: str = "org:resource",
    naive_zone: str = UTC,
    max_errors: int = 100,
    progress: Progress | None = None,
    progress_every: int = 50_000,
) -> pd.DataFrame:
    """An XES log (gzip-compressed or not), parsed as a stream: when a trace's element ends, its events'
    attributes are collected as text and the element is freed, so memory follows the events kept, not the
    XML tree.

    Case id: the trace's `concept:name`; activity: the event's `concept:name`; timestamp: `time:timestamp`;
    `lifecycle:transition` pairs starts with completes; unit and resource from the attributes named.
    Attributes nested inside attributes (XES meta-attributes) and the log's global defaults are not events'.
    """
    key_of = {
        ACTIVITY: "concept:name",
        TIMESTAMP: "time:timestamp",
        LIFECYCLE: "lifecycle:transition",
        UNIT: unit_attribute,
        RESOURCE: resource_attribute,
    }
    attributes: list[dict] = []  # per event {key: value} of its own (not nested) attributes
    event_lines: list[int] = []
    event_trace: list[int] = []
    case_names: list[str | None] = []
    trace_lines: list[int] = []
    errors = Errors(max_errors)
    reported = 0
    try:
        with _xes_stream(source) as stream:
            # One step per trace (not per element): the trace's subtree is read, then freed.
            parser = etree.iterparse(
                stream, tag="{*}trace", huge_tree=True, resolve_entities=False, no_network=True
            )
            for _event, trace in parser:
                trace_number = len(case_names)
                for event in trace.iterchildren("{*}event"):
                    attributes.append({child.get("key"): child.get("value") for child in event})
                    event_lines.append(event.sourceline or 0)
                    event_trace.append(trace_number)
                case_names.append(_trace_name(trace))
                trace_lines.append(trace.sourceline or 0)
                trace.clear()
                log = trace.getparent()
                while trace.getprevious() is not None:
                    del log[0]  # free the traces (and the log's header elements) already read
                if progress and len(event_lines) - reported >= progress_every:
                    reported = len(event_lines)
                    progress(reported)
    except etree.XMLSyntaxError as exc:
        errors.add(exc.lineno or 0, "", f"not a readable XES file: {exc.msg}")
        errors.raise_if_any()
    if not event_lines:
        errors.add(0, "", "the log holds no events")
        errors.raise_if_any()
    owner = np.asarray(event_trace, dtype=np.int64)
    cases = pd.Series(case_names, dtype=object)
    missing_case = (cases.isna() | (cases.fillna("").str.strip() == "")).to_numpy()
    if missing_case.any():
        errors.add_rows(np.array(trace_lines)[missing_case], CASE, "the trace has no concept:name (case id)")
    # A trace without a case id is reported once above, not at each of its events.
    case_text = cases.fillna("?").where(~missing_case, "?").to_numpy()[owner]
    table = pd.DataFrame.from_records(attributes, columns=list(dict.fromkeys(key_of.values())))
    texts = {
        field: pd.Series(table[key].to_numpy(dtype=object, na_value="")) for field, key in key_of.items()
    }
    texts[CASE] = pd.Series(case_text, dtype=object)
    if progress:
        progress(len(event_lines))
    part = parse_fields(texts, np.asarray(event_lines, dtype=np.int64), errors, naive_zone=naive_zone,
                  timestamp_format=None, trim=False)  # fmt: skip
    return finish([part], errors)


def _trace_name(trace: Any) -> str | None:
    """The trace's own `concept:name` (its case id), not one of its events'."""
    for attribute in trace.iterchildren("{*}string", "{*}id", "{*}int"):
        if attribute.get("key") == "concept:name":
            return attribute.get("value")
    return None


def _check_headers(headers: list[str], wanted: Mapping[str, str], errors: Errors) -> None:
    for field, header in wanted.items():
        if header not in headers:
            errors.add(0, field, f"the file has no column {header!r}")
    errors.raise_if_any()


def _cells_as_text(cells: pd.Series) -> pd.Series:
    """Excel cells as text: dates in ISO form, whole numbers without ".0", empty cells as ""."""
    text = cells.map(_cell_text, na_action="ignore")
    return text.where(cells.notna(), "")


def _cell_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat(sep=" ") if hasattr(value, "hour") else value.isoformat()
    return str(value)


def _rewindable(source: Source) -> Source:
    if isinstance(source, str | os.PathLike) or source.seekable():
        return source
    return io.BytesIO(source.read())


def _rewind(source: Source) -> None:
    if not isinstance(source, str | os.PathLike):
        source.seek(0)


@contextmanager
def _xes_stream(source: Source) -> Iterator[IO[bytes]]:
    """A binary stream of the XES text, gunzipped when it starts with gzip's magic bytes; closes only what it
    opened."""
    with ExitStack() as opened:
        if isinstance(source, str | os.PathLike):
            raw = opened.enter_context(open(source, "rb"))  # noqa: SIM115
        else:
            raw = source if source.seekable() else io.BytesIO(source.read())
        magic = raw.read(2)
        raw.seek(raw.tell() - len(magic))
        yield opened.enter_context(gzip.GzipFile(fileobj=raw)) if magic == b"\x1f\x8b" else raw
