"""The user's own preferences: language, and a password of their own chosen.
"""

from __future__ import annotations

from django.conf import settings

from collab.models import UserProfile

# ---------------------------------------------------------------------------------------------------
# The user's own preferences


def language_is_supported(language: str) -> bool:
    return language in {code for code, _name in settings.LANGUAGES}


def user_language_set(*, user, language: str) -> UserProfile:
    if not language_is_supported(language):
        raise ValueError(f"Unsupported language {language!r}")
    profile, _created = UserProfile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


def password_chosen(*, user) -> None:
    """The person set a password of their own (change, reset link, invitation): a temporary password given
    by an HR admin no longer holds them back."""
    UserProfile.objects.filter(user=user, must_change_password=True).update(must_change_password=False)
