"""The process-mining benchmark at a tiny size: it generates its log, reads it back from XES and CSV into the
same frame, and its directly-follows graph agrees edge for edge with pm4py's (no timings asserted)."""

from __future__ import annotations

import io
import re

import pandas as pd

from alerts.engine.eventlog.readers import read_csv, read_xes
from alerts.engine.mining.paths import directly_follows
from bench import mining as bench


def _run(**options) -> tuple[int, str]:
    said: list[str] = []
    status = bench.run(**{"events": 3000, "activities": 6, "repeat": 1, "reference_repeat": 1, "seed": 5,
                          **options}, say=said.append)  # fmt: skip
    return status, "\n".join(said)


def test_the_generated_log_reads_back_as_written(tmp_path):
    log = bench.generate(500, 6, seed=1)
    assert len(log) == 500 and set(log["time:timestamp"].str[-6:]) == {"+01:00", "+08:00"}
    path = tmp_path / "log.xes"
    bench.write_xes(log, path)
    events = read_xes(path)
    assert len(events) == 500 and events["case"].nunique() == log["case:concept:name"].nunique()
    assert sorted(events["offset_minutes"].unique()) == [60, 480]
    # The file holds each case's events in time order, so the frame keeps the generated order.
    assert events["activity"].astype(str).tolist() == log["concept:name"].tolist()
    expected = pd.to_datetime(log["time:timestamp"], format="ISO8601", utc=True)
    assert events["timestamp"].tolist() == expected.tolist()


def test_the_benchmark_runs_and_agrees_with_pm4py(pm4py):
    status, text = _run()
    assert status == 0, text
    assert "same events and cases: yes" in text
    assert "the same frame as from the XES file: yes" in text
    assert "same graph: yes" in text
    assert re.search(r"edge counts identical: yes \([\d,]+ edges, [\d,]+ directly-follows pairs\)", text)
    assert re.search(r"ratio \(b\)/\(a\) XES import: [\d.]+× on medians", text)
    assert re.search(r"ratio \(e\)/\(d\) directly-follows discovery: [\d.]+× on medians", text)


def test_our_graph_is_pm4pys_on_the_generated_log(pm4py):
    log = bench.generate(4000, 9, seed=2)
    events = read_csv(io.StringIO(log.to_csv(index=False)), bench.CSV_MAPPING)
    theirs = dict(pm4py.discover_dfg(bench.pm4py_frame(events))[0])
    assert theirs == directly_follows(events).counts()
    assert sum(theirs.values()) == 4000 - events["case"].nunique()  # one pair per event after a case's first


def test_without_pm4py_it_says_so_and_times_ours(monkeypatch):
    monkeypatch.setattr(bench, "_pm4py", lambda: None)
    status, text = _run()
    assert status == 0
    assert text.startswith("pm4py is NOT installed")
    assert "(a) our read_xes" in text and "(d) our directly_follows" in text
    assert "pm4py.read_xes:" not in text and "ratio" not in text
