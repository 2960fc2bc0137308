"""Event log readers: CSV and Excel with a column mapping, XES as the BPI Challenge logs publish it
(namespaced, lifecycle transitions, nested attributes, gzip), time zones kept, all-or-nothing errors with
row numbers."""

from __future__ import annotations

import gzip
import io

import openpyxl
import pandas as pd
import pytest

from alerts.engine.eventlog.fields import written_timestamps
from alerts.engine.eventlog.frame import ColumnMapping, EventLogError, RowError
from alerts.engine.eventlog.readers import read_csv, read_excel, read_xes
from alerts.engine.mining.paths import directly_follows
from alerts.engine.mining.times import case_durations

PM4PY_NAMES = ColumnMapping(case="case:concept:name", activity="concept:name", timestamp="time:timestamp")

# The shape of BPI Challenge 2012 (financial_log.xes) as published: OpenXES header, globals, classifiers, a
# log-level name, trace attributes before and after the trace's name, upper-case lifecycle transitions with
# SCHEDULE/START/COMPLETE for the W_ activities; plus a nested meta-attribute and a list as XES 2.0 allows.
BPI_XES = """<?xml version="1.0" encoding="UTF-8" ?>
<!-- This file has been generated with the OpenXES library. It conforms -->
<!-- to the XML serialization of the XES standard for log storage and -->
<log xes.version="1.0" xes.features="nested-attributes" openxes.version="1.0RC7" xmlns="http://www.xes-standard.org/">
\t<extension name="Lifecycle" prefix="lifecycle" uri="http://www.xes-standard.org/lifecycle.xesext"/>
\t<extension name="Organizational" prefix="org" uri="http://www.xes-standard.org/org.xesext"/>
\t<extension name="Time" prefix="time" uri="http://www.xes-standard.org/time.xesext"/>
\t<extension name="Concept" prefix="concept" uri="http://www.xes-standard.org/concept.xesext"/>
\t<global scope="trace">
\t\t<string key="concept:name" value="__INVALID__"/>
\t</global>
\t<global scope="event">
\t\t<string key="concept:name" value="__INVALID__"/>
\t\t<string key="lifecycle:transition" value="complete"/>
\t</global>
\t<classifier name="MXML Legacy Classifier" keys="concept:name lifecycle:transition"/>
\t<string key="concept:name" value="financial_log.xes"/>
\t<trace>
\t\t<date key="REG_DATE" value="2011-10-01T00:38:44.546+02:00"/>
\t\t<string key="concept:name" value="173688"/>
\t\t<string key="AMOUNT_REQ" value="20000"/>
\t\t<event>
\t\t\t<string key="org:resource" value="112"/>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t\t<string key="concept:name" value="A_SUBMITTED"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T00:38:44.546+02:00"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="112"/>
\t\t\t<string key="lifecycle:transition" value="SCHEDULE"/>
\t\t\t<string key="concept:name" value="W_Completeren aanvraag"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T00:39:38.875+02:00"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="10862">
\t\t\t\t<string key="org:resource" value="nested: not the event's"/>
\t\t\t</string>
\t\t\t<string key="lifecycle:transition" value="START"/>
\t\t\t<string key="concept:name" value="W_Completeren aanvraag"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T11:36:46.437+02:00"/>
\t\t\t<list key="tags"><values><string key="concept:name" value="in a list"/></values></list>
\t\t</event>
\t\t<event>
\t\t\t<string key="org:resource" value="10862"/>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t\t<string key="concept:name" value="W_Completeren aanvraag"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T11:45:13.917+02:00"/>
\t\t</event>
\t</trace>
\t<trace>
\t\t<string key="concept:name" value="173691"/>
\t\t<event>
\t\t\t<string key="org:resource" value="112"/>
\t\t\t<string key="org:group" value="Back office"/>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t\t<string key="concept:name" value="A_SUBMITTED"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T08:08:58.256+02:00"/>
\t\t</event>
\t\t<event>
\t\t\t<string key="lifecycle:transition" value="COMPLETE"/>
\t\t\t<string key="concept:name" value="A_PARTLYSUBMITTED"/>
\t\t\t<date key="time:timestamp" value="2011-10-01T08:09:02.000Z"/>
\t\t</event>
\t</trace>
</log>
"""


