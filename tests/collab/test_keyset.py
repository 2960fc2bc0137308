"""Keyset paging (collab.keyset) behind the pages' pager and the API's: pages are disjoint and complete over
a list with ties and NULLs, in both directions; a tampered cursor is a 400 in the API and the first page in
a page; another tenant's rows never appear; every page costs the same queries."""

from __future__ import annotations

from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import pytest
from django.urls import reverse

from collab.keyset import InvalidCursor, keyset_page
from collab.routing.pagination import KeysetPagination
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from interlock.selectors.scores import snapshot_search
from tests.factories.interlock import ScoreSnapshotFactory
from tests.factories.org import EmployeeFactory, OrgUnitFactory, PeriodFactory
from tests.paging import pager_link

# Ties on the total (7 × 80, 5 × NULL), spread over two periods: the order needs every key to be total.
TOTALS = [Decimal("80.00")] * 7 + [None] * 5 + [Decimal(n) for n in (95, 60, 99, 80, 70, 85)]


def _snapshots(periods) -> list[int]:
    ids = []
    for index, total in enumerate(TOTALS):
        period = periods[index % len(periods)]
        ids.append(ScoreSnapshotFactory(period=period, total=total).pk)
    return ids


def _expected(rows) -> list[int]:
    """The ranking's order computed in Python: period, best total first with no total last, subject, id."""
    return [
        r.pk
        for r in sorted(
            rows,
            key=lambda r: (r.period_id, r.total is None, -(r.total or 0), r.subject, r.pk),
        )
    ]


@pytest.fixture
def ranked(tenant_a, tenant_b):
    with tenant_scope(tenant_b):  # the second tenant in the room: same shape, never listed in alpha
        foreign = _snapshots([PeriodFactory(year=2026, quarter=1), PeriodFactory(year=2026, quarter=2)])
    with tenant_scope(tenant_a):
        periods = [PeriodFactory(year=2026, quarter=1), PeriodFactory(year=2026, quarter=2)]
        ids = _snapshots(periods)
        expected = _expected(ScoreSnapshot.objects.filter(pk__in=ids))
    return {"periods": periods, "ids": ids, "expected": expected, "foreign": set(foreign)}


def _walk_forward(queryset, per_page):
    pages, cursor = [], None
    while True:
        page = keyset_page(queryset, cursor, per_page)
        pages.append(page)
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.mark.parametrize("per_page", [1, 4, 5, 25])
def test_pages_are_disjoint_complete_and_in_order_over_ties_and_nulls(ranked, tenant_a, per_page):
    with tenant_scope(tenant_a):
        queryset = snapshot_search()
        pages = _walk_forward(queryset, per_page)
        walked = [row.pk for page in pages for row in page]
        assert walked == ranked["expected"]  # every row once, in order: disjoint and complete
        assert not set(walked) & ranked["foreign"]
        assert [page.start for page in pages] == list(range(0, len(walked), per_page))
        # And back: the previous cursors give the very same pages.
        back, page = [], pages[-1]
        while page.previous_cursor is not None:
            page = keyset_page(queryset, page.previous_cursor, per_page)
            back.append([row.pk for row in page])
        assert back[::-1] == [[row.pk for row in p] for p in pages[:-1]]
        assert page.first and page.start == 0


def test_one_period_pages_follow_the_ranking(ranked, tenant_a):
    with tenant_scope(tenant_a):
        period = ranked["periods"][0]
        queryset = snapshot_search(period=period)
        walked = [row.pk for page in _walk_forward(queryset, 2) for row in page]
        assert walked == _expected(ScoreSnapshot.objects.filter(period=period))


def test_a_cursor_the_server_did_not_make_is_invalid(ranked, tenant_a):
    with tenant_scope(tenant_a):
        queryset = snapshot_search()
        cursor = keyset_page(queryset, None, 3).next_cursor
        body, signature = cursor.rsplit(":", 1)
        tampered = [
            "abc", "", ":", body + ":" + signature[::-1], "x" + cursor, cursor + "x",
            keyset_page(EmployeeFactory._meta.model.objects.order_by("name"), None, 1).next_cursor or "x",
        ]  # fmt: skip
        for bad in tampered:
            if bad:
                with pytest.raises(InvalidCursor):
                    keyset_page(queryset, bad, 3)


# ----------------------------------------------------------------------------------------------- the API
def _api(tenant, name):
    return reverse(name, kwargs={"tenant_slug": tenant.slug})


def _cursor(link: str) -> dict:
    return {"cursor": parse_qs(urlsplit(link).query)["cursor"][0]}


