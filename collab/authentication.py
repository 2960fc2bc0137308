"""Token authentication that holds back accounts still on their temporary password.

DRF's own TokenAuthentication, with the user's profile joined into its one query, answering 403 (not 401:
the token is valid) with `code: password_change_required` until the person has chosen a password of their
own on the web (`collab.middleware.PasswordChangeRequiredMiddleware` does the same for sessions).
A module of its own, outside `collab.api`: DRF imports it while `rest_framework.views` loads, so it may
not import views.
"""

from __future__ import annotations

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from collab.selectors.platform import password_change_required


def password_change_required_detail() -> dict:
    """The API's answer (403) to an account that still has its temporary password."""
    return {
        "detail": gettext(
            "This account still has the temporary password it was created with. Log in on the web and "
            "choose your own password first."
        ),
        "code": "password_change_required",
    }


class PasswordChangeRequired(exceptions.PermissionDenied):
    def __init__(self):
        super().__init__(detail=password_change_required_detail())


class TokenAuthentication(authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        model = self.get_model()
        try:
            token = model.objects.select_related("user", "user__profile").get(key=key)
        except model.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if password_change_required(token.user):
            raise PasswordChangeRequired()
        return token.user, token
