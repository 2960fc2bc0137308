"""Account pages: members (HR admins manage, auditors read), invitations, the inbox and its settings.

Views stay thin: forms parse, services decide and write, selectors read. Member pages go through
`tenant_page` (role rules); the inbox and notification settings are the signed-in member's own and
go through `own_page` (every member of the tenant, auditors included, reads and marks their own).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.forms import SetPasswordForm
from django.core.exceptions import ValidationError
from django.http import HttpResponseNotAllowed, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

from collab.access import access_membership_by_id, access_own_notification_by_id
from collab.forms import accounts as forms
from collab.forms import add_service_errors, save_form
from collab.models import Role
from collab.pages import HR_AND_AUDITOR, HR_ONLY, own_page, paginate, tenant_page
from collab.selectors import platform as selectors
from collab.services import notifications as notification_services
from collab.services.accounts import activation, adding, changing

# The services name a few fields differently from the forms.
FIELD_NAMES = {"password": "password1", "employee": "employee_no"}


def _show_errors(form, error: ValidationError) -> None:
    add_service_errors(form, error, FIELD_NAMES)


def _tenant_url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


# ---------------------------------------------------------------------------------------------------
# Login security


def locked_out_response(request, original_response=None, credentials=None):
    """What django-axes answers once a user name and address have failed too often."""
    minutes = int(round(float(settings.AXES_COOLOFF_TIME or 0) * 60))
    status = settings.AXES_HTTP_RESPONSE_CODE
    if request.path.startswith("/api/"):
        detail = _("Too many failed log-in attempts. Try again in %(minutes)s minutes.")
        detail %= {"minutes": minutes}
        return JsonResponse({"detail": detail, "code": "locked_out"}, status=status)
    context = {"cooloff_minutes": minutes, "failure_limit": settings.AXES_FAILURE_LIMIT}
    return render(request, "registration/locked_out.html", context, status=status)


@sensitive_post_parameters("new_password1", "new_password2")
@never_cache
def invite_accept(request, uidb64: str, token: str):
    """An invited person chooses their password through the one-time link, then is logged in."""
    session_key = "_invite_token"
    placeholder = "set-password"
    if token != placeholder:
        # Keep the token out of the address bar (and Referer headers): remember it, then redirect.
        request.session[session_key] = token
        return redirect("invite-accept", uidb64=uidb64, token=placeholder)
    user = activation.invite_user(uidb64, request.session.get(session_key, ""))
    if user is None:
        return render(request, "registration/invite_accept.html", {"valid": False})
    form = SetPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            activation.invite_accept(user=user, password=form.cleaned_data["new_password1"])
        except ValidationError as error:
            _show_errors(form, error)
        else:
            request.session.pop(session_key, None)
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(request, _("Welcome! Your password is set."))
            return redirect("post-login")
    return render(request, "registration/invite_accept.html", {"valid": True, "form": form, "invited": user})


@never_cache
@login_required
def membership_invitation(request, token: str):
    """An existing account accepts an invitation to join a company: the link names the invitation, the
    person logs in with their own account; only that account may accept it."""
    invitation = adding.invitation_for(request.user, token)
    if invitation is None:
        return render(request, "registration/membership_invitation.html", {"valid": False}, status=404)
    if request.method == "POST":
        try:
            membership = adding.member_invitation_accept(user=request.user, invitation=invitation)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
            return redirect("post-login")
        messages.success(request, _("Welcome to %(tenant)s.") % {"tenant": invitation.tenant.name})
        return redirect("tenant-home", tenant_slug=membership.tenant.slug)
    labels = dict(Role.choices)
    context = {
        "valid": True,
        "invitation": invitation,
        "role_names": [labels[role] for role in invitation.roles if role in labels],
    }
    return render(request, "registration/membership_invitation.html", context)


# ---------------------------------------------------------------------------------------------------
# Members


@tenant_page(read=HR_AND_AUDITOR)
def member_list(request):
    search = request.GET.get("q", "")
    role = request.GET.get("role", "")
    status = request.GET.get("status", "")
    members = selectors.members(search=search, role=role, status=status)
    page = paginate(request, members)
    labels = dict(Role.choices)
    page.object_list = list(page.object_list)
    for member in page.object_list:
        member.role_names = [labels[role] for role in member.roles if role in labels]
        member.invited = not member.user.has_usable_password()
    context = {
        "page": page,
        "search": search.replace("\x00", ""),
        "role": role if role in Role.values else "",
        "status": status if status in selectors.MEMBER_STATUSES else "",
        "role_choices": Role.choices,
        "filtered": bool(search or role or status),
    }
    template = "collab/accounts/member_list.html"
    if request.htmx and not request.htmx.boosted:
        template += "#results"
    return render(request, template, context)


def _service_arguments(data: dict) -> dict:
    """A member form's cleaned data under the services' names (the repeated password is the form's own)."""
    service_names = {form_name: name for name, form_name in FIELD_NAMES.items()}
    return {service_names.get(key, key): value for key, value in data.items() if key != "password2"}


def _member_add_page(request, form_class, add, *, title: str, intro: str, done):
    """A page that adds a member (create, invite, add an existing account): on a valid POST
    `add(actor=…, **arguments)` runs (a refusal lands on the form) and `done(what add returned)` gives the
    message and the address to go to; otherwise the form."""
    form = form_class(request.POST or None)
    # In a 1-tuple, so that a service returning nothing (an invitation) still reads as done.
    added = save_form(
        request, form, lambda data: (add(actor=request.user, **_service_arguments(data)),), FIELD_NAMES
    )
    if added is not None:
        message, url = done(added[0])
        messages.success(request, message)
        return redirect(url)
    return render(request, "collab/accounts/member_add.html", {"form": form, "title": title, "intro": intro})


def _to_member_list(request, message):
    """`done` of an invitation page: the same answer whether the account exists or not."""
    return lambda _result: (str(message), _tenant_url(request, "member-list"))


@sensitive_post_parameters("password1", "password2")
@tenant_page(read=HR_ONLY, write=HR_ONLY)
def member_create(request):
    intro = _(
        "Create the account yourself and hand the initial password over in person; "
        "the member can change it after logging in."
    )
    return _member_add_page(
        request, forms.MemberCreateForm, adding.member_create, title=_("Create an account"), intro=intro,
        done=lambda membership: (
            _("%(user)s is now a member.") % {"user": membership.user.get_username()},
            _tenant_url(request, "member-detail", pk=membership.pk),
        ),
    )  # fmt: skip


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def member_invite(request):
    """A new account, or an invitation to an existing one: the same answer either way."""
    intro = _(
        "The person gets an e-mail with a one-time link to choose their own password — or, if they "
        "already have a Collab account, an invitation to accept."
    )
    return _member_add_page(
        request, forms.MemberInviteForm, adding.member_invite, title=_("Invite by e-mail"), intro=intro,
        done=_to_member_list(request, adding.INVITE_SENT),
    )  # fmt: skip


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def member_add_existing(request):
    """Invite an existing account: the same answer whether it exists or not; it joins when it accepts."""
    intro = _(
        "For someone who already has a Collab account, for example in another company of the group. "
        "They get an invitation by e-mail and become a member when they accept it."
    )
    return _member_add_page(
        request, forms.MemberAddExistingForm, adding.member_add_existing, title=_("Add an existing user"),
        intro=intro, done=_to_member_list(request, adding.INVITATION_SENT),
    )  # fmt: skip


@tenant_page(read=HR_AND_AUDITOR, write=HR_ONLY)
def member_detail(request, pk: int):
    membership = access_membership_by_id(request.membership, pk, write=request.method == "POST")
    employee = selectors.member_linked_employee(membership)
    initial = {"roles": membership.roles, "employee_no": employee.employee_no if employee else ""}
    form = forms.MemberEditForm(request.POST or None, initial=initial)
    updated = save_form(
        request,
        form,
        lambda data: changing.member_update(
            actor=request.user, membership=membership, **_service_arguments(data)
        ),
        FIELD_NAMES,
    )
    if updated is not None:
        messages.success(request, _("Saved."))
        return redirect(_tenant_url(request, "member-detail", pk=membership.pk))
    labels = dict(Role.choices)
    context = {
        "member": membership,
        "employee": employee,
        "form": form,
        "invited": not membership.user.has_usable_password(),
        "is_self": membership.user_id == request.user.pk,
        "role_names": [labels[role] for role in membership.roles if role in labels],
    }
    return render(request, "collab/accounts/member_detail.html", context)


def _member_action(service, done_message):
    @tenant_page(read=HR_ONLY, write=HR_ONLY)
    def view(request, pk: int):
        membership = access_membership_by_id(request.membership, pk, write=request.method == "POST")
        if request.method != "POST":
            return HttpResponseNotAllowed(["POST"])
        try:
            service(actor=request.user, membership=membership)
        except ValidationError as error:
            for message in error.messages:
                messages.error(request, message)
        else:
            messages.success(request, str(done_message) % {"user": membership.user.get_username()})
        return redirect(_tenant_url(request, "member-detail", pk=membership.pk))

    return view


member_deactivate = _member_action(
    changing.member_deactivate,
    gettext_lazy("%(user)s is deactivated: their sessions and tokens no longer open this company."),
)
member_reactivate = _member_action(changing.member_reactivate, gettext_lazy("%(user)s is active again."))
member_invite_resend = _member_action(
    adding.member_invite_resend, gettext_lazy("A one-time link to set a password went to %(user)s.")
)


# ---------------------------------------------------------------------------------------------------
# Notifications


@own_page()
def notification_list(request):
    unread_only = request.GET.get("show") == "unread"
    page = paginate(request, selectors.notifications_of(request.user, unread_only=unread_only))
    context = {
        "page": page,
        "unread_only": unread_only,
        "unread_count": selectors.unread_notification_count(request.user),
    }
    return render(request, "collab/notifications/list.html", context)


def _back_to_inbox(request):
    next_url = request.POST.get("next", "")
    # A path only, redirected as is: redirect() would try a bare word as a URL name (NoReverseMatch, a 500).
    if (
        next_url.startswith("/")
        and next_url.isprintable()
        and url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure())
    ):
        return HttpResponseRedirect(next_url)
    return redirect(_tenant_url(request, "notifications"))


