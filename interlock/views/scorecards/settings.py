"""The tenant's scoring settings page."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.forms import add_service_errors
from collab.models import Role
from collab.pages import HR_ONLY, tenant_page
from interlock.forms import (
    ScoringSettingsForm,
)
from interlock.services.scorecards.settings import tenant_scoring_settings_update


@tenant_page(read=frozenset({Role.HR_ADMIN, Role.AUDITOR}), write=HR_ONLY)
def scoring_settings(request):
    tenant = request.tenant
    initial = {
        "min_collaborative_weight": tenant.min_collaborative_weight,
        "anonymity_threshold": tenant.anonymity_threshold,
        "point_cap": tenant.point_cap,
    }
    form = ScoringSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenant_scoring_settings_update(actor=request.user, **form.cleaned_data)
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            messages.success(request, _("Scoring settings saved."))
            return redirect("scoring-settings", tenant_slug=tenant.slug)
    can_edit = request.membership.has_role(Role.HR_ADMIN)
    return render(request, "interlock/scorecards/settings.html", {"form": form, "can_edit": can_edit})
