"""Scorecard pages: roles, the line editor (save, field errors, live check, stale save), proposals from goals,
matrices and the previous period, publish, copy, the performance contract, scoring settings, query counts
and other tenants."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from collab.models import Period, Role
from collab.tenancy import tenant_scope
from interlock.models import Scorecard, ScorecardLine
from interlock.services.scorecards.cards import (
    scorecard_create,
    scorecard_lines_set,
    scorecard_publish,
    scorecard_update,
)
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.goals import GoalFactory
from tests.factories.interlock import build_seed_tables
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory, PositionFactory

pytestmark = pytest.mark.django_db


def url(name, tenant="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant, **kwargs})


@pytest.fixture
def seed(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        other = build_seed_tables()
    with tenant_scope(tenant_a):
        world = build_seed_tables()
    world.other = other
    return world


def lines_data(lines):
    data = {}
    for index, (kpi, role, weight, threshold) in enumerate(lines):
        data.update(
            {
                f"lines-{index}-kpi": str(kpi.pk),
                f"lines-{index}-role": role,
                f"lines-{index}-weight": weight,
                f"lines-{index}-threshold": threshold,
            }
        )
    return data


# --------------------------------------------------------------------------------------------- roles


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.AUDITOR])
def test_readers_read_but_never_write(seed, tenant_a, login, role):
    card = seed.scorecards["sales"]
    client = login(make_member(tenant_a, role, username=f"reader-{role}"))
    assert client.get(url("scorecard-list")).status_code == 200
    page = client.get(url("scorecard-edit", pk=card.pk))
    assert page.status_code == 200 and 'id="scorecard-form"' not in page.content.decode()
    assert client.get(url("scorecard-contract", pk=card.pk)).status_code == 200
    assert (
        client.post(url("scorecard-edit", pk=card.pk), {"lock_version": card.lock_version}).status_code == 403
    )
    for name in ("scorecard-publish", "scorecard-unpublish"):
        assert client.post(url(name, pk=card.pk), {"lock_version": card.lock_version}).status_code == 403
    assert client.get(url("scorecard-create")).status_code == 403
    assert client.post(url("scorecard-validate"), {}).status_code == 403
    assert client.post(url("scorecard-copy"), {}).status_code == 403
    assert client.post(url("scoring-settings"), {"min_collaborative_weight": "0"}).status_code == 403


def test_employees_have_no_access(seed, tenant_a, login):
    client = login(make_member(tenant_a, Role.EMPLOYEE, username="emp"))
    card = seed.scorecards["sales"]
    assert client.get(url("scorecard-list")).status_code == 403
    assert client.get(url("scorecard-edit", pk=card.pk)).status_code == 403
    assert client.get(url("scorecard-contract", pk=card.pk)).status_code == 403
    assert client.get(url("scoring-settings")).status_code == 403


# --------------------------------------------------------------------------------------------- list


def test_list_shows_weight_sum_share_and_flags(seed, tenant_a, hr_a, login):
    client = login(hr_a)
    page = client.get(url("scorecard-list") + f"?period={seed.period.pk}").content.decode()
    # service: 30 shared of 100 → fine; rnd: 20 shared → fine at the default minimum 20; sales 40 shared.
    assert page.count("data-scorecard=") == 3
    assert 'data-flag="sum"' not in page and 'data-flag="collaborative"' not in page
    with tenant_scope(tenant_a):
        tenant_a.min_collaborative_weight = Decimal("35")
        tenant_a.save()
    page = client.get(url("scorecard-list") + f"?period={seed.period.pk}").content.decode()
    assert page.count('data-flag="collaborative"') == 2  # service 30, rnd 20
    page = client.get(url("scorecard-list") + f"?period={seed.period.pk}&q=客服").content.decode()
    assert page.count("data-scorecard=") == 1


def test_list_opens_on_the_latest_period_with_scorecards(seed, tenant_a, hr_a, login):
    """An active month without scorecards (the current one, say) does not hide the year's scorecards."""
    with tenant_scope(tenant_a):
        PeriodFactory(kind=Period.Kind.MONTH, year=seed.period.year, month=12, status=Period.Status.ACTIVE)
    page = login(hr_a).get(url("scorecard-list")).content.decode()
    assert page.count("data-scorecard=") == len(seed.scorecards)
    assert f'<option value="{seed.period.pk}" selected' in page


