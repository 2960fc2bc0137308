"""The mining engine on generated logs whose answers are known: a planted bottleneck, exactly 25 % rework
cases (repeat vs redo), hand-overs, variants, service vs waiting time, conformance to the designed stages."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from alerts.engine.eventlog.frame import ColumnMapping
from alerts.engine.eventlog.readers import read_csv
from alerts.engine.mining.paths import directly_follows, handovers, rework, variants
from alerts.engine.mining.times import case_durations, conformance, service_and_waiting

MAPPING = ColumnMapping(
    case="case",
    activity="activity",
    timestamp="done",
    start_timestamp="started",
    unit="unit",
    resource="resource",
)
UNITS = {
    "Receive": "Sales",
    "Check": "Finance",
    "Approve": "Finance",
    "Ship": "Logistics",
    "Invoice": "Finance",
}
CASES = 400
HOUR = 3600.0


def _frame(rows: list[tuple], shuffle: int | None = None) -> pd.DataFrame:
    """Events (case, activity, done, started, unit, resource) through the CSV reader, optionally shuffled."""
    table = pd.DataFrame(rows, columns=["case", "activity", "done", "started", "unit", "resource"])
    if shuffle is not None:
        table = table.sample(frac=1, random_state=shuffle)
    return read_csv(io.StringIO(table.to_csv(index=False)), MAPPING)


def _iso(seconds: float) -> str:
    return (pd.Timestamp("2024-03-01T08:00:00+08:00") + pd.Timedelta(seconds=seconds)).isoformat()


@pytest.fixture(scope="module")
def planted():
    """400 cases Receive → Check → Approve → Ship → Invoice, 1–3 h between steps, except Approve → Ship, which
    waits 3–5 days (the bottleneck). Every 4th case does Check twice: by the same clerk (repeat) in 60 of
    those 100 cases, by another (redo) in 40. Rows are shuffled: the engine orders them itself."""
    rng = np.random.default_rng(12)
    rows, reworked, repeated = [], [], []
    for number in range(CASES):
        case = f"case-{number:03d}"
        steps = ["Receive", "Check", "Approve", "Ship", "Invoice"]
        clerks = {step: f"{step[0]}{number % 5}" for step in steps}
        resources = [clerks[s] for s in steps]
        if number % 4 == 0:
            reworked.append(case)
            again = clerks["Check"] if len(repeated) < 60 else "C-other"
            if again == clerks["Check"]:
                repeated.append(case)
            steps.insert(2, "Check")
            resources.insert(2, again)
        clock = number * 600.0
        for step, resource in zip(steps, resources, strict=True):
            wait = rng.uniform(3, 5) * 86400 if step == "Ship" else rng.uniform(1, 3) * HOUR
            clock += wait
            rows.append((case, step, _iso(clock), "", UNITS[step], resource))
    return _frame(rows, shuffle=3), set(reworked), set(repeated)


def test_the_planted_bottleneck_is_the_slowest_edge_by_far(planted):
    events, reworked, _ = planted
    graph = directly_follows(events)
    edges = graph.edges.set_index(["source", "target"])
    assert graph.counts() == {
        ("Receive", "Check"): 400, ("Check", "Approve"): 400, ("Approve", "Ship"): 400,
        ("Ship", "Invoice"): 400, ("Check", "Check"): 100,
    }  # fmt: skip
    assert edges.loc[("Check", "Check"), "cases"] == 100 and edges.loc[("Approve", "Ship"), "cases"] == 400
    slowest = edges["median_seconds"].idxmax()
    assert slowest == ("Approve", "Ship")
    others = edges.drop(index=[slowest])
    assert edges.loc[slowest, "median_seconds"] > 20 * others["p90_seconds"].max()
    bottleneck = edges.loc[slowest]
    assert 3 * 86400 < bottleneck["median_seconds"] < 5 * 86400
    assert bottleneck["median_seconds"] <= bottleneck["p90_seconds"] < 5 * 86400
    assert others["p90_seconds"].max() < 3 * HOUR and others["median_seconds"].min() > HOUR
    assert graph.start_activities.to_dict() == {"Receive": 400}
    assert graph.end_activities.to_dict() == {"Invoice": 400}


def test_exactly_a_quarter_of_the_cases_rework_and_repeats_are_told_from_redos(planted):
    events, reworked, repeated = planted
    found = rework(events)
    assert found.share == 0.25
    assert set(found.cases["case"]) == reworked
    by_case = found.cases.set_index("case")
    assert set(by_case.index[by_case["repeats"] == 1]) == repeated and len(repeated) == 60
    assert set(by_case.index[by_case["redos"] == 1]) == reworked - repeated
    check = found.activities.set_index("activity").loc["Check"]
    assert check.to_dict() == {
        "executions": 500, "rework": 100, "repeats": 60, "redos": 40, "unattributed": 0, "cases": 100,
    }  # fmt: skip
    assert found.activities.set_index("activity").drop(index="Check")["rework"].eq(0).all()


def test_variants_with_their_coverage_and_cases(planted):
    events, reworked, _ = planted
    found = variants(events)
    table = found.variants
    assert table["activities"].tolist() == [
        ("Receive", "Check", "Approve", "Ship", "Invoice"),
        ("Receive", "Check", "Check", "Approve", "Ship", "Invoice"),
    ]
    assert table["cases"].tolist() == [300, 100] and table["length"].tolist() == [5, 6]
    assert table["coverage"].tolist() == [0.75, 0.25] and table["cumulative_coverage"].tolist() == [0.75, 1.0]
    assert set(found.cases_of(1)) == reworked and len(found.case_variant) == CASES


def test_variants_of_the_same_length_are_told_apart():
    rows = [
        ("a", "X", _iso(0), "", "", ""), ("a", "Y", _iso(60), "", "", ""),
        ("b", "Y", _iso(0), "", "", ""), ("b", "X", _iso(60), "", "", ""),
        ("c", "X", _iso(0), "", "", ""), ("c", "Y", _iso(60), "", "", ""),
        ("d", "X", _iso(0), "", "", ""),
    ]  # fmt: skip
    found = variants(_frame(rows))
    assert found.variants[["activities", "cases"]].values.tolist() == [
        [("X", "Y"), 2],
        [("Y", "X"), 1],
        [("X",), 1],
    ]
    assert found.case_variant.to_dict() == {"a": 0, "b": 1, "c": 0, "d": 2}


def test_hand_overs_between_units_with_their_waiting_time(planted):
    events, _, _ = planted
    table = handovers(events).set_index(["source_unit", "target_unit"])
    # Check → Check and Check → Approve stay inside Finance: no hand-over.
    assert table["handovers"].to_dict() == {
        ("Sales", "Finance"): 400, ("Finance", "Logistics"): 400, ("Logistics", "Finance"): 400,
    }  # fmt: skip
    assert table["cases"].eq(400).all()
    assert table["median_seconds"].idxmax() == ("Finance", "Logistics")
    assert table.loc[("Finance", "Logistics"), "median_seconds"] > 3 * 86400
    assert table.loc[("Sales", "Finance"), "p90_seconds"] < 3 * HOUR


def test_service_versus_waiting_time_where_starts_exist():
    """Case a: Order 08:00–09:00, Pack 12:00–12:30 (waited 3 h), Ship done 15:00 with no start (unknown).
    Case b: Order 08:00–08:20, Pack starts 08:10 before Order completed (waited nothing), done 09:10."""
    rows = [
        ("a", "Order", _iso(1 * HOUR), _iso(0), "", ""),
        ("a", "Pack", _iso(4.5 * HOUR), _iso(4 * HOUR), "", ""),
        ("a", "Ship", _iso(7 * HOUR), "", "", ""),
        ("b", "Order", _iso(1200), _iso(0), "", ""),
        ("b", "Pack", _iso(4200), _iso(600), "", ""),
    ]
    found = service_and_waiting(_frame(rows, shuffle=1))
    assert found.timed_share == 0.8
    by_activity = found.activities.set_index("activity")
    assert by_activity.loc["Order", ["events", "timed", "service_mean_seconds"]].tolist() == [2, 2, 2400.0]
    assert np.isnan(
        by_activity.loc["Order", "waiting_mean_seconds"]
    )  # a case's first event waits for nothing
    assert by_activity.loc["Pack", ["service_median_seconds", "service_p90_seconds"]].tolist() == [
        2700.0,
        3420.0,
    ]
    assert (
        by_activity.loc["Pack", "waiting_mean_seconds"] == 1.5 * HOUR
        and by_activity.loc["Pack", "timed"] == 2
    )
    assert by_activity.loc["Ship", "timed"] == 0 and np.isnan(by_activity.loc["Ship", "service_mean_seconds"])
    by_case = found.cases.set_index("case")
    assert by_case.loc["a"].tolist() == [2, 1.5 * HOUR, 3 * HOUR]
    assert by_case.loc["b"].tolist() == [2, 1200.0 + 3600.0, 0.0]


def test_conformance_to_the_designed_stages():
    stages = ["Order", "Approval", "Delivery"]
    stage_of = {"Receive": "Order", "Check": "Approval", "Approve": "Approval", "Ship": "Delivery"}
    cases = {
        "follows": ["Receive", "Check", "Check", "Approve", "Ship"],  # rework inside a stage is in order
        "goes-back": ["Receive", "Ship", "Check"],  # Approval skipped, then Check out of order
        "outside": ["Receive", "Check", "Audit", "Ship"],
        "late-start": ["Check", "Ship"],  # Order skipped
        "open": ["Receive", "Approve"],  # Delivery not reached yet: not a deviation
    }
    rows = [
        (case, step, _iso(i * 60), "", "", "")
        for case, steps in cases.items()
        for i, step in enumerate(steps)
    ]
    found = conformance(_frame(rows), stages, stage_of)
    table = found.cases.set_index("case")
    assert table.loc[
        "follows", ["in_order", "out_of_order", "outside_design", "skipped_stages"]
    ].tolist() == [5, 0, 0, 0]
    assert table.loc["goes-back", ["in_order", "out_of_order", "skipped_stages"]].tolist() == [2, 1, 1]
    assert table["fitness"].to_dict() == pytest.approx(
        {"follows": 1.0, "goes-back": 2 / 4, "outside": 3 / 4, "late-start": 2 / 3, "open": 1.0}
    )
    assert table["follows_design"].to_dict() == {
        "follows": True, "goes-back": False, "outside": False, "late-start": False, "open": True,
    }  # fmt: skip
    assert table["stage_reached"].to_dict() == {
        "follows": "Delivery", "goes-back": "Delivery", "outside": "Delivery", "late-start": "Delivery",
        "open": "Approval",
    }  # fmt: skip
    assert found.follows_share == 0.4
    assert found.mean_fitness == pytest.approx((1 + 0.5 + 0.75 + 2 / 3 + 1) / 5)
    assert found.outside.to_dict("records") == [{"activity": "Audit", "events": 1, "cases": 1}]


def test_conformance_without_a_mapping_uses_activity_names_as_stages(planted):
    events, _, _ = planted
    found = conformance(events, ["Receive", "Check", "Approve", "Ship"])
    assert found.follows_share == 0.0  # Invoice is outside this design in every case
    assert found.outside.to_dict("records") == [{"activity": "Invoice", "events": 400, "cases": 400}]
    assert found.cases["fitness"].eq(found.cases["in_order"] / found.cases["events"]).all()


def test_case_durations(planted):
    events, _, _ = planted
    durations = case_durations(events).set_index("case")
    assert len(durations) == CASES and durations["first_activity"].eq("Receive").all()
    assert durations["last_activity"].eq("Invoice").all() and durations["last_unit"].eq("Finance").all()
    assert (durations["ended"] - durations["started"]).dt.total_seconds().tolist() == durations[
        "duration_seconds"
    ].tolist()
    assert durations.loc["case-000", "events"] == 6 and durations.loc["case-001", "events"] == 5
    assert durations["started_offset_minutes"].eq(480).all()
