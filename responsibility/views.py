"""Responsibility matrix pages (责任量化 · 差异化关联矩阵).

HR admins create matrices, correct a version, add a version from a later period and compare versions;
managers, committee members and auditors read; employees have no access. The row editor validates live:
every change posts the form to `matrix_validate`, which runs the service's own row rules
(`responsibility.services.matrix_rows_clean`, no writes) and answers the summary (share sum, leads) and
each row's messages. Saves carry `lock_version`; a stale save is refused naming who changed the matrix and
when, and the editor keeps what was typed. Every page runs a fixed number of queries.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms.editors import (
    editor_rows,
    reference_label,
    reference_labels,
    resolve_references,
    rows_from_post,
    split_errors,
)
from collab.models import ALL_BUT_EMPLOYEES, OrgUnit, Period, Role
from collab.pages import HR_ONLY, get_scoped_or_404, id_param, paginate, tenant_page
from collab.selectors.periods import default_period, period_start
from goals.models import KPI
from responsibility import services
from responsibility.forms import MatrixFilterForm, MatrixForm
from responsibility.hooks import matrix_sections
from responsibility.models import MatrixRole, MatrixRow, ResponsibilityMatrix
from responsibility.selectors import matrix_effective_ids, matrix_with_rows

COMPARE_FIELDS = ("role", "share", "contribution_dimension", "evaluation_kpi_id", "evaluation_method")


# --------------------------------------------------------------------------------------------- helpers


REFERENCES = {"org_unit": OrgUnit, "evaluation_kpi": KPI}


def _posted_rows(request) -> list[dict]:
    return resolve_references(rows_from_post(request.POST, fields=services.ROW_FIELDS), REFERENCES)


def _choices() -> dict:
    """The datalists of the unit and KPI inputs (two queries, rendered once per page)."""
    return {
        "unit_options": [
            reference_label(code, name)
            for code, name in OrgUnit.objects.order_by("path").values_list("code", "name")
        ],
        "kpi_options": [
            reference_label(code, name)
            for code, name in KPI.objects.filter(is_active=True).order_by("code").values_list("code", "name")
        ],
        "role_options": MatrixRole.choices,
    }


def _rows_of(matrix: ResponsibilityMatrix) -> list[dict]:
    return [
        {
            "org_unit": str(row.org_unit_id),
            "role": row.role,
            "share": f"{row.share.normalize():f}",
            "contribution_dimension": row.contribution_dimension,
            "evaluation_kpi": str(row.evaluation_kpi_id or ""),
            "evaluation_method": row.evaluation_method,
        }
        for row in matrix.rows.all()
    ]


def _blank_row(role: str = MatrixRole.LEAD) -> dict:
    return {
        "org_unit": "",
        "role": role,
        "share": "",
        "contribution_dimension": "",
        "evaluation_kpi": "",
        "evaluation_method": "",
    }


def _apply_other_errors(form: MatrixForm, other: dict[str, list[str]]) -> list[str]:
    """Header errors onto the form; the rest (whole-matrix rules) returned for the summary box."""
    general = []
    for key, messages_ in other.items():
        if key in form.fields:
            for message in messages_:
                form.add_error(key, message)
        else:
            general.extend(messages_)
    return general


def _editor(
    request, *, form, rows, mode, matrix=None, kpi=None, errors=None, general=None, stale=None, closed=()
):
    status = 409 if stale else 200
    summary = services.share_summary(rows)
    context = {
        "form": form,
        "rows": reference_labels(editor_rows(rows or [_blank_row()], errors), REFERENCES),
        "mode": mode,
        "matrix": matrix,
        "kpi": kpi or (matrix.kpi if matrix else None),
        "summary": summary,
        # The summary box lists the share rules itself; the service's copies of them would show twice.
        "general": [m for m in general or [] if m not in summary["messages"]],
        "stale": stale,
        "closed_periods": closed,  # a correction would be refused: the editor says so before any typing
        "template_row": _blank_row(MatrixRole.COLLABORATING),
        **_choices(),
    }
    return render(request, "responsibility/form.html", context, status=status)


# --------------------------------------------------------------------------------------------- list


@tenant_page(read=ALL_BUT_EMPLOYEES)
def matrix_list(request):
    """Collaborative KPIs (and any KPI with a matrix) with the version in effect for the chosen period."""
    periods = list(Period.objects.all())
    form = MatrixFilterForm(request.GET or None)
    period, query, scope = None, "", ""
    if form.is_bound and form.is_valid():
        period, query, scope = form.cleaned_data["period"], form.cleaned_data["q"], form.cleaned_data["scope"]
    elif form.is_bound:
        raise Http404
    period = period or default_period(periods)
    kpis = KPI.objects.filter(Q(is_collaborative=True) | Q(matrices__isnull=False)).annotate(
        versions=Count("matrices", distinct=True)
    )
    if query:
        kpis = kpis.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if scope == "with":
        kpis = kpis.filter(versions__gt=0)
    elif scope == "without":
        kpis = kpis.filter(versions=0)
    page = paginate(request, kpis.order_by("code"))
    effective = matrix_effective_ids(period) if period is not None else {}
    wanted = [effective[k.pk] for k in page if k.pk in effective]
    rows_by_matrix: dict[int, list[MatrixRow]] = {}
    matrices = {}
    if wanted:
        for matrix in matrix_with_rows().filter(pk__in=wanted):
            matrices[matrix.pk] = matrix
            rows_by_matrix[matrix.pk] = list(matrix.rows.all())
    items = []
    for kpi in page:
        matrix = matrices.get(effective.get(kpi.pk))
        items.append(
            {"kpi": kpi, "matrix": matrix, "rows": rows_by_matrix.get(matrix.pk, []) if matrix else []}
        )
    context = {
        "filter_form": form,
        "periods": periods,
        "period": period,
        "page": page,
        "items": items,
        "q": query,
        "scope": scope,
        "can_edit": request.membership.has_role(Role.HR_ADMIN),
    }
    return render(request, "responsibility/list.html", context)


# --------------------------------------------------------------------------------------------- detail


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
    matrix = get_scoped_or_404(matrix_with_rows(), pk)
    versions = list(
        ResponsibilityMatrix.objects.filter(kpi_id=matrix.kpi_id)
        .select_related("effective_from", "updated_by")
        .order_by("-version")
    )
    periods = list(Period.objects.all())
    in_effect = _periods_in_effect(versions, periods)
    latest = versions[0]
    rows = list(matrix.rows.all())
    summary = services.share_summary([{"role": r.role, "share": r.share} for r in rows])
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


# --------------------------------------------------------------------------------------------- editors


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_create(request):
    initial = {}
    kpi_id = id_param(request.GET, "kpi")
    if kpi_id is not None:
        kpi = get_scoped_or_404(KPI, kpi_id)
        latest = ResponsibilityMatrix.objects.filter(kpi=kpi).order_by("-version").first()
        if latest is not None:  # a matrix exists: a new version is the way to change it
            return redirect("matrix-new-version", tenant_slug=request.tenant.slug, pk=latest.pk)
        initial["kpi"] = kpi.pk
    period_id = id_param(request.GET, "period")
    if period_id is not None:
        initial["effective_from"] = get_scoped_or_404(Period, period_id).pk
    form = MatrixForm(request.POST or None, initial=initial, mode="create")
    if request.method != "POST":
        return _editor(request, form=form, rows=[], mode="create")
    rows = _posted_rows(request)
    if not form.is_valid():
        return _editor(request, form=form, rows=rows, mode="create")
    try:
        matrix = services.matrix_create(
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
        closed = services.matrix_closed_periods(matrix) if mode == "edit" else []
        return _editor(request, form=form, rows=_rows_of(matrix), mode=mode, matrix=matrix, closed=closed)
    rows = _posted_rows(request)
    if not form.is_valid():
        return _editor(request, form=form, rows=rows, mode=mode, matrix=matrix)
    data = form.cleaned_data
    try:
        if mode == "version":
            saved = services.matrix_new_version(
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
            saved = services.matrix_update(
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
    return _save_existing(request, get_scoped_or_404(matrix_with_rows(), pk), "edit")


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_new_version(request, pk: int):
    """A new version from a later period, starting from this version's rows."""
    return _save_existing(request, get_scoped_or_404(matrix_with_rows(), pk), "version")


