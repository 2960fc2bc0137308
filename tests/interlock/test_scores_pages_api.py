"""Explain every number: the score pages and the scores/jobs API (interlock.views.scores, api.scores)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from collab.models import Job, Period
from collab.tenancy import tenant_scope
from interlock.models import ScoredPeriod, ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories import make_member
from tests.factories.interlock import build_seed_tables
from tests.factories.org import EmployeeFactory, PeriodFactory


def _drop_jobs():
    Job.objects.all().delete()


@pytest.fixture
def world(scope_a, hr_a):
    built = build_seed_tables(actor=hr_a)
    _drop_jobs()
    scores_recompute(
        period=built.period, actor=hr_a, ratings=built.ratings_frame(), points=built.points_frame()
    )
    return built


@pytest.fixture
def other(tenant_b, hr_b):
    with tenant_scope(tenant_b):
        built = build_seed_tables(actor=hr_b)
        Job.objects.all().delete()
        scores_recompute(period=built.period)
        snap = ScoreSnapshot.objects.filter(period=built.period).first()
        return built, snap, list(ScoreSnapshot.objects.values_list("pk", "total", "version"))


def snap_of(world, unit):
    return ScoreSnapshot.objects.get(period=world.period, org_unit=world.units[unit])


def api(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


def page(tenant, name, **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant.slug, **kwargs})


# --------------------------------------------------------------------------------------------- API


def test_api_lists_a_period_best_first(world, tenant_a, hr_a, api_client_for, django_assert_max_num_queries):
    client = api_client_for(hr_a)
    with django_assert_max_num_queries(8):
        response = client.get(api(tenant_a, "api-score-list"), {"period": world.period.pk})
    assert response.status_code == 200
    rows = response.json()["results"] if "results" in response.json() else response.json()
    assert [r["total"] for r in rows] == ["97.40", "95.00", "83.00"]
    assert rows[0]["subject_name"] == "销售部" and "breakdown" not in rows[0]


def test_api_detail_breakdown_adds_up(world, tenant_a, api_client_for, hr_a):
    snap = snap_of(world, "sales")
    data = api_client_for(hr_a).get(api(tenant_a, "api-score-detail", pk=snap.pk)).json()
    parts = data["breakdown"]
    values = [Decimal(line["contribution"]) for line in parts["lines"]]
    values += [Decimal(parts["review"]["contribution"]), Decimal(parts["points"]["contribution"])]
    assert sum(values) == Decimal(data["total"]) == Decimal("97.40")
    assert parts["rows_sum"] == "97.40"
    renewal = next(line for line in parts["lines"] if line["kpi"]["id"] == world.kpis["renewal"].pk)
    assert renewal["matrix_role"] == "lead" and renewal["share"] == 40.0
    assert renewal["evaluation_kpi"]["code"] == "KA-RATIO" and renewal["contribution"] == "17.60"
    assert parts["review"]["shown"] is True and parts["review"]["review_part"] == 80.0


def test_api_review_hidden_reason(world, tenant_a, api_client_for, hr_a):
    # ρ > 0 for a scorecard with no ratings: the part is hidden and the reason given.
    scores_recompute(period=world.period)  # no ratings this time
    snap = snap_of(world, "sales")
    data = api_client_for(hr_a).get(api(tenant_a, "api-score-detail", pk=snap.pk)).json()
    review = data["breakdown"]["review"]
    assert review["shown"] is False and review["hidden_reason"] == "no_ratings"
    assert review["missing_reason"] == "no_campaign"
    assert review["review_part"] is None


@pytest.mark.parametrize(
    "params", [{"period": "x"}, {"period": "9" * 30}, {"kind": "team"}, {"flag": "nope"}, {"incomplete": "1"},
               {"q": "a\x00b"}]
)  # fmt: skip
def test_api_bad_filters_are_field_errors(world, tenant_a, api_client_for, hr_a, params):
    response = api_client_for(hr_a).get(api(tenant_a, "api-score-list"), params)
    assert response.status_code == 400 and set(response.json()) == set(params)


def test_api_recompute_202_and_job_polling(world, tenant_a, api_client_for, hr_a):
    client = api_client_for(hr_a)
    response = client.post(api(tenant_a, "api-score-recompute"), {"period": world.period.pk}, format="json")
    assert response.status_code == 202
    body = response.json()
    assert body["url"] == f"/api/v1/t/alpha/jobs/{body['job']}/"
    job = client.get(body["url"]).json()
    assert job["id"] == body["job"] and job["kind"] == "score_recompute"
    assert job["key"] == f"period:{world.period.pk}"
    assert job["status"] in ("queued", "running", "done") and 0 <= job["progress"] <= 100
    listed = client.get(api(tenant_a, "api-job-list"), {"status": "queued"}).json()
    rows = listed["results"] if isinstance(listed, dict) else listed
    assert [r["id"] for r in rows] == [body["job"]]
    assert client.get(api(tenant_a, "api-job-list"), {"status": "bogus"}).status_code == 400


def test_api_recompute_refusals(world, tenant_a, tenant_b, api_client_for, hr_a, other):
    client = api_client_for(hr_a)
    url = api(tenant_a, "api-score-recompute")
    other_world, _snap, _rows = other
    for body in ({}, {"period": "abc"}, {"period": "12"}, {"period": True}):
        response = client.post(url, body, format="json")
        assert response.status_code == 400 and "period" in response.json()
    for body in ({"period": other_world.period.pk}, {"period": 10**30}):  # missing or another tenant's
        response = client.post(url, body, format="json")
        assert response.status_code == 404 and "period" in response.json()
    closed = PeriodFactory(year=2020, status=Period.Status.CLOSED)
    response = client.post(url, {"period": closed.pk}, format="json")
    assert response.status_code == 400 and "closed" in response.json()["period"][0]
    assert not Job.objects.exists()
    with tenant_scope(tenant_b):
        assert not Job.objects.exists()


@pytest.mark.parametrize("role", ["manager", "employee", "committee", "auditor"])
def test_api_only_hr_recomputes_everyone_reads(world, tenant_a, api_client_for, role):
    user = make_member(tenant_a, role, username=f"u-{role}")
    client = api_client_for(user)
    assert client.get(api(tenant_a, "api-score-list")).status_code == 200
    response = client.post(api(tenant_a, "api-score-recompute"), {"period": world.period.pk}, format="json")
    assert response.status_code == 403 and not Job.objects.exists()


def test_api_other_tenants_ids_are_missing(world, tenant_a, api_client_for, hr_a, other, tenant_b):
    _built, snap, before = other
    client = api_client_for(hr_a)
    assert client.get(api(tenant_a, "api-score-detail", pk=snap.pk)).status_code == 404
    with tenant_scope(tenant_b):
        job = Job.objects.create(kind=Job.Kind.SCORE_RECOMPUTE, key="period:1")
    assert client.get(api(tenant_a, "api-job-detail", pk=job.pk)).status_code == 404
    assert client.get(api(tenant_b, "api-score-list")).status_code == 404
    with tenant_scope(tenant_b):
        assert list(ScoreSnapshot.objects.values_list("pk", "total", "version")) == before


def test_api_list_queries_do_not_grow(world, tenant_a, api_client_for, hr_a, django_assert_max_num_queries):
    client = api_client_for(hr_a)
    url = api(tenant_a, "api-score-list")
    with django_assert_max_num_queries(10) as small:
        client.get(url)
    when = snap_of(world, "sales").computed_at
    for unit in world.units.values():
        ScoreSnapshot.objects.create(
            period=world.period, subject=f"unit:{unit.pk}x", org_unit=unit, version=9, total=Decimal("1"),
            computed_at=when,
        )
    ScoredPeriod.objects.filter(period=world.period).update(version=9)  # as the recompute writing them would
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(client.get(url).json()["results"]) == 8


# --------------------------------------------------------------------------------------------- pages


def test_score_page_ranks_and_opens_a_breakdown(world, tenant_a, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    with django_assert_max_num_queries(20):
        response = client.get(page(tenant_a, "score-list"))
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index("97.40") < html.index("95.00") < html.index("83.00")
    assert 'id="score-recompute"' in html
    snap = snap_of(world, "sales")
    panel = client.get(page(tenant_a, "score-detail", pk=snap.pk), headers={"HX-Request": "true"})
    text = panel.content.decode()
    assert panel.status_code == 200 and "<html" not in text
    assert 'id="breakdown-sum">97.40<' in text and "KA-RATIO" in text and "17.60" in text
    full = client.get(page(tenant_a, "score-detail", pk=snap.pk)).content.decode()
    assert "<html" in full and "97.40" in full


def test_score_page_opens_on_the_latest_period_with_scores(world, tenant_a, hr_a, login):
    """Not on the current month when nobody scores months (the demo scores the year and its quarters)."""
    PeriodFactory(kind=Period.Kind.MONTH, year=world.period.year, month=12, status=Period.Status.ACTIVE)
    html = login(hr_a).get(page(tenant_a, "score-list")).content.decode()
    assert f"· {world.period.label}</span></h1>" in html and "97.40" in html
    assert f'<option value="{world.period.pk}" selected>' in html  # the select says which period it is


def test_score_page_special_review_and_hidden_review(world, tenant_a, hr_a, login):
    scores_recompute(period=world.period)  # no ratings: ρ of sales counts 0, and why
    client = login(hr_a)
    sales = client.get(page(tenant_a, "score-detail", pk=snap_of(world, "sales").pk)).content.decode()
    assert "No internal-customer review campaign rated this unit this period" in sales
    rnd = client.get(page(tenant_a, "score-detail", pk=snap_of(world, "rnd").pk)).content.decode()
    assert "Special review" in rnd


def test_score_page_filters_and_empty_states(world, tenant_a, hr_a, login):
    client = login(hr_a)
    html = client.get(page(tenant_a, "score-list"), {"q": "客服"}).content.decode()
    assert "83.00" in html and "97.40" not in html
    html = client.get(page(tenant_a, "score-list"), {"flag": "special_review"}).content.decode()
    assert "95.00" in html and "83.00" not in html
    html = client.get(page(tenant_a, "score-list"), {"q": "nothing-like-this"}).content.decode()
    assert 'id="score-empty"' in html
    response = client.get(page(tenant_a, "score-list"), {"period": "abc", "q": "x\x00"})
    assert response.status_code == 200 and "Some filters are not valid" in response.content.decode()


def test_recompute_button_creates_a_job_and_shows_progress(
    world, tenant_a, hr_a, login, django_capture_on_commit_callbacks
):
    client = login(hr_a)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(page(tenant_a, "score-recompute"), {"period": world.period.pk})
    job = Job.objects.get()
    assert response.status_code == 302 and response["Location"] == page(tenant_a, "job-detail", pk=job.pk)
    assert job.status == Job.Status.DONE
    html = client.get(response["Location"]).content.decode()
    assert "100 %" in html and 'data-status="done"' in html and 'hx-trigger="every 1s"' not in html
    running = Job.objects.create(kind=Job.Kind.SCORE_RECOMPUTE, key="period:0", status=Job.Status.RUNNING)
    fragment = client.get(page(tenant_a, "job-detail", pk=running.pk), headers={"HX-Request": "true"})
    assert 'hx-trigger="every 1s"' in fragment.content.decode()


@pytest.mark.parametrize("role", ["manager", "employee", "auditor"])
def test_pages_roles(world, tenant_a, login, role):
    user = make_member(tenant_a, role, username=f"p-{role}")
    client = login(user)
    html = client.get(page(tenant_a, "score-list")).content.decode()
    assert 'id="score-recompute"' not in html
    # A unit's breakdown: managers and auditors read it; an employee of no unit does not (test_score_access).
    expected = 404 if role == "employee" else 200
    assert client.get(page(tenant_a, "score-detail", pk=snap_of(world, "sales").pk)).status_code == expected
    response = client.post(page(tenant_a, "score-recompute"), {"period": world.period.pk})
    assert response.status_code == 403 and not Job.objects.exists()


def test_pages_other_tenant(world, tenant_a, hr_a, login, other, tenant_b):
    other_world, snap, before = other
    client = login(hr_a)
    assert client.get(page(tenant_a, "score-detail", pk=snap.pk)).status_code == 404
    response = client.post(page(tenant_a, "score-recompute"), {"period": other_world.period.pk})
    assert response.status_code == 302 and not Job.objects.exists()
    with tenant_scope(tenant_b):
        job = Job.objects.create(kind=Job.Kind.SCORE_RECOMPUTE, key="period:1")
    assert client.get(page(tenant_a, "job-detail", pk=job.pk)).status_code == 404
    assert client.get(page(tenant_b, "score-list")).status_code == 404
    with tenant_scope(tenant_b):
        assert list(ScoreSnapshot.objects.values_list("pk", "total", "version")) == before


def test_score_pages_queries_do_not_grow(world, tenant_a, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    url = page(tenant_a, "score-list")
    detail = page(tenant_a, "score-detail", pk=snap_of(world, "sales").pk)
    with django_assert_max_num_queries(30) as small:
        client.get(url)
    with django_assert_max_num_queries(30) as small_detail:
        client.get(detail)
    when = snap_of(world, "sales").computed_at
    for n in range(30):
        unit = world.units["finance"] if n % 2 else world.units["delivery"]
        ScoreSnapshot.objects.create(
            period=world.period, subject=f"unit:{unit.pk}-{n}", org_unit=unit, version=9,
            total=Decimal(n), computed_at=when, breakdown=snap_of(world, "sales").breakdown,
        )  # fmt: skip
    ScoredPeriod.objects.filter(period=world.period).update(version=9)  # as the recompute writing them would
    with django_assert_max_num_queries(len(small.captured_queries)):
        html = client.get(url).content.decode()
    assert "Rows 1–25" in html and 'rel="next"' in html
    with django_assert_max_num_queries(len(small_detail.captured_queries)):
        client.get(detail)


# --------------------------------------------------------------------------------------------- resumed jobs


def _resumed_job(tenant):
    from datetime import UTC, datetime

    with tenant_scope(tenant):
        job = Job.objects.create(kind=Job.Kind.SCORE_RECOMPUTE, key="period:0", status=Job.Status.DONE)
        Job.objects.filter(pk=job.pk).update(
            attempts=2,
            resumed_at=datetime(2026, 12, 6, 18, 43, 11, tzinfo=UTC),
            heartbeat=datetime(2026, 12, 6, 18, 44, 0, tzinfo=UTC),
            result={"snapshots": 3, "partial": False},
            progress=100,
        )
    return job


def test_the_job_page_says_it_was_resumed_in_both_languages_and_the_tenants_time(tenant_a, hr_a, login):
    assert tenant_a.timezone == "Asia/Shanghai"
    job = _resumed_job(tenant_a)
    client = login(hr_a)
    url = page(tenant_a, "job-detail", pk=job.pk)
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # 18:43 UTC is 02:43 the next day in Shanghai.
    assert "Resumed at" in english and "after the worker running it stopped" in english
    assert "2 attempts in all." in english
    assert "2:43" in english and "18:43" not in english and "6:43" not in english
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(locale="zh-hans")  # a Chinese tenant
    chinese = client.get(url).content.decode()
    assert "恢复运行" in chinese and "共尝试2次" in chinese and "Resumed at" not in chinese
    assert "2:43" in chinese and "18:43" not in chinese
    fragment = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "恢复运行" in fragment


def test_the_job_api_says_it_was_resumed_and_the_schema_shows_it(tenant_a, tenant_b, hr_a, api_client_for):
    from drf_spectacular.generators import SchemaGenerator

    job = _resumed_job(tenant_a)
    theirs = _resumed_job(tenant_b)
    client = api_client_for(hr_a)
    body = client.get(api(tenant_a, "api-job-detail", pk=job.pk)).json()
    assert body["attempts"] == 2 and body["resumed_at"].startswith("2026-12-0")
    assert body["heartbeat"] and body["result"] == {"snapshots": 3, "partial": False} and body["error"] == ""
    assert client.get(api(tenant_a, "api-job-detail", pk=theirs.pk)).status_code == 404
    job_schema = SchemaGenerator().get_schema(request=None, public=True)["components"]["schemas"]["Job"]
    fields = job_schema["properties"]
    assert {"heartbeat", "attempts", "resumed_at", "result", "error"} <= set(fields)
    assert fields["resumed_at"].get("nullable") is True and fields["heartbeat"].get("nullable") is True
    assert "lease" not in fields


def test_a_finished_jobs_message_speaks_the_readers_language(
    world, tenant_a, tenant_b, hr_a, login, api_client_for
):
    """The worker wrote the message in its own language (English); a Chinese reader reads it in Chinese,
    on the page and in the API, and the API keeps the stable code and its values."""
    from django.utils.translation import override

    from interlock.recompute import scores_recompute_request, scores_recompute_run

    with tenant_scope(tenant_b):
        make_member(tenant_b, "hr_admin", username="hr_b_words")
    with override("en"):
        job = scores_recompute_request(period=world.period, actor=hr_a, reason="test", force=True)
        scores_recompute_run(job_id=job.pk, period_id=world.period.pk)
    job.refresh_from_db()
    written = job.message_params["n"]
    assert job.status == Job.Status.DONE and job.message_code == "scores_written" and written > 0
    assert job.message == f"{written} score(s) written."
    url = page(tenant_a, "job-detail", pk=job.pk)
    client = login(hr_a)
    assert f"{written} score(s) written." in client.get(url, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    type(tenant_a).objects.filter(pk=tenant_a.pk).update(locale="zh-hans")  # a Chinese tenant
    chinese = client.get(url).content.decode()
    assert f"已写入{written}个得分。" in chinese and "score(s) written" not in chinese
    body = api_client_for(hr_a).get(
        api(tenant_a, "api-job-detail", pk=job.pk), HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).json()
    assert body["message"] == f"已写入{written}个得分。"
    assert body["message_code"] == "scores_written" and body["message_params"] == {"n": written}
    english = api_client_for(hr_a).get(
        api(tenant_a, "api-job-detail", pk=job.pk), HTTP_ACCEPT_LANGUAGE="en"
    ).json()
    assert english["message"] == f"{written} score(s) written."


def test_a_job_message_without_a_code_shows_as_written(tenant_a, hr_a, api_client_for):
    from collab.jobs import job_finish

    with tenant_scope(tenant_a):
        job = Job.objects.create(kind=Job.Kind.SCORE_RECOMPUTE, key="period:1", status=Job.Status.RUNNING)
        job_finish(job, status=Job.Status.FAILED, message="division by zero", error="ZeroDivisionError()")
    body = api_client_for(hr_a).get(api(tenant_a, "api-job-detail", pk=job.pk)).json()
    assert (body["message"], body["message_code"], body["message_params"]) == ("division by zero", "", {})


def test_the_cached_score_list_is_each_readers_own(world, tenant_a, hr_a, login, api_client_for):
    """Two employees (one kind of reader) read the cached table of their own scores, never each other's; HR
    reads the whole period's."""
    in_sales, in_service = make_member(tenant_a, "employee"), make_member(tenant_a, "employee")
    EmployeeFactory(org_unit=world.units["sales"], user=in_sales)
    EmployeeFactory(org_unit=world.units["service"], user=in_service)
    sales, service = snap_of(world, "sales").subject, snap_of(world, "service").subject
    for _ in range(2):
        mine = login(in_sales).get(page(tenant_a, "score-list")).content.decode()
        theirs = login(in_service).get(page(tenant_a, "score-list")).content.decode()
        assert f'data-subject="{sales}"' in mine and f'data-subject="{service}"' not in mine
        assert f'data-subject="{service}"' in theirs and f'data-subject="{sales}"' not in theirs
        everything = login(hr_a).get(page(tenant_a, "score-list")).content.decode()
        assert f'data-subject="{sales}"' in everything and f'data-subject="{service}"' in everything
        for user, subject in ((in_sales, sales), (in_service, service)):
            listed = api_client_for(user).get(api(tenant_a, "api-score-list")).json()["results"]
            assert {row["subject"] for row in listed} == {subject}