def test_list_query_count_does_not_grow(seed, tenant_a, hr_a, login, django_assert_max_num_queries):
    # session, user, tenant, membership, profile, periods, count, page, snapshots, weight sums, repeated names
    client = login(hr_a)
    with django_assert_max_num_queries(11):
        assert client.get(url("scorecard-list") + f"?period={seed.period.pk}").status_code == 200
    with tenant_scope(tenant_a):
        for _ in range(15):
            card = scorecard_create(actor=None, period=seed.period, org_unit=OrgUnitFactory())
            scorecard_lines_set(
                actor=None,
                scorecard=card,
                lock_version=card.lock_version,
                lines=[
                    {"kpi": seed.kpis["retention"], "role": "own", "weight": "70"},
                    {"kpi": seed.kpis["dso"], "role": "shared", "weight": "30"},
                ],
            )
    with django_assert_max_num_queries(11):
        assert client.get(url("scorecard-list") + f"?period={seed.period.pk}").status_code == 200


def test_editor_query_count_is_fixed(seed, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    with django_assert_max_num_queries(10):
        assert client.get(url("scorecard-edit", pk=seed.scorecards["sales"].pk)).status_code == 200


def test_editor_context_carries_only_what_the_page_uses(seed, hr_a, login):
    page = login(hr_a).get(url("scorecard-edit", pk=seed.scorecards["sales"].pk))
    assert "lock_form_version" not in page.context  # the header form carries lock_version itself
    assert f'name="lock_version" value="{seed.scorecards["sales"].lock_version}"' in page.content.decode()


# --------------------------------------------------------------------------------------------- editor


def test_save_lines_and_rho(seed, tenant_a, hr_a, login):
    card = seed.scorecards["service"]
    client = login(hr_a)
    data = {
        "lock_version": card.lock_version,
        "review_weight": "0.25",
        **lines_data(
            [
                (seed.kpis["complaint_rate"], "own", "60", ""),
                (seed.kpis["retention"], "shared", "40", ""),
                (seed.kpis["renewal"], "reference", "0", "90"),
            ]
        ),
    }
    response = client.post(url("scorecard-edit", pk=card.pk), data)
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.review_weight == Decimal("0.250")
        assert list(
            ScorecardLine.objects.filter(scorecard=card)
            .order_by("order")
            .values_list("kpi_id", "role", "weight", "threshold")
        ) == [
            (seed.kpis["complaint_rate"].pk, "own", Decimal("60"), None),
            (seed.kpis["retention"].pk, "shared", Decimal("40"), None),
            (seed.kpis["renewal"].pk, "reference", Decimal("0"), Decimal("90")),
        ]


def test_field_level_errors_and_nothing_written(seed, tenant_a, hr_a, login):
    card = seed.scorecards["service"]
    client = login(hr_a)
    before = card.lock_version
    data = {
        "lock_version": before,
        "review_weight": "1.5",
        **lines_data(
            [
                (seed.kpis["complaint_rate"], "own", "abc", ""),
                (seed.other.kpis["retention"], "shared", "40", ""),  # another tenant's KPI
                (seed.kpis["renewal"], "reference", "10", ""),
            ]
        ),
    }
    response = client.post(url("scorecard-edit", pk=card.pk), data)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a number." in page
    assert "Choose a valid option; that one does not exist." in page
    assert "Reference lines carry no weight; set it to 0." in page
    assert "Set the score under which a special review starts." in page
    assert "is-invalid" in page
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.lock_version == before and card.review_weight == Decimal("0")
        assert ScorecardLine.objects.filter(scorecard=card).count() == 2


def test_live_check(seed, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    data = lines_data(
        [
            (seed.kpis["complaint_rate"], "own", "85", ""),
            (seed.kpis["retention"], "shared", "10", ""),
            (seed.kpis["renewal"], "reference", "", "x"),
        ]
    )
    with django_assert_max_num_queries(6):
        response = client.post(url("scorecard-validate"), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert 'id="weight-sum">95 %' in page
    assert 'id="collaborative-share">10 %' in page
    assert "they add up to 95 %" in page
    assert "The collaborative share is 10 %, under the minimum of 20 %." in page
    assert 'id="lines-2-live"' in page and "Enter a number." in page


def test_stale_save_is_refused_naming_who(seed, tenant_a, hr_a, login):
    colleague = make_member(tenant_a, Role.HR_ADMIN, username="zhang", first_name="Zhang", last_name="San")
    card = seed.scorecards["service"]
    client = login(hr_a)
    seen = card.lock_version
    with tenant_scope(tenant_a):
        scorecard_update(actor=colleague, scorecard=card, lock_version=seen, review_weight="0.1")
    data = {
        "lock_version": seen,
        "review_weight": "0.3",
        **lines_data([(seed.kpis["complaint_rate"], "own", "100", "")]),
    }
    response = client.post(url("scorecard-edit", pk=card.pk), data)
    assert response.status_code == 409
    assert "Zhang San changed this scorecard" in response.content.decode()
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        when = date_format(localtime(card.updated_at, ZoneInfo(tenant_a.timezone)), "DATETIME_FORMAT")
        assert f"at {when}" in response.content.decode()  # in the tenant's time zone
        assert card.review_weight == Decimal("0.100")
        assert ScorecardLine.objects.filter(scorecard=card).count() == 2


def test_publish_and_unpublish(seed, tenant_a, hr_a, login):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        card = scorecard_create(
            actor=hr_a,
            period=seed.period,
            org_unit=seed.units["delivery"],
            lines=[
                {"kpi": seed.kpis["milestone_on_time"], "role": "own", "weight": "90"},
                {"kpi": seed.kpis["renewal"], "role": "shared", "weight": "5"},
            ],
        )
    response = client.post(
        url("scorecard-publish", pk=card.pk), {"lock_version": card.lock_version}, follow=True
    )
    assert "they add up to 95 %" in response.content.decode()
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.status == Scorecard.Status.DRAFT
        scorecard_lines_set(
            actor=hr_a,
            scorecard=card,
            lock_version=card.lock_version,
            lines=[
                {"kpi": seed.kpis["milestone_on_time"], "role": "own", "weight": "90"},
                {"kpi": seed.kpis["renewal"], "role": "shared", "weight": "10"},
            ],
        )
        card.refresh_from_db()
    response = client.post(
        url("scorecard-publish", pk=card.pk), {"lock_version": card.lock_version}, follow=True
    )
    page = response.content.decode()
    assert "Scorecard published." in page
    assert "The collaborative share is 10 %, under the minimum of 20 %." in page
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.is_published and card.collaborative_warning
    stale = client.post(
        url("scorecard-unpublish", pk=card.pk), {"lock_version": card.lock_version - 1}, follow=True
    )
    assert "changed this scorecard" in stale.content.decode()
    client.post(url("scorecard-unpublish", pk=card.pk), {"lock_version": card.lock_version})
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.status == Scorecard.Status.DRAFT


# --------------------------------------------------------------------------------------------- proposals


def test_start_from_goals(seed, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        unit = seed.units["finance"]
        GoalFactory(period=seed.period, org_unit=unit, kpi=seed.kpis["dso"], weight=Decimal("70"))
        GoalFactory(period=seed.period, org_unit=unit, kpi=seed.kpis["revenue"], weight=Decimal("30"))
    client = login(hr_a)
    response = client.post(
        url("scorecard-create"),
        {"period": seed.period.pk, "org_unit": unit.pk, "review_weight": "0", "start": "goals"},
    )
    assert response.status_code == 302 and response["Location"].endswith("?propose=goals")
    page = client.get(response["Location"]).content.decode()
    assert "2 proposed line(s) added below, not saved yet" in page
    assert 'id="lines-0-weight" value="70"' in page and 'id="lines-1-weight" value="30"' in page
    assert 'id="weight-sum">100 %' in page
    with tenant_scope(tenant_a):  # nothing saved until the HR admin saves
        assert not ScorecardLine.objects.filter(scorecard__org_unit=unit).exists()


def test_proposals_from_matrices_lead_own_others_shared(seed, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        card = scorecard_create(actor=hr_a, period=seed.period, org_unit=seed.units["finance"])
        delivery = scorecard_create(actor=hr_a, period=seed.period, org_unit=seed.units["delivery"])
    client = login(hr_a)
    page = client.get(url("scorecard-edit", pk=card.pk) + "?propose=matrices").content.decode()
    dso, renewal = seed.kpis["dso"], seed.kpis["renewal"]
    assert f'id="lines-0-kpi" value="{dso.code} · {dso.name}"' in page  # finance leads 应收账款周转天数
    assert page.count("data-proposed") == 1
    assert '<option value="own" selected>' in page
    page = client.get(url("scorecard-edit", pk=delivery.pk) + "?propose=matrices").content.decode()
    assert f'id="lines-0-kpi" value="{renewal.code} · {renewal.name}"' in page
    assert '<option value="shared" selected>' in page
    # The matrix page links each unit to the proposal.
    matrix_page = client.get(url("matrix-detail", pk=seed.matrices["renewal"].pk)).content.decode()
    assert f"/interlock/scorecards/{delivery.pk}/?propose=matrices" in matrix_page
    assert client.get(url("scorecard-edit", pk=card.pk) + "?propose=nonsense").status_code == 404


def test_copy_from_last_period(seed, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        nxt = PeriodFactory(year=2026, status=Period.Status.PLANNING)
        existing = scorecard_create(actor=hr_a, period=nxt, org_unit=seed.units["sales"])
    client = login(hr_a)
    response = client.post(url("scorecard-copy"), {"source": seed.period.pk, "target": nxt.pk}, follow=True)
    assert "2 scorecard(s) copied into 2026 as drafts." in response.content.decode()
    with tenant_scope(tenant_a):
        copies = Scorecard.objects.filter(period=nxt)
        assert copies.count() == 3
        assert not ScorecardLine.objects.filter(scorecard=existing).exists()  # kept as it was
        service = copies.get(org_unit=seed.units["service"])
        assert service.status == Scorecard.Status.DRAFT
        assert sorted(ScorecardLine.objects.filter(scorecard=service).values_list("weight", flat=True)) == [
            Decimal("30"),
            Decimal("70"),
        ]
    # per scorecard: the previous period's lines as a proposal
    page = client.get(url("scorecard-edit", pk=existing.pk) + "?propose=previous").content.decode()
    assert "4 proposed line(s)" in page
    # another tenant's period reads as missing
    response = client.post(url("scorecard-copy"), {"source": seed.other.period.pk, "target": nxt.pk})
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()


# --------------------------------------------------------------------------------------------- contract


def test_performance_contract_flags_a_low_collaborative_share(seed, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        position = PositionFactory(org_unit=seed.units["sales"], title="销售总监")
        EmployeeFactory(org_unit=seed.units["sales"], position=position, name="王经理")
        card = scorecard_create(
            actor=hr_a,
            period=seed.period,
            position=position,
            lines=[
                {"kpi": seed.kpis["revenue"], "role": "own", "weight": "90"},
                {"kpi": seed.kpis["retention"], "role": "shared", "weight": "10"},
            ],
        )
        card = scorecard_publish(
            actor=hr_a, scorecard=card, lock_version=card.lock_version
        ).scorecard
    client = login(make_member(tenant_a, Role.MANAGER, username="mgr"))
    page = client.get(url("scorecard-contract", pk=card.pk)).content.decode()
    assert "Performance contract" in page and "@media print" in page
    assert 'id="contract-flag"' in page and "under the company's minimum of 20 %" in page
    assert "王经理" in page and "销售总监" in page
    with tenant_scope(tenant_a):
        tenant_a.min_collaborative_weight = Decimal("10")
        tenant_a.save()
    page = client.get(url("scorecard-contract", pk=card.pk)).content.decode()
    assert 'id="contract-flag"' not in page


# --------------------------------------------------------------------------------------------- settings


def test_scoring_settings_form(tenant_a, tenant_b, hr_a, login):
    client = login(hr_a)
    assert client.get(url("scoring-settings")).status_code == 200
    bad = client.post(
        url("scoring-settings"),
        {"min_collaborative_weight": "60", "anonymity_threshold": "2", "point_cap": "x"},
    )
    page = bad.content.decode()
    assert bad.status_code == 200 and page.count("invalid-feedback") == 3
    good = client.post(
        url("scoring-settings"),
        {"min_collaborative_weight": "25", "anonymity_threshold": "7", "point_cap": "8"},
    )
    assert good.status_code == 302
    tenant_a.refresh_from_db()
    tenant_b.refresh_from_db()
    assert (tenant_a.min_collaborative_weight, tenant_a.anonymity_threshold, tenant_a.point_cap) == (
        Decimal("25"),
        7,
        Decimal("8"),
    )
    assert tenant_b.min_collaborative_weight == Decimal("20")
    auditor = login(make_member(tenant_a, Role.AUDITOR, username="aud"))
    assert auditor.get(url("scoring-settings")).status_code == 200


# --------------------------------------------------------------------------------------------- tenants


def test_other_tenants_scorecards_are_missing(seed, tenant_a, tenant_b, hr_a, login):
    theirs = seed.other.scorecards["sales"]
    client = login(hr_a)
    for name in ("scorecard-edit", "scorecard-contract"):
        assert client.get(url(name, pk=theirs.pk)).status_code == 404
    for name in ("scorecard-edit", "scorecard-publish", "scorecard-unpublish"):
        assert client.post(url(name, pk=theirs.pk), {"lock_version": theirs.lock_version}).status_code == 404
    response = client.post(
        url("scorecard-create"),
        {"period": seed.period.pk, "org_unit": seed.other.units["finance"].pk, "review_weight": "0"},
    )
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert client.get(url("scorecard-list") + f"?period={seed.other.period.pk}").status_code == 404
    with tenant_scope(tenant_b):
        theirs.refresh_from_db()
        assert theirs.is_published and ScorecardLine.objects.filter(scorecard=theirs).count() == 4


def test_changed_scoring_settings_queue_a_recompute(seed, tenant_a, hr_a, login):
    from collab.models import Job

    with tenant_scope(tenant_a):
        Job.objects.all().delete()  # publishing the seed queued one
    client = login(hr_a)
    same = {"min_collaborative_weight": "20", "anonymity_threshold": "5", "point_cap": "10"}
    assert client.post(url("scoring-settings"), same).status_code == 302
    with tenant_scope(tenant_a):
        assert not Job.objects.filter(key=f"period:{seed.period.pk}").exists()
    assert client.post(url("scoring-settings"), {**same, "point_cap": "5"}).status_code == 302
    with tenant_scope(tenant_a):
        assert Job.objects.filter(key=f"period:{seed.period.pk}").exists()


def test_list_shows_scores_and_special_review_flags(
    seed, tenant_a, hr_a, login, django_assert_max_num_queries
):
    with tenant_scope(tenant_a):
        scores_recompute(period=seed.period)
    client = login(hr_a)
    with django_assert_max_num_queries(11):
        response = client.get(url("scorecard-list") + f"?period={seed.period.pk}")
    page = response.content.decode()
    rnd_row = page.split(f'data-scorecard="{seed.scorecards["rnd"].pk}"')[1].split("</tr>")[0]
    assert "special review" in rnd_row  # 客户留存率 scores 90, under its reference threshold 95
    assert "95.00" in rnd_row
    service_row = page.split(f'data-scorecard="{seed.scorecards["service"].pk}"')[1].split("</tr>")[0]
    assert "83.00" in service_row and "special review" not in service_row


def test_closed_period_is_read_only(seed, tenant_a, hr_a, login):
    card = seed.scorecards["service"]
    with tenant_scope(tenant_a):
        Period.objects.filter(pk=seed.period.pk).update(status=Period.Status.CLOSED)
    client = login(hr_a)
    page = client.get(url("scorecard-edit", pk=card.pk)).content.decode()
    assert 'id="scorecard-form"' not in page and "closed period: read-only" in page
    data = {"lock_version": card.lock_version, "review_weight": "0.5"}
    client.post(url("scorecard-edit", pk=card.pk), data)
    client.post(url("scorecard-unpublish", pk=card.pk), {"lock_version": card.lock_version})
    response = client.post(url("matrix-edit", pk=seed.matrices["dso"].pk), {
        "lock_version": 1, "rows-0-org_unit": seed.units["finance"].pk, "rows-0-role": "lead",
        "rows-0-share": "100"})  # fmt: skip
    assert "closed" in response.content.decode()
    with tenant_scope(tenant_a):
        card.refresh_from_db()
        assert card.review_weight == Decimal("0") and card.is_published
        assert seed.matrices["dso"].rows.count() == 2


def test_create_with_a_typed_position(seed, tenant_a, tenant_b, hr_a, login, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        position = PositionFactory(org_unit=seed.units["sales"], code="SALES-DIR", title="Sales director")
    client = login(hr_a)
    with django_assert_max_num_queries(10):
        page = client.get(url("scorecard-create") + f"?period={seed.period.pk}&position={position.pk}")
    assert 'value="SALES-DIR · Sales director"' in page.content.decode()
    with tenant_scope(tenant_b):
        OrgUnitFactory(code="B-ONLY", name="Bravo only")
    foreign = client.post(
        url("scorecard-create"),
        {"period": seed.period.pk, "org_unit": "B-ONLY · Bravo only", "review_weight": "0"},
    )
    assert foreign.status_code == 200 and "Select a valid choice" in foreign.content.decode()
    both = client.post(
        url("scorecard-create"),
        {"period": seed.period.pk, "position": "SALES-DIR", "org_unit": "SALES", "review_weight": "0"},
    )
    assert "Choose either an org unit or a position." in both.content.decode()
    response = client.post(
        url("scorecard-create"),
        {"period": seed.period.pk, "position": "SALES-DIR · Sales director", "review_weight": "0.1"},
    )
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        card = Scorecard.objects.get(position=position)
        assert card.review_weight == Decimal("0.100") and card.status == Scorecard.Status.DRAFT
