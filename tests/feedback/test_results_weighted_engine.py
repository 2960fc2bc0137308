"""The weighted 360 result as pure computation: Σ w × mean / Σ w over the roles with shown numbers —
renormalised, a role without numbers left out (never a zero), no role at all gives none."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from feedback.engine.results import RoleMeans, decide_release, slice_results, split_of, weighted_result

WEIGHTS = {"line_manager": 40, "project_lead": 20, "internal_customer": 10, "peer": 30}


def test_every_role_counts_with_its_configured_weight():
    roles = {
        "line_manager": RoleMeans(5.0, {1: 5.0, 2: 5.0}),
        "project_lead": RoleMeans(3.0, {1: 2.0, 2: 4.0}),
        "internal_customer": RoleMeans(2.0, {1: 2.0, 2: 2.0}),
        "peer": RoleMeans(4.0, {1: 4.0, 2: 4.0}),
    }
    result = weighted_result(WEIGHTS, roles)
    assert result.overall == pytest.approx((40 * 5 + 20 * 3 + 10 * 2 + 30 * 4) / 100)  # 4.0
    assert result.dimensions == {1: pytest.approx(3.8), 2: pytest.approx(4.2)}
    assert result.effective == {"line_manager": 40, "project_lead": 20, "internal_customer": 10, "peer": 30}


def test_a_role_without_numbers_is_left_out_and_the_others_renormalised():
    roles = {"peer": RoleMeans(2.0, {1: 2.0}), "project_lead": RoleMeans(5.0, {1: 5.0})}
    result = weighted_result(WEIGHTS, roles)
    # 30 and 20 of the configured 100 remain: 60 % and 40 %, not 30 % and 20 % with zeros for the rest
    assert result.effective == {"project_lead": pytest.approx(40.0), "peer": pytest.approx(60.0)}
    assert result.overall == pytest.approx(0.6 * 2.0 + 0.4 * 5.0)
    assert result.overall > 2.0  # a zero for the missing roles would have pulled it below the lowest mean


def test_effective_weights_are_exact_and_sum_to_100():
    result = weighted_result(WEIGHTS, {r: RoleMeans(3.0) for r in ("line_manager", "project_lead", "peer")})
    assert sum(result.effective.values()) == pytest.approx(100.0)
    assert result.effective["line_manager"] == pytest.approx(400 / 9)
    assert result.effective["project_lead"] == pytest.approx(200 / 9)
    assert result.effective["peer"] == pytest.approx(300 / 9)


def test_no_role_with_numbers_gives_none():
    assert weighted_result(WEIGHTS, {}) is None
    assert weighted_result({}, {"peer": RoleMeans(4.0)}) is None
    assert weighted_result({"peer": 0, "line_manager": 100}, {"peer": RoleMeans(4.0)}) is None


def test_roles_outside_the_weights_do_not_count():
    roles = {"peer": RoleMeans(2.0, {1: 2.0}), "project_lead": RoleMeans(5.0)}
    result = weighted_result({"peer": 100}, roles)
    assert result.overall == 2.0 and result.effective == {"peer": 100.0}


def test_each_dimension_is_renormalised_over_the_roles_that_rated_it():
    roles = {"peer": RoleMeans(3.0, {1: 3.0, 2: None}), "line_manager": RoleMeans(5.0, {1: 5.0, 2: 5.0})}
    result = weighted_result({"peer": 60, "line_manager": 40}, roles)
    assert result.dimensions[1] == pytest.approx(0.6 * 3 + 0.4 * 5)
    assert result.dimensions[2] == pytest.approx(5.0)  # only the line manager gave dimension 2


ROLES = ["internal_customer", "peer", "project_lead"]
rater = st.tuples(st.sampled_from(ROLES), st.integers(1, 5), st.integers(1, 5))
weights = st.fixed_dictionaries({role: st.integers(0, 100) for role in ROLES})


@settings(max_examples=200, deadline=None)
@given(raters=st.lists(rater, max_size=24), k=st.integers(3, 6), weights=weights, noise=st.integers(1, 5))
def test_only_released_role_slices_contribute(raters, k, weights, noise):
    """From the release to the weighted figure: whatever the raters of a role whose slice is not shown gave
    (here: all their scores replaced by `noise`), the figure is the same, and it is the weighted mean of the
    shown role slices' own means — each of at least k raters."""
    people = pd.DataFrame(
        [(f"r{i}", None, None, "", role) for i, (role, _a, _b) in enumerate(raters)],
        columns=["rater", "business_line", "unit", "level", "role"],
    )
    shown = {d.slice: d.raters for d in decide_release(people, k) if d.shown}
    visible = set().union(*(members for name, members in shown.items() if split_of(name)[0] == "role"))

    def figure(hidden_value):
        scores = pd.DataFrame(
            [
                (f"r{i}", dim, value if f"r{i}" in visible else hidden_value)
                for i, (_role, a, b) in enumerate(raters)
                for dim, value in ((1, a), (2, b))
            ],
            columns=["rater", "dimension", "score"],
        )
        numbers = slice_results(scores, shown)
        roles = {
            split_of(name)[1]: RoleMeans(n.overall, n.dimensions)
            for name, n in numbers.items()
            if split_of(name)[0] == "role"
        }
        assert all(numbers[f"role:{role}"].raters >= k for role in roles)
        return weighted_result(weights, roles)

    first, second = figure(1), figure(noise)
    assert first == second
    if first is not None:
        assert set(first.effective) <= {split_of(name)[1] for name in shown if name.startswith("role:")}
        assert sum(first.effective.values()) == pytest.approx(100.0)
