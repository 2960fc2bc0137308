"""htmx: the editor's live check of the rows being edited (the service's rules, nothing written)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed
from django.shortcuts import render

from collab.access import access_period_by_id
from collab.forms.editors import rows_from_post, split_errors
from collab.pages import HR_ONLY, id_param, tenant_page
from responsibility.access import access_matrix_by_id
from responsibility.services.periods import matrix_period_check
from responsibility.services.rows import ROW_FIELDS, matrix_rows_clean, share_summary
from responsibility.views.common import _posted_rows


def _posted_period_check(request):
    """The save's period rule for the period on screen (`matrix`: the version the editor adds to)."""
    period_id = id_param(request.POST, "effective_from")
    if period_id is None:
        return None
    period = access_period_by_id(request.membership, period_id)
    matrix_id = id_param(request.POST, "matrix")
    kpi_id = access_matrix_by_id(request.membership, matrix_id).kpi_id if matrix_id is not None else None
    return matrix_period_check(period, kpi=kpi_id)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_validate(request):
    """htmx: the live check of the rows being edited (the service's rules, nothing written)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = _posted_rows(request)
    by_row: dict = {}
    general: list[str] = []
    # every row on screen, blank or not
    posted = rows_from_post(request.POST, fields=ROW_FIELDS, ignore_blank=())
    if rows:
        try:
            matrix_rows_clean(rows)
        except ValidationError as invalid:
            by_row, other = split_errors(invalid)
            general = [m for messages_ in other.values() for m in messages_]
    # Map the errors of the non-blank rows back to their place on screen.
    screen_errors: dict[int, dict] = {}
    cursor = 0
    for index, row in enumerate(posted):
        if all(not str(row[f]).strip() for f in row if f != "role"):
            continue
        if cursor in by_row:
            screen_errors[index] = by_row[cursor]
        cursor += 1
    summary = share_summary(rows)
    general = [m for m in general if m not in summary["messages"]]
    period_check = _posted_period_check(request)
    if period_check is not None and not period_check.allowed:
        general.append(period_check.reason)  # the save would refuse it: so does the live check
    context = {
        "summary": summary,
        "general": general,
        "period_note": period_check.note if period_check is not None and period_check.allowed else "",
        "row_errors": [{"index": i, "errors": screen_errors.get(i, {})} for i in range(len(posted))],
        "oob": True,
    }
    return render(request, "responsibility/form.html#live", context)
