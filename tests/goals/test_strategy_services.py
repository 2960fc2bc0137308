"""Strategy map services: objectives and cause → effect links (no self-links, duplicates, cycles)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from goals.models import KPI, Objective, ObjectiveLink, Perspective
from goals.services.objectives import (
    objective_create,
    objective_delete,
    objective_link_create,
    objective_link_delete,
    objective_update,
)
from tests.factories.goals import KPIFactory, ObjectiveFactory, ObjectiveLinkFactory, PeriodFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def period(scope_a):
    return PeriodFactory(year=2025, status=Period.Status.ACTIVE)


def test_create_objective_audited(period, hr_a):
    objective = objective_create(
        actor=hr_a, data={"period": period, "perspective": Perspective.CUSTOMER, "name": " Retain customers "}
    )
    assert objective.name == "Retain customers"
    assert AuditEvent.objects.filter(action="objective.create", object_id=str(objective.pk)).exists()


def test_duplicate_name_in_the_period_is_a_name_error(period, hr_a):
    ObjectiveFactory(period=period, name="Grow")
    with pytest.raises(ValidationError) as error:
        objective_create(actor=hr_a, data={"period": period, "perspective": "financial", "name": "Grow"})
    assert "name" in error.value.message_dict


def test_closed_period_is_read_only(period, hr_a):
    objective = ObjectiveFactory(period=period)
    link = ObjectiveLinkFactory(cause=objective, effect=ObjectiveFactory(period=period))
    Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
    period.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        objective_create(actor=hr_a, data={"period": period, "perspective": "financial", "name": "New"})
    assert "period" in error.value.message_dict
    with pytest.raises(ValidationError):
        objective_update(
            actor=hr_a, objective=objective, lock_version=objective.lock_version, data={"name": "Renamed"}
        )
    with pytest.raises(ValidationError):
        objective_delete(actor=hr_a, objective=objective)
    with pytest.raises(ValidationError):
        objective_link_delete(actor=hr_a, link=link)
    with pytest.raises(ValidationError):
        objective_link_create(actor=hr_a, cause=link.effect, effect=ObjectiveFactory(period=period))
    assert Objective.objects.get(pk=objective.pk).name == objective.name
    assert ObjectiveLink.objects.filter(pk=link.pk).exists()


def test_stale_objective_update_refused(period, hr_a):
    objective = ObjectiveFactory(period=period)
    objective_update(actor=hr_a, objective=objective, data={"name": "One"}, lock_version=1)
    with pytest.raises(StaleEditError) as error:
        objective_update(actor=hr_a, objective=objective, data={"name": "Two"}, lock_version=1)
    assert "hr_a changed this objective" in error.value.message
    assert Objective.objects.get(pk=objective.pk).name == "One"
    same = objective_update(actor=hr_a, objective=objective, data={"name": "One"}, lock_version=2)
    assert same.lock_version == 2  # nothing changed: no new version


def test_moving_a_linked_objective_to_another_period_is_refused(period, hr_a):
    link = ObjectiveLinkFactory(cause=ObjectiveFactory(period=period), effect=ObjectiveFactory(period=period))
    other = PeriodFactory(year=2026)
    with pytest.raises(ValidationError) as error:
        objective_update(
            actor=hr_a, objective=link.cause, lock_version=link.cause.lock_version, data={"period": other}
        )
    assert "period" in error.value.message_dict


def test_link_create_and_delete_audited(period, hr_a):
    cause, effect = ObjectiveFactory(period=period), ObjectiveFactory(period=period)
    link = objective_link_create(actor=hr_a, cause=cause, effect=effect)
    assert (link.cause_id, link.effect_id) == (cause.pk, effect.pk)
    objective_link_delete(actor=hr_a, link=link)
    assert not ObjectiveLink.objects.exists()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"objective_link.create", "objective_link.delete"} <= actions


def test_self_link_duplicate_and_other_period_refused(period, hr_a):
    cause, effect = ObjectiveFactory(period=period), ObjectiveFactory(period=period)
    with pytest.raises(ValidationError):
        objective_link_create(actor=hr_a, cause=cause, effect=cause)
    objective_link_create(actor=hr_a, cause=cause, effect=effect)
    with pytest.raises(ValidationError) as duplicate:
        objective_link_create(actor=hr_a, cause=cause, effect=effect)
    assert "already exists" in str(duplicate.value)
    elsewhere = ObjectiveFactory(period=PeriodFactory(year=2027))
    with pytest.raises(ValidationError):
        objective_link_create(actor=hr_a, cause=cause, effect=elsewhere)
    assert ObjectiveLink.objects.count() == 1


def test_cycle_is_refused_and_named(period, hr_a):
    skills = ObjectiveFactory(period=period, name="Skills", perspective=Perspective.LEARNING_GROWTH)
    quality = ObjectiveFactory(period=period, name="Quality", perspective=Perspective.INTERNAL_PROCESS)
    loyalty = ObjectiveFactory(period=period, name="Loyalty", perspective=Perspective.CUSTOMER)
    objective_link_create(actor=hr_a, cause=skills, effect=quality)
    objective_link_create(actor=hr_a, cause=quality, effect=loyalty)
    with pytest.raises(ValidationError) as error:
        objective_link_create(actor=hr_a, cause=loyalty, effect=skills)
    message = " ".join(error.value.message_dict["effect"])
    assert "cycle" in message and "Loyalty → Skills → Quality → Loyalty" in message
    # The reverse of a single link is a two-node cycle.
    with pytest.raises(ValidationError):
        objective_link_create(actor=hr_a, cause=quality, effect=skills)
    assert ObjectiveLink.objects.count() == 2
    # A diamond is not a cycle.
    margin = ObjectiveFactory(period=period, name="Margin")
    objective_link_create(actor=hr_a, cause=quality, effect=margin)
    objective_link_create(actor=hr_a, cause=loyalty, effect=margin)
    assert ObjectiveLink.objects.count() == 4


def test_deleting_an_objective_keeps_its_kpis(period, hr_a):
    objective = ObjectiveFactory(period=period)
    kpi = KPIFactory(objective=objective)
    ObjectiveLinkFactory(cause=objective, effect=ObjectiveFactory(period=period))
    objective_delete(actor=hr_a, objective=objective)
    assert KPI.objects.get(pk=kpi.pk).objective_id is None
    assert not ObjectiveLink.objects.exists()
