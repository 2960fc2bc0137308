"""Responsibility matrix pages: roles, the seed tables entered through the form, field-level refusals, the
live check, stale saves, versions from a later period, comparison, query counts and other tenants."""

from __future__ import annotations

from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils.formats import date_format
from django.utils.timezone import localtime

from collab.models import Period, Role
from collab.services.accounts.preferences import user_language_set
from collab.tenancy import tenant_scope
from responsibility.models import MatrixRow, ResponsibilityMatrix
from responsibility.services.matrices import matrix_create, matrix_new_version, matrix_update
from tests.factories import make_member
from tests.factories.goals import KPIFactory
from tests.factories.org import OrgUnitFactory, PeriodFactory
from tests.interlock import seed_tables

pytestmark = pytest.mark.django_db


class World:
    def __init__(self, tenant):
        with tenant_scope(tenant):
            self.p2025 = PeriodFactory(year=2025, status=Period.Status.ACTIVE)
            self.p2026 = PeriodFactory(year=2026, status=Period.Status.PLANNING)
            self.units = {
                name: OrgUnitFactory(code=f"{code}-{tenant.slug}", name=title)
                for name, (_i, code, title) in seed_tables.UNITS.items()
            }
            self.kpis = {
                name: KPIFactory(code=code, name=title, direction=direction, is_collaborative=True)
                for name, (_i, code, title, direction, _t, _a) in seed_tables.KPIS.items()
            }


@pytest.fixture
def world(tenant_a, tenant_b):
    other = World(tenant_b)  # the other tenant is always in the room
    mine = World(tenant_a)
    mine.other = other
    return mine


@pytest.fixture
def world_b(world):
    return world.other


def url(name, tenant="alpha", **kwargs):
    return reverse(name, kwargs={"tenant_slug": tenant, **kwargs})


def rows_data(world, kpi_name):
    """The seed table of `kpi_name` as the editor's POST fields."""
    data = {}
    for index, (unit, role, share, eval_kpi, dimension, method) in enumerate(
        seed_tables.MATRICES[kpi_name][1]
    ):
        data.update(
            {
                f"rows-{index}-org_unit": str(world.units[unit].pk),
                f"rows-{index}-role": role,
                f"rows-{index}-share": share,
                f"rows-{index}-contribution_dimension": dimension,
                f"rows-{index}-evaluation_kpi": str(world.kpis[eval_kpi].pk) if eval_kpi else "",
                f"rows-{index}-evaluation_method": method,
            }
        )
    return data


def create_matrix(world, kpi_name, period=None, actor=None):
    rows = [
        {
            "org_unit": world.units[u],
            "role": r,
            "share": s,
            "evaluation_kpi": world.kpis[e] if e else None,
            "contribution_dimension": d,
            "evaluation_method": m,
        }
        for u, r, s, e, d, m in seed_tables.MATRICES[kpi_name][1]
    ]
    return matrix_create(
        actor=actor, kpi=world.kpis[kpi_name], effective_from=period or world.p2025, rows=rows
    )


# --------------------------------------------------------------------------------------------- roles


@pytest.mark.parametrize("role", [Role.MANAGER, Role.COMMITTEE, Role.AUDITOR])
def test_readers_read_but_never_edit(world, tenant_a, login, role):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    client = login(make_member(tenant_a, role, username=f"reader-{role}"))
    assert client.get(url("matrix-list")).status_code == 200
    assert client.get(url("matrix-detail", pk=matrix.pk)).status_code == 200
    for name in ("matrix-edit", "matrix-new-version"):
        assert client.get(url(name, pk=matrix.pk)).status_code == 403
        assert client.post(url(name, pk=matrix.pk), {"lock_version": 1}).status_code == 403
    assert client.get(url("matrix-create")).status_code == 403
    assert client.post(url("matrix-validate"), {}).status_code == 403


