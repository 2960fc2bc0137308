"""Passwords: the signed-in person's change (forced after an HR admin gave a temporary one) and the
self-service reset by e-mail, on Django's own auth views.

The reset answers the same whether the address belongs to an account or not (Django's view redirects to
"sent" either way) and is rate limited in the cache, per address and per client address (the one
django-axes uses for the login lockout): past either limit the form answers 429 and sends nothing. The
e-mailed link starts with `SITE_URL`, the public address, never the Host header of the request.
"""

from __future__ import annotations

from axes.helpers import get_client_ip_address
from axes.utils import reset as axes_reset
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect
from django.urls import reverse_lazy
from django.utils.translation import gettext as _

from collab.forms.accounts import PasswordResetRequestForm
from collab.ratelimit import attempt_allowed
from collab.selectors.platform import password_change_required
from collab.services.accounts.activation import password_changed


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "registration/password_change_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["forced"] = password_change_required(self.request.user)
        return context

    def form_valid(self, form):
        forced = password_change_required(self.request.user)
        response = super().form_valid(form)  # saves, keeps the session (update_session_auth_hash)
        password_changed(user=form.user, how="change")
        if forced:
            messages.success(self.request, _("Your new password is set. Welcome to Collab."))
            return redirect("post-login")
        return response


class PasswordResetView(auth_views.PasswordResetView):
    form_class = PasswordResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form):
        window = settings.PASSWORD_RESET_LIMIT_WINDOW
        # Both counters move on every request (neither depends on whether the address has an account).
        by_client = attempt_allowed(
            "password-reset-ip", get_client_ip_address(self.request) or "unknown",
            limit=settings.PASSWORD_RESET_LIMIT_PER_IP, window=window,
        )  # fmt: skip
        by_address = attempt_allowed(
            "password-reset-address", form.cleaned_data["email"],
            limit=settings.PASSWORD_RESET_LIMIT_PER_ADDRESS, window=window,
        )  # fmt: skip
        if not (by_client and by_address):
            form.add_error(
                None,
                _("Too many password reset requests. Try again in %(minutes)s minutes.")
                % {"minutes": max(1, window // 60)},
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        self.extra_email_context = {"site_url": settings.SITE_URL.rstrip("/")}
        return super().form_valid(form)


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "registration/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Django's view: the token moves from the address into the session before the form shows."""

    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        password_changed(user=form.user, how="reset")
        # Whoever holds the mailbox may log in again at once: lift a lock-out of this user name.
        axes_reset(username=form.user.get_username())
        return response


class PasswordResetCompleteView(auth_views.PasswordResetCompleteView):
    template_name = "registration/password_reset_complete.html"
