"""Organisation pages: the unit tree, positions, employees, periods and the Excel/CSV import.

HR admins read and write; auditors read (lists, tree, exports); other roles get 403. Views stay thin:
forms parse, services decide and write, selectors read. With htmx, the tree's forms open in a side panel
and a successful save reloads the tree; without JavaScript every form is a normal page.
"""

from __future__ import annotations

import secrets
from urllib.parse import urldefrag

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from collab.forms import attempt_delete, form_status, lock_version_field, save_form
from collab.forms import org as forms
from collab.imports import ImportFileError, Table, export_xlsx, xlsx_response
from collab.models import Employee, OrgUnit, Period, Position
from collab.pages import HR_AND_AUDITOR, HR_ONLY, get_scoped_or_404, paginate, tenant_page
from collab.routing import parse_id
from collab.selectors import org as selectors
from collab.services.org import employees as services_employees
from collab.services.org import periods as services_periods
from collab.services.org import positions as services_positions
from collab.services.org import units as services_units
from collab.services.org.employees import employee_update
from collab.services.org.importing import ORG_IMPORTS, org_importer
from collab.services.org.periods import period_update
from collab.services.org.positions import position_update
from collab.services.org.units import org_unit_update

EXPORT_LIMIT = 100_000


def _url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _render_panel(request, template: str, context: dict, status: int = 200):
    """htmx requests get the bare card, the page's `panel` partial (it goes into the tree's side panel);
    others the full page."""
    context["in_panel"] = bool(request.htmx) and not request.htmx.boosted
    return render(request, f"{template}#panel" if context["in_panel"] else template, context, status=status)


def _done(request, url: str, message: str):
    messages.success(request, message)
    if request.htmx:
        # A browser does not reload a page whose address changes only after the '#': the tree would keep
        # the old names and the side panel, with no message. Reload it instead.
        if request.htmx.current_url_abs_path == urldefrag(url).url:
            return HttpResponseClientRefresh()
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _locked_form(form, obj):
    """An edit form carrying the version it shows (`lock_version`, hidden; the service checks it)."""
    form.fields["lock_version"] = lock_version_field()
    form.fields["lock_version"].initial = obj.lock_version
    return form


def _form_page(
    request, form, *, title: str, action: str, cancel: str, submit: str = "", intro: str = "",
    locked: str = "",
):
    """`locked`, when given, says why nothing on the form can change: it is shown instead of the save
    button (the fields are disabled by the caller)."""
    context = {
        "form": form,
        "title": title,
        "action": action,
        "cancel": cancel,
        "submit": submit or _("Save"),
        "intro": intro,
        "locked": locked,
    }
    # htmx swaps only 2xx answers (and 409) into the panel, so a form with other errors is a 200 there.
    status = 400 if form.is_bound and form.errors and not request.htmx else 200
    return _render_panel(request, "collab/org/form.html", context, status=form_status(form, status=status))


def _delete_page(
    request, obj, delete, *, done: str, title: str, question: str, action: str, cancel: str
):
    """Ask before deleting `obj`; on POST `delete(lock_version)` runs (the version the confirm form carried)
    and the page returns to `cancel`, or shows the refusal (a stale delete: 409, nothing deleted)."""
    attempt = attempt_delete(request, delete)
    if attempt.done:
        return _done(request, cancel, done)
    context = {
        "title": title,
        "question": question,
        "action": action,
        "cancel": cancel,
        "error": attempt.error,
        "object": obj,
    }
    status = attempt.status
    if status == 400 and request.htmx:
        status = 200  # htmx swaps only 2xx answers (and 409) into the panel
    return _render_panel(request, "collab/org/confirm.html", context, status=status)


def _wants_export(request) -> bool:
    return request.GET.get("export") == "xlsx"


def _headers(importer_kind: str) -> list[str]:
    """Export headers: the import's columns in the user's language, so an export can be imported again."""
    from django.utils.translation import get_language

    chinese = (get_language() or "").startswith("zh")
    return [
        column.headers[1] if chinese else column.headers[0]
        for column in ORG_IMPORTS[importer_kind].columns
    ]


