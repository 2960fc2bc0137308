"""What every organisation page shares: links, the side panel, the form and confirm pages, exports.
"""

from __future__ import annotations

from urllib.parse import urldefrag

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django_htmx.http import HttpResponseClientRedirect, HttpResponseClientRefresh

from collab.forms import attempt_delete, form_status, lock_version_field, save_form
from collab.imports.export import export_xlsx, xlsx_response
from collab.services.org.importing import ORG_IMPORTS

EXPORT_LIMIT = 100_000


def _url(request, name: str, **kwargs) -> str:
    return reverse(name, kwargs={"tenant_slug": request.tenant.slug, **kwargs})


def _render_panel(request, template: str, context: dict, status: int = 200):
    """htmx requests get the bare card, the page's `panel` partial (it goes into the tree's side panel);
    others the full page."""
    context["in_panel"] = bool(request.htmx) and not request.htmx.boosted
    return render(request, f"{template}#panel" if context["in_panel"] else template, context, status=status)


def _done(request, url: str, message: str):
    messages.success(request, message)
    if request.htmx:
        # A browser does not reload a page whose address changes only after the '#': the tree would keep
        # the old names and the side panel, with no message. Reload it instead.
        if request.htmx.current_url_abs_path == urldefrag(url).url:
            return HttpResponseClientRefresh()
        return HttpResponseClientRedirect(url)
    return redirect(url)


def _locked_form(form, obj):
    """An edit form carrying the version it shows (`lock_version`, hidden; the service checks it)."""
    form.fields["lock_version"] = lock_version_field()
    form.fields["lock_version"].initial = obj.lock_version
    return form


def _form_page(
    request, form, *, title: str, action: str, cancel: str, submit: str = "", intro: str = "",
    locked: str = "",
):
    """`locked`, when given, says why nothing on the form can change: it is shown instead of the save
    button (the fields are disabled by the caller)."""
    context = {
        "form": form,
        "title": title,
        "action": action,
        "cancel": cancel,
        "submit": submit or _("Save"),
        "intro": intro,
        "locked": locked,
    }
    # htmx swaps only 2xx answers into the panel, so a form with errors is a 200 there.
    # htmx swaps only 2xx answers (and 409) into the panel, so a form with other errors is a 200 there.
    status = 400 if form.is_bound and form.errors and not request.htmx else 200
    return _render_panel(request, "collab/org/form.html", context, status=form_status(form, status=status))


def _save_page(request, form, save, *, done_message, done_url=None, field_map=None, **page):
    """An add or edit page: on a valid POST `save(cleaned_data)` runs (a service refusal or a stale save
    lands on the form, `field_map` naming its fields) and the page goes to `done_url` — the listing,
    `page["cancel"]`, when not given; it may be a function of the saved object — with
    `done_message(saved)`; otherwise the form page (`page`: `_form_page`'s title, action, cancel, ...)."""
    saved = save_form(request, form, save, field_map)
    if saved is None:
        return _form_page(request, form, **page)
    url = page["cancel"] if done_url is None else done_url(saved) if callable(done_url) else done_url
    return _done(request, url, done_message(saved))


def _delete_page(
    request, obj, delete, *, done: str, title: str, question: str, action: str, cancel: str
):
    """Ask before deleting `obj`; on POST `delete(lock_version)` runs (the version the confirm form carried)
    and the page returns to `cancel`, or shows the refusal (a stale delete: 409, nothing deleted)."""
    attempt = attempt_delete(request, delete)
    if attempt.done:
        return _done(request, cancel, done)
    context = {
        "title": title,
        "question": question,
        "action": action,
        "cancel": cancel,
        "error": attempt.error,
        "object": obj,
    }
    status = attempt.status
    if status == 400 and request.htmx:
        status = 200  # htmx swaps only 2xx answers (and 409) into the panel
    return _render_panel(request, "collab/org/confirm.html", context, status=status)


def _wants_export(request) -> bool:
    return request.GET.get("export") == "xlsx"


def _headers(importer_kind: str) -> list[str]:
    """Export headers: the import's columns in the user's language, so an export can be imported again."""
    from django.utils.translation import get_language

    chinese = (get_language() or "").startswith("zh")
    return [
        column.headers[1] if chinese else column.headers[0]
        for column in ORG_IMPORTS[importer_kind].columns
    ]


def _export(kind: str, rows, *, sheet_title: str, filename: str):
    """A list page's Excel export, under the headers of the import of the same `kind` (it imports back)."""
    return xlsx_response(export_xlsx(_headers(kind), rows, sheet_title=sheet_title), filename)
