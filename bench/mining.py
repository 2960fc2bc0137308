"""Process mining of a 1,000,000-event log: our XES import and directly-follows discovery against pm4py's.

Generates a log (default --events 1,000,000: cases of 5–15 events over --activities activities, with rework,
resources, units, and timestamps written in +08:00 and +01:00) and writes it as XES and as CSV in a
temporary directory (never timed). Then, in one run, best and median of --repeat runs each:

  (a) `alerts.engine.eventlog.read_xes` on the XES file  vs  (b) `pm4py.read_xes` on the same file
      — target (b)/(a) ≥ 3; both must find the same events and cases;
  (c) `alerts.engine.eventlog.read_csv` on the CSV file (no reference: it is reported for the Job's sake);
  (d) `alerts.engine.mining.directly_follows` on the imported frame (edge counts, case counts and gap
      median/mean/p90; also timed once on a shuffled copy, which it must sort)  vs  (e) `pm4py.discover_dfg`
      on the same frame under pm4py's column names — target (e)/(d) ≥ 3, with IDENTICAL edge counts (a
      difference fails the run).

pm4py is AGPL-3.0: it is a benchmark-only dependency (`pip install '.[bench]'`), never imported by the app.
Without it the reference runs are skipped, and the output says so.

    python -m bench mining [--events 1000000] [--activities 20] [--repeat 3] [--reference-repeat 3]
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import statistics
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from alerts.engine.eventlog.frame import ColumnMapping
from alerts.engine.eventlog.readers import read_csv, read_xes
from alerts.engine.mining.paths import directly_follows

DEFAULTS = {"events": 1_000_000, "activities": 20, "repeat": 3, "reference_repeat": 3, "seed": 7}
TARGET = 3.0
CSV_MAPPING = ColumnMapping(
    case="case:concept:name", activity="concept:name", timestamp="time:timestamp", unit="org:group",
    resource="org:resource", lifecycle="lifecycle:transition",
)  # fmt: skip
XES_HEAD = """<?xml version="1.0" encoding="UTF-8" ?>
<log xes.version="1.0" xes.features="nested-attributes" xmlns="http://www.xes-standard.org/">
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
\t<classifier name="Activity" keys="concept:name"/>
\t<string key="concept:name" value="bench_log.xes"/>
"""


def generate(events: int, activities: int, seed: int) -> pd.DataFrame:
    """A synthetic log in XES attribute names, one row per event, in case and time order (vectorised)."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(5, 16, size=events // 5 + 1)
    lengths = lengths[: np.searchsorted(np.cumsum(lengths), events) + 1]
    lengths[-1] -= lengths.sum() - events
    cases = len(lengths)
    case = np.repeat(np.arange(cases), lengths)
    first = np.r_[0, np.cumsum(lengths)[:-1]]
    # Activities walk forward by 1–3 steps, or stay (rework) one time in six.
    steps = rng.choice(np.array([0, 1, 1, 1, 2, 3]), size=events)
    steps[first] = 0
    walked = np.cumsum(steps) - np.repeat(np.cumsum(steps)[first], lengths)
    activity = (rng.integers(0, activities, size=cases)[case] + walked) % activities
    gaps = rng.exponential(4 * 3600, size=events).astype(np.int64) + 1
    gaps[first] = 0
    elapsed = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[first], lengths)
    start = np.datetime64("2025-01-01T00:00:00", "s") + rng.integers(0, 365 * 86400, size=cases)
    instants = start[case] + elapsed.astype("timedelta64[s]")
    berlin = (rng.random(cases) < 0.5)[case]
    local = instants + np.where(berlin, 3600, 8 * 3600).astype("timedelta64[s]")
    millis = rng.integers(0, 1000, size=events).astype("timedelta64[ms]")
    written = np.char.add(np.datetime_as_string(local.astype("datetime64[ms]") + millis, unit="ms"),
                          np.where(berlin, "+01:00", "+08:00"))  # fmt: skip
    names = np.array([f"Activity {i:02d}" for i in range(activities)], dtype=object)
    return pd.DataFrame(
        {
            "case:concept:name": np.char.add("case-", case.astype(str)),
            "concept:name": names[activity],
            "time:timestamp": written,
            "org:resource": np.char.add("R", rng.integers(0, 200, size=events).astype(str)),
            "org:group": np.char.add("Unit ", (activity % 8).astype(str)),
            "lifecycle:transition": "complete",
        }
    )


