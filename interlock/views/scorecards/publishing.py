"""Publishing and unpublishing a scorecard, and copying a period's scorecards into another."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import STALE_STATUS, add_service_errors
from collab.pages import HR_ONLY, tenant_page
from interlock.access import access_scorecard_by_id
from interlock.forms import (
    CopyForm,
)
from interlock.selectors import scorecards as selectors
from interlock.services.scorecards import cards as services_cards
from interlock.services.scorecards import copying as services_copying
from interlock.views.scorecards.editor import _editor, _lock_version


def _stale(request, card, stale: StaleEditError):
    """Someone saved the scorecard since this page showed it: the editor again (as it is now), 409, naming
    who and when; nothing published or unpublished."""
    card = access_scorecard_by_id(request.membership, card.pk)  # as it is now
    return _editor(request, card, rows=selectors.line_rows(card), stale=stale.message, status=STALE_STATUS)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_publish(request, pk: int):
    card = access_scorecard_by_id(request.membership, pk, write=True)
    if request.method != "POST":
        return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)
    try:
        result = services_cards.scorecard_publish(
            actor=request.user, scorecard=card, lock_version=_lock_version(request)
        )
    except StaleEditError as stale:
        return _stale(request, card, stale)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        for warning in result.warnings:
            messages.warning(request, warning)
        messages.success(request, _("Scorecard published."))
    return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecard_unpublish(request, pk: int):
    card = access_scorecard_by_id(request.membership, pk, write=True)
    if request.method != "POST":
        return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)
    try:
        services_cards.scorecard_unpublish(
            actor=request.user, scorecard=card, lock_version=_lock_version(request)
        )
    except StaleEditError as stale:
        return _stale(request, card, stale)
    except ValidationError as refused:
        for message in refused.messages:
            messages.error(request, message)
    else:
        messages.success(request, _("Scorecard back to draft."))
    return redirect("scorecard-edit", tenant_slug=request.tenant.slug, pk=card.pk)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def scorecards_copy(request):
    """Copy last period's scorecards (as drafts) into a period, for subjects that have none there yet."""
    form = CopyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            count = services_copying.scorecards_copy(
                actor=request.user, source=form.cleaned_data["source"], target=form.cleaned_data["target"]
            )
        except ValidationError as invalid:
            add_service_errors(form, invalid)
        else:
            target = form.cleaned_data["target"]
            messages.success(
                request,
                _("%(n)d scorecard(s) copied into %(period)s as drafts.")
                % {"n": count, "period": target.label},
            )
            url = reverse("scorecard-list", kwargs={"tenant_slug": request.tenant.slug})
            return redirect(f"{url}?{urlencode({'period': target.pk})}")
    return render(request, "interlock/scorecards/copy.html", {"form": form})
