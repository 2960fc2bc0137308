"""The silence pages: every silence (current first by their end, so none is forgotten), a new one, and
ending one now."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from alerts.access import SILENCE_WRITERS, access_silence_by_id
from alerts.forms.alerts import SilenceForm
from alerts.selectors.silences import silences
from alerts.services import silences as services
from collab.concurrency import StaleEditError
from collab.forms import save_form
from collab.pages import paginate, tenant_page


@tenant_page()
def silence_list(request):
    context = {
        "page": paginate(request, silences()),
        "now": timezone.now(),
        "may_write": request.membership.has_role(*SILENCE_WRITERS),
    }
    return render(request, "alerts/alert/silences.html", context)


@tenant_page(read=SILENCE_WRITERS, write=SILENCE_WRITERS)
def silence_create(request):
    form = SilenceForm(request.POST or None, initial={"scope": "process"})
    saved = save_form(
        request, form, lambda data: services.silence_create(actor=request.user, data=form.service_data())
    )
    if saved is not None:
        messages.success(request, _("Silence saved; it ends %(end)s.") % {"end": saved.ends_at})
        return redirect("silence-list", tenant_slug=request.tenant.slug)
    status = 400 if request.method == "POST" else 200
    return render(request, "alerts/alert/silence_form.html", {"form": form}, status=status)


@tenant_page(read=SILENCE_WRITERS, write=SILENCE_WRITERS)
def silence_end(request, pk: int):
    silence = access_silence_by_id(request.membership, pk, write=True)
    error, status = "", 200
    if request.method == "POST":
        try:
            services.silence_end(actor=request.user, silence=silence,
                                 lock_version=request.POST.get("lock_version"))  # fmt: skip
        except StaleEditError as stale:
            error, status = stale.message, 409
        else:
            messages.success(request, _("Silence ended."))
            return redirect("silence-list", tenant_slug=request.tenant.slug)
    return render(
        request, "alerts/alert/silence_end.html", {"silence": silence, "error": error}, status=status
    )
