"""Isolation samples of the measurement pages and API (see the isolation contract in the shared brief).

Builds on the goals samples (ORDER 40): their measurement gives the period and KPI ids of B.
"""

from __future__ import annotations

ORDER = 45


def build(tenant, objects: dict) -> dict:
    return {}


ROUTE_KWARGS = {
    "measurement-grid": lambda o: {"period_pk": o["measurement"].period_id},
    "measurement-import": lambda o: {"period_pk": o["measurement"].period_id},
    "measurement-export": lambda o: {"period_pk": o["measurement"].period_id},
    "measurement-row": lambda o: {"period_pk": o["measurement"].period_id, "kpi_pk": o["measurement"].kpi_id},
}

API_DETAIL = {
    "measurement": "measurement",
}
