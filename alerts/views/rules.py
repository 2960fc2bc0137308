"""The alert rule pages: the list (every member), one rule with its evaluations (why it fired or did not),
HR's editor (new, edit, delete) and the reset of a broken rule."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from alerts.access import RULE_WRITERS, access_alert_rule_by_id
from alerts.forms.alerts import RuleForm
from alerts.selectors.alerts import rule_evaluations, rules
from alerts.services import rules as services
from collab.forms import attempt_delete, form_status, save_form
from collab.models import ALL_ROLES
from collab.pages import HR_ONLY, id_param, paginate, tenant_page


@tenant_page()
def rule_list(request):
    kpi = id_param(request.GET, "kpi")
    return render(request, "alerts/alert/rules.html", {"page": paginate(request, rules(kpi=kpi)), "kpi": kpi})


@tenant_page(read=ALL_ROLES, write=RULE_WRITERS)
def rule_detail(request, pk: int):
    """A rule and its evaluations; HR resets a broken rule here (POST)."""
    rule = access_alert_rule_by_id(request.membership, pk, write=request.method == "POST")
    error = ""
    if request.method == "POST":
        try:
            services.alert_rule_reset(actor=request.user, rule=rule)
        except ValidationError as refused:
            error = " ".join(refused.messages)
        else:
            messages.success(request, _("The rule is reset and evaluates again."))
            return redirect("alert-rule-detail", tenant_slug=request.tenant.slug, pk=rule.pk)
    rule = access_alert_rule_by_id(request.membership, pk)
    context = {"rule": rule, "page": paginate(request, rule_evaluations(rule)), "error": error}
    return render(request, "alerts/alert/rule_detail.html", context, status=400 if error else 200)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def rule_create(request):
    initial = {"kpi": id_param(request.GET, "kpi")}
    form = RuleForm(request.POST or None, initial=initial)
    saved = save_form(request, form, lambda data: services.alert_rule_create(
        actor=request.user, kpi=data["kpi"], data=form.service_data()))  # fmt: skip
    if saved is not None:
        messages.success(request, _("Alert rule saved."))
        return redirect("alert-rule-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    status = 400 if request.method == "POST" else 200
    return render(request, "alerts/alert/rule_form.html", {"form": form, "rule": None}, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def rule_edit(request, pk: int):
    rule = access_alert_rule_by_id(request.membership, pk, write=True)
    form = RuleForm(request.POST or None, instance=rule, editing=True,
                    initial={"lock_version": rule.lock_version})  # fmt: skip
    saved = save_form(
        request,
        form,
        lambda data: services.alert_rule_update(
            actor=request.user, rule=rule, lock_version=data.get("lock_version"), data=form.service_data()
        ),
    )
    if saved is not None:
        messages.success(request, _("Alert rule saved."))
        return redirect("alert-rule-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    status = form_status(form, status=400 if request.method == "POST" else 200)
    return render(request, "alerts/alert/rule_form.html", {"form": form, "rule": rule}, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def rule_delete(request, pk: int):
    rule = access_alert_rule_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(request, lambda lock_version: services.alert_rule_delete(
        actor=request.user, rule=rule, lock_version=lock_version))  # fmt: skip
    if attempt.done:
        messages.success(request, _("Alert rule deleted."))
        return redirect("alert-rule-list", tenant_slug=request.tenant.slug)
    return render(request, "alerts/alert/rule_delete.html", {"rule": rule, "error": attempt.error or None},
                  status=attempt.status)  # fmt: skip
