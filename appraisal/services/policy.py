"""The tenant's appraisal policy: the distribution mode, the manager's latitude, the windows of confirmation
and appeal, the reminder lead, the grade scale and the distribution guideline.

Every other part reads the policy through `policy_of_tenant()`: a tenant without one gets the default
(S/A/B/C/D, guideline S ≤ 10 %, S+A ≤ 30 %, C+D ≥ 5 %, warn) on first use. HR edits it with `policy_update`,
which takes the whole scale and the whole guideline as lists (errors keyed "grades-<i>-<field>" and
"rules-<i>-<field>", "grades" / "rules" for a list) and replaces them: a grade keeps its row (and what points
at it) while its code stays; a grade some appraisal already carries cannot be removed.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from appraisal.audit import AppraisalAuditAction
from appraisal.models import (
    Appraisal,
    AppraisalPolicy,
    DistributionBound,
    DistributionMode,
    DistributionRule,
    Grade,
)
from collab.audit import audit_record
from collab.concurrency import UNSET, changed_fields, field_values, lock_for_edit, mark_edited
from collab.tenancy import current_tenant
from collab.text import clean_text

# code, name, description, lowest score of the band, value in the result formula
DEFAULT_SCALE = (
    (
        "S",
        gettext_lazy("Outstanding"),
        gettext_lazy("Far beyond the goals; a model for others."),
        "110",
        "100",
    ),
    ("A", gettext_lazy("Exceeds"), gettext_lazy("Beyond the goals in most respects."), "95", "90"),
    ("B", gettext_lazy("Meets"), gettext_lazy("The goals are met."), "80", "80"),
    (
        "C",
        gettext_lazy("Partly meets"),
        gettext_lazy("Some goals are not met; improvement is needed."),
        "60",
        "65",
    ),
    ("D", gettext_lazy("Does not meet"), gettext_lazy("The goals are not met."), "0", "50"),
)
DEFAULT_RULES = (
    (["S"], DistributionBound.AT_MOST, "10"),
    (["S", "A"], DistributionBound.AT_MOST, "30"),
    (["C", "D"], DistributionBound.AT_LEAST, "5"),
)
POLICY_FIELDS = (
    "distribution_mode", "departure_bound", "confirmation_days", "appeal_manager_days", "appeal_hr_days",
    "reminder_days",
)  # fmt: skip
GRADE_FIELDS = ("code", "name", "description", "min_score", "value")
RULE_FIELDS = ("grade_codes", "bound", "percent")
MAX_GRADES = 12
MAX_RULES = 20
_CODE = re.compile(r"^[A-Za-z0-9+\-]{1,10}$")
_LIMITS = {  # field: (lowest, highest)
    "departure_bound": (0, 10), "confirmation_days": (1, 60), "appeal_manager_days": (1, 60),
    "appeal_hr_days": (1, 60), "reminder_days": (0, 30),
}  # fmt: skip


def policy_of_tenant() -> AppraisalPolicy:
    """The policy of the tenant in scope, created with the default scale and guideline on first use."""
    policy = AppraisalPolicy.objects.first()
    if policy is not None:
        return policy
    try:
        with transaction.atomic():
            return _default_create()
    except IntegrityError:  # another request created it at the same moment
        return AppraisalPolicy.objects.get()


def _default_create() -> AppraisalPolicy:
    """The default policy, its grades named in the tenant's language."""
    locale = current_tenant().locale
    language = locale if locale in {code for code, _name in settings.LANGUAGES} else settings.LANGUAGE_CODE
    with translation.override(language):
        return _default_rows()


