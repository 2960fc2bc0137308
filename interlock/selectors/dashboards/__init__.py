"""Reads behind the dashboards: a unit's department dashboard, the collaboration view, the org-wide ranking.

Dashboards read the precomputed `ScoreSnapshot` rows (the latest version per subject and period, DESIGN.md
§7a) and the responsibility matrices in effect; they never recompute a scorecard per request. Every function
runs a fixed number of queries, whatever the size of the tenant.

Snapshots hold each scorecard's lines, not the matrix rows: a unit's responsibility points and shortfalls
(and the contribution of a matrix unit that has no scorecard line for the KPI) come from the one engine
(`interlock.engine.compute_period`) over the matrix rows concerned and the period's values of their KPIs
(one measurement query for just those KPIs, `matrix_scores`).

One module per view (`unit`, `collaboration`, `ranking`, `home`) over the shared pieces in `common`; this
package names what pages, the API and the other apps read.
"""

from interlock.selectors.dashboards.collaboration import (
    collaboration,
    collaboration_rows,
    collaboration_stamp,
    shared_kpi_order,
)
from interlock.selectors.dashboards.common import (
    MatrixScores,
    flag_text,
    kpi_labels,
    matrix_scores,
    own_scored_period_ids,
    results_stamp,
    unit_scorecard,
    unit_scored_period_ids,
)
from interlock.selectors.dashboards.home import HomeScore, home_scores
from interlock.selectors.dashboards.ranking import (
    RankingFilters,
    flag_codes,
    ranked,
    ranking,
    ranking_label,
    ranking_ranks,
)
from interlock.selectors.dashboards.unit import unit_dashboard

__all__ = [
    "HomeScore",
    "MatrixScores",
    "RankingFilters",
    "collaboration",
    "collaboration_rows",
    "collaboration_stamp",
    "flag_codes",
    "flag_text",
    "home_scores",
    "kpi_labels",
    "matrix_scores",
    "own_scored_period_ids",
    "results_stamp",
    "ranked",
    "ranking",
    "ranking_label",
    "ranking_ranks",
    "shared_kpi_order",
    "unit_dashboard",
    "unit_scorecard",
    "unit_scored_period_ids",
]
