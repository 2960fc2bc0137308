"""The employee list and an employee's create, edit and delete pages.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from collab.access import access_employee_by_id
from collab.forms import org as forms
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page
from collab.routing.ids import parse_id
from collab.selectors import org as selectors
from collab.services.org import employees as services_employees
from collab.services.org.employees import employee_update
from collab.views.org.shared import (
    EXPORT_LIMIT,
    _delete_page,
    _export,
    _locked_form,
    _save_page,
    _url,
    _wants_export,
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
        return _export("employees", rows, sheet_title=_("Employees"), filename="employees.xlsx")
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
    return _save_page(
        request,
        form,
        lambda data: services_employees.employee_create(actor=request.user, **_employee_fields(data)),
        field_map={"manager": "manager_no"},
        done_message=lambda employee: _("Added %(employee)s.") % {"employee": employee.name},
        title=_("Add an employee"),
        action=_url(request, "employee-create"),
        cancel=listing,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def employee_edit(request, pk: int):
    employee = access_employee_by_id(request.membership, pk, write=True)
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
    return _save_page(
        request,
        form,
        lambda data: employee_update(actor=request.user, employee=employee, **_employee_fields(data)),
        field_map={"manager": "manager_no"},
        done_message=lambda saved: _("Saved %(employee)s.") % {"employee": saved.name},
        title=_("Edit %(employee)s") % {"employee": employee.name},
        action=_url(request, "employee-edit", pk=employee.pk),
        cancel=listing,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def employee_delete(request, pk: int):
    employee = access_employee_by_id(request.membership, pk, write=True)
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
    unit = selectors.unit_or_none(unit_id)
    return render(
        request, "collab/org/form.html#position_options", {"positions": selectors.positions_of_unit(unit)}
    )