def _default_rows() -> AppraisalPolicy:
    policy = AppraisalPolicy.objects.create()
    if not Grade.objects.exists():
        Grade.objects.bulk_create([
            Grade(code=code, name=str(name), description=str(description), order=order,
                  min_score=Decimal(band), value=Decimal(value))
            for order, (code, name, description, band, value) in enumerate(DEFAULT_SCALE)
        ])  # fmt: skip
    if not DistributionRule.objects.exists():
        DistributionRule.objects.bulk_create([
            DistributionRule(grade_codes=codes, bound=bound, percent=Decimal(percent), order=order)
            for order, (codes, bound, percent) in enumerate(DEFAULT_RULES)
        ])  # fmt: skip
    audit_record(
        actor=None, action=AppraisalAuditAction.POLICY_UPDATE, obj=policy, after=policy_snapshot(policy)
    )
    return policy


def grades_of_tenant() -> list[Grade]:
    """The scale, best grade first (the default is created on first use)."""
    policy_of_tenant()
    return list(Grade.objects.order_by("order", "id"))


def rules_of_tenant() -> list[DistributionRule]:
    policy_of_tenant()
    return list(DistributionRule.objects.order_by("order", "id"))


def policy_snapshot(policy: AppraisalPolicy) -> dict[str, Any]:
    return {
        **{name: getattr(policy, name) for name in POLICY_FIELDS},
        "grades": [[g.code, g.name, str(g.min_score), str(g.value)] for g in Grade.objects.order_by("order")],
        "rules": [
            [r.grade_codes, r.bound, str(r.percent)] for r in DistributionRule.objects.order_by("order")
        ],
    }


def _number(value: Any, *, low: int, high: int) -> int:
    if isinstance(value, bool):
        raise ValueError(_("Enter a whole number."))
    try:
        number = int(str(value).strip())
    except (TypeError, ValueError):
        raise ValueError(_("Enter a whole number.")) from None
    if not low <= number <= high:
        raise ValueError(_("Enter a number from %(low)d to %(high)d.") % {"low": low, "high": high})
    return number


def _decimal(value: Any, *, high: int) -> Decimal:
    if isinstance(value, bool) or value is None or str(value).strip() == "":
        raise ValueError(_("This field is required."))
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValueError(_("Enter a number.")) from None
    if not number.is_finite() or not Decimal("0") <= number <= Decimal(high):
        raise ValueError(_("Enter a number from %(low)d to %(high)d.") % {"low": 0, "high": high})
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(_("Use at most two decimal places."))
    return number


def header_clean(data: Mapping[str, Any]) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    clean: dict[str, Any] = {}
    for name in POLICY_FIELDS:
        if name not in data:
            continue
        value = data[name]
        if name == "distribution_mode":
            if value not in DistributionMode.values:
                errors[name] = [_("Choose warn or enforce.")]
            else:
                clean[name] = value
            continue
        try:
            clean[name] = _number(value, low=_LIMITS[name][0], high=_LIMITS[name][1])
        except ValueError as error:
            errors[name] = [str(error)]
    if errors:
        raise ValidationError(errors)
    return clean


