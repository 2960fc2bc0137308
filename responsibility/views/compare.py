"""Two versions of a matrix side by side."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.models import ALL_BUT_EMPLOYEES
from collab.pages import id_param, tenant_page
from responsibility.access import access_matrix_by_id, access_matrix_version_by_id
from responsibility.models import MatrixRow
from responsibility.selectors import matrix_version_list

COMPARE_FIELDS = ("role", "share", "contribution_dimension", "evaluation_kpi_id", "evaluation_method")


def compare_rows(left: list[MatrixRow], right: list[MatrixRow]) -> list[dict]:
    """Rows of two versions side by side, matched by unit: added, removed, changed (which fields) or same."""
    old = {row.org_unit_id: row for row in left}
    new = {row.org_unit_id: row for row in right}
    out = []
    for row in right:
        before = old.get(row.org_unit_id)
        if before is None:
            out.append({"state": "added", "left": None, "right": row, "changed": set()})
            continue
        changed = {f for f in COMPARE_FIELDS if getattr(before, f) != getattr(row, f)}
        out.append(
            {"state": "changed" if changed else "same", "left": before, "right": row, "changed": changed}
        )
    for row in left:
        if row.org_unit_id not in new:
            out.append({"state": "removed", "left": row, "right": None, "changed": set()})
    return out


@tenant_page(read=ALL_BUT_EMPLOYEES)
def matrix_compare(request, pk: int):
    matrix = access_matrix_by_id(request.membership, pk)
    versions = matrix_version_list(matrix.kpi_id)
    other_id = id_param(request.GET, "with")
    if other_id is None:
        others = [v for v in versions if v.pk != matrix.pk]
        if not others:
            messages.info(request, _("This matrix has one version only; there is nothing to compare."))
            return redirect("matrix-detail", tenant_slug=request.tenant.slug, pk=matrix.pk)
        other_id = others[0].pk
    other = access_matrix_version_by_id(request.membership, other_id, of=matrix)
    left, right = (other, matrix) if other.version < matrix.version else (matrix, other)
    diff = compare_rows(list(left.rows.all()), list(right.rows.all()))
    counts = {state: sum(1 for d in diff if d["state"] == state) for state in ("added", "removed", "changed")}
    context = {
        "matrix": matrix,
        "kpi": matrix.kpi,
        "left": left,
        "right": right,
        "diff": diff,
        "counts": counts,
        "versions": versions,
    }
    return render(request, "responsibility/compare.html", context)
