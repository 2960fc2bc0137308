"""Checking and converting the text of the mapped fields (shared by the readers), and writing timestamps back
as text."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from pandas.tseries.api import guess_datetime_format

from alerts.engine.eventlog.frame import (
    ACTIVITY,
    CASE,
    LIFECYCLE,
    NS,
    OFFSET,
    RESOURCE,
    ROW,
    START,
    START_OFFSET,
    TIMESTAMP,
    UNIT,
    UTC,
    Errors,
)


def parse_fields(
    texts: Mapping[str, pd.Series],
    rows: np.ndarray,
    errors: Errors,
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
        {CASE: texts[CASE], ACTIVITY: texts[ACTIVITY], TIMESTAMP: instants, OFFSET: offsets, ROW: rows}
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
    errors: Errors,
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
    instants = pd.Series(pd.NaT, index=text.index, dtype=NS)
    if explicit.any():
        instants[explicit] = _to_datetime(text[explicit], timestamp_format, utc=True)
    if naive.any():
        local = _to_datetime(text[naive], timestamp_format, utc=False)
        if getattr(local.dt, "tz", None) is not None:  # a format with %z that matched no offset text
            local = local.dt.tz_convert(None)
        localised = local.dt.tz_localize(naive_zone, ambiguous="NaT", nonexistent="NaT").dt.tz_convert(UTC)
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


def offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    hours, rest = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}:{rest:02d}"


def written_timestamps(events: pd.DataFrame, column: str = TIMESTAMP) -> pd.Series:
    """The timestamps as they were written: ISO 8601 local time with its offset ("2024-03-01T09:00:00+08:00");
    None where there is none."""
    offsets = events[START_OFFSET if column == START else OFFSET].astype("Int64")
    local = events[column].dt.tz_convert(None) + pd.to_timedelta(offsets.fillna(0).to_numpy(), unit="min")
    text = local.dt.strftime("%Y-%m-%dT%H:%M:%S.%f").str.removesuffix(".000000")
    codes, uniques = pd.factorize(offsets.fillna(0))
    suffixes = np.array([offset_text(int(minutes)) for minutes in uniques], dtype=object)
    written = (text + pd.Series(suffixes[codes], index=text.index)).astype(object)
    return written.where(events[column].notna(), None)