def test_api_walks_every_row_once_with_constant_queries(
    ranked, tenant_a, hr_a, api_client_for, monkeypatch, django_assert_max_num_queries, settings
):
    monkeypatch.setattr(KeysetPagination, "page_size", 4)
    settings.PAGE_CACHE_SECONDS = 0  # every page read from the database: the walk, not the page cache
    client = api_client_for(hr_a)
    url, params, walked, last = _api(tenant_a, "api-score-list"), {}, [], None
    first = client.get(url)
    assert set(first.json()) == {"next", "previous", "results"} and first.json()["previous"] is None
    budget = None
    while True:
        if budget is None:
            with django_assert_max_num_queries(20) as captured:
                response = client.get(url, params)
            # A page that reaches the NULL totals reads them in a second query: at most one more.
            budget = len(captured.captured_queries) + 1
        else:
            with django_assert_max_num_queries(budget):
                response = client.get(url, params)
        assert response.status_code == 200
        data = response.json()
        walked += [row["id"] for row in data["results"]]
        last = data
        if data["next"] is None:
            break
        assert data["next"].startswith("http") and "cursor=" in data["next"]
        params = _cursor(data["next"])
    assert walked == ranked["expected"] and not set(walked) & ranked["foreign"]
    assert last["previous"] is not None


@pytest.mark.parametrize("cursor", ["abc", "9" * 40, "e30:xyz", "\x00", "page=2"])
def test_api_tampered_cursor_is_a_400_naming_the_field(ranked, tenant_a, hr_a, api_client_for, cursor):
    response = api_client_for(hr_a).get(_api(tenant_a, "api-score-list"), {"cursor": cursor})
    assert response.status_code == 400 and "cursor" in response.json()


def test_api_another_tenants_cursor_shows_nothing_of_theirs(
    ranked, tenant_a, tenant_b, hr_a, hr_b, api_client_for, monkeypatch
):
    monkeypatch.setattr(KeysetPagination, "page_size", 3)
    theirs = api_client_for(hr_b).get(_api(tenant_b, "api-score-list")).json()["next"]
    response = api_client_for(hr_a).get(_api(tenant_a, "api-score-list"), _cursor(theirs))
    # A cursor is a position in the order, not a permission: alpha reads its own rows after that key.
    assert response.status_code == 200
    assert not {row["id"] for row in response.json()["results"]} & ranked["foreign"]


def test_directory_pages_with_same_names_by_id(tenant_a, tenant_b, hr_a, api_client_for, monkeypatch):
    monkeypatch.setattr(KeysetPagination, "page_size", 2)
    with tenant_scope(tenant_b):
        EmployeeFactory.create_batch(3, name="Zhang Wei", org_unit=OrgUnitFactory())
    with tenant_scope(tenant_a):
        unit = OrgUnitFactory()
        ours = [EmployeeFactory(name="Zhang Wei", org_unit=unit).pk for _ in range(5)]
    client, url, seen = api_client_for(hr_a), _api(tenant_a, "api-directory-list"), []
    params: dict = {}
    while True:
        data = client.get(url, params).json()
        seen += [row["id"] for row in data["results"]]
        if not data["next"]:
            break
        params = _cursor(data["next"])
    assert seen == sorted(ours)


# ----------------------------------------------------------------------------------------------- a page
def test_score_page_follows_next_and_a_tampered_cursor_opens_the_first_page(
    tenant_a, tenant_b, hr_a, login, django_assert_max_num_queries
):
    with tenant_scope(tenant_b):
        period_b = PeriodFactory(year=2026, quarter=1)
        for _ in range(3):
            ScoreSnapshotFactory(period=period_b, total=Decimal("50"))
    with tenant_scope(tenant_a):
        period = PeriodFactory(year=2026, quarter=1)
        for _ in range(30):
            ScoreSnapshotFactory(period=period, total=Decimal("80"))  # all tied
        expected = _expected(ScoreSnapshot.objects.filter(period=period))
    client = login(hr_a)
    url = reverse("score-list", kwargs={"tenant_slug": tenant_a.slug})
    with django_assert_max_num_queries(40) as captured:
        first = client.get(url, {"period": period.pk})
    budget = len(captured.captured_queries) + 1  # reading on past the last total: the NULLs' query
    following = pager_link(first)
    assert following["period"] == str(period.pk)
    with django_assert_max_num_queries(budget):
        second = client.get(url, following)
    ids = [snap.pk for _, snap, _ in first.context["rows"]] + [
        snap.pk for _, snap, _ in second.context["rows"]
    ]
    assert ids == expected
    assert [rank for rank, _, _ in second.context["rows"]] == list(range(26, 31))
    assert "Rows 26–30" in second.content.decode() and pager_link(second) is None
    assert pager_link(second, "prev") is not None
    for tampered in ("2", following["page"] + "x", "abc:def"):
        response = client.get(url, {"period": period.pk, "page": tampered})
        assert response.status_code == 200
        assert [snap.pk for _, snap, _ in response.context["rows"]] == expected[:25]
