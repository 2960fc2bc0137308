"""The house layout (docs/ARCHITECTURE.md) checked on the tree: views never query.

A page parses the request, calls access/selectors/services and renders. Any ORM call in a views module
(`.objects`, a queryset method) is a query the selectors and the API do not share, and one more place a
tenant or role rule can be forgotten; it belongs in `selectors/`, `services/` or `access.py`.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("collab", "goals", "responsibility", "interlock", "feedback", "alerts", "governance", "ecosystem")
QUERYSET_METHODS = frozenset({
    "filter", "exclude", "select_related", "prefetch_related", "annotate", "aggregate", "values_list",
    "order_by", "only", "defer", "select_for_update", "raw", "extra", "refresh_from_db", "bulk_create",
    "bulk_update", "get_or_create", "update_or_create", "in_bulk",
})
def _views_modules() -> list[str]:
    found = []
    for app in APPS:
        found += [p for p in (ROOT / app).glob("views/**/*.py")]
        found += [p for p in (ROOT / app).glob("views.py")]
    return sorted(str(p.relative_to(ROOT)) for p in found)


def orm_calls(source: str) -> list[str]:
    """`line: name` of every `.objects` and queryset method used in a module's code."""
    return [
        f"{node.lineno}: .{node.attr}"
        for node in ast.walk(ast.parse(source))
        if isinstance(node, ast.Attribute) and (node.attr == "objects" or node.attr in QUERYSET_METHODS)
    ]


def test_the_check_sees_orm_calls():
    source = "def page(request):\n    rows = Goal.objects.all()\n    return rows.filter(x=1).order_by('x')\n"
    assert sorted(orm_calls(source)) == ["2: .objects", "3: .filter", "3: .order_by"]
    assert orm_calls("def page(request):\n    return request.GET.get('q', '')\n") == []


def test_the_views_modules_are_found():
    modules = _views_modules()
    assert any(m.startswith("goals/views/tree/") for m in modules)
    assert "interlock/views/scores.py" in modules


@pytest.mark.parametrize("module", _views_modules())
def test_views_never_query(module):
    assert orm_calls((ROOT / module).read_text()) == [], f"{module} queries: move it into selectors/access"

