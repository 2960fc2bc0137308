"""Event logs read into one normalised pandas frame for process mining (issue 12 §6).

Readers: `read_csv` and `read_excel` take a `ColumnMapping` (which header holds the case id, the activity, the
timestamp, …); `read_xes` reads IEEE 1849 XES, plain or gzip-compressed, as process-mining tools export it
(the BPI Challenge logs among them). Each returns the same frame, one row per (completed) event, sorted by
case and then by time (ties keep the file's order):

    case                  categorical: the case id as text
    activity              categorical: integer codes (`.cat.codes`) over the names (`.cat.categories`)
    timestamp             datetime64[ns, UTC]: when the event completed, as an instant
    offset_minutes        int16: the UTC offset the timestamp was written with (+08:00 → 480)
    start_timestamp       datetime64[ns, UTC], NaT where the log has no start for the event
    start_offset_minutes  Int16 (nullable): the offset the start was written with
    unit                  categorical, missing where the log names none (XES: `org:group` by default)
    resource              categorical, missing where the log names none (XES: `org:resource`)

Time zones: a timestamp keeps the zone it was written in — the instant in `timestamp`, the written offset in
`offset_minutes` (`written_timestamps` gives the text back) — so nothing is silently shifted, and durations
are differences of instants. A timestamp written without a zone is read in `naive_zone` (the tenant's zone;
UTC by default), its offset being that zone's offset at that instant.

Lifecycle (XES `lifecycle:transition`, or a mapped CSV column): a `start` is paired with the next `complete`
of the same activity in the same case, which gets it as `start_timestamp`; other transitions (schedule,
assign, suspend, …) and starts that no complete follows are not events of the frame, and are counted in
`frame.attrs["ignored"]` ({transition: count}; unmatched starts as "start").

Errors are all-or-nothing: every row is checked, and if any is wrong `EventLogError` is raised with the list
of `RowError(row, field, message)` — the row as the user sees it (a CSV or Excel row with the header as row
1, an XES line), 0 for the whole file; at most `max_errors` are listed, `total` counts them all. Missing
columns, empty case ids or activities, missing or unreadable timestamps and unreadable start timestamps are
errors; an empty unit or resource is not.
"""

from __future__ import annotations

import gzip
import io
import os
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, fields
from typing import IO, Any

import numpy as np
import pandas as pd
from lxml import etree
from pandas.tseries.api import guess_datetime_format

CASE = "case"
ACTIVITY = "activity"
TIMESTAMP = "timestamp"
OFFSET = "offset_minutes"
START = "start_timestamp"
START_OFFSET = "start_offset_minutes"
UNIT = "unit"
RESOURCE = "resource"
COLUMNS = (CASE, ACTIVITY, TIMESTAMP, OFFSET, START, START_OFFSET, UNIT, RESOURCE)

# The mapped fields a reader fills before normalising, and the one that says which lifecycle step a row is.
LIFECYCLE = "lifecycle"
_TEXT_FIELDS = (CASE, ACTIVITY, TIMESTAMP, START, UNIT, RESOURCE, LIFECYCLE)
_ROW = "_row"

_UTC = "UTC"
_NS = "datetime64[ns, UTC]"

Source = str | os.PathLike | IO[bytes]
Progress = Callable[[int], None]


@dataclass(frozen=True)
class RowError:
    row: int  # as the user sees it: a CSV/Excel row (header = 1) or an XES line; 0 for the whole file
    field: str  # one of the frame's fields (case, activity, timestamp, …) or "" for the whole row or file
    message: str


class EventLogError(ValueError):
    """The log could not be read; nothing of it is used."""

    def __init__(self, errors: list[RowError], total: int | None = None):
        self.errors = errors
        self.total = len(errors) if total is None else total
        shown = "; ".join(f"row {e.row} {e.field}: {e.message}" for e in errors[:5])
        more = f" (and {self.total - 5} more)" if self.total > 5 else ""
        super().__init__(f"{self.total} error(s) in the event log: {shown}{more}")


