"""The tenant's appraisal policy: a default on first use, HR's edits of the scale and the guideline."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from appraisal.models import AppraisalPolicy, DistributionRule, Grade
from appraisal.services.policy import grades_of_tenant, policy_of_tenant, policy_update, rules_of_tenant
from collab.concurrency import StaleEditError
from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from tests.factories import make_member
from tests.factories.appraisal import AppraisalFactory, appraisal_world

pytestmark = pytest.mark.django_db

SCALE = [
    {"code": "A", "name": "Top", "description": "", "min_score": "90", "value": "100"},
    {"code": "B", "name": "Good", "description": "", "min_score": "70", "value": "80"},
    {"code": "C", "name": "Low", "description": "", "min_score": "0", "value": "50"},
]


def test_a_tenant_without_a_policy_gets_the_default_once(tenant_a, tenant_b):
    with tenant_scope(tenant_a):
        policy = policy_of_tenant()
        assert policy_of_tenant() == policy
        assert [g.code for g in grades_of_tenant()] == ["S", "A", "B", "C", "D"]
        assert [(r.grade_codes, r.bound, r.percent) for r in rules_of_tenant()] == [
            (["S"], "at_most", Decimal("10")), (["S", "A"], "at_most", Decimal("30")),
            (["C", "D"], "at_least", Decimal("5")),
        ]  # fmt: skip
        assert policy.distribution_mode == "warn"
        assert AppraisalPolicy.objects.count() == 1
    with tenant_scope(tenant_b):
        assert not Grade.objects.exists()
        assert policy_of_tenant() != policy
        assert Grade.objects.count() == 5


def test_hr_replaces_the_scale_and_guideline(tenant_a):
    with tenant_scope(tenant_a):
        hr = make_member(tenant_a, "hr_admin", username="hr")
        policy = policy_of_tenant()
        b_before = Grade.objects.get(code="B").pk
        saved = policy_update(
            actor=hr, policy=policy, lock_version=policy.lock_version,
            data={"distribution_mode": "enforce", "reminder_days": "5"}, grades=SCALE,
            rules=[{"grade_codes": "A", "bound": "at_most", "percent": "20"}],
        )  # fmt: skip
        assert saved.distribution_mode == "enforce" and saved.reminder_days == 5
        assert [(g.code, g.order, g.min_score) for g in Grade.objects.order_by("order")] == [
            ("A", 0, Decimal("90")), ("B", 1, Decimal("70")), ("C", 2, Decimal("0")),
        ]  # fmt: skip
        assert Grade.objects.get(code="B").pk == b_before  # a kept code keeps its row
        assert list(DistributionRule.objects.values_list("grade_codes", flat=True)) == [["A"]]
        event = AuditEvent.objects.get(action="appraisal_policy.update", actor=hr)
        assert event.before["distribution_mode"] == "warn" and event.after["distribution_mode"] == "enforce"
        # The same save again changes nothing and writes nothing.
        policy_update(actor=hr, policy=saved, lock_version=saved.lock_version, data={}, grades=SCALE,
                      rules=[{"grade_codes": ["A"], "bound": "at_most", "percent": "20"}])  # fmt: skip
        assert AuditEvent.objects.filter(action="appraisal_policy.update", actor=hr).count() == 1
        with pytest.raises(StaleEditError):
            policy_update(actor=hr, policy=saved, lock_version=policy.lock_version, data={"reminder_days": 2})


@pytest.mark.parametrize(
    ("grades", "rules", "keys"),
    [
        (SCALE[:1], [], {"grades"}),
        ([SCALE[0], {**SCALE[1], "min_score": "95"}], [], {"grades-1-min_score"}),
        ([SCALE[0], {**SCALE[1], "code": "a"}], [], {"grades-1-code"}),
        ([SCALE[0], {**SCALE[1], "name": "", "value": "101"}], [], {"grades-1-name", "grades-1-value"}),
        ([{**SCALE[0], "code": "A A"}, SCALE[1]], [], {"grades-0-code"}),
        (SCALE, [{"grade_codes": "S", "bound": "at_most", "percent": "10"}], {"rules-0-grade_codes"}),
        (SCALE, [{"grade_codes": "A", "bound": "roughly", "percent": "x"}],
         {"rules-0-bound", "rules-0-percent"}),
    ],
)
def test_a_bad_scale_or_guideline_is_refused_with_field_errors(tenant_a, grades, rules, keys):
    with tenant_scope(tenant_a):
        policy = policy_of_tenant()
        with pytest.raises(ValidationError) as refused:
            policy_update(actor=None, policy=policy, lock_version=policy.lock_version, data={}, grades=grades,
                          rules=rules)  # fmt: skip
        assert set(refused.value.message_dict) == keys
        assert Grade.objects.count() == 5


def test_policy_numbers_are_checked(tenant_a):
    with tenant_scope(tenant_a):
        policy = policy_of_tenant()
        with pytest.raises(ValidationError) as refused:
            data = {"distribution_mode": "strict", "confirmation_days": 0, "departure_bound": "x"}
            policy_update(actor=None, policy=policy, lock_version=policy.lock_version, data=data)
        assert set(refused.value.message_dict) == set(data)


def test_a_grade_an_appraisal_carries_cannot_be_removed(tenant_a):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a)
        AppraisalFactory(cycle=world.cycle, employee=world.outsider, manager_grade=world.grades["S"])
        policy = policy_of_tenant()
        with pytest.raises(ValidationError) as refused:
            policy_update(
                actor=None, policy=policy, lock_version=policy.lock_version, data={}, grades=SCALE, rules=[]
            )
        assert "S" in refused.value.message_dict["grades"][0]
