"""Period pickers (issue 8 item 12): they listed 2025-01, 2025 Q1, 2025, 2025-02 …; now every picker — the
forms' `PeriodChoiceField` and the pages' `collab/_period_options.html` — shows an <optgroup> a year and, in
a year, the year, then its quarters and months as the calendar goes. A second tenant is in the room."""

from __future__ import annotations

import re

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from collab.forms import PeriodChoiceField
from collab.models import Period
from collab.selectors.periods import periods_by_year
from collab.tenancy import tenant_scope
from tests.factories.org import PeriodFactory

pytestmark = pytest.mark.django_db

WANTED = [
    ("2025", ["2025", "2025 Q1", "2025-01", "2025-02", "2025 Q2", "2025-04"]),
    ("2026", ["2026", "2026 Q1", "2026-01"]),
]


@pytest.fixture
def periods(tenant_a, tenant_b):
    with tenant_scope(tenant_b):
        PeriodFactory(year=2024)  # another tenant's period is in no picker here
    with tenant_scope(tenant_a):
        made = [  # created out of order on purpose
            PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=2),
            PeriodFactory(kind=Period.Kind.MONTH, year=2026, month=1),
            PeriodFactory(kind=Period.Kind.QUARTER, year=2025, quarter=2),
            PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=1),
            PeriodFactory(year=2026),
            PeriodFactory(kind=Period.Kind.QUARTER, year=2025, quarter=1),
            PeriodFactory(kind=Period.Kind.MONTH, year=2025, month=4),
            PeriodFactory(year=2025),
            PeriodFactory(kind=Period.Kind.QUARTER, year=2026, quarter=1),
        ]
    return made


def groups_in(html: str) -> list[tuple[str, list[str]]]:
    return [
        (label, [re.sub(r" · .*", "", text) for text in re.findall(r"<option[^>]*>([^<]*)</option>", body)])
        for label, body in re.findall(r'<optgroup label="([^"]*)">(.*?)</optgroup>', html, re.S)
    ]


def test_periods_by_year_is_the_calendar_grouped_by_year(periods, tenant_a):
    with tenant_scope(tenant_a):
        got = [(str(year), [p.label for p in items]) for year, items in periods_by_year(Period.objects.all())]
    assert got == WANTED


def test_the_form_field_renders_one_optgroup_a_year(periods, tenant_a):
    from django import forms

    class Form(forms.Form):
        period = PeriodChoiceField(queryset=None, required=False)

    with tenant_scope(tenant_a):
        form = Form()
        form.fields["period"].queryset = Period.objects.all()
        html = str(form["period"])
    assert groups_in(html) == WANTED
    assert '<option value="" selected>' in html  # the empty choice stays first, outside the groups


def test_the_page_partial_renders_the_same_groups(periods, tenant_a):
    with tenant_scope(tenant_a):
        selected = Period.objects.get(kind="quarter", year=2025, quarter=2)
        html = render_to_string(
            "collab/_period_options.html", {"periods": list(Period.objects.all()), "selected": selected}
        )
    assert groups_in(html) == WANTED
    assert re.search(rf'<option value="{selected.pk}" selected>2025 Q2 · ', html)


@pytest.mark.parametrize(
    "name", ["scorecard-list", "matrix-list", "dashboard-unit", "dashboard-collaboration", "score-list"]
)
def test_pages_show_their_period_picker_grouped_by_year(periods, hr_a, login, name):
    html = login(hr_a).get(reverse(name, kwargs={"tenant_slug": "alpha"})).content.decode()
    select = re.search(r'<select[^>]*name="period".*?</select>', html, re.S)
    assert select, f"{name}: no period picker"
    assert groups_in(select.group(0)) == WANTED


def test_a_reused_picker_rendering_follows_the_periods_the_selection_and_the_language(tenant_a):
    """The options are rendered once per (periods as shown, selection, hint, language) and reused: a period
    closed since, another selection or another language is a new rendering, never the old one."""
    from django.utils import translation

    with tenant_scope(tenant_a):
        first, second = PeriodFactory(year=2030), PeriodFactory(year=2031)

        def options(**context):
            periods = list(Period.objects.order_by("year"))
            return render_to_string("collab/_period_options.html", {"periods": periods, **context})

        assert options(selected=first) == options(selected=first)
        assert f'value="{second.pk}" selected' in options(selected=second)
        Period.objects.filter(pk=first.pk).update(status=Period.Status.CLOSED)
        assert "2030 · Closed" in options(selected=first)
        with translation.override("zh-hans"):
            assert "2030 · 已关闭" in options(selected=first)
        assert "no goals" in options(goals_hint=True) and "·" not in options(bare=True)
