"""The score engine of DESIGN.md §6: responsibility matrices and interlocked scorecards, one period at a time.

Pure and vectorised: columns in (numpy/pandas), plain data out; no ORM, no I/O. `interlock.selectors.inputs`
loads a tenant and period with a handful of bulk queries into `PeriodInputs`;
`interlock.services.scores.scores_recompute` writes what `compute_period` returns as one new snapshot version.
Every scorecard of the period is computed at once (index look-ups, `np.bincount` and one `groupby`); there
is no per-scorecard loop in the computation, and `compute_period` returns columns (`PeriodScores`). Plain
records (a dict per breakdown row) are built only when asked for (pages, what-if, tests); the snapshot
writer asks for JSON text instead (`breakdown_documents`, `flag_documents`), made from the columns with
each distinct value formatted once, so a 200,000-line period never becomes 200,000 dicts.

The package, one job per module (each imports only numpy, pandas, the standard library, `goals.engine` and
its siblings — never Django, models, selectors or services):

    constants   roles, flag and reason codes, defaults
    inputs      `EngineParams`, `PeriodInputs` and the column helpers (ids, floats, look-ups)
    compute     `compute_period`: its stages in order, the KPI scores (`score_kpis`) and the output tables
    matrices    the matrix stages: rows (contribution, responsibility points, shortfall), composite index
    scorecards  the scorecard stages: lines, KPI part, review part, points, totals, breakdown rows in cents
    rounding    `largest_remainder_cents`: exact breakdowns in hundredths
    results     `PeriodScores` and the plain records (`ScorecardScore`, `MatrixRowScore`, `MatrixScore`)
    documents   the snapshot document writer: breakdown and flag JSON text, `BREAKDOWN_LAYOUTS`

This module re-exports the names the rest of the project uses.

Inputs (each a DataFrame, a mapping of column → sequence, or records; ids are integers, a missing id is
None/NaN):

    kpis          kpi, direction ("higher_better" | "lower_better"), cap
    measurements  kpi, target, actual            (one per KPI for the period; absent = no data)
    matrix_rows   matrix, kpi, unit, role ("lead" | "collaborating" | "support"), share,
                  eval_kpi (optional), row (optional id)
                  — the rows of the one matrix version in effect for each KPI in this period.
    scorecards    scorecard, subject (any hashable key, e.g. "unit:7"), unit (the unit whose matrix rows
                  apply: the subject unit, or the position's unit), rho (review weight 0–1)
    lines         scorecard, kpi, weight, role ("own" | "shared" | "reference"), threshold (optional),
                  line (optional id)
    ratings       subject, rater, value          (internal-customer ratings on the 1–5 scale; one row per
                  rating, or one row per rater holding that rater's mean — the mean is taken over rows)
    points        subject, points                (approved points of the period; summed per subject)

Rules (§6), with the decisions taken where §6 is silent:

- KPI score: `goals.engine.scores.kpi_scores` (the one implementation). No measurement → no data (None).
- Matrix row: contribution = score of its evaluation KPI when set, else of K (an evaluation KPI without
  data gives no data, never K's score as a fallback); responsibility points = share × contribution / 100;
  shortfall = share × (100 − min(contribution, 100)) / 100. Composite index = Σ share × contribution / 100,
  None when any row of the matrix has no data.
- Line score: the subject unit's contribution score in K's matrix when its row there has an evaluation KPI,
  else K's score. A line "has data" when its score is not None.
- KPI part = Σ w·s / Σ w over own and shared lines with data and weight > 0. Own/shared lines with weight > 0
  and no data are listed (flag `no_data`) and the scorecard is incomplete. Reference lines never count
  (their weight is treated as 0). When no weighted line has data the KPI part is None and so are base and
  total (flag `no_kpi_data`): a total is never made of zeros standing in for missing data.
- Review part = (mean − 1) / 4 × 100, shown only with ≥ k distinct raters; otherwise ρ counts as 0 and the
  scorecard carries a `review_not_counted` flag with the reason (`no_ratings` | `below_threshold`; only
  when ρ > 0). The ratings' values are never part of the output below k.
- base = (1 − ρ') × KPI part + ρ' × review part (ρ' = effective ρ); points (the approved bonus/penalty points,
  never the responsibility points above) = Σ approved points clamped to
  ± cap (flag `points_clamped`); total = base + points.
- Special review: a reference line whose KPI's own score (K's score, the one agreed number) is under its
  threshold raises a `special_review` flag.
- Collaborative share = Σ weights of shared lines; under the tenant's minimum → `collaborative_share_low`.
- Double counting: a KPI may be a line of any number of scorecards; each line is computed on its own, so a
  line added to one scorecard changes no other scorecard.

Rounding (exact breakdowns): all arithmetic is in float64. Each scorecard's breakdown has one row per line
(contribution to the total = (1 − ρ') × w × s / Σw, 0 for lines that do not count), one review row
(ρ' × review part) and one points row. Values are then expressed in hundredths: each value × 100 is first
trimmed of float noise (rounded to 6 decimals), the total is rounded to a whole hundredth (half to even),
every row takes the floor of its value, and the hundredths still missing to reach the total go one each to
the rows with the largest remainders (largest-remainder method; ties by row order). The published `total`
and every row `value` are `Decimal`s with two places, and Σ row values == total exactly, by construction.
`kpi_part`, `review_part` and `base` are reported unrounded (floats); they explain, the rows add up.
"""

from goals.engine.common import DEFAULT_CAP
from interlock.engine.compute import compute_period
from interlock.engine.constants import (
    FLAG_COLLAB_LOW,
    FLAG_NO_DATA,
    FLAG_NO_KPI_DATA,
    FLAG_POINTS_CLAMPED,
    FLAG_REVIEW,
    FLAG_SPECIAL_REVIEW,
    REASON_BELOW_K,
    REASON_NO_RATINGS,
)
from interlock.engine.documents import BREAKDOWN_LAYOUTS
from interlock.engine.inputs import EngineParams, PeriodInputs
from interlock.engine.results import MatrixRowScore, PeriodScores, ScorecardScore
from interlock.engine.rounding import largest_remainder_cents

__all__ = [
    "BREAKDOWN_LAYOUTS",
    "DEFAULT_CAP",
    "FLAG_COLLAB_LOW",
    "FLAG_NO_DATA",
    "FLAG_NO_KPI_DATA",
    "FLAG_POINTS_CLAMPED",
    "FLAG_REVIEW",
    "FLAG_SPECIAL_REVIEW",
    "REASON_BELOW_K",
    "REASON_NO_RATINGS",
    "EngineParams",
    "MatrixRowScore",
    "PeriodInputs",
    "PeriodScores",
    "ScorecardScore",
    "compute_period",
    "largest_remainder_cents",
]
