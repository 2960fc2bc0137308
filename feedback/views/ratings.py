"""A rater's pages: "Ratings to give" (待评价) and the rating form (save a draft, submit once).

Every member may rate; they reach only their own assignments (`access_own_assignment_by_id`: somebody else's
is a 404). A submitted rating is never shown back, to the rater either.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from collab.concurrency import StaleEditError
from collab.forms import form_status, note_stale
from collab.models import ALL_ROLES
from collab.pages import paginate, tenant_page
from feedback.access import access_own_assignment_by_id
from feedback.forms.campaigns import RatingForm
from feedback.hooks import rating_sections
from feedback.models import AssignmentStatus
from feedback.selectors.campaigns import grouped_by_campaign, open_assignments, own_assignment_page
from feedback.services.campaigns.rating import (
    AlreadySubmitted,
    is_attributed,
    rating_draft_save,
    rating_submit,
)

RATERS = ALL_ROLES


@tenant_page(read=RATERS)
def rating_list(request):
    """Open assignments grouped by campaign, soonest deadline first (a rater's list is short: in memory)."""
    page = paginate(request, list(open_assignments(request.user)), per_page=50)
    context = {"page": page, "groups": grouped_by_campaign(page.object_list)}
    return render(request, "feedback/ratings/list.html", context)


def _form_errors(form: RatingForm, invalid: ValidationError) -> None:
    for key, texts in invalid.message_dict.items():
        field = f"score_{key.split('-', 1)[1]}" if key.startswith("scores-") else key
        for text in texts:
            form.add_error(field if field in form.fields else None, text)


@tenant_page(read=RATERS, write=RATERS)
def rating_form(request, pk: int):
    assignment = access_own_assignment_by_id(request.membership, pk, write=request.method == "POST")
    assignment = own_assignment_page(request.user, assignment)
    dimensions = list(assignment.campaign.template.dimensions.all())
    draft = getattr(assignment, "draft", None)
    status = 200
    if assignment.status == AssignmentStatus.SUBMITTED:
        if request.method == "POST":  # a double click or a retried request: nothing more is written
            messages.info(request, str(AlreadySubmitted()))
            return redirect("rating-list", tenant_slug=request.tenant.slug)
        context = {"assignment": assignment, "submitted": True}
        return render(request, "feedback/ratings/form.html", context)
    initial = {"comment": draft.comment if draft else "", "lock_version": draft.lock_version if draft else 0}
    if draft:
        initial.update({f"score_{pk}": value for pk, value in draft.scores.items()})
    form = RatingForm(request.POST or None, initial=initial, dimensions=dimensions)
    if request.method == "POST" and form.is_valid():
        submitting = request.POST.get("action") == "submit"
        try:
            if submitting:
                rating_submit(
                    actor=request.user, assignment=assignment, scores=form.scores(),
                    comment=form.cleaned_data["comment"],
                )  # fmt: skip
                messages.success(request, _("Thank you: your rating of %(name)s was submitted.")
                                 % {"name": _subject_name(assignment)})  # fmt: skip
                return redirect("rating-list", tenant_slug=request.tenant.slug)
            rating_draft_save(
                actor=request.user, assignment=assignment, lock_version=form.cleaned_data["lock_version"],
                scores=form.scores(), comment=form.cleaned_data["comment"],
            )  # fmt: skip
            messages.success(request, _("Draft saved. Submit it before the deadline."))
            return redirect("rating-form", tenant_slug=request.tenant.slug, pk=assignment.pk)
        except ValidationError as invalid:
            _form_errors(form, invalid)
            status = 400
        except StaleEditError as stale:
            note_stale(form, stale)
        except AlreadySubmitted as done:
            messages.info(request, str(done))
            return redirect("rating-list", tenant_slug=request.tenant.slug)
    elif request.method == "POST":
        status = 400
    context = {
        "assignment": assignment,
        "form": form,
        "attributed": is_attributed(assignment),
        "sections": rating_sections.collect(assignment),
        "submitted": False,
    }
    return render(request, "feedback/ratings/form.html", context, status=form_status(form, status=status))


def _subject_name(assignment) -> str:
    subject = assignment.subject
    return subject.org_unit.name if subject.org_unit_id else subject.employee.name