def grades_clean(rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The scale as given, best first: a code (letters, digits, + or -), a name, a band and a value each;
    codes unique; at least two grades; each band strictly below the one before."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"grades": _("Give a list of grades.")})
    errors: dict[str, list[str]] = {}
    if len(rows) < 2:
        errors["grades"] = [_("A scale needs at least two grades.")]
    elif len(rows) > MAX_GRADES:
        errors["grades"] = [_("Use at most %(n)d grades.") % {"n": MAX_GRADES}]
    clean: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for index, row in enumerate(rows[:MAX_GRADES]):
        key = f"grades-{index}-"
        if not isinstance(row, Mapping):
            errors[f"{key}code"] = [_("Enter text.")]
            continue
        values: dict[str, Any] = {}
        for field, limit in (("code", 10), ("name", 100), ("description", 1000)):
            try:
                values[field] = clean_text(row.get(field), limit)
            except ValueError as error:
                errors[key + field] = [str(error)]
        code = values.get("code", "")
        if "code" in values and not _CODE.match(code):
            errors[key + "code"] = [_("Use 1–10 letters, digits, + or -.")]
        elif code.upper() in seen:
            errors[key + "code"] = [_("Grade %(n)d has the same code.") % {"n": seen[code.upper()] + 1}]
        elif code:
            seen[code.upper()] = index
        if "name" in values and not values["name"]:
            errors[key + "name"] = [_("This field is required.")]
        for field, high in (("min_score", 200), ("value", 100)):
            try:
                values[field] = _decimal(row.get(field), high=high)
            except ValueError as error:
                errors[key + field] = [str(error)]
        if len(values) == len(GRADE_FIELDS):
            values["index"] = index
            clean.append(values)
    for previous, current in zip(clean, clean[1:], strict=False):
        if current["min_score"] >= previous["min_score"]:
            errors.setdefault(f"grades-{current['index']}-min_score", []).append(
                _("Each band must start below the one of the grade above (%(score)s).")
                % {"score": previous["min_score"]}
            )
    if errors:
        raise ValidationError(errors)
    return clean


def _codes(value: Any) -> list[str]:
    if isinstance(value, str):
        return [code for code in re.split(r"[\s,+，、]+", value.strip()) if code]
    if isinstance(value, Sequence) and all(isinstance(code, str) for code in value):
        return [code.strip() for code in value if code.strip()]
    raise ValueError(_("Give the grades as codes, e.g. S, A."))


def rules_clean(rows: Sequence[Mapping[str, Any]], codes: Sequence[str]) -> list[dict[str, Any]]:
    """The guideline as given: each line names grades of the scale, a bound and a percent."""
    if not isinstance(rows, Sequence) or isinstance(rows, str | bytes):
        raise ValidationError({"rules": _("Give a list of rules.")})
    errors: dict[str, list[str]] = {}
    if len(rows) > MAX_RULES:
        errors["rules"] = [_("Use at most %(n)d rules.") % {"n": MAX_RULES}]
    known = {code.upper(): code for code in codes}
    clean = []
    for index, row in enumerate(rows[:MAX_RULES]):
        key = f"rules-{index}-"
        if not isinstance(row, Mapping):
            errors[f"{key}grade_codes"] = [_("Enter text.")]
            continue
        values: dict[str, Any] = {}
        try:
            given = _codes(row.get("grade_codes"))
        except ValueError as error:
            errors[key + "grade_codes"] = [str(error)]
        else:
            unknown = [code for code in given if code.upper() not in known]
            if not given:
                errors[key + "grade_codes"] = [_("Name at least one grade.")]
            elif unknown:
                errors[key + "grade_codes"] = [
                    _("Not a grade of the scale: %(codes)s.") % {"codes": ", ".join(unknown)}
                ]
            else:
                values["grade_codes"] = list(dict.fromkeys(known[code.upper()] for code in given))
        if row.get("bound") not in DistributionBound.values:
            errors[key + "bound"] = [_("Choose at most or at least.")]
        else:
            values["bound"] = row["bound"]
        try:
            values["percent"] = _decimal(row.get("percent"), high=100)
        except ValueError as error:
            errors[key + "percent"] = [str(error)]
        if len(values) == len(RULE_FIELDS):
            clean.append(values)
    if errors:
        raise ValidationError(errors)
    return clean


def _grades_write(clean: list[dict[str, Any]]) -> bool:
    """Replace the scale; a grade keeps its row while its code stays. True when anything changed."""
    stored = {g.code.upper(): g for g in Grade.objects.select_for_update().order_by("order", "id")}
    wanted = {row["code"].upper() for row in clean}
    removed = [g for code, g in stored.items() if code not in wanted]
    if removed:
        ids = [g.pk for g in removed]
        used = Appraisal.objects.filter(
            Q(manager_grade_id__in=ids) | Q(suggested_grade_id__in=ids) | Q(final_grade_id__in=ids)
        ).exists()
        if used:
            message = _("A grade that appraisals already carry cannot be removed: %(codes)s.")
            raise ValidationError({"grades": message % {"codes": ", ".join(g.code for g in removed)}})
    changed = bool(removed)
    Grade.objects.filter(pk__in=[g.pk for g in removed]).delete()
    kept = [g for code, g in stored.items() if code in wanted]
    # Out of the way of the unique (tenant, order) while the kept grades are renumbered.
    Grade.objects.filter(pk__in=[g.pk for g in kept]).update(order=F("order") + 1000)
    for order, row in enumerate(clean):
        grade = stored.get(row["code"].upper())
        if grade is None:
            Grade.objects.create(order=order, **{f: row[f] for f in GRADE_FIELDS})
            changed = True
            continue
        before = field_values(grade)
        grade.order = order
        for field in GRADE_FIELDS:
            setattr(grade, field, row[field])
        fields = changed_fields(grade, before)
        if fields:
            changed = True
            grade.lock_version += 1
        grade.save(update_fields=["order", *GRADE_FIELDS, "lock_version"])
    return changed


def _rules_write(clean: list[dict[str, Any]]) -> bool:
    stored = [(r.grade_codes, r.bound, r.percent) for r in DistributionRule.objects.order_by("order", "id")]
    wanted = [(r["grade_codes"], r["bound"], r["percent"]) for r in clean]
    if stored == wanted:
        return False
    DistributionRule.objects.all().delete()
    DistributionRule.objects.bulk_create([
        DistributionRule(grade_codes=codes, bound=bound, percent=percent, order=order)
        for order, (codes, bound, percent) in enumerate(wanted)
    ])  # fmt: skip
    return True


@transaction.atomic
def policy_update(
    *,
    actor,
    policy: AppraisalPolicy,
    lock_version: Any,
    data: Mapping[str, Any],
    grades: Sequence[Mapping[str, Any]] | object = UNSET,
    rules: Sequence[Mapping[str, Any]] | object = UNSET,
) -> AppraisalPolicy:
    """HR changes the policy fields in `data` and, when given, the whole scale and the whole guideline (the
    guideline is checked against the new scale). A save that changes nothing writes nothing."""
    current = lock_for_edit(AppraisalPolicy, policy, lock_version)
    errors: dict[str, list[str]] = {}
    try:
        header = header_clean(data)
    except ValidationError as invalid:
        errors.update(invalid.message_dict)
        header = {}
    clean_grades = None
    if grades is not UNSET:
        try:
            clean_grades = grades_clean(grades)  # type: ignore[arg-type]
        except ValidationError as invalid:
            errors.update(invalid.message_dict)
    codes = (
        [row["code"] for row in clean_grades] if clean_grades is not None
        else list(Grade.objects.order_by("order").values_list("code", flat=True))
    )  # fmt: skip
    clean_rules = None
    if rules is not UNSET or clean_grades is not None:
        given = rules if rules is not UNSET else [
            {"grade_codes": r.grade_codes, "bound": r.bound, "percent": r.percent}
            for r in DistributionRule.objects.order_by("order", "id")
        ]  # fmt: skip
        if grades is UNSET or clean_grades is not None:
            try:
                clean_rules = rules_clean(given, codes)  # type: ignore[arg-type]
            except ValidationError as invalid:
                errors.update(invalid.message_dict)
    if errors:
        raise ValidationError(errors)
    before = policy_snapshot(current)
    before_values = field_values(current)
    for name, value in header.items():
        setattr(current, name, value)
    fields = changed_fields(current, before_values)
    lists_changed = False
    if clean_grades is not None:
        lists_changed = _grades_write(clean_grades) or lists_changed
    if clean_rules is not None:
        lists_changed = _rules_write(clean_rules) or lists_changed
    if not fields and not lists_changed:
        return current
    current.save(update_fields=[*fields, *mark_edited(current, actor)])
    audit_record(
        actor=actor, action=AppraisalAuditAction.POLICY_UPDATE, obj=current, before=before,
        after=policy_snapshot(current),
    )  # fmt: skip
    return current
