"""HR's appraisal set-up pages (HR admins change, auditors read): the policy and grade scale, the cycles
(list, new, edit, delete, one cycle with its participant rules, launch and close) and a cycle's progress board
(filters, one-click reminders, a stage reopened for one person)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from appraisal.access import access_appraisal_by_id, access_cycle_by_id, appraisal_reader
from appraisal.forms.setup import (
    BoardFilterForm,
    CycleFilterForm,
    CycleForm,
    ParticipantRuleForm,
    PolicyForm,
    ReopenForm,
    stage_error_fields,
)
from appraisal.models import DATED_STAGES, CycleStatus, DistributionBound, Stage
from appraisal.selectors.board import board_rows, board_summary, row_deadline, row_overdue
from appraisal.selectors.cycles import (
    appraisal_cycles,
    cycle_page,
    participants_by_unit,
    stage_rows,
    stored_rules,
)
from appraisal.selectors.stages import cycle_windows
from appraisal.services import cycles as cycle_services
from appraisal.services import policy as policy_services
from appraisal.services.cycle_checks import WEIGHT_FIELDS
from appraisal.services.reminders import appraisals_remind
from appraisal.services.stages import stage_reopen
from collab.concurrency import StaleEditError
from collab.forms import add_service_errors, attempt_delete, form_status, note_stale
from collab.forms.editors import editor_rows, rows_from_post, split_errors
from collab.pages import HR_AND_AUDITOR, HR_ONLY, paginate, tenant_page

READERS = HR_AND_AUDITOR


# ------------------------------------------------------------------------------------------ settings
def _plain(number) -> str:
    """110.00 → "110", 12.50 → "12.5" (what HR typed, not the column's two decimals)."""
    return f"{number.normalize():f}"


def _grade_rows(grades) -> list[dict]:
    return [{"code": g.code, "name": g.name, "description": g.description, "min_score": _plain(g.min_score),
             "value": _plain(g.value)} for g in grades]  # fmt: skip


def _rule_rows(rules) -> list[dict]:
    return [{"grade_codes": ", ".join(r.grade_codes), "bound": r.bound, "percent": _plain(r.percent)}
            for r in rules]  # fmt: skip


@tenant_page(read=READERS, write=HR_ONLY)
def appraisal_settings(request):
    policy = policy_services.policy_of_tenant()
    initial = {name: getattr(policy, name) for name in policy_services.POLICY_FIELDS}
    form = PolicyForm(request.POST or None, initial={**initial, "lock_version": policy.lock_version})
    grades = _grade_rows(policy_services.grades_of_tenant())
    rules = _rule_rows(policy_services.rules_of_tenant())
    grade_errors: dict = {}
    rule_errors: dict = {}
    general: list[str] = []
    if request.method == "POST":
        grades = rows_from_post(request.POST, fields=policy_services.GRADE_FIELDS, prefix="grades",
                                ignore_blank=())  # fmt: skip
        rules = rows_from_post(request.POST, fields=policy_services.RULE_FIELDS, prefix="rules",
                               ignore_blank=("bound",))  # fmt: skip
        if form.is_valid():
            try:
                policy_services.policy_update(
                    actor=request.user, policy=policy, lock_version=form.cleaned_data.get("lock_version"),
                    data=form.service_data(), grades=grades, rules=rules,
                )  # fmt: skip
            except ValidationError as invalid:
                grade_errors, other = split_errors(invalid, prefix="grades")
                rule_errors, other = (
                    split_errors(ValidationError(other), prefix="rules") if other else ({}, {})
                )
                for key, texts in other.items():
                    for text in texts:
                        if key in form.fields:
                            form.add_error(key, text)
                        else:
                            general.append(text)
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                messages.success(request, _("Appraisal settings saved."))
                return redirect("appraisal-settings", tenant_slug=request.tenant.slug)
    blank_grade = dict.fromkeys(policy_services.GRADE_FIELDS, "") | {"errors": {}}
    context = {
        "form": form,
        "grades": editor_rows(grades, grade_errors),
        "rules": editor_rows(rules, rule_errors),
        "blank_grade": blank_grade,
        "blank_rule": {"grade_codes": "", "bound": DistributionBound.AT_MOST, "percent": "", "errors": {}},
        "bounds": DistributionBound.choices,
        "general": general,
    }
    failed = grade_errors or rule_errors or general or form.errors
    return render(
        request,
        "appraisal/setup/settings.html",
        context,
        status=form_status(form, status=400 if failed else 200),
    )


# ------------------------------------------------------------------------------------------ cycles
@tenant_page(read=READERS)
def cycle_list(request):
    form = CycleFilterForm(request.GET or None)
    status = form.cleaned_data.get("status", "") if request.GET and form.is_valid() else ""
    context = {"filter_form": form, "page": paginate(request, appraisal_cycles(status=status)),
               "filtered": bool(status)}  # fmt: skip
    return render(request, "appraisal/setup/cycle_list.html", context)


def _cycle_initial(cycle) -> dict:
    initial = {"name": cycle.name, "period": cycle.period_id, "weight_scorecard": cycle.weight_scorecard,
               "weight_review": cycle.weight_review, "weight_manager": cycle.weight_manager,
               "lock_version": cycle.lock_version}  # fmt: skip
    for row in stage_rows(cycle):
        initial[f"{row.stage}_opens"] = timezone.localtime(row.opens_at)
        initial[f"{row.stage}_deadline"] = timezone.localtime(row.deadline)
    return initial


def _cycle_editor(request, cycle):
    launched = cycle_windows(cycle) if cycle is not None and cycle.status == CycleStatus.ACTIVE else None
    form = CycleForm(
        request.POST or None, initial=_cycle_initial(cycle) if cycle is not None else None, launched=launched
    )
    if request.method == "POST" and form.is_valid():
        stages = form.stages()
        try:
            if cycle is None:
                saved = cycle_services.cycle_create(
                    actor=request.user, data=form.service_data(), stages=stages
                )
            else:
                saved = cycle_services.cycle_update(
                    actor=request.user, cycle=cycle, lock_version=form.cleaned_data.get("lock_version"),
                    data=form.service_data(), stages=stages,
                )  # fmt: skip
        except ValidationError as invalid:
            add_service_errors(form, invalid, stage_error_fields(stages))
        except StaleEditError as stale:
            note_stale(form, stale)
        else:
            messages.success(request, _("Appraisal cycle %(name)s saved.") % {"name": saved.name})
            return redirect("appraisal-cycle-detail", tenant_slug=request.tenant.slug, pk=saved.pk)
    context = {"form": form, "cycle": cycle, "weights": [form[name] for name in WEIGHT_FIELDS],
               "launched": launched is not None}  # fmt: skip
    return render(request, "appraisal/setup/cycle_form.html", context,
                  status=form_status(form, status=400 if form.errors else 200))  # fmt: skip


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def cycle_create(request):
    return _cycle_editor(request, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def cycle_edit(request, pk: int):
    cycle = access_cycle_by_id(request.membership, pk, write=True)
    if cycle.status == CycleStatus.CLOSED:
        messages.warning(request, _("A closed cycle cannot be changed."))
        return redirect("appraisal-cycle-detail", tenant_slug=request.tenant.slug, pk=cycle.pk)
    return _cycle_editor(request, cycle_page(cycle))


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def cycle_delete(request, pk: int):
    cycle = access_cycle_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda lock_version: cycle_services.cycle_delete(
            actor=request.user, cycle=cycle, lock_version=lock_version
        ),
    )
    if attempt.done:
        messages.success(request, _("Appraisal cycle %(name)s deleted.") % {"name": cycle.name})
        return redirect("appraisal-cycle-list", tenant_slug=request.tenant.slug)
    context = {"cycle": cycle, "error": attempt.error or None}
    return render(request, "appraisal/setup/cycle_confirm_delete.html", context, status=attempt.status)


def _index(request, size: int) -> int | None:
    raw = request.POST.get("index", "")
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) < size else None


