"""Two kinds of points, two names (issue 8 item 10): a matrix row's share × contribution is the
responsibility points (责任得分), the approved bonus/penalty points are 加减分 — on the dashboard in both
languages and in the API."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from collab.services.accounts.preferences import user_language_set
from collab.tenancy import tenant_scope
from interlock.services.scores import scores_recompute
from tests.factories.interlock import build_seed_tables


@pytest.fixture
def world(tenant_a, hr_a):
    with tenant_scope(tenant_a):
        world = build_seed_tables(actor=hr_a)
        scores_recompute(period=world.period, actor=hr_a)
    return world


@pytest.fixture
def other(tenant_b, hr_b):
    with tenant_scope(tenant_b):
        theirs = build_seed_tables(actor=hr_b)
        scores_recompute(period=theirs.period, actor=hr_b)
    return theirs


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _dashboard(client, world) -> str:
    page = reverse("dashboard-unit", kwargs={"tenant_slug": "alpha"})
    response = client.get(f"{page}?unit={world.units['sales'].pk}&period={world.period.pk}")
    assert response.status_code == 200
    return response.content.decode()


def _column_headers(html: str, table_marker: str) -> list[str]:
    start = html.index(table_marker)
    head = html[start : html.index("</thead>", start)]
    return [_text(h).strip() for h in re.findall(r"<th[^>]*>(.*?)</th>", head)]


@pytest.mark.parametrize(
    ("language", "responsibility", "bonus"),
    [("zh-hans", "责任得分", "已批准的加减分"), ("en", "Responsibility points", "Approved points")],
)
def test_the_dashboard_names_each_kind_of_points_apart(
    world, other, hr_a, login, language, responsibility, bonus
):
    user_language_set(user=hr_a, language=language)
    html = _dashboard(login(hr_a), world)
    # the summary card holds the approved bonus/penalty points of the score …
    card = re.search(r'id="dashboard-points-label">([^<]*)<', html)
    assert card and card.group(1) == bonus
    # … the matrix tables the responsibility points of each row, under their own name
    for marker in ('id="shortfall-table"', "data-matrix-rows"):
        headers = _column_headers(html, marker)
        assert responsibility in headers
        assert not any(h in {"Points", "加减分", bonus} for h in headers)
    if language == "zh-hans":
        # 加减分 appears only for bonus/penalty points: never as a matrix table's column
        assert "责任得分" in html
        for table in re.findall(r"<table.*?</table>", html, flags=re.S):
            if "shortfall-table" in table or "Judged by" in table or "评价依据" in table:
                assert "加减分" not in table


def test_the_api_names_responsibility_points_apart_from_bonus_points(world, other, hr_a, api_client_for):
    sales = world.units["sales"]
    url = f"/api/v1/t/alpha/unit-matrix-scores/{sales.pk}/?period={world.period.pk}"
    body = api_client_for(hr_a).get(url)
    assert body.status_code == 200
    rows = [r for m in body.json()["matrices"] for r in m["rows"]]
    assert rows and all("responsibility_points" in r and "points" not in r for r in rows)
    scores = api_client_for(hr_a).get(f"/api/v1/t/alpha/scores/?period={world.period.pk}").json()
    first = scores["results"][0] if isinstance(scores, dict) else scores[0]
    assert "points" in first and "responsibility_points" not in first


def test_the_schema_describes_both_kinds_of_points():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    components = schema["components"]["schemas"]
    row = components["MatrixRowScore"]["properties"]
    assert "points" not in row
    assert "责任得分" in row["responsibility_points"]["description"]
    score = components["Score"]["properties"]["points"]
    assert "加减分" in score["description"] and "bonus/penalty" in score["description"]
