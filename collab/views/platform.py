"""Platform pages: tenant picker, role homes, language choice."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from collab.home import home_panels, setup_steps
from collab.models import Role
from collab.pages import tenant_page
from collab.selectors import platform as selectors
from collab.services.accounts.preferences import language_is_supported, user_language_set


@login_required
def post_login(request):
    """After login: straight into the only tenant, or a picker when there are several."""
    memberships = selectors.memberships_of_user(request.user)
    if len(memberships) == 1:
        return redirect("tenant-home", tenant_slug=memberships[0].tenant.slug)
    labels = dict(Role.choices)
    choices = [(m, [labels[role] for role in m.roles if role in labels]) for m in memberships]
    return render(request, "collab/pick_tenant.html", {"memberships": memberships, "choices": choices})


ROLE_HOMES = {
    Role.HR_ADMIN: "collab/home_hr_admin.html",
    Role.MANAGER: "collab/home_manager.html",
    Role.EMPLOYEE: "collab/home_employee.html",
    Role.COMMITTEE: "collab/home_committee.html",
    Role.AUDITOR: "collab/home_auditor.html",
}


@tenant_page()
def tenant_home(request):
    """The member's home: their first role's page, or another of their roles chosen with ?as=<role>."""
    membership = request.membership
    role = request.GET.get("as", "")
    if role not in ROLE_HOMES or role not in membership.roles:
        role = membership.primary_role
    context = selectors.home_context(membership, role)
    employee = context["employee"]
    if role in (Role.EMPLOYEE, Role.MANAGER) and employee is not None:
        context.update(home_panels.collect(employee))  # the apps' panels: my goals, my scores
    if role == Role.HR_ADMIN:
        context["setup_done"] = setup_steps.collect()  # the checklist's steps the apps tick
    labels = dict(Role.choices)
    context["other_roles"] = [(r, labels[r]) for r in Role.values if r in membership.roles and r != role]
    return render(request, ROLE_HOMES[role], context)


@require_POST
def set_language(request):
    """Save the language as the user's choice (or in a cookie before login) and go back."""
    language = request.POST.get("language", "")
    next_url = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(next_url, {request.get_host()}, request.is_secure()):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    if not language_is_supported(language):
        return response
    if request.user.is_authenticated:
        user_language_set(user=request.user, language=language)
    response.set_cookie("django_language", language, samesite="Lax", max_age=365 * 24 * 3600)
    return response


def favicon(request):
    """/favicon.ico, which browsers ask for on their own: the static icon (a temporary redirect, since the
    static file's name carries its hash in production)."""
    return HttpResponseRedirect(static("img/favicon.ico"))


def root(request):
    if request.user.is_authenticated:
        return redirect("post-login")
    return redirect(reverse("login"))


def not_built(request, *args, **kwargs):
    """Placeholder while a page is being built in this session; must be gone before commit of its area."""
    from django.http import HttpResponse

    return HttpResponse("Not built yet", status=501)
