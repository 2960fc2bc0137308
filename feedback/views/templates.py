"""Review template pages (HR admins configure, auditors read): list, create, edit, delete."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import attempt_delete, form_status, note_stale
from collab.forms.editors import editor_rows, rows_from_post, split_errors
from collab.models import Role
from collab.pages import HR_ONLY, paginate, tenant_page
from feedback.access import access_review_template_by_id
from feedback.forms.templates import ReviewTemplateFilterForm, ReviewTemplateForm
from feedback.models import ANCHOR_FIELDS, SCALE
from feedback.selectors.templates import review_templates
from feedback.services import templates as services
from feedback.services.templates import DIMENSION_FIELDS

READERS = frozenset({Role.HR_ADMIN, Role.AUDITOR})
PREFIX = "dimensions"


@tenant_page(read=READERS)
def review_template_list(request):
    form = ReviewTemplateFilterForm(request.GET or None)
    queryset = review_templates()
    if request.GET:
        queryset = review_templates(**form.cleaned_data) if form.is_valid() else queryset.none()
    page = paginate(request, queryset)
    context = {"filter_form": form, "page": page, "filtered": bool(request.GET), "scale": SCALE}
    template = "feedback/templates/list.html#results" if request.htmx else "feedback/templates/list.html"
    return render(request, template, context)


def _stored_rows(template) -> list[dict]:
    return [
        {field: getattr(dimension, field) for field in DIMENSION_FIELDS}
        for dimension in template.dimensions.all()
    ]


def _with_anchors(row: dict) -> dict:
    """A dimension row for the editor, its five anchors as a list (point, input name, value, errors)."""
    anchors = [
        {"point": point, "field": field, "value": row.get(field, ""), "errors": row["errors"].get(field, [])}
        for point, field in zip(SCALE, ANCHOR_FIELDS, strict=True)
    ]
    return {**row, "anchors": anchors}


def _editor(request, template):
    """The form page of a new template (`template` None) or of a correction, and its save."""
    initial = None
    if template is not None:
        initial = {
            "name": template.name, "kind": template.kind, "description": template.description,
            "is_active": template.is_active, "lock_version": template.lock_version,
        }  # fmt: skip
    form = ReviewTemplateForm(request.POST or None, initial=initial)
    rows = _stored_rows(template) if template is not None else [dict.fromkeys(DIMENSION_FIELDS, "")]
    row_errors: dict = {}
    general: list[str] = []
    if request.method == "POST":
        rows = rows_from_post(request.POST, fields=DIMENSION_FIELDS, prefix=PREFIX, ignore_blank=())
        if form.is_valid():
            try:
                if template is None:
                    saved = services.review_template_create(
                        actor=request.user, data=form.service_data(), dimensions=rows
                    )
                else:
                    saved = services.review_template_update(
                        actor=request.user, template=template, data=form.service_data(), dimensions=rows,
                        lock_version=form.cleaned_data.get("lock_version"),
                    )  # fmt: skip
            except ValidationError as invalid:
                row_errors, other = split_errors(invalid, prefix=PREFIX)
                for key, messages_ in other.items():
                    if key in form.fields:
                        for message in messages_:
                            form.add_error(key, message)
                    else:
                        general.extend(messages_)
            except StaleEditError as stale:
                note_stale(form, stale)
            else:
                messages.success(request, _("Review template %(name)s saved.") % {"name": saved.name})
                return redirect("review-template-list", tenant_slug=request.tenant.slug)
    context = {
        "form": form,
        "review_template": template,
        "rows": [_with_anchors(row) for row in editor_rows(rows, row_errors)],
        "template_row": _with_anchors(dict.fromkeys(DIMENSION_FIELDS, "") | {"errors": {}}),
        "general": general,
        "scale": SCALE,
    }
    status = form_status(form, status=400 if (row_errors or general or form.errors) else 200)
    return render(request, "feedback/templates/form.html", context, status=status)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def review_template_create(request):
    return _editor(request, None)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def review_template_edit(request, pk: int):
    template = access_review_template_by_id(request.membership, pk, write=True)
    return _editor(request, template)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def review_template_delete(request, pk: int):
    template = access_review_template_by_id(request.membership, pk, write=True)
    attempt = attempt_delete(
        request,
        lambda lock_version: services.review_template_delete(
            actor=request.user, template=template, lock_version=lock_version
        ),
    )
    if attempt.done:
        messages.success(request, _("Review template %(name)s deleted.") % {"name": template.name})
        return redirect("review-template-list", tenant_slug=request.tenant.slug)
    context = {"review_template": template, "error": attempt.error or None}
    return render(request, "feedback/templates/confirm_delete.html", context, status=attempt.status)
