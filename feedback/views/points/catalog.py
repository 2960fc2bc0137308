"""HR's point pages: the catalog of items (every member reads it; HR edits), the point settings and the
project leads."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, form_status, note_stale
from collab.models import ALL_ROLES
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, query_text, tenant_page
from feedback.access import access_point_item_by_id, access_point_lead_by_id
from feedback.forms.points import PointItemForm, PointSettingsForm, ProjectLeadForm
from feedback.selectors import points as selectors
from feedback.services.points import catalog as services


@tenant_page(read=ALL_ROLES)
def point_item_list(request):
    q = query_text(request.GET)
    context = {"page": paginate(request, selectors.point_items(q=q)), "q": q}
    return render(request, "feedback/points/items.html", context)


def _item_editor(request, item):
    initial = None
    if item is not None:
        initial = {
            "name": item.name, "description": item.description, "points": f"{item.points:+g}",
            "levels": ", ".join(item.levels), "job_families": ", ".join(item.job_families),
            "is_active": item.is_active, "lock_version": item.lock_version,
        }  # fmt: skip
    form = PointItemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if item is None:
                saved = services.point_item_create(actor=request.user, data=form.service_data())
            else:
                saved = services.point_item_update(
                    actor=request.user, item=item, data=form.service_data(),
                    lock_version=form.cleaned_data.get("lock_version"),
                )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Point item %(name)s saved.") % {"name": saved.name})
            return redirect("point-item-list", tenant_slug=request.tenant.slug)
    status = form_status(form, status=400 if form.errors else 200)
    return render(request, "feedback/points/item_form.html", {"form": form, "item": item}, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def point_item_create(request):
    return _item_editor(request, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def point_item_edit(request, pk: int):
    return _item_editor(request, access_point_item_by_id(request.membership, pk, write=True))


@tenant_page(read=HR_AND_AUDITOR, write=HR_ONLY)
def point_settings(request):
    """The caps, the second approval level, and the project leads (who may propose as one)."""
    shown = selectors.point_settings_shown()
    initial = {
        "manager_cap": shown.manager_cap, "project_lead_cap": shown.project_lead_cap,
        "second_approval": shown.second_approval, "lock_version": shown.lock_version,
    }  # fmt: skip
    posted = request.POST if request.method == "POST" else None
    which = request.POST.get("form", "") if posted else ""
    form = PointSettingsForm(posted if which == "settings" else None, initial=initial)
    lead_form = ProjectLeadForm(posted if which == "lead" else None)
    if which == "settings" and form.is_valid():
        try:
            services.point_settings_update(
                actor=request.user, lock_version=form.cleaned_data.get("lock_version"),
                data={name: form.cleaned_data[name] for name in ("manager_cap", "project_lead_cap",
                                                                  "second_approval")},
            )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Point settings saved."))
            return redirect("point-settings", tenant_slug=request.tenant.slug)
    if which == "lead" and lead_form.is_valid():
        try:
            services.point_project_lead_add(actor=request.user, **lead_form.cleaned_data)
        except ValidationError as invalid:
            add_service_errors(lead_form, invalid)
        else:
            messages.success(request, _("Project lead added."))
            return redirect("point-settings", tenant_slug=request.tenant.slug)
    context = {
        "form": form, "lead_form": lead_form, "leads": paginate(request, selectors.project_leads()),
    }  # fmt: skip
    status = form_status(form, status=400 if (form.errors or lead_form.errors) else 200)
    return render(request, "feedback/points/settings.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def point_lead_remove(request, pk: int):
    lead = access_point_lead_by_id(request.membership, pk, write=True)
    if request.method == "POST":
        services.point_project_lead_remove(actor=request.user, lead=lead)
        messages.success(request, _("Project lead removed."))
    return redirect("point-settings", tenant_slug=request.tenant.slug)