def write_xes(log: pd.DataFrame, path: Path) -> None:
    cases = log["case:concept:name"].to_numpy()
    starts = np.flatnonzero(np.r_[True, cases[1:] != cases[:-1]])
    event_xml = [
        f'\t\t<event>\n\t\t\t<string key="concept:name" value="{activity}"/>\n'
        f'\t\t\t<string key="org:resource" value="{resource}"/>\n'
        f'\t\t\t<string key="org:group" value="{unit}"/>\n'
        f'\t\t\t<string key="lifecycle:transition" value="complete"/>\n'
        f'\t\t\t<date key="time:timestamp" value="{written}"/>\n\t\t</event>\n'
        for activity, resource, unit, written in zip(
            log["concept:name"], log["org:resource"], log["org:group"], log["time:timestamp"], strict=True
        )
    ]
    with path.open("w", encoding="utf-8") as out:
        out.write(XES_HEAD)
        for low, high in zip(starts, np.r_[starts[1:], len(cases)], strict=True):
            out.write(f'\t<trace>\n\t\t<string key="concept:name" value="{cases[low]}"/>\n')
            out.writelines(event_xml[low:high])
            out.write("\t</trace>\n")
        out.write("</log>\n")


def timed(run: Callable[[], object], repeat: int) -> tuple[float, float, object]:
    """Best and median seconds of `repeat` runs, and the last run's result."""
    seconds, result = [], None
    for _ in range(repeat):
        began = time.perf_counter()
        result = run()
        seconds.append(time.perf_counter() - began)
    return min(seconds), statistics.median(seconds), result


def _pm4py():
    """pm4py, imported quietly (it prints a licence banner), or None when it is not installed."""
    if importlib.util.find_spec("pm4py") is None:
        return None
    with contextlib.redirect_stdout(io.StringIO()):
        import pm4py  # noqa: PLC0415 — benchmark-only (AGPL), never imported by the app
    return pm4py


def pm4py_frame(events: pd.DataFrame) -> pd.DataFrame:
    """Our frame under pm4py's column names, plain text columns (built outside the timings)."""
    return pd.DataFrame(
        {
            "case:concept:name": events["case"].astype(str),
            "concept:name": events["activity"].astype(str),
            "time:timestamp": events["timestamp"],
        }
    )


def run(*, events: int, activities: int, repeat: int, reference_repeat: int, seed: int, say) -> int:
    """Generates the files, times everything, prints the report; 1 when the implementations disagree."""
    pm4py = _pm4py()
    if pm4py is None:
        say("pm4py is NOT installed (pip install '.[bench]'; AGPL, benchmark only): our timings only, the")
        say("comparisons with pm4py's read_xes and discover_dfg are skipped.")
    with tempfile.TemporaryDirectory(prefix="bench-mining-") as folder:
        began = time.perf_counter()
        log = generate(events, activities, seed)
        xes, csv = Path(folder) / "log.xes", Path(folder) / "log.csv"
        write_xes(log, xes)
        log.to_csv(csv, index=False)
        say(
            f"generated {len(log):,} events in {log['case:concept:name'].nunique():,} cases ({activities} "
            f"activities, +08:00 and +01:00), XES {xes.stat().st_size / 1e6:,.0f} MB, CSV "
            f"{csv.stat().st_size / 1e6:,.0f} MB, in {time.perf_counter() - began:.1f} s"
        )
        del log
        agree, ours = _imports(xes, csv, repeat, reference_repeat, pm4py, say)
        agree &= _discovery(ours, repeat, reference_repeat, pm4py, seed, say)
    return 0 if agree else 1


