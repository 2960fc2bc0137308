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



# One page URL module an app: an app's `urls.py`; collab's is `pages_urls.py`, since its `urls.py` is the root
# URL configuration (the one module that knows the apps).
PAGE_URL_MODULES = {"collab": {"urls.py", "pages_urls.py"}}


def _url_modules(app: str) -> set[str]:
    return {p.name for p in (ROOT / app).glob("*.py") if "urls" in p.stem.split("_")}


@pytest.mark.parametrize("app", [app for app in APPS if (ROOT / app).is_dir()])
def test_one_page_url_module_an_app(app):
    assert _url_modules(app) <= PAGE_URL_MODULES.get(app, {"urls.py"})  # an app with no pages yet has none


def test_collab_pages_come_from_one_module():
    from django.urls import get_resolver

    tenant_pages = next(p for p in get_resolver().url_patterns if str(p.pattern) == "t/<slug:tenant_slug>/")
    included = [getattr(p.urlconf_name, "__name__", p.urlconf_name) for p in tenant_pages.url_patterns]
    collab_includes = [name for name in included if name.startswith("collab")]
    assert collab_includes == ["collab.pages_urls"]


SIZE_RULE = 400  # lines; docs/ARCHITECTURE.md: a module past ~400 lines becomes a package of one-job modules


def _next_splits() -> str:
    """The paragraph of docs/ARCHITECTURE.md that names the next splits."""
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text()
    return next(paragraph for paragraph in text.split("\n\n") if "the next splits" in paragraph)


def test_every_module_past_the_size_rule_is_a_named_next_split():
    """A module may run past ~400 lines only while docs/ARCHITECTURE.md names it as one of the next splits."""
    named = _next_splits()
    past = [
        f"{path.relative_to(ROOT)} ({lines} lines)"
        for app in APPS
        for path in sorted((ROOT / app).glob("**/*.py"))
        if "migrations" not in path.parts
        and (lines := len(path.read_text().splitlines())) > SIZE_RULE
        and f"`{path.relative_to(ROOT)}`" not in named
    ]
    assert past == [], "split these (or name them in ARCHITECTURE.md's next splits): " + ", ".join(past)
