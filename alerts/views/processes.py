"""The process pages: the list (every member), one process drawn as its flow of stages (every member), and
HR's editor (new — blank or from a template —, edit with its dynamic stage rows, delete)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alerts.access import access_process_by_id
from alerts.forms.processes import ProcessFilterForm, ProcessForm
from alerts.models import ProcessKind, TimeUnit
from alerts.process_templates import TEMPLATES, template_name, template_stages
from alerts.selectors.kpis import stage_sections
from alerts.selectors.processes import process_page, processes, stored_stages, unit_labels
from alerts.services import processes as services
from alerts.services.process_checks import STAGE_FIELDS
from collab.concurrency import StaleEditError
from collab.forms import attempt_delete, form_status, note_stale
from collab.forms.editors import editor_rows, rows_from_post, split_errors
from collab.pages import HR_ONLY, paginate, tenant_page
from collab.routing.ids import parse_id

UNITS = "collaborating_units"


@tenant_page()
def process_list(request):
    form = ProcessFilterForm(request.GET or None)
    kind = form.cleaned_data.get("kind", "") if request.GET and form.is_valid() else ""
    context = {"filter_form": form, "page": paginate(request, processes(kind=kind)), "filtered": bool(kind)}
    return render(request, "alerts/processes/list.html", context)


@tenant_page()
def process_detail(request, pk: int):
    process = process_page(access_process_by_id(request.membership, pk))
    context = {"process": process, "kpi_sections": stage_sections(process)}
    return render(request, "alerts/processes/detail.html", context)


def _posted_stages(data) -> list[dict[str, str]]:
    """The stage rows as posted; a row's collaborating units (a multiple choice) as comma-separated ids."""
    flat = {key: ",".join(data.getlist(key)) if key.endswith(f"-{UNITS}") else data.get(key) for key in data}
    return rows_from_post(flat, fields=STAGE_FIELDS, prefix="stages", ignore_blank=("time_unit",))


def _stored_rows(process) -> list[dict[str, str]]:
    return [
        {**row, "id": str(row["id"]), "owner_unit": str(row["owner_unit"]),
         UNITS: ",".join(str(pk) for pk in row[UNITS]), "time_limit": str(row["time_limit"])}
        for row in stored_stages(process)
    ]  # fmt: skip


def _with_labels(rows: list[dict]) -> list[dict]:
    """Each row with its chosen units as (id, label) for the pickers' <option>s (one query)."""

    def ids(row):
        return [parse_id(part) for part in str(row.get(UNITS) or "").split(",")]

    labels = unit_labels(
        [parse_id(str(r.get("owner_unit") or "")) for r in rows] + [i for r in rows for i in ids(r)]
    )
    out = []
    for row in rows:
        owner = parse_id(str(row.get("owner_unit") or ""))
        out.append({**row, "owner_choice": (owner, labels[owner]) if owner in labels else None,
                    "unit_choices": [(pk, labels[pk]) for pk in ids(row) if pk in labels]})  # fmt: skip
    return out


def _editor(request, process, *, initial: dict, rows: list[dict]):
    form = ProcessForm(request.POST or None, initial=initial)
    row_errors: dict = {}
    general: list[str] = []
    if request.method == "POST":
        rows = _posted_stages(request.POST)
        if form.is_valid():
            try:
                if process is None:
                    saved = services.process_create(actor=request.user, data=form.service_data(), stages=rows)
                else:
                    saved = services.process_update(
                        actor=request.user, process=process, data=form.service_data(), stages=rows,
                        lock_version=form.cleaned_data.get("lock_version"),
                    )  # fmt: skip
            except ValidationError as invalid:
                row_errors, other = split_errors(invalid, prefix="stages")
                for key, texts in other.items():
                    for text in texts:
                        (form.add_error(key, text) if key in form.fields else general.append(text))
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                messages.success(request, _("Process %(name)s saved.") % {"name": saved.name})
                return redirect("process-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    blank = dict.fromkeys(STAGE_FIELDS, "") | {
        "time_unit": TimeUnit.WORKING_DAYS,
        "errors": {},
        "unit_choices": [],
    }
    context = {
        "form": form, "process": process, "stages": editor_rows(_with_labels(rows), row_errors),
        "blank_stage": blank, "time_units": TimeUnit.choices, "general": general,
        "templates": [(kind, ProcessKind(kind).label) for kind in TEMPLATES],
    }  # fmt: skip
    failed = row_errors or general or form.errors
    return render(request, "alerts/processes/form.html", context,
                  status=form_status(form, status=400 if failed else 200))  # fmt: skip


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def process_create(request):
    """A blank process, or one from a template (`?template=<kind>`): its stages prefilled, units to pick."""
    kind = request.GET.get("template", "")
    if kind not in TEMPLATES:
        kind = ""
    initial = {"kind": kind or ProcessKind.CUSTOM, "name": template_name(kind) if kind else ""}
    rows = (
        template_stages(kind)
        if kind
        else [dict.fromkeys(STAGE_FIELDS, "") | {"time_unit": TimeUnit.WORKING_DAYS}]
    )
    return _editor(request, None, initial=initial, rows=rows)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def process_edit(request, pk: int):
    process = access_process_by_id(request.membership, pk, write=True)
    initial = {"name": process.name, "kind": process.kind, "owner_unit": process.owner_unit_id,
               "owner": process.owner_id, "description": process.description, "is_active": process.is_active,
               "lock_version": process.lock_version}  # fmt: skip
    return _editor(request, process, initial=initial, rows=_stored_rows(process))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def process_delete(request, pk: int):
    process = access_process_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda lock_version: services.process_delete(
            actor=request.user, process=process, lock_version=lock_version
        ),
    )
    if attempt.done:
        messages.success(request, _("Process %(name)s deleted.") % {"name": process.name})
        return redirect("process-list", tenant_slug=request.tenant.slug)
    context = {"process": process, "error": attempt.error or None}
    return render(request, "alerts/processes/confirm_delete.html", context, status=attempt.status)
