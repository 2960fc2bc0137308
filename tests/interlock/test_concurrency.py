"""Optimistic concurrency of scorecards: a missing `lock_version` is refused (400 in the API, a form error on
the page), and a save that changes nothing keeps the version and writes no audit row. (Stale saves:
test_scorecard_api.py, test_scorecard_pages.py, test_services.py.)"""

from __future__ import annotations

import pytest
from django.urls import reverse

from collab.models import AuditEvent
from collab.tenancy import tenant_scope
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.cards import scorecard_lines_set, scorecard_unpublish
from tests.factories.interlock import build_seed_tables
from tests.interlock.test_scorecard_pages import lines_data

pytestmark = pytest.mark.django_db

BASE = "/api/v1/t/alpha/scorecards/"


@pytest.fixture
def card(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        twin = build_seed_tables().scorecards["service"]
    with tenant_scope(tenant_a):
        card = build_seed_tables().scorecards["service"]
    yield card
    with tenant_scope(tenant_b):  # the other tenant's scorecard never moves
        assert Scorecard.objects.get(pk=twin.pk).lock_version == twin.lock_version


def _fresh(tenant, card):
    with tenant_scope(tenant):
        return Scorecard.objects.get(pk=card.pk)


def _current_lines(tenant, card):
    with tenant_scope(tenant):
        return [
            (line.kpi, line.role, str(line.weight), "" if line.threshold is None else str(line.threshold))
            for line in ScorecardLine.objects.filter(scorecard=card).select_related("kpi")
        ]


@pytest.mark.parametrize("action", ["", "publish/", "unpublish/"])
def test_api_missing_lock_version_is_a_400(card, tenant_a, hr_a, api_client_for, action):
    api = api_client_for(hr_a)
    if action:
        response = api.post(f"{BASE}{card.pk}/{action}", {}, format="json")
    else:
        response = api.patch(f"{BASE}{card.pk}/", {"review_weight": "0.5"}, format="json")
    assert response.status_code == 400 and response.json() == {"lock_version": ["This field is required."]}
    assert _fresh(tenant_a, card).lock_version == card.lock_version


def test_api_no_op_keeps_the_version(card, tenant_a, hr_a, api_client_for):
    api = api_client_for(hr_a)
    seen = card.lock_version
    with tenant_scope(tenant_a):
        events = AuditEvent.objects.count()
    body = {"lock_version": seen, "review_weight": f"{card.review_weight}"}
    same = api.patch(f"{BASE}{card.pk}/", body, format="json")
    assert same.status_code == 200 and same.json()["lock_version"] == seen
    with tenant_scope(tenant_a):
        assert AuditEvent.objects.count() == events
    changed = api.patch(f"{BASE}{card.pk}/", {"lock_version": seen, "review_weight": "0.25"}, format="json")
    assert changed.status_code == 200 and changed.json()["lock_version"] == seen + 1


def test_service_same_lines_again_keeps_the_version(card, tenant_a, hr_a):
    with tenant_scope(tenant_a):
        lines = [
            {"kpi": line.kpi_id, "role": line.role, "weight": line.weight, "threshold": line.threshold}
            for line in ScorecardLine.objects.filter(scorecard=card)
        ]
        result = scorecard_lines_set(
            actor=hr_a, scorecard=card, lock_version=card.lock_version, lines=lines
        )
    assert result.scorecard.lock_version == card.lock_version


def test_page_missing_lock_version_is_refused(card, tenant_a, hr_a, login):
    page = reverse("scorecard-edit", kwargs={"tenant_slug": "alpha", "pk": card.pk})
    data = {"review_weight": "0.5", **lines_data(_current_lines(tenant_a, card))}
    response = login(hr_a).post(page, data)
    assert response.status_code == 409 and "changed this scorecard" in response.content.decode()
    assert _fresh(tenant_a, card).lock_version == card.lock_version


def test_page_no_op_keeps_the_version(card, tenant_a, hr_a, login):
    page = reverse("scorecard-edit", kwargs={"tenant_slug": "alpha", "pk": card.pk})
    data = {
        "lock_version": card.lock_version, "review_weight": f"{card.review_weight}",
        **lines_data(_current_lines(tenant_a, card)),
    }
    response = login(hr_a).post(page, data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert _fresh(tenant_a, card).lock_version == card.lock_version


def test_withdrawing_a_draft_changes_nothing(card, tenant_a, hr_a):
    with tenant_scope(tenant_a):
        draft = scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=card.lock_version)
        assert draft.lock_version == card.lock_version + 1
        events = AuditEvent.objects.count()
        again = scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=draft.lock_version)
        assert again.lock_version == draft.lock_version and AuditEvent.objects.count() == events
