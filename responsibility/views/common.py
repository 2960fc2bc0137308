"""What the matrix pages share: the row editor's context, posted rows, the datalists."""

from __future__ import annotations

from django.shortcuts import render

from collab.forms.editors import (
    editor_rows,
    reference_label,
    reference_labels,
    resolve_references,
    rows_from_post,
)
from collab.models import OrgUnit
from goals.models import KPI
from goals.selectors.kpis import kpi_options
from responsibility.forms import MatrixForm
from responsibility.models import MatrixRole, ResponsibilityMatrix
from responsibility.services.rows import ROW_FIELDS, share_summary

REFERENCES = {"org_unit": OrgUnit, "evaluation_kpi": KPI}


def _posted_rows(request) -> list[dict]:
    return resolve_references(rows_from_post(request.POST, fields=ROW_FIELDS), REFERENCES)


def _choices() -> dict:
    """The datalist of the KPI inputs (one query, rendered once per page); the unit inputs' datalist is a
    picker's, filled from the API as the user types (`collab.forms.pickers`)."""
    return {
        "kpi_options": [reference_label(code, name) for _pk, code, name in kpi_options()],
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
    summary = share_summary(rows)
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