def test_a_bpi_challenge_xes_imports_as_published():
    events = read_xes(io.BytesIO(BPI_XES.encode()))
    assert events["case"].tolist() == ["173688", "173688", "173691", "173691"]
    # SCHEDULE is no event of the frame; START became the start of the COMPLETE that follows it.
    assert events["activity"].tolist() == [
        "A_SUBMITTED", "W_Completeren aanvraag", "A_SUBMITTED", "A_PARTLYSUBMITTED",
    ]  # fmt: skip
    assert events.attrs["ignored"] == {"schedule": 1}
    assert events["resource"].tolist()[:3] == ["112", "10862", "112"]
    assert events["unit"].isna().tolist() == [True, True, False, True]
    assert events["unit"].iloc[2] == "Back office"
    assert written_timestamps(events, "start_timestamp").tolist() == [
        None, "2011-10-01T11:36:46.437000+02:00", None, None,
    ]  # fmt: skip
    assert events["offset_minutes"].tolist() == [120, 120, 120, 0]
    assert events["timestamp"].iloc[3] == pd.Timestamp("2011-10-01T08:09:02Z")
    assert events["activity"].cat.codes.tolist() == [0, 1, 0, 2]  # integer codes over the names


def test_gzip_compressed_xes_reads_the_same(tmp_path):
    path = tmp_path / "financial_log.xes.gz"
    path.write_bytes(gzip.compress(BPI_XES.encode()))
    pd.testing.assert_frame_equal(read_xes(path), read_xes(io.BytesIO(BPI_XES.encode())))


def test_a_unit_attribute_can_be_named():
    events = read_xes(io.BytesIO(BPI_XES.encode()), unit_attribute="org:resource", resource_attribute="x")
    assert events["unit"].tolist()[:2] == ["112", "10862"] and events["resource"].isna().all()
    events = read_xes(io.BytesIO(BPI_XES.encode()), unit_attribute="org:resource")
    assert events["unit"].tolist() == events["resource"].tolist()


def test_time_zones_are_kept_and_durations_use_instants():
    """+08:00 and +01:00 events in one log: each keeps its offset, written back as it was, and a case that
    moves from Shanghai to Berlin measures its real hour, not the eight hours the wall clocks differ by."""
    text = (
        "case:concept:name,concept:name,time:timestamp\n"
        "c1,Order,2024-03-01T09:00:00+08:00\n"
        "c1,Ship,2024-03-01T03:00:00+01:00\n"
        "c2,Order,2024-03-01 10:30:00.250+0100\n"
    )
    events = read_csv(io.StringIO(text), PM4PY_NAMES)
    assert events["offset_minutes"].tolist() == [480, 60, 60]
    assert written_timestamps(events).tolist() == [
        "2024-03-01T09:00:00+08:00", "2024-03-01T03:00:00+01:00", "2024-03-01T10:30:00.250000+01:00",
    ]  # fmt: skip
    assert events["timestamp"].tolist()[:2] == [
        pd.Timestamp("2024-03-01T01:00Z"),
        pd.Timestamp("2024-03-01T02:00Z"),
    ]
    assert case_durations(events)["duration_seconds"].tolist() == [3600.0, 0.0]
    assert directly_follows(events).edges["median_seconds"].tolist() == [3600.0]


def test_every_written_offset_form_is_read_and_a_date_alone_is_not_one():
    text = (
        "case,activity,time\n"
        "c1,A,2024-03-01T09:00:00Z\n"
        "c1,B,2024-03-01T09:00:00.123456789-05:30\n"
        "c1,C,2024-03-01 09:00:00 +0100\n"
        "c1,D,2024-03-01T09:00-03\n"
        "c1,E,2024-03-01\n"
    )
    events = read_csv(
        io.StringIO(text), ColumnMapping("case", "activity", "time"), naive_zone="Asia/Shanghai"
    )
    by_activity = events.set_index("activity")
    assert by_activity["offset_minutes"].to_dict() == {"A": 0, "B": -330, "C": 60, "D": -180, "E": 480}
    assert by_activity["timestamp"].to_dict() == {
        "A": pd.Timestamp("2024-03-01T09:00Z"),
        "B": pd.Timestamp("2024-03-01T14:30:00.123456789Z"),
        "C": pd.Timestamp("2024-03-01T08:00Z"),
        "D": pd.Timestamp("2024-03-01T12:00Z"),
        "E": pd.Timestamp("2024-02-29T16:00Z"),
    }


