"""The home page's "My appraisal" panel: what the person is to do at each stage and by when, only their own
appraisal in an active cycle, a fixed number of queries. Tenant B is in the room."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import timezone

from appraisal.models import Confirmation, CycleStatus, Stage
from collab.tenancy import tenant_scope
from tests.factories.appraisal import appraisal_world

pytestmark = pytest.mark.django_db


@pytest.fixture
def bravo(tenant_b):
    with tenant_scope(tenant_b):
        return appraisal_world(tenant_b, prefix="zz", current=Stage.SELF_ASSESSMENT)


def _panel(client):
    response = client.get(reverse("tenant-home", args=["alpha"]))
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    ("stage", "says", "leads_to"),
    [
        (Stage.GOAL_SETTING, "Propose your goals", "goals/"),
        (Stage.CHECK_INS, "Talk about your goals", "check-ins/"),
        (Stage.SELF_ASSESSMENT, "Write your self-assessment", ""),
        (Stage.MANAGER_ASSESSMENT, "Your manager assesses", ""),
    ],
)
def test_the_panel_says_what_to_do_at_each_stage(tenant_a, bravo, login, stage, says, leads_to):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=stage)
    page = _panel(login(world.users["employee"]))
    assert 'id="my-appraisal"' in page and says in page
    assert f'href="/t/alpha/appraisal/{world.appraisal.pk}/{leads_to}"' in page
    assert "zz cycle" not in page


def test_a_released_result_asks_for_an_answer_and_a_closed_cycle_shows_nothing(tenant_a, bravo, login):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT)
        world.appraisal.stage = Stage.CONFIRMATION
        world.appraisal.confirmation = Confirmation.AWAITING
        world.appraisal.confirm_by = timezone.now() + timezone.timedelta(days=7)
        world.appraisal.save()
    client = login(world.users["employee"])
    page = _panel(client)
    assert "confirm it or appeal" in page and f"/appraisal/{world.appraisal.pk}/result/" in page
    with tenant_scope(tenant_a):
        world.cycle.status = CycleStatus.CLOSED
        world.cycle.save()
    assert 'id="my-appraisal"' not in _panel(client)


def test_the_manager_sees_their_own_appraisal_not_their_reports(tenant_a, bravo, login):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT)
    assert 'id="my-appraisal"' not in _panel(login(world.users["manager"]))  # they take part in no cycle


def test_the_home_reads_a_fixed_number_of_queries(tenant_a, bravo, login, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        world = appraisal_world(tenant_a, current=Stage.SELF_ASSESSMENT)
    client = login(world.users["employee"])
    _panel(client)
    with django_assert_max_num_queries(40):
        _panel(client)
