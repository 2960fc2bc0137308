"""Accounts: members, roles, the user's own preferences. Every write atomic and audited."""

from __future__ import annotations

from django.conf import settings

from collab.models import UserProfile


def language_is_supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def user_language_set(*, user, language: str) -> UserProfile:
    if not language_is_supported(language):
        raise ValueError(f"Unsupported language {language!r}")
    profile, _created = UserProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile
