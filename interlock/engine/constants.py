"""The engine's words and defaults: line and matrix roles, flag and reason codes, the tenant defaults.

The codes are stored (in snapshots' flags and breakdowns) and read by pages and the API: never rename one."""

from __future__ import annotations

ROLE_OWN, ROLE_SHARED, ROLE_REFERENCE = "own", "shared", "reference"
LINE_ROLES = (ROLE_OWN, ROLE_SHARED, ROLE_REFERENCE)
LEAD, COLLABORATING, SUPPORT = "lead", "collaborating", "support"
MATRIX_ROLES = (LEAD, COLLABORATING, SUPPORT)

SOURCE_KPI, SOURCE_EVALUATION = "kpi", "evaluation_kpi"

FLAG_NO_DATA = "no_data"
FLAG_NO_KPI_DATA = "no_kpi_data"
FLAG_REVIEW = "review_not_counted"
FLAG_SPECIAL_REVIEW = "special_review"
FLAG_POINTS_CLAMPED = "points_clamped"
FLAG_COLLAB_LOW = "collaborative_share_low"
REASON_NO_RATINGS = "no_ratings"
REASON_BELOW_K = "below_threshold"

DEFAULT_K = 5
DEFAULT_POINT_CAP = 10.0
DEFAULT_MIN_COLLABORATIVE = 20.0

DIGITS = 6  # informative floats in the breakdown are rounded to this many places