def test_timestamps_without_a_zone_are_read_in_the_given_zone():
    text = "case,activity,time\nc1,A,2024-01-15 09:00\nc1,B,2024-07-15 09:00\n"
    events = read_csv(
        io.StringIO(text), ColumnMapping(case="case", activity="activity", timestamp="time"),
        naive_zone="Europe/Berlin",
    )  # fmt: skip
    assert events["offset_minutes"].tolist() == [60, 120]  # winter and summer time
    assert events["timestamp"].tolist() == [
        pd.Timestamp("2024-01-15T08:00Z"),
        pd.Timestamp("2024-07-15T07:00Z"),
    ]


def test_a_bpi_csv_export_with_start_and_complete_columns():
    """Disco / ProM CSV exports: 'Case ID', 'Activity', 'Resource', 'Start Timestamp', 'Complete
    Timestamp' in 2011/10/01 00:38:44.546 form, extra columns ignored."""
    text = (
        "Case ID,Activity,Resource,Start Timestamp,Complete Timestamp,Variant,Variant index\n"
        "173688,A_SUBMITTED,112,2011/10/01 00:38:44.546,2011/10/01 00:38:44.546,Variant 1,1\n"
        "173688,W_Completeren aanvraag,10862,2011/10/01 11:36:46.437,2011/10/01 11:45:13.917,Variant 1,1\n"
        "\n"
        "173691,A_SUBMITTED, 112 ,2011/10/01 08:08:58.256,2011/10/01 08:08:58.256,Variant 2,2\n"
    )
    mapping = ColumnMapping(
        case="Case ID", activity="Activity", timestamp="Complete Timestamp",
        start_timestamp="Start Timestamp", resource="Resource",
    )  # fmt: skip
    events = read_csv(io.StringIO(text), mapping, naive_zone="Europe/Amsterdam")
    assert events["case"].tolist() == ["173688", "173688", "173691"]
    assert events["resource"].tolist() == ["112", "10862", "112"]  # trimmed
    service = (events["timestamp"] - events["start_timestamp"]).dt.total_seconds().tolist()
    assert service == pytest.approx([0.0, 507.48, 0.0])
    assert events["start_offset_minutes"].tolist() == [120, 120, 120]


def test_csv_in_chunks_reads_the_same_as_at_once():
    rows = [f"c{i % 7},A{i % 3},2024-01-01T{i % 24:02d}:00:00+08:00,U{i % 2}" for i in range(50)]
    text = "case,activity,time,unit\n" + "\n".join(rows) + "\n"
    mapping = ColumnMapping(case="case", activity="activity", timestamp="time", unit="unit")
    seen = []
    chunked = read_csv(io.StringIO(text), mapping, chunk_rows=8, progress=seen.append)
    pd.testing.assert_frame_equal(chunked, read_csv(io.StringIO(text), mapping))
    assert seen == [8, 16, 24, 32, 40, 48, 50]
    assert (
        chunked.groupby("case", observed=True)["timestamp"].apply(lambda t: t.is_monotonic_increasing).all()
    )


