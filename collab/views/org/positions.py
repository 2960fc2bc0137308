"""The position list and a position's create, edit and delete pages.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from collab.access import access_position_by_id
from collab.forms import org as forms
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page
from collab.routing.ids import parse_id
from collab.selectors import org as selectors
from collab.services.org import positions as services_positions
from collab.services.org.positions import position_update
from collab.views.org.shared import (
    EXPORT_LIMIT,
    _delete_page,
    _export,
    _locked_form,
    _save_page,
    _url,
    _wants_export,
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
        return _export("positions", rows, sheet_title=_("Positions"), filename="positions.xlsx")
    return render(
        request, "collab/org/positions.html", {"filters": filters, "page": paginate(request, queryset)}
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_create(request):
    listing = _url(request, "position-list")
    initial = {}
    unit_id = parse_id(request.GET.get("unit", ""))
    if unit_id is not None:
        initial["org_unit"] = selectors.unit_or_none(unit_id)
    form = forms.PositionForm(request.POST or None, initial=initial)
    return _save_page(
        request,
        form,
        lambda data: services_positions.position_create(actor=request.user, **data),
        done_message=lambda position: _("Added the position %(position)s.") % {"position": position.title},
        title=_("Add a position"),
        action=_url(request, "position-create"),
        cancel=listing,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_edit(request, pk: int):
    position = access_position_by_id(request.membership, pk, write=True)
    listing = _url(request, "position-list")
    initial = {
        "code": position.code,
        "title": position.title,
        "org_unit": position.org_unit_id,
        "job_family": position.job_family,
        "level": position.level,
    }
    form = _locked_form(forms.PositionForm(request.POST or None, initial=initial), position)
    return _save_page(
        request,
        form,
        lambda data: position_update(actor=request.user, position=position, **data),
        done_message=lambda saved: _("Saved the position %(position)s.") % {"position": saved.title},
        title=_("Edit the position %(position)s") % {"position": position.title},
        action=_url(request, "position-edit", pk=position.pk),
        cancel=listing,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def position_delete(request, pk: int):
    position = access_position_by_id(request.membership, pk, write=True)
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
