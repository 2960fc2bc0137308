"""The Content-Security-Policy: scripts only from our static files, and templates that keep to it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

TEMPLATES = Path(settings.BASE_DIR) / "templates"
COMMENTS = re.compile(r"{#.*?#}|{%\s*comment\s*%}.*?{%\s*endcomment\s*%}", re.S)
SCRIPT = re.compile(r"<script\b[^>]*>", re.I)
TAG = re.compile(r"<[a-zA-Z][^>]*>")
HANDLER = re.compile(r"\son[a-z]+\s*=", re.I)
JS_URL = re.compile(r"""=\s*["']?\s*javascript:""", re.I)


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    parts = (part.split() for part in header.split(";") if part.strip())
    return {name: values for name, *values in parts}


@pytest.mark.django_db
@pytest.mark.parametrize("page", ["login", "home"])
def test_pages_carry_a_policy_that_runs_no_inline_script(client, login, hr_a, tenant_a, page):
    if page == "home":
        response = login(hr_a).get(reverse("tenant-home", kwargs={"tenant_slug": tenant_a.slug}))
    else:
        response = client.get(reverse("login"))
    assert response.status_code == 200
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy["script-src"] and "'unsafe-eval'" not in policy["script-src"]
    assert policy["default-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]


def test_no_template_has_an_inline_script_an_event_handler_attribute_or_a_javascript_url():
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        text = COMMENTS.sub("", path.read_text(encoding="utf-8"))
        name = path.relative_to(TEMPLATES)
        for tag in SCRIPT.findall(text):
            if "src=" not in tag and 'type="application/json"' not in tag:
                found.append(f"{name}: {tag}")
        for tag in TAG.findall(text):
            found.extend(f"{name}: {match.strip()} in {tag[:80]}" for match in HANDLER.findall(tag))
            if JS_URL.search(tag):
                found.append(f"{name}: javascript: URL in {tag[:80]}")
    advice = "inline scripts, on* attributes or javascript: URLs (use a static/js module):\n"
    assert not found, advice + "\n".join(found)


def test_no_template_comment_spans_lines():
    """`{# … #}` ends at the line's end: one spread over lines is printed on the page as text (it was, on
    every page, under the footer). Longer comments use {% comment %}."""
    offenders = [
        f"{path.relative_to(TEMPLATES)}:{number}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if "{#" in line and "#}" not in line[line.index("{#") :]
    ]
    assert not offenders, offenders
