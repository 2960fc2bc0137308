"""Review campaign pages (HR admins set up, launch and close; auditors read): list, new, one campaign (its
subjects and rater rules, edited while a draft; launch; close), edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, attempt_delete, form_status, note_stale
from collab.models import Role
from collab.pages import HR_ONLY, paginate, tenant_page
from feedback.access import access_review_campaign_by_id
from feedback.forms.campaigns import (
    WEIGHT_FIELDS,
    CampaignSubjectForm,
    RaterRuleForm,
    ReviewCampaignFilterForm,
    ReviewCampaignForm,
)
from feedback.models import CampaignStatus, RaterRole, ReviewKind
from feedback.selectors.campaigns import campaign_page, mutual_preview, review_campaigns, subject_choices
from feedback.services.campaigns import close as close_services
from feedback.services.campaigns import launch as launch_services
from feedback.services.campaigns import mutual as mutual_services
from feedback.services.campaigns import setup as setup_services

READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})


@tenant_page(read=READERS)
def campaign_list(request):
    form = ReviewCampaignFilterForm(request.GET or None)
    queryset = review_campaigns()
    if request.GET:
        queryset = review_campaigns(**form.cleaned_data) if form.is_valid() else queryset.none()
    page = paginate(request, queryset)
    context = {"filter_form": form, "page": page, "filtered": bool(request.GET)}
    template = "feedback/campaigns/list.html#results" if request.htmx else "feedback/campaigns/list.html"
    return render(request, template, context)


def _header_form(request, campaign):
    initial = None
    if campaign is not None:
        initial = {
            "name": campaign.name, "template": campaign.template_id, "period": campaign.period_id,
            "frequency": campaign.frequency, "deadline": timezone.localtime(campaign.deadline),
            "comment_minimum": campaign.comment_minimum, "lock_version": campaign.lock_version,
            **{field: campaign.role_weights.get(role) for field, role in WEIGHT_FIELDS.items()},
        }  # fmt: skip
    form = ReviewCampaignForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            if campaign is None:
                saved = setup_services.campaign_create(actor=request.user, data=form.service_data())
            else:
                saved = setup_services.campaign_update(
                    actor=request.user, campaign=campaign, data=form.service_data(),
                    lock_version=form.cleaned_data.get("lock_version"),
                )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid, {"role_weights": "weight_line_manager"})
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Review campaign %(name)s saved.") % {"name": saved.name})
            return redirect("campaign-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    context = {"form": form, "campaign": campaign, "weights": [form[f] for f in WEIGHT_FIELDS]}
    status = form_status(form, status=400 if form.errors else 200)
    return render(request, "feedback/campaigns/form.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def campaign_create(request):
    return _header_form(request, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def campaign_edit(request, pk: int):
    campaign = access_review_campaign_by_id(request.membership, pk, write=True)
    if campaign.status != CampaignStatus.DRAFT:
        messages.warning(request, _("A launched campaign cannot be changed."))
        return redirect("campaign-detail", tenant_slug=request.tenant.slug, pk=campaign.pk)
    return _header_form(request, campaign)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def campaign_delete(request, pk: int):
    campaign = access_review_campaign_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda lock_version: setup_services.campaign_delete(
            actor=request.user, campaign=campaign, lock_version=lock_version
        ),
    )
    if attempt.done:
        messages.success(request, _("Review campaign %(name)s deleted.") % {"name": campaign.name})
        return redirect("campaign-list", tenant_slug=request.tenant.slug)
    context = {"campaign": campaign, "error": attempt.error or None}
    return render(request, "feedback/campaigns/confirm_delete.html", context, status=attempt.status)


def _subject_rows(campaign) -> list[dict]:
    return [{"org_unit": s.org_unit, "employee": s.employee} for s in campaign.subjects.all()]


def _rule_rows(campaign) -> list[dict]:
    return [
        {"subject_unit": r.subject.org_unit if r.subject_id else None,
         "subject_employee": r.subject.employee if r.subject_id else None,
         "rater_role": r.rater_role, "rater_unit": r.rater_unit, "include_sub_units": r.include_sub_units,
         "rater_employee": r.rater_employee}
        for r in campaign.rater_rules.all()
    ]  # fmt: skip


def _index(request, name: str, size: int) -> int | None:
    raw = request.POST.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) < size else None


def _rule_subject(key: str, campaign) -> dict:
    kind, _sep, pk = key.partition(":")
    for subject in campaign.subjects.all():
        if kind == "unit" and str(subject.org_unit_id) == pk:
            return {"subject_unit": subject.org_unit, "subject_employee": None}
        if kind == "employee" and str(subject.employee_id) == pk:
            return {"subject_unit": None, "subject_employee": subject.employee}
    return {"subject_unit": None, "subject_employee": None}


def _update(request, campaign, version, **lists) -> None:
    setup_services.campaign_update(
        actor=request.user, campaign=campaign, lock_version=version, data={}, **lists
    )


def _post(request, campaign, subject_form, rule_form):
    """Run the posted action on the campaign; a message and True when it went through."""
    action = request.POST.get("action", "")
    version = request.POST.get("lock_version")
    if action == "add_subject" and subject_form.is_valid():
        row = {
            "org_unit": subject_form.cleaned_data["org_unit"],
            "employee": subject_form.cleaned_data["employee"],
        }
        if row["org_unit"] is None and row["employee"] is None:
            subject_form.add_error(None, _("Choose a unit or a person to rate."))
            return False
        _update(request, campaign, version, subjects=[*_subject_rows(campaign), row])
        return _("Subject added.")
    if action == "remove_subject":
        rows = _subject_rows(campaign)
        index = _index(request, "index", len(rows))
        if index is not None:
            del rows[index]
            _update(request, campaign, version, subjects=rows)
        return _("Subject removed.")
    if action == "add_rule" and rule_form.is_valid():
        data = rule_form.cleaned_data
        row = {"rater_role": data["rater_role"], "rater_unit": data["rater_unit"],
               "include_sub_units": data["include_sub_units"], "rater_employee": data["rater_employee"],
               **_rule_subject(data.get("subject") or "", campaign)}  # fmt: skip
        _update(request, campaign, version, rules=[*_rule_rows(campaign), row])
        return _("Rater rule added.")
    if action == "remove_rule":
        rows = _rule_rows(campaign)
        index = _index(request, "index", len(rows))
        if index is not None:
            del rows[index]
            _update(request, campaign, version, rules=rows)
        return _("Rater rule removed.")
    if action == "generate":
        count = mutual_services.campaign_generate_mutual(
            actor=request.user, campaign=campaign, lock_version=version
        )
        return _("%(n)d rater rules generated from the responsibility matrices.") % {"n": count}
    if action == "launch":
        count = launch_services.campaign_launch(actor=request.user, campaign=campaign, lock_version=version)
        return _("Campaign launched: %(n)d ratings to give.") % {"n": count}
    if action == "close":
        result = close_services.campaign_close(actor=request.user, campaign=campaign, lock_version=version)
        text = _("Campaign closed; its results are released.")
        if result.next_missing:
            text += " " + _(
                "Its next round could not open: there is no next period yet. Add it under Periods."
            )
        elif result.next_round is not None:
            text += " " + _("Its next round is open in %(period)s.") % {"period": result.next_round.period}
        return text
    return False


@tenant_page(read=READERS, write=HR_ONLY)
def campaign_detail(request, pk: int):
    campaign = access_review_campaign_by_id(request.membership, pk, write=request.method == "POST")
    campaign = campaign_page(campaign)
    subject_form = CampaignSubjectForm(request.POST if request.POST.get("action") == "add_subject" else None)
    rule_form = RaterRuleForm(request.POST if request.POST.get("action") == "add_rule" else None,
                              subjects=subject_choices(campaign))  # fmt: skip
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            done = _post(request, campaign, subject_form, rule_form)
        except ValidationError as invalid:
            errors = [text for texts in invalid.message_dict.values() for text in texts]
            status = 400
        except StaleEditError as stale:
            errors, status = [stale.message], 409
        else:
            if done:
                messages.success(request, done)
                return redirect("campaign-detail", tenant_slug=request.tenant.slug, pk=campaign.pk)
            status = 400
    context = {
        "campaign": campaign,
        "subject_form": subject_form,
        "rule_form": rule_form,
        "errors": errors,
        "is_draft": campaign.status == CampaignStatus.DRAFT,
        "is_open": campaign.status == CampaignStatus.OPEN,
        "is_360": campaign.kind == ReviewKind.REVIEW_360,
        "weights": [(label, campaign.role_weights[role]) for role, label in RaterRole.choices
                    if role in campaign.role_weights],  # fmt: skip
        "mutual_units": mutual_preview(campaign) if campaign.kind == ReviewKind.MUTUAL else 0,
    }
    return render(request, "feedback/campaigns/detail.html", context, status=status)