def test_excel_with_a_column_mapping(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Case", "Step", "Done at", "Started", "Department"])
    sheet.append([1001, "Order", pd.Timestamp("2024-03-01 09:00").to_pydatetime(), None, "Sales"])
    sheet.append([1001, "Ship", "2024-03-02T10:00:00+01:00", "2024-03-02T08:00:00+01:00", "Logistics"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    mapping = ColumnMapping(
        case="Case", activity="Step", timestamp="Done at", start_timestamp="Started", unit="Department"
    )
    events = read_excel(path, mapping, naive_zone="Asia/Shanghai")
    assert events["case"].tolist() == ["1001", "1001"]
    assert events["offset_minutes"].tolist() == [480, 60]
    assert events["unit"].tolist() == ["Sales", "Logistics"]
    assert events["start_timestamp"].isna().tolist() == [True, False]


# --- errors: all or nothing, with the row the user sees ----------------------------------------------------


def _errors(read, *args, **kwargs) -> list[RowError]:
    with pytest.raises(EventLogError) as raised:
        read(*args, **kwargs)
    return raised.value.errors


def test_csv_errors_name_their_rows():
    text = (
        "case:concept:name,concept:name,time:timestamp\n"
        "c1,A,2024-03-01T09:00:00+08:00\n"  # row 2: fine
        ",B,2024-03-01T10:00:00+08:00\n"  # row 3: no case id
        "c1,,2024-03-01T11:00:00+08:00\n"  # row 4: no activity
        "c2,C,yesterday\n"  # row 5: unreadable
        "c2,D,\n"  # row 6: no timestamp
    )
    assert _errors(read_csv, io.StringIO(text), PM4PY_NAMES, chunk_rows=2) == [
        RowError(3, "case", "the case id is empty"),
        RowError(4, "activity", "the activity is empty"),
        RowError(5, "timestamp", "cannot read the timestamp 'yesterday'"),
        RowError(6, "timestamp", "the timestamp is empty"),
    ]


def test_missing_columns_are_reported_for_the_whole_file():
    text = "Case ID,Activity\nc1,A\n"
    mapping = ColumnMapping(case="Case ID", activity="Activity", timestamp="Complete Timestamp", unit="Unit")
    assert _errors(read_csv, io.StringIO(text), mapping) == [
        RowError(0, "timestamp", "the file has no column 'Complete Timestamp'"),
        RowError(0, "unit", "the file has no column 'Unit'"),
    ]


def test_errors_are_listed_up_to_a_limit_and_all_counted():
    text = "case,activity,time\n" + "c1,A,never\n" * 300
    with pytest.raises(EventLogError) as raised:
        read_csv(io.StringIO(text), ColumnMapping("case", "activity", "time"), max_errors=10, chunk_rows=64)
    assert raised.value.total == 300 and [e.row for e in raised.value.errors] == list(range(2, 12))
    assert "300 error(s)" in str(raised.value)


def test_excel_errors_name_their_rows(tmp_path):
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Case", "Step", "Done at"])
    sheet.append(["c1", "Order", "2024-03-01 09:00"])
    sheet.append(["c1", "Ship", "31st of never"])
    sheet.append([None, "Ship", "2024-03-01 09:00"])
    path = tmp_path / "log.xlsx"
    book.save(path)
    assert _errors(read_excel, path, ColumnMapping("Case", "Step", "Done at")) == [
        RowError(3, "timestamp", "cannot read the timestamp '31st of never'"),
        RowError(4, "case", "the case id is empty"),
    ]


def test_xes_errors_name_their_lines():
    text = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0">
  <trace>
    <string key="concept:name" value="1"/>
    <event>
      <string key="concept:name" value="A"/>
      <date key="time:timestamp" value="not a date"/>
    </event>
    <event>
      <date key="time:timestamp" value="2024-03-01T09:00:00+08:00"/>
    </event>
  </trace>
  <trace>
    <event>
      <string key="concept:name" value="A"/>
      <date key="time:timestamp" value="2024-03-01T09:00:00+08:00"/>
    </event>
  </trace>
</log>
"""
    assert _errors(read_xes, io.BytesIO(text.encode())) == [
        RowError(5, "timestamp", "cannot read the timestamp 'not a date'"),
        RowError(9, "activity", "the activity is empty"),
        RowError(13, "case", "the trace has no concept:name (case id)"),
    ]


def test_files_that_are_not_csv_or_excel_are_refused(tmp_path):
    unclosed = 'case,activity,time\nc1,A,2024-03-01T09:00:00Z\nc1,"B,2024-03-01T09:00:00Z\n'
    mapping = ColumnMapping("case", "activity", "time")
    [error] = _errors(read_csv, io.StringIO(unclosed), mapping)
    assert (error.row, error.field) == (0, "") and error.message.startswith("not a readable CSV file")
    assert _errors(read_csv, io.StringIO(""), mapping)[0].message.startswith("not a readable CSV file")
    path = tmp_path / "log.xlsx"
    path.write_bytes(b"not a workbook")
    assert _errors(read_excel, path, mapping)[0].message.startswith("not a readable Excel file")
    assert _errors(read_csv, io.StringIO("case,activity,time\n"), mapping) == [
        RowError(0, "", "the log holds no events")
    ]


def test_broken_or_empty_xes_is_refused():
    errors = _errors(read_xes, io.BytesIO(b'<log>\n<trace><event><string key="a" value="b"/></trace></log>'))
    assert len(errors) == 1 and errors[0].row == 2 and "not a readable XES file" in errors[0].message
    assert _errors(read_xes, io.BytesIO(b"<log></log>")) == [RowError(0, "", "the log holds no events")]