@dataclass(frozen=True)
class ColumnMapping:
    """Which column of a CSV or Excel file holds each field (its header as written); None: not in the file."""

    case: str
    activity: str
    timestamp: str
    start_timestamp: str | None = None
    unit: str | None = None
    resource: str | None = None
    lifecycle: str | None = None  # a column of transitions (start / complete / …), as in a BPI CSV export

    def columns(self) -> dict[str, str]:
        """{frame field: file header} for the fields that are mapped."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


class _Errors:
    """Collects row errors up to a limit and counts all of them."""

    def __init__(self, limit: int):
        self.limit = limit
        self.listed: list[RowError] = []
        self.total = 0

    def add_rows(self, rows: np.ndarray, field: str, messages: pd.Series | str) -> None:
        self.total += len(rows)
        room = self.limit - len(self.listed)
        if room <= 0 or not len(rows):
            return
        texts = [messages] * min(room, len(rows)) if isinstance(messages, str) else list(messages[:room])
        self.listed += [
            RowError(int(row), field, text) for row, text in zip(rows[:room], texts, strict=False)
        ]

    def add(self, row: int, field: str, message: str) -> None:
        self.add_rows(np.array([row]), field, message)

    def raise_if_any(self) -> None:
        if self.total:
            raise EventLogError(sorted(self.listed, key=lambda e: (e.row, e.field)), self.total)


# ----------------------------------------------------------------------------------------------------------
# Readers


def read_csv(
    source: Source,
    mapping: ColumnMapping,
    *,
    sep: str = ",",
    encoding: str = "utf-8-sig",
    naive_zone: str = _UTC,
    timestamp_format: str | None = None,
    chunk_rows: int = 200_000,
    max_errors: int = 100,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """A CSV event log (plain or compressed, pandas infers it from a path's suffix), read in chunks of
    `chunk_rows` rows so a million-event file is never held as text all at once."""
    wanted = mapping.columns()
    errors = _Errors(max_errors)
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
                _parse(texts, rows, errors, naive_zone=naive_zone, timestamp_format=timestamp_format)
            )
            read += len(chunk)
            if progress:
                progress(read)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        errors.add(0, "", f"not a readable CSV file: {exc}")
        errors.raise_if_any()
    return _finish(parts, errors)


def read_excel(
    source: Source,
    mapping: ColumnMapping,
    *,
    sheet: str | int = 0,
    naive_zone: str = _UTC,
    timestamp_format: str | None = None,
    max_errors: int = 100,
    progress: Progress | None = None,
) -> pd.DataFrame:
    """An Excel (.xlsx) event log, first row the headers; date cells are read in `naive_zone`."""
    wanted = mapping.columns()
    errors = _Errors(max_errors)
    try:
        sheet_frame = pd.read_excel(source, sheet_name=sheet, dtype=object, engine="openpyxl")
    except Exception as exc:  # openpyxl and zipfile raise many kinds of error for what is not a workbook
        errors.add(0, "", f"not a readable Excel file: {exc}")
        errors.raise_if_any()
    _check_headers([str(name) for name in sheet_frame.columns], wanted, errors)
    sheet_frame.columns = [str(name) for name in sheet_frame.columns]
    texts = {field: _cells_as_text(sheet_frame[header]) for field, header in wanted.items()}
    rows = np.arange(len(sheet_frame)) + 2
    part = _parse(texts, rows, errors, naive_zone=naive_zone, timestamp_format=timestamp_format)
    if progress:
        progress(len(sheet_frame))
    return _finish([part], errors)


def read_xes(
    source: Source,
    *,
    unit_attribute: str = "org:group",
    resource_attribute: str = "org:resource",
    naive_zone: str = _UTC,
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
    errors = _Errors(max_errors)
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
    part = _parse(texts, np.asarray(event_lines, dtype=np.int64), errors, naive_zone=naive_zone,
                  timestamp_format=None, trim=False)  # fmt: skip
    return _finish([part], errors)


def _trace_name(trace: Any) -> str | None:
    """The trace's own `concept:name` (its case id), not one of its events'."""
    for attribute in trace.iterchildren("{*}string", "{*}id", "{*}int"):
        if attribute.get("key") == "concept:name":
            return attribute.get("value")
    return None


def written_timestamps(events: pd.DataFrame, column: str = TIMESTAMP) -> pd.Series:
    """The timestamps as they were written: ISO 8601 local time with its offset ("2024-03-01T09:00:00+08:00");
    None where there is none."""
    offsets = events[START_OFFSET if column == START else OFFSET].astype("Int64")
    local = events[column].dt.tz_convert(None) + pd.to_timedelta(offsets.fillna(0).to_numpy(), unit="min")
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.removesuffix(".000000")
    codes, uniques = pd.factorize(offsets.fillna(0))
    suffixes = np.array([_offset_text(int(minutes)) for minutes in uniques], dtype=object)
    written = (text + pd.Series(suffixes[codes], index=text.index)).astype(object)
    return written.where(events[column].notna(), None)


# ----------------------------------------------------------------------------------------------------------
# Parsing the text of the fields, shared by the readers


def _parse(
    texts: Mapping[str, pd.Series],
    rows: np.ndarray,
    errors: _Errors,
    *,
    naive_zone: str,
    timestamp_format: str | None,
    trim: bool = True,
) -> pd.DataFrame:
    """Checks and converts one chunk of field texts (aligned Series of str, "" for empty). `trim`: texts typed
    into cells (CSV, Excel) lose surrounding spaces, and lines with every field empty are skipped; XES values
    are taken as written."""
    if trim:
        texts = {field: text.reset_index(drop=True).astype(object).fillna("").astype(str).str.strip()
                 for field, text in texts.items()}  # fmt: skip
        blank = np.logical_and.reduce([(text == "").to_numpy() for text in texts.values()])
        if blank.any():  # an empty line: no event, and no error either
            keep = ~blank
            texts = {field: text[keep].reset_index(drop=True) for field, text in texts.items()}
            rows = rows[keep]
    for field, message in ((CASE, "the case id is empty"), (ACTIVITY, "the activity is empty")):
        empty = (texts[field] == "").to_numpy()
        errors.add_rows(rows[empty], field, message)
    instants, offsets = _parse_times(texts[TIMESTAMP], rows, errors, TIMESTAMP, naive_zone, timestamp_format)
    part = pd.DataFrame(
        {CASE: texts[CASE], ACTIVITY: texts[ACTIVITY], TIMESTAMP: instants, OFFSET: offsets, _ROW: rows}
    )
    if START in texts:
        starts, start_offsets = _parse_times(
            texts[START], rows, errors, START, naive_zone, timestamp_format, required=False
        )
        part[START] = starts
        part[START_OFFSET] = pd.array(start_offsets, dtype="Int16")
        part.loc[part[START].isna(), START_OFFSET] = pd.NA
    for field in (UNIT, RESOURCE, LIFECYCLE):
        if field in texts:
            part[field] = texts[field]
    return part


def _parse_times(
    text: pd.Series,
    rows: np.ndarray,
    errors: _Errors,
    field: str,
    naive_zone: str,
    timestamp_format: str | None,
    *,
    required: bool = True,
) -> tuple[pd.Series, np.ndarray]:
    """UTC instants and written offsets (minutes) of timestamp texts; errors for unreadable ones."""
    present = (text != "").to_numpy()
    if required:
        errors.add_rows(rows[~present], field, "the timestamp is empty")
    explicit, offsets = _written_offsets(text)
    naive = present & ~explicit
    instants = pd.Series(pd.NaT, index=text.index, dtype=_NS)
    if explicit.any():
        instants[explicit] = _to_datetime(text[explicit], timestamp_format, utc=True)
    if naive.any():
        local = _to_datetime(text[naive], timestamp_format, utc=False)
        if getattr(local.dt, "tz", None) is not None:  # a format with %z that matched no offset text
            local = local.dt.tz_convert(None)
        localised = local.dt.tz_localize(naive_zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert(_UTC)
        instants[naive] = localised
        shift = local.to_numpy("datetime64[ns]") - localised.dt.tz_convert(None).to_numpy("datetime64[ns]")
        minutes = np.where(np.isnat(shift), 0, shift.astype("timedelta64[m]").astype(np.int64))
        offsets[naive] = minutes.astype(np.int16)
    unreadable = present & instants.isna().to_numpy()
    if unreadable.any():
        errors.add_rows(rows[unreadable], field, "cannot read the timestamp " + text[unreadable].map(repr))
    return instants, offsets


def _to_datetime(text: pd.Series, timestamp_format: str | None, *, utc: bool) -> pd.Series:
    """ISO 8601 first (vectorised); texts it cannot read are tried once more in the format guessed from the
    first of them (e.g. BPI CSV exports' "2011/10/01 00:38:44.546")."""
    if timestamp_format:
        return pd.to_datetime(text, format=timestamp_format, utc=utc, errors="coerce").dt.as_unit("ns")
    parsed = pd.to_datetime(text, format="ISO8601", utc=utc, errors="coerce").dt.as_unit("ns")
    failed = parsed.isna()
    if failed.any():
        guessed = guess_datetime_format(text[failed].iloc[0])
        if guessed:
            again = pd.to_datetime(text[failed], format=guessed, utc=utc, errors="coerce").dt.as_unit("ns")
            parsed = parsed.where(~failed, again)
    return parsed


def _written_offsets(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Which texts end in a UTC offset, and its minutes: "Z", "+08:00", "+0800" or "+08" after a time of day
    (a ':' before it, so a date's own hyphens, "2024-03-01", never read as one). Vectorised over the
    characters of each text (of its last 24 when it is long: a time with nanoseconds and an offset)."""
    tails = text.to_numpy(dtype=object).astype(str)
    if tails.dtype.itemsize > 4 * 64:  # some text is long: only its end can hold an offset
        tails = text.str.slice(-24).to_numpy(dtype="U24")
    width = tails.dtype.itemsize // 4
    chars = tails.view(np.uint32).reshape(len(tails), width)
    length = np.strings.str_len(tails)
    rows = np.arange(len(tails))
    # The last six characters, from the end (0 where the text is shorter).
    last = {
        steps: np.where(length >= steps, chars[rows, np.maximum(length - steps, 0)], 0).astype(np.int32)
        for steps in range(1, 7)
    }

    def digit(steps: int) -> np.ndarray:
        return last[steps] - ord("0")

    def is_digit(*steps: int) -> np.ndarray:
        return np.logical_and.reduce([(digit(step) >= 0) & (digit(step) <= 9) for step in steps])

    colon = chars == ord(":")
    first_colon = np.where(colon.any(axis=1), colon.argmax(axis=1), width)

    def signed_after_time(steps: int) -> np.ndarray:
        sign = last[steps]
        return ((sign == ord("+")) | (sign == ord("-"))) & (first_colon < length - steps)

    zulu = (last[1] == ord("Z")) & (first_colon < length - 1)
    hours_minutes = signed_after_time(6) & is_digit(5, 4, 2, 1) & (last[3] == ord(":"))
    compact = signed_after_time(5) & is_digit(4, 3, 2, 1)
    hours = signed_after_time(3) & is_digit(2, 1)
    minutes = np.select(
        [hours_minutes, compact, hours],
        [
            (digit(5) * 10 + digit(4)) * 60 + digit(2) * 10 + digit(1),
            (digit(4) * 10 + digit(3)) * 60 + digit(2) * 10 + digit(1),
            (digit(2) * 10 + digit(1)) * 60,
        ],
        0,
    )
    sign_at = np.select([hours_minutes, compact, hours], [last[6], last[5], last[3]], ord("+"))
    minutes = np.where(sign_at == ord("-"), -minutes, minutes)
    return zulu | hours_minutes | compact | hours, minutes.astype(np.int16)


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


# ----------------------------------------------------------------------------------------------------------
# From parsed chunks to the frame


def _finish(parts: list[pd.DataFrame], errors: _Errors) -> pd.DataFrame:
    errors.raise_if_any()
    if not sum(len(part) for part in parts):
        errors.add(0, "", "the log holds no events")
        errors.raise_if_any()
    events = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
    events, ignored = _pair_lifecycle(events)
    case_codes, case_names = pd.factorize(events[CASE])
    activity_codes, activity_names = pd.factorize(events[ACTIVITY])
    order = np.lexsort((_nanoseconds(events[TIMESTAMP]), case_codes))  # stable: ties keep the file's order
    frame = pd.DataFrame(
        {
            CASE: pd.Categorical.from_codes(case_codes[order], categories=pd.Index(case_names, dtype=object)),
            ACTIVITY: pd.Categorical.from_codes(
                activity_codes[order], categories=pd.Index(activity_names, dtype=object)
            ),
            TIMESTAMP: events[TIMESTAMP].array.take(order),
            OFFSET: events[OFFSET].to_numpy()[order].astype(np.int16),
        }
    )
    if START in events:
        frame[START] = events[START].array.take(order)
        frame[START_OFFSET] = events[START_OFFSET].array.take(order)
    else:
        frame[START] = pd.Series(pd.NaT, index=frame.index, dtype=_NS)
        none = np.ones(len(frame), dtype=bool)
        frame[START_OFFSET] = pd.arrays.IntegerArray(np.zeros(len(frame), np.int16), mask=none)
    for field in (UNIT, RESOURCE):
        named = events[field].to_numpy(dtype=object)[order] if field in events else None
        frame[field] = _categories(named, len(order))
    frame.attrs["ignored"] = ignored
    return frame


def _categories(values: np.ndarray | None, count: int) -> pd.Categorical:
    """Texts as a categorical, "" (not named) as missing; None: `count` missing values."""
    if values is None:
        return pd.Categorical.from_codes(np.full(count, -1), categories=pd.Index([], dtype=object))
    codes, names = pd.factorize(values)
    empty = np.flatnonzero(names == "")
    if len(empty):
        codes = np.where(codes == empty[0], -1, codes - (codes > empty[0]))
        names = np.delete(names, empty[0])
    return pd.Categorical.from_codes(codes, categories=pd.Index(names, dtype=object))


def _nanoseconds(instants: pd.Series) -> np.ndarray:
    return instants.dt.tz_convert(None).to_numpy("datetime64[ns]").view(np.int64)


def _pair_lifecycle(events: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, int]]:
    """Completes, each with the start that precedes it (same case and activity) as its start timestamp."""
    if LIFECYCLE not in events:
        return events, {}
    # Transitions are few distinct texts: compare their lower-case forms once, not once per row.
    codes, written = pd.factorize(events[LIFECYCLE])
    lowered = np.array([text.lower() or "complete" for text in written], dtype=object)
    is_start = np.isin(codes, np.flatnonzero(lowered == "start"))
    is_step = is_start | np.isin(codes, np.flatnonzero(lowered == "complete"))
    other = pd.Series(lowered[codes[~is_step]]).value_counts()
    ignored = {str(transition): int(count) for transition, count in other.items()}
    steps = events[is_step].reset_index(drop=True)
    step_is_start = is_start[is_step]
    if step_is_start.any():
        case_codes = pd.factorize(steps[CASE])[0]
        activity_codes = pd.factorize(steps[ACTIVITY])[0]
        order = np.lexsort((_nanoseconds(steps[TIMESTAMP]), activity_codes, case_codes))
        same_group = (case_codes[order][1:] == case_codes[order][:-1]) & (
            activity_codes[order][1:] == activity_codes[order][:-1]
        )
        # A complete whose predecessor in its (case, activity) group is a start.
        paired = np.flatnonzero(same_group & step_is_start[order][:-1] & ~step_is_start[order][1:]) + 1
        completes, their_starts = order[paired], order[paired - 1]
        starts = pd.Series(pd.NaT, index=steps.index, dtype=_NS)
        starts.iloc[completes] = steps[TIMESTAMP].array.take(their_starts)
        start_offsets = pd.Series(pd.NA, index=steps.index, dtype="Int16")
        start_offsets.iloc[completes] = steps[OFFSET].to_numpy()[their_starts]
        if START in steps:  # a mapped start column wins over a start transition
            mapped = steps[START].notna()
            starts = steps[START].where(mapped, starts)
            start_offsets = steps[START_OFFSET].where(mapped, start_offsets)
        steps[START], steps[START_OFFSET] = starts, start_offsets
        unmatched = int(step_is_start.sum()) - len(paired)
        if unmatched:
            ignored["start"] = unmatched
    return steps[~step_is_start].drop(columns=LIFECYCLE).reset_index(drop=True), ignored


# ----------------------------------------------------------------------------------------------------------
# Files


def _check_headers(headers: list[str], wanted: Mapping[str, str], errors: _Errors) -> None:
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