@own_page(writes=True)
def notification_read(request, pk: int):
    notification = access_own_notification_by_id(request.user, pk)
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    notification_services.notifications_mark_read(user=request.user, ids=[notification.pk])
    if request.htmx:
        notification = access_own_notification_by_id(request.user, notification.pk)  # as marked
        context = {
            "notification": notification,
            "count": selectors.unread_notification_count(request.user),
            "oob": True,
        }
        return render(request, "collab/notifications/list.html#row", context)
    return _back_to_inbox(request)


@own_page(writes=True)
def notification_read_all(request):
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    marked = notification_services.notifications_mark_read(user=request.user)
    if marked:
        messages.success(request, _("All notifications are marked read."))
    return _back_to_inbox(request)


@own_page()
def notification_badge(request):
    """The unread count for the header, fetched by htmx on every page and every 30 seconds."""
    count = selectors.unread_notification_count(request.user)
    return render(request, "collab/notifications/list.html#badge", {"count": count})


@own_page(writes=True)
def notification_preferences(request):
    preferences = notification_services.notification_preferences(user=request.user)
    form = forms.NotificationPreferencesForm(request.POST or None, preferences=preferences)
    if request.method == "POST" and form.is_valid():
        notification_services.notification_preferences_set(user=request.user, choices=form.choices())
        messages.success(request, _("Your notification settings are saved."))
        return redirect(_tenant_url(request, "notification-preferences"))
    return render(request, "collab/notifications/preferences.html", {"form": form})
