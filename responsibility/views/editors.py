"""The matrix editors: a first version, a correction in place, a new version from a later period."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from collab.access import access_period_by_id
from collab.concurrency import StaleEditError
from collab.forms.editors import split_errors
from collab.pages import HR_ONLY, id_param, tenant_page
from goals.access import access_kpi_by_id
from responsibility.access import access_matrix_by_id
from responsibility.forms import MatrixForm
from responsibility.models import ResponsibilityMatrix
from responsibility.selectors import matrix_latest
from responsibility.services import matrices
from responsibility.services.periods import matrix_closed_periods
from responsibility.views.common import _apply_other_errors, _editor, _posted_rows, _rows_of


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_create(request):
    initial = {}
    kpi_id = id_param(request.GET, "kpi")
    if kpi_id is not None:
        kpi = access_kpi_by_id(request.membership, kpi_id)
        latest = matrix_latest(kpi)
        if latest is not None:  # a matrix exists: a new version is the way to change it
            return redirect("matrix-new-version", tenant_slug=request.tenant.slug, pk=latest.pk)
        initial["kpi"] = kpi.pk
    period_id = id_param(request.GET, "period")
    if period_id is not None:
        initial["effective_from"] = access_period_by_id(request.membership, period_id).pk
    form = MatrixForm(request.POST or None, initial=initial, mode="create")
    if request.method != "POST":
        return _editor(request, form=form, rows=[], mode="create")
    rows = _posted_rows(request)
    if not form.is_valid():
        return _editor(request, form=form, rows=rows, mode="create")
    try:
        matrix = matrices.matrix_create(
            actor=request.user,
            kpi=form.cleaned_data["kpi"],
            effective_from=form.cleaned_data["effective_from"],
            rows=rows,
            note=form.cleaned_data["note"],
        )
    except ValidationError as invalid:
        by_row, other = split_errors(invalid)
        general = _apply_other_errors(form, other)
        return _editor(request, form=form, rows=rows, mode="create", errors=by_row, general=general)
    messages.success(request, _("Responsibility matrix for %(kpi)s saved.") % {"kpi": matrix.kpi.name})
    return redirect("matrix-detail", tenant_slug=request.tenant.slug, pk=matrix.pk)


def _save_existing(request, matrix: ResponsibilityMatrix, mode: str):
    if mode == "version":
        initial = {"lock_version": matrix.lock_version, "note": ""}
    else:
        initial = {"lock_version": matrix.lock_version, "note": matrix.note}
    form = MatrixForm(request.POST or None, initial=initial, mode=mode, matrix=matrix)
    if request.method != "POST":
        closed = matrix_closed_periods(matrix) if mode == "edit" else []
        return _editor(request, form=form, rows=_rows_of(matrix), mode=mode, matrix=matrix, closed=closed)
    rows = _posted_rows(request)
    if not form.is_valid():
        return _editor(request, form=form, rows=rows, mode=mode, matrix=matrix)
    data = form.cleaned_data
    try:
        if mode == "version":
            saved = matrices.matrix_new_version(
                actor=request.user,
                matrix=matrix,
                lock_version=data.get("lock_version"),
                effective_from=data["effective_from"],
                rows=rows,
                note=data["note"],
            )
            message = _("Version %(version)d saved; it takes effect from %(period)s.") % {
                "version": saved.version,
                "period": saved.effective_from.label,
            }
        else:
            saved = matrices.matrix_update(
                actor=request.user,
                matrix=matrix,
                lock_version=data.get("lock_version"),
                rows=rows,
                note=data["note"],
            )
            message = _("Version %(version)d corrected.") % {"version": saved.version}
    except StaleEditError as stale:
        return _editor(request, form=form, rows=rows, mode=mode, matrix=matrix, stale=stale.message)
    except ValidationError as invalid:
        by_row, other = split_errors(invalid)
        general = _apply_other_errors(form, other)
        return _editor(
            request, form=form, rows=rows, mode=mode, matrix=matrix, errors=by_row, general=general
        )
    messages.success(request, message)
    return redirect("matrix-detail", tenant_slug=request.tenant.slug, pk=saved.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_edit(request, pk: int):
    """Correct a version in place (refused when a closed period was scored with it)."""
    return _save_existing(request, access_matrix_by_id(request.membership, pk, write=True), "edit")


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_new_version(request, pk: int):
    """A new version from a later period, starting from this version's rows."""
    return _save_existing(request, access_matrix_by_id(request.membership, pk, write=True), "version")