# ----- tree -----
@tenant_page(read=HR_AND_AUDITOR)
def org_tree(request):
    search = forms.TreeSearchForm(request.GET)
    query = search.value("q", "")
    if _wants_export(request):
        rows = (
            (u.code, u.name, u.kind, u.parent.code if u.parent else "")
            for u in selectors.units_for_export()[:EXPORT_LIMIT]
        )
        return xlsx_response(
            export_xlsx(_headers("units"), rows, sheet_title=_("Org units")), "org-units.xlsx"
        )
    context = {
        "search": search,
        "query": query,
        "results": selectors.unit_search(query) if query else None,
        "nodes": [] if query else selectors.unit_tree(),
    }
    return render(request, "collab/org/tree.html", context)


@tenant_page(read=HR_AND_AUDITOR)
def org_tree_children(request, pk: int):
    """The subtree below one unit (htmx: filled in when a node whose children were not loaded opens)."""
    unit = get_scoped_or_404(OrgUnit, pk)
    context = {"nodes": selectors.unit_tree(unit), "open_depth": unit.depth + 1}
    return render(request, "collab/org/tree.html#tree_nodes", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_create(request):
    tree = _url(request, "org-tree")
    initial = {}
    parent_id = parse_id(request.GET.get("parent", ""))
    if parent_id is not None:
        initial["parent"] = OrgUnit.objects.filter(pk=parent_id).first()
    form = forms.OrgUnitForm(request.POST or None, initial=initial)
    unit = save_form(request, form, lambda data: services_units.org_unit_create(actor=request.user, **data))
    if unit is not None:
        return _done(request, f"{tree}#unit-{unit.pk}", _("Added %(unit)s.") % {"unit": unit.name})
    return _form_page(
        request,
        form,
        title=_("Add an org unit"),
        action=_url(request, "org-unit-create"),
        cancel=tree,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_edit(request, pk: int):
    unit = get_scoped_or_404(OrgUnit, pk)
    tree = _url(request, "org-tree")
    initial = {"code": unit.code, "name": unit.name, "kind": unit.kind}
    form = _locked_form(forms.OrgUnitForm(request.POST or None, initial=initial, with_parent=False), unit)
    saved = save_form(
        request, form, lambda data: org_unit_update(actor=request.user, unit=unit, **data)
    )
    if saved is not None:
        return _done(request, f"{tree}#unit-{saved.pk}", _("Saved %(unit)s.") % {"unit": saved.name})
    return _form_page(
        request,
        form,
        title=_("Rename or edit %(unit)s") % {"unit": unit.name},
        action=_url(request, "org-unit-edit", pk=unit.pk),
        cancel=tree,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_move(request, pk: int):
    unit = get_scoped_or_404(OrgUnit, pk)
    tree = _url(request, "org-tree")
    form = forms.OrgUnitMoveForm(request.POST or None, initial={"parent": unit.parent_id}, unit=unit)
    form = _locked_form(form, unit)
    moved = save_form(
        request,
        form,
        lambda data: services_units.org_unit_move(
            actor=request.user, unit=unit, parent=data["parent"], lock_version=data["lock_version"]
        ),
    )
    if moved is not None:
        return _done(request, f"{tree}#unit-{moved.pk}", _("Moved %(unit)s.") % {"unit": moved.name})
    return _form_page(
        request,
        form,
        title=_("Move %(unit)s") % {"unit": unit.name},
        action=_url(request, "org-unit-move", pk=unit.pk),
        cancel=tree,
        submit=_("Move"),
        intro=_("The unit moves with all its sub-units, positions and employees."),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_delete(request, pk: int):
    unit = get_scoped_or_404(OrgUnit, pk)
    return _delete_page(
        request,
        unit,
        lambda lock_version: services_units.org_unit_delete(
            actor=request.user, unit=unit, lock_version=lock_version
        ),
        done=_("Deleted %(unit)s.") % {"unit": unit.name},
        title=_("Delete %(unit)s") % {"unit": unit.name},
        question=_("Delete the org unit %(unit)s (%(code)s)? This cannot be undone.")
        % {"unit": unit.name, "code": unit.code},
        action=_url(request, "org-unit-delete", pk=unit.pk),
        cancel=_url(request, "org-tree"),
    )


# ----- positions -----
@tenant_page(read=HR_AND_AUDITOR)
def position_list(request):
    filters = forms.PositionFilterForm(request.GET)
    queryset = selectors.positions(
        q=filters.value("q", ""),
        unit=filters.value("unit"),
        include_sub_units=filters.value("scope") != "only",
    )
    if _wants_export(request):
        rows = ((p.code, p.title, p.org_unit.code, p.job_family, p.level) for p in queryset[:EXPORT_LIMIT])
        return xlsx_response(
            export_xlsx(_headers("positions"), rows, sheet_title=_("Positions")), "positions.xlsx"
        )
    return render(
        request, "collab/org/positions.html", {"filters": filters, "page": paginate(request, queryset)}
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_create(request):
    listing = _url(request, "position-list")
    initial = {}
    unit_id = parse_id(request.GET.get("unit", ""))
    if unit_id is not None:
        initial["org_unit"] = OrgUnit.objects.filter(pk=unit_id).first()
    form = forms.PositionForm(request.POST or None, initial=initial)
    position = save_form(
        request, form, lambda data: services_positions.position_create(actor=request.user, **data)
    )
    if position is not None:
        return _done(request, listing, _("Added the position %(position)s.") % {"position": position.title})
    return _form_page(
        request,
        form,
        title=_("Add a position"),
        action=_url(request, "position-create"),
        cancel=listing,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_edit(request, pk: int):
    position = get_scoped_or_404(Position, pk)
    listing = _url(request, "position-list")
    initial = {
        "code": position.code,
        "title": position.title,
        "org_unit": position.org_unit_id,
        "job_family": position.job_family,
        "level": position.level,
    }
    form = _locked_form(forms.PositionForm(request.POST or None, initial=initial), position)
    saved = save_form(
        request, form, lambda data: position_update(actor=request.user, position=position, **data)
    )
    if saved is not None:
        return _done(request, listing, _("Saved the position %(position)s.") % {"position": saved.title})
    return _form_page(
        request,
        form,
        title=_("Edit the position %(position)s") % {"position": position.title},
        action=_url(request, "position-edit", pk=position.pk),
        cancel=listing,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_delete(request, pk: int):
    position = get_scoped_or_404(Position, pk)
    return _delete_page(
        request,
        position,
        lambda lock_version: services_positions.position_delete(
            actor=request.user, position=position, lock_version=lock_version
        ),
        done=_("Deleted the position %(position)s.") % {"position": position.title},
        title=_("Delete the position %(position)s") % {"position": position.title},
        question=_("Delete the position %(position)s (%(code)s)?")
        % {"position": position.title, "code": position.code},
        action=_url(request, "position-delete", pk=position.pk),
        cancel=_url(request, "position-list"),
    )


# ----- employees -----
@tenant_page(read=HR_AND_AUDITOR)
def employee_list(request):
    filters = forms.EmployeeFilterForm(request.GET)
    status = filters.value("status")
    queryset = selectors.employees(
        q=filters.value("q", ""),
        unit=filters.value("unit"),
        include_sub_units=filters.value("scope") != "only",
        active={"active": True, "inactive": False}.get(status),
    )
    if _wants_export(request):
        rows = (
            (
                e.employee_no,
                e.name,
                e.email,
                e.org_unit.code,
                e.position.code if e.position else "",
                e.manager.employee_no if e.manager else "",
                _("yes") if e.is_active else _("no"),
            )
            for e in queryset[:EXPORT_LIMIT].iterator(chunk_size=2000)
        )
        return xlsx_response(
            export_xlsx(_headers("employees"), rows, sheet_title=_("Employees")), "employees.xlsx"
        )
    return render(
        request, "collab/org/employees.html", {"filters": filters, "page": paginate(request, queryset)}
    )


def _employee_form(request, initial: dict | None = None) -> forms.EmployeeForm:
    form = forms.EmployeeForm(request.POST or None, initial=initial or {})
    # Choosing a unit refreshes the position list with that unit's positions.
    form.fields["org_unit"].widget.attrs.update(
        {
            "hx-get": _url(request, "employee-position-options"),
            "hx-target": f"#{form['position'].id_for_label}",
            "hx-trigger": "change",
            "hx-swap": "innerHTML",
        }
    )
    return form


def _employee_fields(data: dict) -> dict:
    """The form's fields under the service's names (the form takes the manager's employee number)."""
    data = dict(data)
    data["manager"] = data.pop("manager_no")
    return data


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def employee_create(request):
    listing = _url(request, "employee-list")
    form = _employee_form(request)
    employee = save_form(
        request,
        form,
        lambda data: services_employees.employee_create(actor=request.user, **_employee_fields(data)),
        {"manager": "manager_no"},
    )
    if employee is not None:
        return _done(request, listing, _("Added %(employee)s.") % {"employee": employee.name})
    return _form_page(
        request,
        form,
        title=_("Add an employee"),
        action=_url(request, "employee-create"),
        cancel=listing,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def employee_edit(request, pk: int):
    employee = get_scoped_or_404(Employee.objects.select_related("manager"), pk)
    listing = _url(request, "employee-list")
    initial = {
        "employee_no": employee.employee_no,
        "name": employee.name,
        "email": employee.email,
        "org_unit": employee.org_unit_id,
        "position": employee.position_id,
        "manager_no": employee.manager.employee_no if employee.manager else "",
        "is_active": employee.is_active,
    }
    form = _locked_form(_employee_form(request, initial), employee)
    saved = save_form(
        request,
        form,
        lambda data: employee_update(
            actor=request.user, employee=employee, **_employee_fields(data)
        ),
        {"manager": "manager_no"},
    )
    if saved is not None:
        return _done(request, listing, _("Saved %(employee)s.") % {"employee": saved.name})
    return _form_page(
        request,
        form,
        title=_("Edit %(employee)s") % {"employee": employee.name},
        action=_url(request, "employee-edit", pk=employee.pk),
        cancel=listing,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def employee_delete(request, pk: int):
    employee = get_scoped_or_404(Employee, pk)
    return _delete_page(
        request,
        employee,
        lambda lock_version: services_employees.employee_delete(
            actor=request.user, employee=employee, lock_version=lock_version
        ),
        done=_("Deleted %(employee)s.") % {"employee": employee.name},
        title=_("Delete %(employee)s") % {"employee": employee.name},
        question=_(
            "Delete the employee record of %(employee)s (%(number)s)? To keep the history, mark them "
            "inactive instead."
        )
        % {"employee": employee.name, "number": employee.employee_no},
        action=_url(request, "employee-delete", pk=employee.pk),
        cancel=_url(request, "employee-list"),
    )


@tenant_page(read=HR_ONLY)
def employee_position_options(request):
    """htmx: the <option>s of the positions of the unit chosen in the employee form."""
    unit_id = parse_id(request.GET.get("org_unit", ""))
    unit = OrgUnit.objects.filter(pk=unit_id).first() if unit_id is not None else None
    return render(
        request, "collab/org/form.html#position_options", {"positions": selectors.positions_of_unit(unit)}
    )


# ----- periods -----
@tenant_page(read=HR_AND_AUDITOR)
def period_list(request):
    filters = forms.PeriodFilterForm(request.GET)
    queryset = selectors.periods(status=filters.value("status", ""), year=filters.value("year"))
    if _wants_export(request):
        rows = (
            (p.label, p.get_kind_display(), p.year, p.quarter, p.month, p.get_status_display())
            for p in queryset
        )
        headers = [_("Period"), _("Kind"), _("Year"), _("Quarter"), _("Month"), _("Status")]
        return xlsx_response(export_xlsx(headers, rows, sheet_title=_("Periods")), "periods.xlsx")
    page = paginate(request, queryset)
    for period in page:
        period.next_status = Period.NEXT_STATUS.get(period.status)
        period.next_label = Period.Status(period.next_status).label if period.next_status else ""
    return render(request, "collab/org/periods.html", {"filters": filters, "page": page})


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_create(request):
    listing = _url(request, "period-list")
    form = forms.PeriodForm(request.POST or None)
    period = save_form(request, form, lambda data: services_periods.period_create(actor=request.user, **data))
    if period is not None:
        return _done(
            request, listing, _("Added the period %(period)s, in planning.") % {"period": period.label}
        )
    return _form_page(
        request,
        form,
        title=_("Add a period"),
        action=_url(request, "period-create"),
        cancel=listing,
        submit=_("Add"),
        intro=_("A new period starts in planning; advance it to active when it begins."),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_edit(request, pk: int):
    period = get_scoped_or_404(Period, pk)
    listing = _url(request, "period-list")
    initial = {"kind": period.kind, "year": period.year, "quarter": period.quarter, "month": period.month}
    form = _locked_form(forms.PeriodForm(request.POST or None, initial=initial), period)
    locked = ""
    if period.status != Period.Status.PLANNING:
        # Once a period has started, scores, goals and measurements hang on its kind and dates: every field
        # is shown read-only with the reason. A POST still goes to the service, which refuses it (400).
        for field in ("kind", "year", "quarter", "month"):
            form.fields[field].disabled = True
        locked = _(
            "%(period)s is %(status)s: its kind, year, quarter and month are fixed, because goals, "
            "measurements and scores already refer to it. Only a period in planning can be edited; "
            "to move it on, use the period list's next-step button."
        ) % {"period": period.label, "status": period.get_status_display()}
    saved = save_form(
        request, form, lambda data: period_update(actor=request.user, period=period, **data)
    )
    if saved is not None:
        return _done(request, listing, _("Saved the period %(period)s.") % {"period": saved.label})
    return _form_page(
        request,
        form,
        title=_("Edit the period %(period)s") % {"period": period.label},
        action=_url(request, "period-edit", pk=period.pk),
        cancel=listing,
        locked=locked,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_advance(request, pk: int):
    period = get_scoped_or_404(Period, pk)
    listing = _url(request, "period-list")
    next_status = Period.NEXT_STATUS.get(period.status)
    error = ""
    if request.method == "POST":
        form = forms.PeriodAdvanceForm(request.POST)
        try:
            if not form.is_valid():
                raise ValidationError(_("Confirm the change on this page."))
            period = services_periods.period_advance(
                actor=request.user, period=period, to_status=form.cleaned_data["to_status"]
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
        else:
            return _done(
                request,
                listing,
                _("%(period)s is now %(status)s.")
                % {"period": period.label, "status": period.get_status_display()},
            )
    context = {
        "period": period,
        "next_status": next_status,
        "next_label": Period.Status(next_status).label if next_status else "",
        "error": error or ("" if next_status else _("This period is closed; it cannot change any more.")),
        "cancel": listing,
    }
    return _render_panel(request, "collab/org/period_advance.html", context, status=400 if error else 200)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def period_delete(request, pk: int):
    period = get_scoped_or_404(Period, pk)
    return _delete_page(
        request,
        period,
        lambda lock_version: services_periods.period_delete(
            actor=request.user, period=period, lock_version=lock_version
        ),
        done=_("Deleted the period %(period)s.") % {"period": period.label},
        title=_("Delete the period %(period)s") % {"period": period.label},
        question=_("Delete the period %(period)s? Only a period still in planning can be deleted.")
        % {"period": period.label},
        action=_url(request, "period-delete", pk=period.pk),
        cancel=_url(request, "period-list"),
    )


# ----- import -----
IMPORT_LISTS = {"units": "org-tree", "positions": "position-list", "employees": "employee-list"}


def _import_key(request, kind: str) -> str:
    # The session is the user's own; the key adds the tenant so two companies' uploads never mix.
    return f"collab-org-import:{request.tenant.pk}:{kind}"


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_import(request):
    kind = request.GET.get("kind") if request.GET.get("kind") in IMPORT_LISTS else "units"
    if request.GET.get("template") in IMPORT_LISTS:
        template_kind = request.GET["template"]
        content = export_xlsx(
            _headers(template_kind), [], sheet_title=str(ORG_IMPORTS[template_kind].title)
        )
        return xlsx_response(content, f"import-{template_kind}.xlsx")
    upload = forms.ImportUploadForm(initial={"kind": kind})
    specs = [(key, importer.title, importer.columns) for key, importer in ORG_IMPORTS.items()]
    context: dict = {"upload": upload, "kind": kind, "result": None, "specs": specs}
    status = 200
    if request.method == "POST":
        step = request.POST.get("step")
        if step == "commit":
            return _import_commit(request, context)
        if step == "cancel":
            confirm = forms.ImportConfirmForm(request.POST)
            if confirm.is_valid():
                request.session.pop(_import_key(request, confirm.cleaned_data["kind"]), None)
            return redirect(_url(request, "org-import"))
        upload = forms.ImportUploadForm(request.POST, request.FILES)
        context["upload"] = upload
        if upload.is_valid():
            kind = upload.cleaned_data["kind"]
            importer = org_importer(kind)
            try:
                table = importer.read(upload.cleaned_data["file"])
            except ImportFileError as error:
                upload.add_error("file", error.message)
            else:
                result = importer.dry_run(table)
                token = secrets.token_urlsafe(16)
                if result.ok:
                    request.session[_import_key(request, kind)] = {"token": token, "table": table.to_data()}
                context.update(_result_context(kind, importer, table, result), token=token)
        status = 400 if upload.errors or (context["result"] and not context["result"].ok) else 200
    return render(request, "collab/org/import.html", context, status=status)


def _result_context(kind: str, importer, table: Table, result) -> dict:
    columns = [(column.key, table.headers.get(column.key, column.label)) for column in importer.columns]
    preview = [
        {
            "number": row.number,
            "action": row.data.get("action", ""),
            "cells": [table_value(row, key) for key, _h in columns],
        }
        for row in result.preview
    ]
    return {
        "kind": kind,
        "result": result,
        "columns": columns,
        "preview": preview,
        "filename": table.filename,
        "ignored_headers": table.ignored_headers,
        "shown_errors": result.errors[:500],
        "creates": sum(1 for row in result.rows if row.data.get("action") == "create"),
        "updates": sum(1 for row in result.rows if row.data.get("action") == "update"),
    }


def table_value(row, key: str) -> str:
    value = row.data.get(key, "")
    if isinstance(value, OrgUnit | Position):
        return value.code
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return "" if value is None else str(value)


def _import_commit(request, context: dict):
    confirm = forms.ImportConfirmForm(request.POST)
    if not confirm.is_valid():
        messages.error(request, _("Upload the file again."))
        return redirect(_url(request, "org-import"))
    kind = confirm.cleaned_data["kind"]
    key = _import_key(request, kind)
    kept = request.session.get(key)
    if not isinstance(kept, dict) or not secrets.compare_digest(
        str(kept.get("token", "")), confirm.cleaned_data["token"]
    ):
        messages.error(request, _("That preview has expired or was replaced; upload the file again."))
        return redirect(f"{_url(request, 'org-import')}?kind={kind}")
    importer = org_importer(kind)
    try:
        table = Table.from_data(kept.get("table"))
    except ImportFileError as error:
        request.session.pop(key, None)
        messages.error(request, error.message)
        return redirect(f"{_url(request, 'org-import')}?kind={kind}")
    result = importer.commit(table, actor=request.user)
    if result.committed:
        request.session.pop(key, None)
        messages.success(
            request,
            _("Imported %(count)s rows from %(file)s.")
            % {"count": result.written, "file": table.filename or _("the file")},
        )
        return redirect(_url(request, IMPORT_LISTS[kind]))
    # The data changed since the dry run: nothing was written; show why.
    request.session.pop(key, None)
    context.update(
        _result_context(kind, importer, table, result), upload=forms.ImportUploadForm(initial={"kind": kind})
    )
    context["committed_failed"] = True
    return render(request, "collab/org/import.html", context, status=400)


__all__ = [
    "employee_create",
    "employee_delete",
    "employee_edit",
    "employee_list",
    "employee_position_options",
    "org_import",
    "org_tree",
    "org_tree_children",
    "org_unit_create",
    "org_unit_delete",
    "org_unit_edit",
    "org_unit_move",
    "period_advance",
    "period_create",
    "period_delete",
    "period_edit",
    "period_list",
    "position_create",
    "position_delete",
    "position_edit",
    "position_list",
]
