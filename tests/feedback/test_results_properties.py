"""The results' anonymity as properties (issue 10 §2): for any set of ratings, any rater attributes and any
filter a reader can ask for (split, reader level), no visible number comes from fewer than k raters, no
two visible rater sets — nor a visible one and an earlier release — differ by 1 … k−1 raters, and the whole
minus a split's visible groups never leaves 1 … k−1 raters (a subtraction over several slices)."""

from __future__ import annotations

from itertools import combinations

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from collab.tenancy import tenant_scope
from feedback.access import FULL, OVERALL
from feedback.engine.anonymity import too_close
from feedback.engine.results import SPLITS, decide_release, slice_results, split_of
from feedback.models import RaterRole, ResultRelease
from feedback.selectors.results.rows import result_rows
from feedback.selectors.results.subject import subject_results
from tests.factories.feedback_results import add_rating, campaign_with_dimensions, subject_of
from tests.factories.org import OrgUnitFactory

ROLES = [RaterRole.INTERNAL_CUSTOMER, RaterRole.PEER, RaterRole.PROJECT_LEAD]
# one rater: (business line 0–2 or none, unit 0–3, level, role, scores of two dimensions)
rater = st.tuples(
    st.one_of(st.none(), st.integers(0, 2)), st.integers(0, 3), st.sampled_from(["", "M1", "M2"]),
    st.sampled_from(ROLES), st.integers(1, 5), st.integers(1, 5),
)  # fmt: skip
raters_strategy = st.lists(rater, min_size=0, max_size=24)


def frame_of(raters) -> tuple[pd.DataFrame, pd.DataFrame]:
    people = pd.DataFrame(
        [(f"r{i}", line, unit, level, role) for i, (line, unit, level, role, _a, _b) in enumerate(raters)],
        columns=["rater", *SPLITS],
    )
    scores = pd.DataFrame(
        [(f"r{i}", dim, value) for i, r in enumerate(raters) for dim, value in ((1, r[4]), (2, r[5]))],
        columns=["rater", "dimension", "score"],
    )
    return people, scores


def members(people: pd.DataFrame, name: str) -> frozenset:
    """Recompute a slice's rater set from its name — independently of the decision's own bookkeeping."""
    split, group = split_of(name)
    if not split:
        return frozenset(people["rater"])
    values = people[split].map(
        lambda v: "-" if v is None or v == "" or v != v else str(int(v)) if isinstance(v, float) else str(v)
    )
    return frozenset(people.loc[values == group, "rater"])


@settings(max_examples=200, deadline=None)
@given(raters=raters_strategy, k=st.integers(3, 6), released=st.lists(st.integers(0, 23), max_size=3))
def test_no_released_slice_is_small_or_close_to_another(raters, k, released):
    people, scores = frame_of(raters)
    earlier = [frozenset(f"r{i}" for i in range(n)) for n in released]
    decisions = decide_release(people, k, released=earlier)
    shown = {d.slice: d.raters for d in decisions if d.shown}
    for name, raters_of in shown.items():
        assert raters_of == members(people, name)  # the stored set is the slice's true rater set
        assert len(raters_of) >= k
        assert not any(too_close(raters_of, e, k) for e in earlier)
    for a, b in combinations(shown.values(), 2):
        assert not too_close(a, b, k)
    # nor does a shown slice minus a split's shown groups inside it single out fewer than k raters (what
    # the split's hidden groups inside it gave): the whole minus the business lines, a line minus its units
    for outer_name, outer in shown.items():
        for split in SPLITS:
            inside = [
                members_ for name, members_ in shown.items()
                if split_of(name)[0] == split and name != outer_name and members_ <= outer
            ]  # fmt: skip
            if inside:
                remainder = outer.difference(*inside)
                assert not 0 < len(remainder) < k, (outer_name, split, len(remainder))
    # the numbers of a shown slice come from exactly its raters
    for name, numbers in slice_results(scores, shown).items():
        rows = scores[scores["rater"].isin(shown[name])]
        assert numbers.raters == len(shown[name]) >= k
        assert numbers.overall == pytest.approx(rows["score"].mean())
    assert all(d.raters == frozenset() for d in decisions if not d.shown)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)  # fmt: skip
@given(raters=raters_strategy, k=st.integers(3, 6), level=st.sampled_from([FULL, OVERALL]))
def test_what_a_reader_sees_comes_from_k_raters_and_never_near_another(tenant_a, raters, k, level):
    tenant_a.anonymity_threshold = k
    tenant_a.save()
    with tenant_scope(tenant_a):
        lines = [OrgUnitFactory() for _i in range(3)]
        units = [OrgUnitFactory() for _i in range(4)]
        subject = subject_of(campaign_with_dimensions(2), unit=OrgUnitFactory())
        for line, unit, lvl, role, a, b in raters:
            add_rating(
                subject, [a, b], business_line=None if line is None else lines[line], unit=units[unit],
                level=lvl, role=role, comment="c",
            )  # fmt: skip
        result = subject_results(subject, level=level)
        [row] = result_rows([subject])
        released = {
            r.slice: frozenset(r.raters) for r in ResultRelease.objects.filter(subject=subject, shown=True)
        }
    visible = [result.whole, row.whole, *[v for views in result.splits.values() for v in views]]
    for view in visible:
        if view.shown:
            assert view.raters >= k and view.raters == len(released[view.slice])
            assert view.overall is not None
        else:
            assert view.raters is None and view.overall is None and view.dimensions == []
    for a, b in combinations(released.values(), 2):
        assert not too_close(a, b, k)
    if not result.whole.shown:
        assert result.comments is None and result.distribution == [] and not any(v.shown for v in visible)
    if level == OVERALL:
        assert result.splits == {} and result.comments is None