def _posted_period_check(request):
    """The save's period rule for the period on screen (`matrix`: the version the editor adds to)."""
    period_id = id_param(request.POST, "effective_from")
    if period_id is None:
        return None
    period = Period.objects.filter(pk=period_id).first()
    if period is None:
        raise Http404
    matrix_id = id_param(request.POST, "matrix")
    kpi_id = get_scoped_or_404(ResponsibilityMatrix, matrix_id).kpi_id if matrix_id is not None else None
    return services.matrix_period_check(period, kpi=kpi_id)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def matrix_validate(request):
    """htmx: the live check of the rows being edited (the service's rules, nothing written)."""
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    rows = _posted_rows(request)
    by_row: dict = {}
    general: list[str] = []
    # every row on screen, blank or not
    posted = rows_from_post(request.POST, fields=services.ROW_FIELDS, ignore_blank=())
    if rows:
        try:
            services.matrix_rows_clean(rows)
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
    summary = services.share_summary(rows)
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


# --------------------------------------------------------------------------------------------- compare


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
    matrix = get_scoped_or_404(matrix_with_rows(), pk)
    versions = list(
        ResponsibilityMatrix.objects.filter(kpi_id=matrix.kpi_id)
        .select_related("effective_from")
        .order_by("-version")
    )
    other_id = id_param(request.GET, "with")
    if other_id is None:
        others = [v for v in versions if v.pk != matrix.pk]
        if not others:
            messages.info(request, _("This matrix has one version only; there is nothing to compare."))
            return redirect("matrix-detail", tenant_slug=request.tenant.slug, pk=matrix.pk)
        other_id = others[0].pk
    other = get_scoped_or_404(matrix_with_rows().filter(kpi_id=matrix.kpi_id), other_id)
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