def _cycle_post(request, cycle, rule_form):
    """Run the posted action; a message when it went through, False when the form needs showing again."""
    action = request.POST.get("action", "")
    version = request.POST.get("lock_version")
    if action == "add_rule" and rule_form.is_valid():
        cycle_services.cycle_update(actor=request.user, cycle=cycle, lock_version=version, data={},
                                    rules=[*stored_rules(cycle), rule_form.row()])  # fmt: skip
        return _("Participant rule added.")
    if action == "remove_rule":
        rows = stored_rules(cycle)
        index = _index(request, len(rows))
        if index is not None:
            del rows[index]
            cycle_services.cycle_update(
                actor=request.user, cycle=cycle, lock_version=version, data={}, rules=rows
            )
        return _("Participant rule removed.")
    if action == "launch":
        count = cycle_services.cycle_launch(actor=request.user, cycle=cycle, lock_version=version)
        return ngettext("Cycle launched: %(n)d appraisal.", "Cycle launched: %(n)d appraisals.", count) % {
            "n": count
        }
    if action == "close":
        cycle_services.cycle_close(actor=request.user, cycle=cycle, lock_version=version)
        return _("Cycle closed.")
    return False


@tenant_page(read=READERS, write=HR_ONLY)
def cycle_detail(request, pk: int):
    cycle = cycle_page(access_cycle_by_id(request.membership, pk, write=request.method == "POST"))
    rule_form = ParticipantRuleForm(request.POST if request.POST.get("action") == "add_rule" else None)
    errors: list[str] = []
    status = 200
    if request.method == "POST":
        try:
            done = _cycle_post(request, cycle, rule_form)
        except ValidationError as invalid:
            errors = [text for texts in invalid.message_dict.values() for text in texts]
            status = 400
        except StaleEditError as stale:
            errors, status = [stale.message], 409
        else:
            if done:
                messages.success(request, done)
                return redirect("appraisal-cycle-detail", tenant_slug=request.tenant.slug, pk=cycle.pk)
            status = 400
    grades = policy_services.grades_of_tenant()
    context = {
        "cycle": cycle,
        "stages": stage_rows(cycle),
        "rules": list(cycle.participant_rules.all()),
        "rule_form": rule_form,
        "errors": errors,
        "is_draft": cycle.status == CycleStatus.DRAFT,
        "is_active": cycle.status == CycleStatus.ACTIVE,
        "by_unit": participants_by_unit(cycle),
        "grades": grades,
        "dated_stage_count": len(DATED_STAGES),
    }
    return render(request, "appraisal/setup/cycle_detail.html", context, status=status)