def _imports(
    xes: Path, csv: Path, repeat: int, reference_repeat: int, pm4py, say
) -> tuple[bool, pd.DataFrame]:
    best, median, ours = timed(lambda: read_xes(xes), repeat)
    say(_timing("(a) our read_xes", best, median, repeat, f"{len(ours):,} events, {_cases(ours):,} cases"))
    agree = True
    if pm4py is not None:
        with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # its advice to install a Rust importer
            ref_best, ref_median, theirs = timed(
                lambda: pm4py.read_xes(str(xes), show_progress_bar=False), reference_repeat
            )
        their_cases = theirs["case:concept:name"].nunique()
        detail = f"{len(theirs):,} events, {their_cases:,} cases"
        say(_timing("(b) pm4py.read_xes", ref_best, ref_median, reference_repeat, detail))
        agree = len(theirs) == len(ours) and their_cases == _cases(ours)
        say(f"    same events and cases: {_yes(agree)}")
        say(_ratio("(b)/(a) XES import", ref_best / best, ref_median / median))
        del theirs
    best, median, from_csv = timed(lambda: read_csv(csv, CSV_MAPPING), repeat)
    same = from_csv.equals(ours)
    detail = f"{len(from_csv):,} events, the same frame as from the XES file: {_yes(same)}"
    say(_timing("(c) our read_csv", best, median, repeat, detail))
    return agree and same, ours


def _discovery(ours: pd.DataFrame, repeat: int, reference_repeat: int, pm4py, seed: int, say) -> bool:
    best, median, graph = timed(lambda: directly_follows(ours), repeat)
    detail = f"{len(graph.edges):,} edges with event and case counts, gap median/mean/p90"
    say(_timing("(d) our directly_follows", best, median, repeat, detail, milliseconds=True))
    began = time.perf_counter()
    unsorted = directly_follows(ours.sample(frac=1, random_state=seed))
    agree = unsorted.counts() == graph.counts()
    say(f"    on a shuffled copy, which it sorts first: {(time.perf_counter() - began) * 1e3:.1f} ms, "
        f"same graph: {_yes(agree)}")  # fmt: skip
    if pm4py is None:
        return agree
    frame = pm4py_frame(ours)
    ref_best, ref_median, found = timed(lambda: pm4py.discover_dfg(frame), reference_repeat)
    theirs, counts = dict(found[0]), graph.counts()
    detail = f"{len(theirs):,} edges"
    say(_timing("(e) pm4py.discover_dfg", ref_best, ref_median, reference_repeat, detail, milliseconds=True))
    identical = theirs == counts
    say(f"    edge counts identical: {_yes(identical)} ({len(theirs):,} edges, "
        f"{sum(theirs.values()):,} directly-follows pairs)")  # fmt: skip
    if not identical:
        differ = sorted(key for key in theirs.keys() | counts.keys() if theirs.get(key) != counts.get(key))
        say(f"    edges that differ: {differ[:10]}")
    say(_ratio("(e)/(d) directly-follows discovery", ref_best / best, ref_median / median))
    return agree and identical


def _cases(events: pd.DataFrame) -> int:
    return events["case"].nunique()


def _yes(flag: bool) -> str:
    return "yes" if flag else "NO"


def _timing(label: str, best: float, median: float, runs: int, detail: str, milliseconds=False) -> str:
    scale, unit = (1e3, "ms") if milliseconds else (1, "s")
    return (
        f"{label + ':':<28} best {best * scale:9.2f} {unit:<2}, median {median * scale:9.2f} {unit:<2} "
        f"of {runs}; {detail}"
    )


def _ratio(label: str, best: float, median: float) -> str:
    verdict = "meets" if median >= TARGET else "BELOW"
    return (
        f"ratio {label}: {median:.1f}× on medians, {best:.1f}× on bests — {verdict} the {TARGET:.0f}× target"
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench mining", description=__doc__.splitlines()[0])
    for name, value in DEFAULTS.items():
        parser.add_argument(f"--{name.replace('_', '-')}", type=int, default=value)
    args = parser.parse_args(argv)
    return run(
        events=args.events, activities=args.activities, repeat=max(args.repeat, 1),
        reference_repeat=max(args.reference_repeat, 1), seed=args.seed,
        say=lambda text: print(text, flush=True),
    )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
