"""Request middleware: tenant scope for /t/<slug>/ pages, the language, the forced password change."""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.db import OperationalError
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django_htmx.http import HttpResponseClientRedirect

from collab.authentication import password_change_required_detail
from collab.concurrency import Conflict, DatabaseBusy, is_transient_db_error
from collab.routing.viewsets import active_membership, tenant_by_slug
from collab.selectors.audit.events import tenant_zone
from collab.selectors.platform import password_change_required
from collab.tenancy import _current_tenant, tenant_scope

TENANT_PAGE = re.compile(r"^/t/(?P<slug>[a-z0-9][a-z0-9-]{0,49})/")


class TenantMiddleware:
    """Pages under /t/<slug>/ run inside that tenant's scope, for active members only.

    A non-member, or a slug that does not exist, gets the same 404. Nothing outside the
    prefix inherits a tenant: the scope is cleared for every request and reset in `finally`.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = None
        request.membership = None
        token = _current_tenant.set(None)
        try:
            match = TENANT_PAGE.match(request.path_info)
            if match is None:
                return self.get_response(request)
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            tenant = tenant_by_slug(match["slug"])
            with tenant_scope(tenant), timezone.override(tenant_zone(tenant.timezone)):
                # Every moment a page shows ({{ x|date }}, forms, localtime) reads in the tenant's time zone.
                request.membership = active_membership(request.user)
                request.tenant = tenant
                return self.get_response(request)
        finally:
            _current_tenant.reset(token)


class DatabaseConflictMiddleware:
    """A page write that meets a deadlock or serialisation failure, or another `Conflict` its view did not
    show on a form, answers a 409 page ("try again") instead of a 500. Services that lock rows rerun
    themselves first (`collab.concurrency.atomic_with_retry`); this is the last net for pages, as
    `collab.routing.errors.exception_handler` is for the API."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, OperationalError) and is_transient_db_error(exception):
            exception = DatabaseBusy()
        if not isinstance(exception, Conflict) or request.path.startswith("/api/"):
            return None
        message = getattr(exception, "message", None) or str(exception)
        context = {"message": message, "tenant": getattr(request, "tenant", None)}
        return render(request, "409.html", context, status=409)


class UserLanguageMiddleware:
    """The language follows the user's choice, then the tenant's locale, then the browser."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        language = self._choose(request)
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        translation.deactivate()
        return response

    def _choose(self, request) -> str:
        supported = {code for code, _name in settings.LANGUAGES}
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = user.profile if hasattr(user, "profile") else None
            if profile is not None and profile.language in supported:
                return profile.language
        tenant = getattr(request, "tenant", None)
        if tenant is not None and tenant.locale in supported:
            return tenant.locale
        return translation.get_language_from_request(request)


class PasswordChangeRequiredMiddleware:
    """An account created with a temporary password (`UserProfile.must_change_password`) reaches only the
    change-password page, logging out and the language switch until its owner picks a password: every other
    page redirects there (htmx: a client redirect), the API answers 403 in JSON. Token requests are held by
    `collab.authentication.TokenAuthentication`, since DRF authenticates them after this middleware."""

    ALLOWED = ("password_change", "password_change_done", "logout", "set-language")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or not password_change_required(user):
            return self.get_response(request)
        if request.path in {reverse(name) for name in self.ALLOWED} or request.path.startswith(
            settings.STATIC_URL
        ):
            return self.get_response(request)
        if request.path.startswith("/api/"):
            return JsonResponse(password_change_required_detail(), status=403)
        target = reverse("password_change")
        if getattr(request, "htmx", False):
            return HttpResponseClientRedirect(target)
        return redirect(target)
