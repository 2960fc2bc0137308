"""`{% load collab_nav %}{% tenant_nav %}`: the main menu, rendered once per (tenant, roles, language) in a
process. The menu is code and words only — links reversed from the URL configuration, labels from the
catalogue — so a rendering cannot go stale while the process lives; rendering its thirty-odd links and labels
on every request cost more than the content of some pages (bench/pages.py)."""

from __future__ import annotations

from functools import lru_cache

from django import template
from django.conf import settings
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from collab.models import Role

register = template.Library()


@register.simple_tag(takes_context=True)
def tenant_nav(context) -> SafeString:
    # In development an edited template shows at once.
    render = _rendered_nav.__wrapped__ if settings.DEBUG else _rendered_nav
    return render(context["tenant"].slug, frozenset(context.get("roles") or ()), get_language())


@lru_cache(maxsize=1024)
def _rendered_nav(slug: str, roles: frozenset, language: str) -> SafeString:
    context = {
        "tenant": {"slug": slug},
        "roles": roles,
        "is_hr": Role.HR_ADMIN in roles,
        "is_auditor": Role.AUDITOR in roles,
    }
    return mark_safe(render_to_string("collab/_nav.html", context))  # noqa: S308 - our own template's output
