"""The people directory: every member finds colleagues by name and unit (no contact details or roles,
which stay on the HR admins' employee and member lists)."""

from __future__ import annotations

from django.shortcuts import render

from collab.forms.org import UnitFilterForm
from collab.models import ALL_ROLES
from collab.pages import paginate, tenant_page
from collab.selectors import org as selectors


@tenant_page(read=ALL_ROLES)
def directory(request):
    filters = UnitFilterForm(request.GET)
    people = selectors.directory(
        q=filters.value("q", ""),
        unit=filters.value("unit"),
        include_sub_units=filters.value("scope") != "only",
    )
    context = {"filters": filters, "page": paginate(request, people)}
    return render(request, "collab/org/directory.html", context)
