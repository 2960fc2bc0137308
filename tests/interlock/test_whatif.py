"""What-if: the pure diff over engine inputs, and the database functions that must write nothing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from collab.models import AuditEvent
from interlock import engine
from interlock.models import Scorecard, ScorecardLine, ScoreSnapshot
from interlock.selectors.scores import snapshots_latest
from interlock.services.scores import scores_recompute
from interlock.whatif import (
    diff_totals,
    only_scorecards,
    scorecards_with_kpi,
    whatif_matrix,
    whatif_scorecard,
    with_matrix,
    with_scorecard,
)
from responsibility.models import MatrixRow, ResponsibilityMatrix
from tests.factories.interlock import ScorecardFactory, ScorecardLineFactory, build_seed_tables
from tests.interlock import seed_tables

K, U = seed_tables.KPI, seed_tables.UNIT


# --------------------------------------------------------------------------------------------- pure


def test_with_matrix_replaces_only_that_kpis_rows_and_diff_names_the_lines_of_it():
    inputs = seed_tables.seed_inputs()
    # Retention split differently: service becomes the lead judged by its complaint rate (80).
    proposed = [
        {"unit": U["service"], "role": "lead", "share": Decimal("60"), "eval_kpi": K["complaint_rate"]},
        {"unit": U["sales"], "role": "collaborating", "share": Decimal("40"), "eval_kpi": None},
    ]
    changed = with_matrix(inputs, K["retention"], proposed)
    assert len(inputs.matrix_rows["unit"]) == 9, "the input is not modified"
    before = engine.compute_period(inputs)
    after = engine.compute_period(changed)
    affected = scorecards_with_kpi(inputs, K["retention"])
    assert affected == [1, 2, 3]
    diff = {c.scorecard: c for c in diff_totals(before, after, affected)}
    # Service's retention line (weight 30) is now judged by 投诉率 (80) instead of 90: 30 × −10 / 100 = −3.
    assert diff[2].before == Decimal("83.00") and diff[2].after == Decimal("80.00")
    assert diff[2].delta == Decimal("-3.00") and diff[2].changed
    # Sales keeps no evaluation KPI on retention: unchanged. R&D's reference line uses K's own score.
    assert not diff[1].changed and diff[1].before == diff[1].after
    assert not diff[3].changed
    # Double counting: the other KPIs' matrices are untouched.
    rows_after = {(r.matrix, r.unit) for r in after.matrix_rows}
    assert (103, U["delivery"]) in rows_after


def test_with_scorecard_changes_that_scorecard_only():
    inputs = seed_tables.seed_inputs()
    lines = [
        {"kpi": K["retention"], "weight": Decimal("50"), "role": "shared", "threshold": None},
        {"kpi": K["complaint_rate"], "weight": Decimal("50"), "role": "own", "threshold": None},
    ]
    changed = with_scorecard(
        inputs, scorecard_id=2, subject=f"unit:{U['service']}", unit=U["service"], lines=lines, rho=0.0
    )
    before, after = engine.compute_period(inputs), engine.compute_period(changed)
    diff = {c.scorecard: c for c in diff_totals(before, after, [1, 2, 3])}
    assert diff[2].after == Decimal("85.00")  # 90 × 50 + 80 × 50
    assert not diff[1].changed and not diff[3].changed
    # A scorecard not in the inputs (a draft) is added: no score before, one after.
    added = with_scorecard(inputs, scorecard_id=99, subject="unit:15", unit=15, lines=lines[:1], rho=0.0)
    new = diff_totals(before, engine.compute_period(added), [99])[0]
    assert new.before is None and new.after == Decimal("90.00") and new.changed and new.delta is None


# --------------------------------------------------------------------------------------------- database


def fingerprint() -> list:
    return [
        sorted(ScoreSnapshot.objects.values_list("pk", "version", "total", "breakdown")),
        sorted(
            MatrixRow.objects.values_list(
                "pk", "matrix_id", "org_unit_id", "role", "share", "evaluation_kpi_id"
            )
        ),
        sorted(ResponsibilityMatrix.objects.values_list("pk", "version", "lock_version")),
        sorted(ScorecardLine.objects.values_list("pk", "scorecard_id", "kpi_id", "weight", "role")),
        sorted(Scorecard.objects.values_list("pk", "status", "review_weight", "lock_version")),
        AuditEvent.objects.count(),
    ]


@pytest.fixture
def world(scope_a, hr_a):
    world = build_seed_tables(actor=hr_a)
    scores_recompute(period=world.period, actor=hr_a)
    return world


def test_whatif_matrix_shows_before_and_after_and_writes_nothing(world, django_assert_max_num_queries):
    before = fingerprint()
    rows = [
        {
            "org_unit": str(world.units["service"].pk),
            "role": "lead",
            "share": "60",
            "evaluation_kpi": str(world.kpis["complaint_rate"].pk),
        },
        {
            "org_unit": str(world.units["sales"].pk),
            "role": "collaborating",
            "share": "40",
            "evaluation_kpi": "",
        },
    ]
    with django_assert_max_num_queries(14):
        result = whatif_matrix(world.period, world.kpis["retention"], rows)
    changes = {c.label: c for c in result.changes}
    assert set(changes) == {"销售部", "客服部", "研发部"}
    assert (changes["客服部"].before, changes["客服部"].after) == (Decimal("83.00"), Decimal("80.00"))
    assert not changes["销售部"].changed
    assert result.changed == 1
    assert result.changes[0].label == "客服部", "changed subjects first"
    assert fingerprint() == before
    # Everyone else still reads the stored scores.
    stored = {s.org_unit_id: s.total for s in snapshots_latest(world.period)}
    assert stored[world.units["service"].pk] == Decimal("83.00")


def test_whatif_matrix_units_without_scorecard_and_invalid_rows(world):
    rows = [
        {"org_unit": str(world.units["finance"].pk), "role": "lead", "share": "100", "evaluation_kpi": ""},
    ]
    result = whatif_matrix(world.period, world.kpis["dso"], rows)
    assert result.units_without_scorecard == ["财务部"]
    # Sales loses its DSO row: its DSO line falls back to K's score (90, as before) → unchanged.
    assert [c.label for c in result.changes] == ["销售部"] and not result.changes[0].changed
    with pytest.raises(ValidationError) as invalid:
        whatif_matrix(world.period, world.kpis["dso"], [{"org_unit": "x", "role": "lead", "share": "90"}])
    assert "rows-0-org_unit" in invalid.value.message_dict
    assert "rows" in invalid.value.message_dict  # shares must add up to 100


def test_whatif_scorecard_draft_and_published(world, hr_a):
    before = fingerprint()
    sales = world.scorecards["sales"]
    lines = [
        {"kpi": str(world.kpis["revenue"].pk), "weight": "60", "role": "own", "threshold": ""},
        {"kpi": str(world.kpis["retention"].pk), "weight": "40", "role": "shared", "threshold": ""},
    ]
    result = whatif_scorecard(sales, lines, "0")
    change = result.changes[0]
    assert change.before == Decimal("98.00") and change.after == Decimal("102.00")  # 110 × .6 + 90 × .4
    assert sum(Decimal(row["value"]) for row in result.breakdown_after) == change.after
    assert fingerprint() == before
    draft = ScorecardFactory(
        org_unit=world.units["delivery"], period=world.period, status=Scorecard.Status.DRAFT
    )
    ScorecardLineFactory(scorecard=draft, kpi=world.kpis["milestone_on_time"], weight=Decimal("100"))
    result = whatif_scorecard(
        draft, [{"kpi": str(world.kpis["milestone_on_time"].pk), "weight": "100", "role": "own"}], "0"
    )
    assert result.changes[0].before is None and result.changes[0].after == Decimal("100.00")
    with pytest.raises(ValidationError) as invalid:
        whatif_scorecard(sales, [{"kpi": "999999999", "weight": "abc", "role": "own"}], "2")
    assert {"review_weight", "lines-0-kpi", "lines-0-weight"} <= set(invalid.value.message_dict)


def test_narrowing_to_some_scorecards_changes_none_of_their_scores():
    inputs = seed_tables.seed_inputs()
    full = {
        card.scorecard: (card.total, card.flags, card.breakdown)
        for card in engine.compute_period(inputs).scorecards
    }
    narrowed = engine.compute_period(only_scorecards(inputs, [2, 3])).scorecards
    assert [card.scorecard for card in narrowed] == [2, 3]
    assert all((card.total, card.flags, card.breakdown) == full[card.scorecard] for card in narrowed)


# ---------------------------------------------------------------------------------- why nothing changes


def _rows(world, spec):
    return [
        {"org_unit": str(world.units[u].pk), "role": r, "share": s, "evaluation_kpi": ""} for u, r, s in spec
    ]


def test_a_matrix_whatif_that_changes_nothing_says_why(world):
    """Issue 8, item 11: "0 scores change" used to come without a reason."""
    retention = world.kpis["retention"]
    stored = _rows(
        world, [("sales", "lead", "50"), ("service", "collaborating", "30"), ("rnd", "support", "20")]
    )
    same = whatif_matrix(world.period, retention, stored)
    assert same.changed == 0 and [r.code for r in same.reasons] == ["same_as_stored"]
    # 研发部's line of 客户留存率 weighs 0, 财务部 has no scorecard: moving shares between them moves nothing
    moved = _rows(
        world,
        [("sales", "lead", "50"), ("service", "collaborating", "30"), ("rnd", "support", "10"),
         ("finance", "support", "10")],
    )  # fmt: skip
    result = whatif_matrix(world.period, retention, moved)
    assert result.changed == 0 and [r.code for r in result.reasons] == ["no_weight"]
    assert "研发部" in result.reasons[0].message and "财务部" in result.reasons[0].message
    # No published scorecard has a line of 里程碑准时率
    milestone = world.kpis["milestone_on_time"]
    nobody = whatif_matrix(world.period, milestone, _rows(world, [("rnd", "lead", "100")]))
    assert nobody.changes == [] and [r.code for r in nobody.reasons] == ["no_scorecard"]
    assert "里程碑准时率" in nobody.reasons[0].message and world.period.label in nobody.reasons[0].message
    # A proposal that does change scores needs no excuse
    proposal = _rows(world, [("service", "lead", "60"), ("sales", "collaborating", "40")])
    proposal[0]["evaluation_kpi"] = str(world.kpis["complaint_rate"].pk)
    changed = whatif_matrix(world.period, retention, proposal)
    assert changed.changed and changed.reasons == []


def test_no_measurement_is_the_reason_when_the_kpi_was_not_measured(world):
    from goals.models import Measurement

    Measurement.objects.filter(kpi=world.kpis["retention"], period=world.period).delete()
    moved = _rows(
        world, [("sales", "lead", "40"), ("service", "collaborating", "40"), ("rnd", "support", "20")]
    )
    result = whatif_matrix(world.period, world.kpis["retention"], moved)
    assert result.changed == 0 and [r.code for r in result.reasons] == ["no_measurement"]


def test_a_scorecard_whatif_that_changes_nothing_says_why(world):
    sales = world.scorecards["sales"]
    lines = [
        {"kpi": str(line.kpi_id), "weight": str(line.weight), "role": line.role, "threshold": ""}
        for line in ScorecardLine.objects.filter(scorecard=sales).order_by("order", "pk")
    ]
    result = whatif_scorecard(sales, lines, str(sales.review_weight))
    assert result.changed == 0 and [r.code for r in result.reasons] == ["same_as_stored"]


def test_a_managers_matrix_whatif_compares_their_own_units_only(world):
    rows = _rows(world, [("service", "lead", "60"), ("sales", "collaborating", "40")])
    rows[0]["evaluation_kpi"] = str(world.kpis["complaint_rate"].pk)
    result = whatif_matrix(
        world.period, world.kpis["retention"], rows, scope={world.units["service"].pk}
    )
    assert [c.label for c in result.changes] == ["客服部"] and result.scoped


def test_a_manager_whose_units_have_no_line_of_the_kpi_is_told_so(world):
    rows = _rows(world, [("sales", "lead", "50"), ("service", "collaborating", "50")])
    result = whatif_matrix(world.period, world.kpis["retention"], rows, scope={world.units["finance"].pk})
    assert result.changes == [] and [r.code for r in result.reasons] == ["not_in_your_units"]