def test_employees_have_no_access(world, tenant_a, login):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    client = login(make_member(tenant_a, Role.EMPLOYEE, username="emp"))
    assert client.get(url("matrix-list")).status_code == 403
    assert client.get(url("matrix-detail", pk=matrix.pk)).status_code == 403
    response = client.post(url("matrix-edit", pk=matrix.pk), {"lock_version": 1, **rows_data(world, "dso")})
    assert response.status_code == 403
    with tenant_scope(tenant_a):
        assert MatrixRow.objects.filter(matrix=matrix).count() == 3


# --------------------------------------------------------------------------------------------- seed tables


@pytest.mark.parametrize("kpi_name", ["retention", "dso", "renewal"])
def test_seed_tables_entered_through_the_form(world, tenant_a, hr_a, login, kpi_name):
    client = login(hr_a)
    assert client.get(url("matrix-create") + f"?kpi={world.kpis[kpi_name].pk}").status_code == 200
    data = {
        "kpi": world.kpis[kpi_name].pk,
        "effective_from": world.p2025.pk,
        "note": "seed",
        **rows_data(world, kpi_name),
    }
    response = client.post(url("matrix-create"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    with tenant_scope(tenant_a):
        matrix = ResponsibilityMatrix.objects.get(kpi=world.kpis[kpi_name])
        stored = [
            (
                r.org_unit_id,
                r.role,
                r.share,
                r.evaluation_kpi_id,
                r.contribution_dimension,
                r.evaluation_method,
            )
            for r in matrix.rows.order_by("order")
        ]
    expected = [
        (world.units[u].pk, r, Decimal(s), world.kpis[e].pk if e else None, d, m)
        for u, r, s, e, d, m in seed_tables.MATRICES[kpi_name][1]
    ]
    assert stored == expected
    page = client.get(url("matrix-detail", pk=matrix.pk)).content.decode()
    for unit, *_rest in seed_tables.MATRICES[kpi_name][1]:
        assert world.units[unit].name in page


def test_refused_with_field_level_messages_and_nothing_written(world, tenant_a, tenant_b, hr_a, login):
    with tenant_scope(tenant_b):
        foreign_unit = OrgUnitFactory(code="B-ONLY")
    client = login(hr_a)
    data = {
        "kpi": world.kpis["retention"].pk,
        "effective_from": world.p2025.pk,
        **rows_data(world, "retention"),
    }
    data["rows-1-role"] = "lead"  # two leads
    data["rows-2-share"] = "abc"  # not a number → sum is 80
    data["rows-0-org_unit"] = str(foreign_unit.pk)  # another tenant's unit reads as missing
    data["rows-1-evaluation_method"] = "x\x00y"
    response = client.post(url("matrix-create"), data)
    assert response.status_code == 200
    page = response.content.decode()
    assert "A matrix needs exactly one lead; it has 2." in page
    assert "Shares must add up to exactly 100 %; they add up to 80 %." in page
    assert "Enter a number." in page
    assert "Choose a valid option; that one does not exist." in page
    assert "Null characters are not allowed." in page
    assert 'name="rows-2-share" id="rows-2-share" value="abc"' in page  # what was typed stays
    with tenant_scope(tenant_a):
        assert not ResponsibilityMatrix.objects.exists()


@pytest.mark.parametrize("bad", ["x", "99999999999999999999999", "-1", "\x00"])
def test_bad_header_values_are_field_errors(world, tenant_a, hr_a, login, bad):
    client = login(hr_a)
    data = {"kpi": bad, "effective_from": bad, **rows_data(world, "retention")}
    response = client.post(url("matrix-create"), data)
    assert response.status_code == 200
    assert "is-invalid" in response.content.decode()
    with tenant_scope(tenant_a):
        assert not ResponsibilityMatrix.objects.exists()


# --------------------------------------------------------------------------------------------- live check


def test_live_validation_endpoint(world, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    data = rows_data(world, "retention")
    data["rows-2-share"] = "15"
    data["rows-3-org_unit"] = ""  # a blank spare row on screen
    data["rows-3-role"] = "support"
    with django_assert_max_num_queries(8):
        response = client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="share-sum">95 %' in page
    assert "Shares must add up to exactly 100 %; they add up to 95 %." in page
    data["rows-2-share"] = "20"
    data["rows-1-share"] = "3.141"
    page = client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="rows-1-live"' in page and "Use at most two decimals." in page
    data["rows-1-share"] = "30"
    page = client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="matrix-ok"' in page
    assert 'id="share-sum">100 %' in page


# --------------------------------------------------------------------------------------------- stale save


def test_stale_save_names_who_changed_it_and_overwrites_nothing(world, tenant_a, hr_a, login):
    other = make_member(tenant_a, Role.HR_ADMIN, username="colleague", first_name="Li", last_name="Wei")
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    client = login(hr_a)
    form_page = client.get(url("matrix-edit", pk=matrix.pk)).content.decode()
    assert 'name="lock_version" value="1"' in form_page
    with tenant_scope(tenant_a):  # a colleague saves first
        rows = [{"org_unit": world.units["sales"], "role": "lead", "share": "100"}]
        matrix_update(actor=other, matrix=matrix, lock_version=1, rows=rows)
    data = {"lock_version": 1, "note": "mine", **rows_data(world, "retention")}
    response = client.post(url("matrix-edit", pk=matrix.pk), data)
    assert response.status_code == 409
    page = response.content.decode()
    assert 'id="stale-message"' in page and "Li Wei changed this responsibility matrix" in page
    with tenant_scope(tenant_a):
        matrix.refresh_from_db()
        when = localtime(matrix.updated_at, ZoneInfo(tenant_a.timezone))  # the tenant's time
        assert f"at {date_format(when, 'DATETIME_FORMAT')}" in page  # and when
        assert matrix.lock_version == 2 and matrix.note == ""
        assert list(matrix.rows.values_list("share", flat=True)) == [Decimal("100")]


# --------------------------------------------------------------------------------------------- versions


def test_new_version_from_a_later_period_leaves_earlier_periods_alone(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        v1 = create_matrix(world, "retention")
    client = login(hr_a)
    page = client.get(url("matrix-new-version", pk=v1.pk)).content.decode()
    rnd = world.units["rnd"]
    assert f'id="rows-2-org_unit" value="{rnd.code} · {rnd.name}"' in page
    data = rows_data(world, "retention")
    data.update(
        {
            "lock_version": v1.lock_version,
            "effective_from": world.p2026.pk,
            "rows-0-share": "40",
            "rows-2-share": "30",
        }
    )
    response = client.post(url("matrix-new-version", pk=v1.pk), data)
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        v2 = ResponsibilityMatrix.objects.get(kpi=world.kpis["retention"], version=2)
        assert v2.effective_from == world.p2026
        assert list(v1.rows.values_list("share", flat=True)) == [Decimal(50), Decimal(30), Decimal(20)]
    detail = client.get(url("matrix-detail", pk=v1.pk)).content.decode()
    assert "superseded by v2" in detail and ">2025<" in detail
    # A version from an earlier period than the current one is refused on the field.
    with tenant_scope(tenant_a):
        p2024 = PeriodFactory(year=2024, status=Period.Status.ACTIVE)
    data.update({"lock_version": v2.lock_version, "effective_from": p2024.pk})
    response = client.post(url("matrix-new-version", pk=v2.pk), data)
    assert response.status_code == 200
    assert "A new version takes effect from 2026 or later" in response.content.decode()


def test_compare_highlights_added_removed_and_changed_rows(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        v1 = create_matrix(world, "retention")
        rows = [
            {
                "org_unit": world.units["sales"],
                "role": "lead",
                "share": "50",
                "contribution_dimension": "直接维护客户关系",
            },  # same
            {
                "org_unit": world.units["service"],
                "role": "collaborating",
                "share": "40",
                "contribution_dimension": "解决售后问题",
            },  # share changed
            {"org_unit": world.units["delivery"], "role": "support", "share": "10"},  # added; rnd removed
        ]
        v2 = matrix_new_version(
            actor=hr_a, matrix=v1, lock_version=1, effective_from=world.p2026, rows=rows
        )
    client = login(hr_a)
    page = client.get(url("matrix-compare", pk=v2.pk) + f"?with={v1.pk}").content.decode()
    assert page.count('data-state="added"') == 1
    assert page.count('data-state="removed"') == 1
    assert page.count('data-state="changed"') == 1
    assert page.count('data-state="same"') == 1
    assert "1 row added" in page and "1 row removed" in page and "1 row changed" in page


# --------------------------------------------------------------------------------------------- list


def test_list_shows_the_version_in_effect_per_period(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        v1 = create_matrix(world, "retention")
        matrix_new_version(
            actor=hr_a,
            matrix=v1,
            lock_version=1,
            effective_from=world.p2026,
            rows=[{"org_unit": world.units["sales"], "role": "lead", "share": "100"}],
        )
    client = login(hr_a)
    page = client.get(url("matrix-list") + f"?period={world.p2025.pk}").content.decode()
    assert "v1 from 2025" in page
    page = client.get(url("matrix-list") + f"?period={world.p2026.pk}").content.decode()
    assert "v2 from 2026" in page
    page = client.get(url("matrix-list") + "?q=CUST-RET&scope=with").content.decode()
    assert "CUST-RET" in page and "AR-DSO" not in page


def test_list_query_count_does_not_grow(world, tenant_a, hr_a, login, django_assert_max_num_queries):
    client = login(hr_a)
    with tenant_scope(tenant_a):
        create_matrix(world, "retention")
    with django_assert_max_num_queries(12):
        small = client.get(url("matrix-list"))
    assert small.status_code == 200
    with tenant_scope(tenant_a):
        for _ in range(20):
            kpi = KPIFactory(is_collaborative=True)
            matrix_create(
                actor=None,
                kpi=kpi,
                effective_from=world.p2025,
                rows=[
                    {"org_unit": world.units["sales"], "role": "lead", "share": "60"},
                    {"org_unit": world.units["rnd"], "role": "support", "share": "40"},
                ],
            )
    with django_assert_max_num_queries(12):
        big = client.get(url("matrix-list"))
    assert big.status_code == 200


def test_detail_query_count_is_fixed(world, tenant_a, hr_a, login, django_assert_max_num_queries):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "renewal")
    client = login(hr_a)
    with django_assert_max_num_queries(14):
        assert client.get(url("matrix-detail", pk=matrix.pk)).status_code == 200
    with django_assert_max_num_queries(14):  # with the later version and the closed periods (the notice)
        assert client.get(url("matrix-edit", pk=matrix.pk)).status_code == 200


def test_detail_shows_the_scorecard_lines_the_matrix_implies(world, tenant_a, hr_a, login):
    # interlock's section of the page, added through responsibility.hooks.matrix_sections
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    page = login(hr_a).get(url("matrix-detail", pk=matrix.pk)).content.decode()
    assert 'id="matrix-proposals"' in page
    for unit, *_rest in seed_tables.MATRICES["retention"][1]:
        assert f'data-unit="{world.units[unit].code}"' in page
    assert page.count("Create its scorecard with the proposal") == len(seed_tables.MATRICES["retention"][1])


# --------------------------------------------------------------------------------------------- tenants


def test_other_tenants_matrices_are_missing(world, world_b, tenant_a, tenant_b, hr_a, login):
    with tenant_scope(tenant_b):
        theirs = create_matrix(world_b, "retention")
        theirs2 = matrix_new_version(
            actor=None,
            matrix=theirs,
            lock_version=1,
            effective_from=world_b.p2026,
            rows=[{"org_unit": world_b.units["sales"], "role": "lead", "share": "100"}],
        )
    with tenant_scope(tenant_a):
        mine = create_matrix(world, "retention")
    client = login(hr_a)
    for name in ("matrix-detail", "matrix-edit", "matrix-new-version", "matrix-compare"):
        assert client.get(url(name, pk=theirs.pk)).status_code == 404
    response = client.post(url("matrix-edit", pk=theirs.pk), {"lock_version": 1, **rows_data(world, "dso")})
    assert response.status_code == 404
    assert client.get(url("matrix-compare", pk=mine.pk) + f"?with={theirs2.pk}").status_code == 404
    assert client.get(url("matrix-create") + f"?kpi={world_b.kpis['dso'].pk}").status_code == 404
    assert client.get(url("matrix-list", tenant="bravo")).status_code == 404
    with tenant_scope(tenant_b):
        assert theirs.rows.count() == 3 and ResponsibilityMatrix.objects.count() == 2


def test_units_and_kpis_are_typed_as_code_and_name(world, tenant_a, tenant_b, hr_a, login):
    """The inputs offer "CODE · name" from a datalist (units: the search's matches); a label resolves to
    the tenant's row, an unknown or another tenant's code is a missing choice on its field."""
    client = login(hr_a)
    sales, rnd, ratio = world.units["sales"], world.units["rnd"], world.kpis["renewal_ratio"]
    other_unit = world.other.units["service"]
    data = {
        "kpi": world.kpis["renewal"].pk, "effective_from": world.p2025.pk,
        "rows-0-org_unit": f"{sales.code} · {sales.name}", "rows-0-role": "lead", "rows-0-share": "60",
        "rows-0-evaluation_kpi": f"{ratio.code} · {ratio.name}",
        "rows-1-org_unit": rnd.code, "rows-1-role": "support", "rows-1-share": "40",
    }  # fmt: skip
    page = client.get(url("matrix-create")).content.decode()
    # The unit datalist is a picker's: empty in the page, filled from the org-units search as one types.
    assert '<datalist id="unit-options" data-picker="unit"' in page
    assert 'data-picker-url="/api/v1/t/alpha/org-units/">' in page
    assert f'<option value="{sales.code} · {sales.name}">' not in page and other_unit.code not in page
    bad = dict(
        data, **{"rows-1-org_unit": f"{other_unit.code} · {other_unit.name}", "rows-0-evaluation_kpi": "NOPE"}
    )
    response = client.post(url("matrix-create"), bad)
    assert response.status_code == 200
    assert response.content.decode().count("Choose a valid option; that one does not exist.") == 2
    assert client.post(url("matrix-create"), data).status_code == 302
    with tenant_scope(tenant_a):
        rows = ResponsibilityMatrix.objects.get(kpi=world.kpis["renewal"]).rows.order_by("order")
        assert list(rows.values_list("org_unit_id", "evaluation_kpi_id")) == [
            (sales.pk, ratio.pk),
            (rnd.pk, None),
        ]


def test_choices_are_listed_once_per_page_not_per_row(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "renewal")  # four rows
        extra = [KPIFactory(code=f"X{n:03d}") for n in range(50)]
    page = login(hr_a).get(url("matrix-edit", pk=matrix.pk)).content.decode()
    assert page.count(f'<option value="{extra[0].code} · {extra[0].name}">') == 1
    sales = world.units["sales"]  # units: the picker's datalist, filled by the search as one types
    assert page.count(f'<option value="{sales.code} · {sales.name}">') == 0
    assert page.count('<datalist id="unit-options" data-picker="unit"') == 1


def test_correcting_a_version_that_scores_a_closed_period_is_refused_once(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
        Period.objects.filter(pk=world.p2025.pk).update(status=Period.Status.CLOSED)
    client = login(hr_a)
    form_page = client.get(url("matrix-edit", pk=matrix.pk)).content.decode()
    assert 'id="matrix-closed-periods"' in form_page  # said before anything is typed, with the way out
    assert url("matrix-new-version", pk=matrix.pk) in form_page
    data = {"lock_version": matrix.lock_version, "note": "", **rows_data(world, "retention")}
    data["rows-0-share"] = "55"  # and the shares no longer add up
    page = client.post(url("matrix-edit", pk=matrix.pk), data).content.decode()
    assert page.count("closed periods are read-only") == 1  # each refusal said once, not twice
    assert page.count("Shares must add up to exactly 100 %") == 1
    with tenant_scope(tenant_a):
        first = MatrixRow.objects.filter(matrix=matrix).order_by("pk").first()
        assert first.share != Decimal("55")  # nothing written


def test_an_open_version_has_no_closed_period_notice(world, tenant_a, hr_a, login):
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention")
    page = login(hr_a).get(url("matrix-edit", pk=matrix.pk)).content.decode()
    assert 'id="matrix-closed-periods"' not in page


# ------------------------------------------------------------------------------------- effective period


def _q4_closed_october(tenant):
    """2026-10 closed, 2026-11 open, 2026 Q4 open (issue 8, item 9)."""
    with tenant_scope(tenant):
        oct_ = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=10)
        nov = PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=11, status=Period.Status.ACTIVE)
        q4 = PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=4, status=Period.Status.ACTIVE)
        Period.objects.filter(pk=oct_.pk).update(status=Period.Status.CLOSED)
    return oct_, nov, q4


def test_the_form_offers_a_first_version_the_quarter_and_says_it_applies_to_open_months(
    world, tenant_a, hr_a, login
):
    _oct, _nov, q4 = _q4_closed_october(tenant_a)
    client = login(hr_a)
    page = client.get(url("matrix-create")).content.decode()
    assert f'<option value="{q4.pk}">2026 Q4 (open periods only)</option>' in page
    assert "the closed periods (2026-10) keep the scores they were closed with" in page
    assert "<strong>2026 Q4</strong>: Applies" in page
    user_language_set(user=hr_a, language="zh-hans")
    chinese = client.get(url("matrix-create")).content.decode()
    assert "<strong>2026 Q4</strong>：" in chinese, "a Chinese colon after the period in a Chinese note"
    user_language_set(user=hr_a, language="en")
    data = {"kpi": world.kpis["retention"].pk, "effective_from": q4.pk, **rows_data(world, "retention")}
    live = client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="matrix-ok"' in live and 'id="matrix-period-note"' in live and "2026-10" in live
    response = client.post(url("matrix-create"), data)
    assert response.status_code == 302
    with tenant_scope(tenant_a):
        matrix = ResponsibilityMatrix.objects.get(kpi=world.kpis["retention"])
        assert matrix.effective_from == q4 and matrix.kept_closed == [_oct.pk]


def test_a_period_the_save_would_refuse_is_disabled_with_the_reason_and_the_live_check_agrees(
    world, tenant_a, hr_a, login
):
    _oct, nov, q4 = _q4_closed_october(tenant_a)
    with tenant_scope(tenant_a):
        matrix = create_matrix(world, "retention", period=q4)
        Period.objects.filter(pk=nov.pk).update(status=Period.Status.CLOSED)  # scored with v1
    client = login(hr_a)
    page = client.get(url("matrix-new-version", pk=matrix.pk)).content.decode()
    assert f'<option value="{q4.pk}" disabled>2026 Q4 (not available)</option>' in page
    assert "The closed period 2026-11 would be scored with this version" in page
    assert f'<option value="{world.p2025.pk}" disabled>' in page  # before v1's start
    data = {
        "matrix": matrix.pk, "lock_version": 1, "effective_from": q4.pk, **rows_data(world, "retention")
    }  # fmt: skip
    live = client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true").content.decode()
    assert 'id="matrix-ok"' not in live  # it used to say "ready to save" here
    assert "The closed period 2026-11 would be scored with this version" in live
    response = client.post(url("matrix-new-version", pk=matrix.pk), data)
    assert response.status_code == 200
    assert "The closed period 2026-11 would be scored with this version" in response.content.decode()
    with tenant_scope(tenant_a):
        assert ResponsibilityMatrix.objects.filter(kpi=world.kpis["retention"]).count() == 1
    # another tenant's matrix id in the live check reads as missing
    with tenant_scope(world.other.kpis["retention"].tenant):
        theirs = create_matrix(world.other, "retention")
    data["matrix"] = theirs.pk
    assert client.post(url("matrix-validate"), data, HTTP_HX_REQUEST="true").status_code == 404
