"""The alert pages: the list (filters, paged), one alert (why it fired: the evaluations with value against
expected band or line; its history; acknowledge, resolve, label "not an anomaly")."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alerts.access import ALERT_ACTORS, access_alert_by_id
from alerts.forms.alerts import AlertActionForm, AlertFilterForm
from alerts.selectors.alerts import alert_evidence, alert_page, alerts
from alerts.services import alert_actions
from collab.forms import add_service_errors
from collab.models import ALL_ROLES
from collab.pages import paginate, tenant_page


@tenant_page()
def alert_list(request):
    form = AlertFilterForm(request.GET or None, initial={"status": "open"})
    chosen = {"status": "open", "process": None, "severity": ""}
    if request.GET and form.is_valid():
        chosen = {"status": form.cleaned_data["status"], "process": form.cleaned_data["process"],
                  "severity": form.cleaned_data["severity"]}  # fmt: skip
    process = chosen["process"].pk if chosen["process"] else None
    page = paginate(request, alerts(status=chosen["status"], process=process, severity=chosen["severity"]))
    filtered = chosen["status"] != "open" or process or chosen["severity"]
    return render(
        request, "alerts/alert/list.html", {"filter_form": form, "page": page, "filtered": filtered}
    )


ACTIONS = {
    "acknowledge": alert_actions.alert_acknowledge,
    "resolve": alert_actions.alert_resolve,
    "not_anomaly": alert_actions.alert_mark_not_anomaly,
}
DONE = {
    "acknowledge": _("Alert acknowledged."),
    "resolve": _("Alert resolved."),
    "not_anomaly": _("Alert marked not an anomaly."),
}


@tenant_page(read=ALL_ROLES, write=ALERT_ACTORS)
def alert_detail(request, pk: int):
    alert = access_alert_by_id(request.membership, pk, write=request.method == "POST")
    form = AlertActionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            action = form.cleaned_data["action"]
            try:
                ACTIONS[action](actor=request.user, alert=alert, comment=form.cleaned_data["comment"])
            except ValidationError as refused:
                add_service_errors(form, refused)
            else:
                messages.success(request, str(DONE[action]))
                return redirect("alert-detail", tenant_slug=request.tenant.slug, pk=alert.pk)
        status = 400
    alert = alert_page(alert)
    context = {"alert": alert, "evaluations": alert_evidence(alert), "form": form,
               "may_act": request.membership.has_role(*ALERT_ACTORS)}  # fmt: skip
    return render(request, "alerts/alert/detail.html", context, status=status)
