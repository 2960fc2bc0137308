"""Reads of event logs for the pages and the API (a fixed number of queries each)."""

from __future__ import annotations

from django.db.models import QuerySet

from alerts.models import EventLog, EventLogCase


def event_logs() -> QuerySet[EventLog]:
    """The tenant's event logs, newest first (`event_log_created_idx`), without their stored analyses."""
    return (
        EventLog.objects.select_related("process", "job", "uploaded_by")
        .defer("analysis", "errors")
        .order_by("-created_at", "-id")
    )


def log_cases(event_log: EventLog, *, variant: int | None = None) -> QuerySet[EventLogCase]:
    """A log's cases (of one variant, when given) by variant, then row (`event_log_case_variant_idx`)."""
    cases = EventLogCase.objects.filter(event_log=event_log)
    if variant is not None:
        cases = cases.filter(variant=variant)
    return cases.order_by("variant", "id")


def duration_text(seconds: float | None) -> str:
    """A wait or a duration as people read it: "45 s", "12 min", "3.5 h", "2.1 d"."""
    if seconds is None:
        return "—"
    for limit, size, unit in ((60, 1, "s"), (3600, 60, "min"), (86400, 3600, "h")):
        if seconds < limit:
            value = seconds / size
            return f"{value:.0f} {unit}" if unit in ("s", "min") else f"{value:.1f} {unit}"
    return f"{seconds / 86400:.1f} d"


def dfg_chart(analysis: dict, *, top: int = 40, names: dict | None = None) -> dict:
    """The directly-follows graph for the page's chart: the `top` most frequent edges and their activities,
    each activity placed in a column by its distance from the cases' start (breadth first over the edges)."""
    edges = analysis.get("edges", [])[:top]
    events: dict[str, int] = {}
    for edge in edges:
        events[edge["target"]] = events.get(edge["target"], 0) + edge["events"]
        events.setdefault(edge["source"], 0)
    for name, count in analysis.get("start_activities", {}).items():
        if name in events:
            events[name] += count
    level = {name: 0 for name in analysis.get("start_activities", {}) if name in events}
    frontier = list(level)
    while frontier:
        following = []
        for edge in edges:
            if edge["source"] in frontier and edge["target"] not in level:
                level[edge["target"]] = level[edge["source"]] + 1
                following.append(edge["target"])
        frontier = following
    deepest = max(level.values(), default=0)
    rows: dict[int, int] = {}
    nodes = []
    for name in sorted(events, key=lambda n: (level.get(n, deepest + 1), -events[n], n)):
        column = level.get(name, deepest + 1)
        row = rows.get(column, 0)
        rows[column] = row + 1
        nodes.append({"name": name, "events": events[name], "x": column * 200, "y": row * 110})
    chart_edges = [
        {"source": e["source"], "target": e["target"], "events": e["events"], "cases": e["cases"],
         "median_seconds": e.get("median_seconds"), "wait": duration_text(e.get("median_seconds"))}
        for e in edges
    ]  # fmt: skip
    return {"nodes": nodes, "edges": chart_edges, "names": names or {}}
