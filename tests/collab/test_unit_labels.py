"""collab.selectors.org.distinct_unit_labels: the rule that tells same-named units apart in any list."""

from __future__ import annotations

from collab.selectors.org import distinct_unit_labels


def test_unique_names_stay_short():
    assert distinct_unit_labels([(1, "财务部", "晋北", "F1"), (2, "生产部", "晋北", "P1")]) == {
        1: "财务部",
        2: "生产部",
    }


def test_a_repeated_name_gets_its_parent_and_a_repeated_pair_its_code():
    labels = distinct_unit_labels([
        (1, "生产部", "晋北", "P1"),
        (2, "生产部", "赣南", "P2"),
        (3, "生产部", "赣南", "P3"),
        (4, "生产部", None, "P4"),
    ])
    assert labels == {1: "晋北 › 生产部", 2: "赣南 › 生产部 (P2)", 3: "赣南 › 生产部 (P3)", 4: "生产部"}
