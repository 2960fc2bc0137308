"""Scorecard services: create, line edits, publish with the 100 rule and the collaborative warning, stale
saves, closed periods and the other tenant."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.concurrency import StaleEditError
from collab.models import AuditEvent, Period
from collab.tenancy import tenant_scope
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.cards import (
    scorecard_create,
    scorecard_lines_set,
    scorecard_publish,
    scorecard_unpublish,
    scorecard_update,
)
from interlock.services.scorecards.lines import weights_summary
from tests.factories import UserFactory
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory, PositionFactory


@pytest.fixture
def setup(scope_a):
    period = PeriodFactory(year=2025, status=Period.Status.ACTIVE)
    unit = OrgUnitFactory(name="销售部")
    kpis = [KPIFactory(name=f"K{i}") for i in range(4)]
    return period, unit, kpis


@pytest.fixture
def other(tenant_b):
    with tenant_scope(tenant_b):
        period = PeriodFactory(year=2025)
        unit = OrgUnitFactory()
        return {
            "period": period,
            "unit": unit,
            "kpi": KPIFactory(),
            "position": PositionFactory(org_unit=unit),
        }


def lines_of(kpis, *spec):
    return [
        {"kpi": kpis[i], "weight": weight, "role": role, "threshold": threshold}
        for i, (weight, role, threshold) in enumerate(spec)
    ]


def errors_of(call) -> dict[str, list[str]]:
    with pytest.raises(ValidationError) as error:
        call()
    return error.value.message_dict


def test_create_publish_and_audit(setup, hr_a):
    period, unit, kpis = setup
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        review_weight="0.2",
        lines=lines_of(kpis, ("70", "own", None), ("30", "shared", None), ("0", "reference", "80")),
    )
    assert (card.status, card.review_weight, card.lock_version) == ("draft", Decimal("0.200"), 1)
    assert [(line.role, line.weight, line.threshold) for line in card.lines.order_by("order")] == [
        ("own", Decimal("70.00"), None),
        ("shared", Decimal("30.00"), None),
        ("reference", Decimal("0.00"), Decimal("80.00")),
    ]
    result = scorecard_publish(actor=hr_a, scorecard=card, lock_version=1)
    assert result.warnings == [] and result.scorecard.status == "published"
    assert result.scorecard.lock_version == 2 and not result.scorecard.collaborative_warning
    assert {e.action for e in AuditEvent.objects.all()} >= {"scorecard.create", "scorecard.publish"}


def test_publish_needs_exactly_100(setup, hr_a):
    period, unit, kpis = setup
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        lines=lines_of(kpis, ("60", "own", None), ("30", "shared", None)),
    )
    errors = errors_of(lambda: scorecard_publish(actor=hr_a, scorecard=card, lock_version=1))
    assert "they add up to 90 %" in errors["lines"][0]
    assert Scorecard.objects.get(pk=card.pk).status == "draft"


def test_low_collaborative_share_warns_but_publishes(setup, hr_a):
    period, unit, kpis = setup
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        lines=lines_of(kpis, ("90", "own", None), ("10", "shared", None)),
    )
    result = scorecard_publish(actor=hr_a, scorecard=card, lock_version=1)
    assert result.scorecard.status == "published" and result.scorecard.collaborative_warning
    assert "10 %, under the minimum of 20 %" in result.warnings[0]


def test_tenant_minimum_is_configurable(setup, hr_a):
    period, unit, kpis = setup
    setup_tenant = unit.tenant
    setup_tenant.min_collaborative_weight = Decimal("0")
    setup_tenant.save()
    with tenant_scope(setup_tenant):
        assert weights_summary([{"role": "own", "weight": "100"}])["warnings"] == []


def test_published_card_stays_publishable(setup, hr_a):
    period, unit, kpis = setup
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        lines=lines_of(kpis, ("70", "own", None), ("30", "shared", None)),
    )
    card = scorecard_publish(actor=hr_a, scorecard=card, lock_version=1).scorecard
    errors = errors_of(
        lambda: scorecard_lines_set(
            actor=hr_a,
            scorecard=card,
            lock_version=card.lock_version,
            lines=lines_of(kpis, ("70", "own", None)),
        )
    )
    assert "add up to 70 %" in errors["lines"][0]
    assert ScorecardLine.objects.filter(scorecard=card).count() == 2
    result = scorecard_lines_set(
        actor=hr_a,
        scorecard=card,
        lock_version=card.lock_version,
        lines=lines_of(kpis, ("85", "own", None), ("15", "shared", None)),
    )
    assert result.scorecard.collaborative_warning and result.warnings
    assert list(card.lines.values_list("weight", flat=True).order_by("order")) == [85, 15]
    draft = scorecard_unpublish(actor=hr_a, scorecard=card, lock_version=result.scorecard.lock_version)
    assert draft.status == "draft"
    scorecard_lines_set(
        actor=hr_a,
        scorecard=draft,
        lock_version=draft.lock_version,
        lines=lines_of(kpis, ("10", "own", None)),
    )  # drafts may be unfinished


@pytest.mark.parametrize(
    ("line", "field", "message"),
    [
        ({"weight": "10", "role": "reference", "threshold": "80"}, "lines-0-weight", "carry no weight"),
        ({"weight": "0", "role": "reference"}, "lines-0-threshold", "special review"),
        ({"weight": "50", "role": "own", "threshold": "80"}, "lines-0-threshold", "Only reference lines"),
        ({"weight": "101", "role": "own"}, "lines-0-weight", "from 0 to 100"),
        ({"weight": "-1", "role": "own"}, "lines-0-weight", "from 0 to 100"),
        ({"weight": "33.333", "role": "own"}, "lines-0-weight", "2 decimals"),
        ({"weight": "abc", "role": "own"}, "lines-0-weight", "Enter a number"),
        ({"weight": "1e400", "role": "own"}, "lines-0-weight", "from 0 to 100"),
        ({"weight": "\x00", "role": "own"}, "lines-0-weight", "Enter a number"),
        ({"weight": True, "role": "own"}, "lines-0-weight", "Enter a number"),
        ({"weight": "50", "role": "main"}, "lines-0-role", "own, shared or reference"),
        ({"weight": "50", "role": "own", "kpi": "abc"}, "lines-0-kpi", "does not exist"),
        ({"weight": "50", "role": "own", "kpi": 10**40}, "lines-0-kpi", "does not exist"),
    ],
)
def test_line_errors(setup, hr_a, line, field, message):
    period, unit, kpis = setup
    errors = errors_of(
        lambda: scorecard_create(actor=hr_a, period=period, org_unit=unit, lines=[{"kpi": kpis[0], **line}])
    )
    assert any(message in text for text in errors[field]), errors
    assert not Scorecard.objects.exists()


def test_same_kpi_twice_in_a_card_refused_but_in_many_cards_allowed(setup, hr_a):
    period, unit, kpis = setup
    errors = errors_of(
        lambda: scorecard_create(
            actor=hr_a,
            period=period,
            org_unit=unit,
            lines=[
                {"kpi": kpis[0], "weight": "50", "role": "own"},
                {"kpi": kpis[0], "weight": "50", "role": "shared"},
            ],
        )
    )
    assert "already a line" in errors["lines-1-kpi"][0]
    for name in ("a", "b", "c"):
        scorecard_create(
            actor=hr_a,
            period=period,
            org_unit=OrgUnitFactory(name=name),
            lines=[{"kpi": kpis[0], "weight": "100", "role": "shared"}],
        )
    assert ScorecardLine.objects.filter(kpi=kpis[0]).count() == 3


def test_subject_rules(setup, hr_a):
    period, unit, kpis = setup
    position = PositionFactory(org_unit=unit)
    assert "org_unit" in errors_of(lambda: scorecard_create(actor=hr_a, period=period))
    assert "org_unit" in errors_of(
        lambda: scorecard_create(actor=hr_a, period=period, org_unit=unit, position=position)
    )
    scorecard_create(actor=hr_a, period=period, org_unit=unit)
    scorecard_create(actor=hr_a, period=period, position=position)
    assert (
        "already has a scorecard for 2025"
        in errors_of(lambda: scorecard_create(actor=hr_a, period=period, org_unit=unit))["org_unit"][0]
    )
    assert "position" in errors_of(lambda: scorecard_create(actor=hr_a, period=period, position=position))
    assert "review_weight" in errors_of(
        lambda: scorecard_create(
            actor=hr_a, period=PeriodFactory(year=2030), org_unit=unit, review_weight="1.5"
        )
    )


def test_other_tenants_ids_read_as_missing(setup, hr_a, other, tenant_b):
    period, unit, kpis = setup
    missing = ["Choose a valid option; that one does not exist."]
    assert (
        errors_of(lambda: scorecard_create(actor=hr_a, period=other["period"], org_unit=unit))["period"]
        == missing
    )
    assert (
        errors_of(lambda: scorecard_create(actor=hr_a, period=period, org_unit=other["unit"].pk))["org_unit"]
        == missing
    )
    assert (
        errors_of(lambda: scorecard_create(actor=hr_a, period=period, position=other["position"]))["position"]
        == missing
    )
    assert (
        errors_of(
            lambda: scorecard_create(
                actor=hr_a,
                period=period,
                org_unit=unit,
                lines=[{"kpi": other["kpi"].pk, "weight": "100", "role": "own"}],
            )
        )["lines-0-kpi"]
        == missing
    )
    assert not Scorecard.objects.exists()
    with tenant_scope(tenant_b):
        card_b = scorecard_create(actor=None, period=other["period"], org_unit=other["unit"])
    assert "scorecard" in errors_of(lambda: scorecard_publish(actor=hr_a, scorecard=card_b, lock_version=1))
    assert "scorecard" in errors_of(
        lambda: scorecard_update(actor=hr_a, scorecard=card_b, lock_version=1, review_weight="0.5")
    )
    with tenant_scope(tenant_b):
        card_b.refresh_from_db()
        assert (card_b.status, card_b.review_weight, card_b.lock_version) == ("draft", 0, 1)


def test_stale_save_names_who_changed_it(setup, hr_a):
    period, unit, kpis = setup
    colleague = UserFactory(username="han.mei", first_name="Mei", last_name="Han")
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        lines=lines_of(kpis, ("70", "own", None), ("30", "shared", None)),
    )
    scorecard_update(actor=colleague, scorecard=card, lock_version=1, review_weight="0.3")
    with pytest.raises(StaleEditError) as error:
        scorecard_lines_set(
            actor=hr_a, scorecard=card, lock_version=1, lines=lines_of(kpis, ("100", "own", None))
        )
    assert "Mei Han changed this scorecard" in error.value.message
    assert ScorecardLine.objects.filter(scorecard=card).count() == 2
    with pytest.raises(StaleEditError):
        scorecard_publish(actor=hr_a, scorecard=card, lock_version="1")
    assert Scorecard.objects.get(pk=card.pk).review_weight == Decimal("0.300")


def test_closed_period_is_read_only(setup, hr_a):
    period, unit, kpis = setup
    card = scorecard_create(
        actor=hr_a,
        period=period,
        org_unit=unit,
        lines=lines_of(kpis, ("70", "own", None), ("30", "shared", None)),
    )
    Period.objects.filter(pk=period.pk).update(status=Period.Status.CLOSED)
    assert "period" in errors_of(lambda: scorecard_publish(actor=hr_a, scorecard=card, lock_version=1))
    assert "period" in errors_of(
        lambda: scorecard_create(actor=hr_a, period=period, org_unit=OrgUnitFactory())
    )
    assert Scorecard.objects.get(pk=card.pk).status == "draft"
