"""Extension points of goals, filled by upper areas from their `AppConfig.ready()` (goals imports none of
them).

`kpi_data_sources`: measures an upper area can fill a KPI's actual from. Each provider takes no argument and
returns {code: label}; a KPI whose `data_source` is exactly one of those codes has the actual of its
measurements filled by that area (through goals' measurement services, so scores recompute as after any
entry); the target stays human-set. feedback registers the collaboration event log's measures.
"""

from __future__ import annotations

from collab.hooks import Hook

kpi_data_sources = Hook()


def automatic_data_sources() -> dict[str, str]:
    """{code: label} of every data source an upper area fills by itself."""
    sources: dict[str, str] = {}
    for provided in kpi_data_sources.collect().values():
        sources.update(provided)
    return sources