# ------------------------------------------------------------------------------------------ board
def _board_appraisal(request, cycle, raw):
    appraisal = access_appraisal_by_id(appraisal_reader(request.membership, request.user), raw)
    if appraisal.cycle_id != cycle.pk:
        raise Http404
    return appraisal


@tenant_page(read=READERS, write=HR_ONLY)
def cycle_board(request, pk: int):
    cycle = access_cycle_by_id(request.membership, pk, write=request.method == "POST")
    filters = BoardFilterForm(request.GET or None)
    chosen = filters.cleaned_data if request.GET and filters.is_valid() else {}
    unit, stage, overdue = chosen.get("unit"), chosen.get("stage", ""), bool(chosen.get("overdue"))
    now = timezone.now()
    reopen_form = ReopenForm(request.POST if request.POST.get("action") == "reopen" else None)
    reopen_for = None
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        back = request.get_full_path()
        if action == "remind":
            appraisal = _board_appraisal(request, cycle, request.POST.get("appraisal"))
            sent = appraisals_remind(actor=request.user, appraisals=[appraisal], now=now)
            if sent:
                messages.success(
                    request, _("Reminder sent about %(name)s.") % {"name": appraisal.employee.name}
                )
            else:
                messages.info(request, _("%(name)s was reminded today already, or has nothing to do now.")
                              % {"name": appraisal.employee.name})  # fmt: skip
            return redirect(back)
        if action == "remind_overdue":
            rows = board_rows(cycle, now=now, unit=unit, stage=stage, overdue=True)
            sent = appraisals_remind(actor=request.user, appraisals=rows, now=now)
            messages.success(
                request, ngettext("%(n)d person reminded.", "%(n)d people reminded.", sent) % {"n": sent}
            )
            return redirect(back)
        if action == "reopen":
            reopen_for = _board_appraisal(request, cycle, request.POST.get("appraisal"))
            if reopen_form.is_valid():
                data = reopen_form.cleaned_data
                try:
                    stage_reopen(actor=request.user, appraisal=reopen_for, stage=data["stage"],
                                 reason=data["reason"], until=data["until"], now=now)  # fmt: skip
                except ValidationError as invalid:
                    add_service_errors(reopen_form, invalid)
                else:
                    names = {"stage": Stage(data["stage"]).label, "name": reopen_for.employee.name}
                    text = _("%(stage)s reopened for %(name)s.") % names
                    messages.success(request, text)
                    return redirect(back)
            status = 400
    page = paginate(request, board_rows(cycle, now=now, unit=unit, stage=stage, overdue=overdue))
    windows = cycle_windows(cycle)
    rows = [
        (row, row_overdue(row), ReopenForm(auto_id=f"reopen-{row.pk}-%s"), row_deadline(row, windows))
        for row in page.object_list
    ]
    context = {
        "cycle": cycle, "filters": filters, "page": page, "rows": rows, "reopen_form": reopen_form,
        "reopen_for": reopen_for, "summary": board_summary(cycle, now=now, unit=unit),
        "filtered": bool(unit or stage or overdue), "overdue_only": overdue,
    }  # fmt: skip
    return render(request, "appraisal/setup/board.html", context, status=status)
