"""One matrix version: its rows, the periods scored with it, its other versions."""

from __future__ import annotations

from django.shortcuts import render

from collab.models import ALL_BUT_EMPLOYEES, Period, Role
from collab.pages import tenant_page
from collab.selectors.periods import period_start, periods_ordered
from responsibility.access import access_matrix_by_id
from responsibility.hooks import matrix_sections
from responsibility.models import ResponsibilityMatrix
from responsibility.selectors import matrix_version_list
from responsibility.services.rows import share_summary


def _periods_in_effect(
    versions: list[ResponsibilityMatrix], periods: list[Period]
) -> dict[int, list[Period]]:
    """{matrix id: the periods scored with it} (in Python, from what the page already loaded)."""
    ordered = sorted(versions, key=lambda m: (period_start(m.effective_from), m.version))
    out: dict[int, list[Period]] = {m.pk: [] for m in versions}
    for period in sorted(periods, key=period_start):
        start = period_start(period)
        chosen = None
        for matrix in ordered:
            if period_start(matrix.effective_from) <= start and period.pk not in (matrix.kept_closed or []):
                chosen = matrix
        if chosen is not None:
            out[chosen.pk].append(period)
    return out


@tenant_page(read=ALL_BUT_EMPLOYEES)
def matrix_detail(request, pk: int):
    matrix = access_matrix_by_id(request.membership, pk)
    versions = matrix_version_list(matrix.kpi_id)
    periods = periods_ordered()
    in_effect = _periods_in_effect(versions, periods)
    latest = versions[0]
    rows = list(matrix.rows.all())
    summary = share_summary([{"role": r.role, "share": r.share} for r in rows])
    context = {
        "matrix": matrix,
        "kpi": matrix.kpi,
        "rows": rows,
        "versions": versions,
        "latest": latest,
        "is_latest": latest.pk == matrix.pk,
        "in_effect": in_effect.get(matrix.pk, []),
        "summary": summary,
        "can_edit": request.membership.has_role(Role.HR_ADMIN),
        "other_versions": [v for v in versions if v.pk != matrix.pk],
    }
    sections = matrix_sections.collect(matrix)  # upper areas' parts of the page (templates by name)
    for part in sections.values():
        context.update(part)
    context["section_templates"] = list(sections)
    return render(request, "responsibility/detail.html", context)
