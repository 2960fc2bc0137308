"""The unit tree and a unit's create, edit, move and delete pages.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.translation import gettext as _

from collab.access import access_unit_by_id
from collab.forms import org as forms
from collab.pages import HR_AND_AUDITOR, HR_ONLY, tenant_page
from collab.routing.ids import parse_id
from collab.selectors import org as selectors
from collab.services.org import units as services_units
from collab.services.org.units import org_unit_update
from collab.views.org.shared import (
    EXPORT_LIMIT,
    _delete_page,
    _export,
    _locked_form,
    _save_page,
    _url,
    _wants_export,
)


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
        return _export("units", rows, sheet_title=_("Org units"), filename="org-units.xlsx")
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
    unit = access_unit_by_id(request.membership, pk)
    context = {"nodes": selectors.unit_tree(unit), "open_depth": unit.depth + 1}
    return render(request, "collab/org/tree.html#tree_nodes", context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_create(request):
    tree = _url(request, "org-tree")
    initial = {}
    parent_id = parse_id(request.GET.get("parent", ""))
    if parent_id is not None:
        initial["parent"] = selectors.unit_or_none(parent_id)
    form = forms.OrgUnitForm(request.POST or None, initial=initial)
    return _save_page(
        request,
        form,
        lambda data: services_units.org_unit_create(actor=request.user, **data),
        done_url=lambda unit: f"{tree}#unit-{unit.pk}",
        done_message=lambda unit: _("Added %(unit)s.") % {"unit": unit.name},
        title=_("Add an org unit"),
        action=_url(request, "org-unit-create"),
        cancel=tree,
        submit=_("Add"),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_edit(request, pk: int):
    unit = access_unit_by_id(request.membership, pk, write=True)
    tree = _url(request, "org-tree")
    initial = {"code": unit.code, "name": unit.name, "kind": unit.kind}
    form = _locked_form(forms.OrgUnitForm(request.POST or None, initial=initial, with_parent=False), unit)
    return _save_page(
        request,
        form,
        lambda data: org_unit_update(actor=request.user, unit=unit, **data),
        done_url=lambda saved: f"{tree}#unit-{saved.pk}",
        done_message=lambda saved: _("Saved %(unit)s.") % {"unit": saved.name},
        title=_("Rename or edit %(unit)s") % {"unit": unit.name},
        action=_url(request, "org-unit-edit", pk=unit.pk),
        cancel=tree,
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_move(request, pk: int):
    unit = access_unit_by_id(request.membership, pk, write=True)
    tree = _url(request, "org-tree")
    form = forms.OrgUnitMoveForm(request.POST or None, initial={"parent": unit.parent_id}, unit=unit)
    form = _locked_form(form, unit)
    return _save_page(
        request,
        form,
        lambda data: services_units.org_unit_move(
            actor=request.user, unit=unit, parent=data["parent"], lock_version=data["lock_version"]
        ),
        done_url=lambda moved: f"{tree}#unit-{moved.pk}",
        done_message=lambda moved: _("Moved %(unit)s.") % {"unit": moved.name},
        title=_("Move %(unit)s") % {"unit": unit.name},
        action=_url(request, "org-unit-move", pk=unit.pk),
        cancel=tree,
        submit=_("Move"),
        intro=_("The unit moves with all its sub-units, positions and employees."),
    )


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def org_unit_delete(request, pk: int):
    unit = access_unit_by_id(request.membership, pk, write=True)
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
