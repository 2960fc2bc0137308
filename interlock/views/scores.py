"""Score pages: a period's scores as a ranking, the breakdown of any total, "Recompute now" and job progress.

`/t/<slug>/interlock/scores/`               ranking of a period's snapshots (filters, 25 a page); a click on
                                            a total opens its breakdown beside the table (htmx)
`/t/<slug>/interlock/scores/<id>/`          one snapshot's breakdown (full page, or the panel for htmx)
`/t/<slug>/interlock/scores/recompute/`     POST (HR admin): queue the period's recompute → its job page
`/t/<slug>/interlock/jobs/<id>/`            a job's progress bar, polled by htmx until it ends
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from collab.access import access_job_by_id
from collab.forms import show_period
from collab.jobs import job_progress
from collab.models import ALL_ROLES, Period
from collab.page_cache import cached_body, query_key
from collab.pages import HR_ONLY, paginate, tenant_page
from collab.routing.ids import parse_id
from collab.selectors.org import holder_unit_names, repeated_unit_names
from collab.selectors.periods import default_period, period_by_id, periods_ordered
from interlock.access import access_snapshot_by_id, readable_snapshots, sees_all_units
from interlock.forms import RecomputeForm, ScoreFilterForm
from interlock.recompute import scores_recompute_request
from interlock.selectors.dashboards import own_scored_period_ids, results_stamp
from interlock.selectors.scores import (
    active_recompute_job,
    explain,
    snapshot_queryset,
    snapshot_search,
    subject_label,
)


@tenant_page(read=ALL_ROLES)
def score_list(request):
    """A period's scores the reader may read, ranked. The table is cached under the stored results' stamp
    and whose scores they are (`collab.page_cache`); the recompute job's progress is read every time."""
    form = ScoreFilterForm(request.GET or None)
    period, data, periods = None, {}, periods_ordered()
    if not form.is_bound or form.is_valid():
        data = form.cleaned_data if form.is_bound else {}
        # The latest period with scores (as the dashboards and the scorecard list open), not an empty month.
        period = data.get("period") or default_period(
            periods, own_scored_period_ids(membership=request.membership, user=request.user)
        )
        if period is not None:
            show_period(form, period)
    sees_all = sees_all_units(request.membership)
    context = {
        "filter_form": form,
        "periods": periods,  # the picker's options, rendered once per list of periods (`period_options`)
        "period": period,
        "filtered": any(request.GET.get(k) for k in ("kind", "q", "flag")),
        "sees_all": sees_all,
    }

    def render_results() -> str:
        snapshots = snapshot_queryset().none()
        if period is not None:
            found = snapshot_search(
                period=period, kind=data.get("kind", ""), q=data.get("q", ""), flag=data.get("flag", "")
            )
            snapshots = readable_snapshots(found, membership=request.membership, user=request.user)
        page = paginate(request, snapshots)
        offset = page.start_index() - 1
        repeated = repeated_unit_names(holder_unit_names(page.object_list))
        rows = [
            (offset + i + 1, snap, subject_label(snap, repeated)) for i, snap in enumerate(page.object_list)
        ]
        return render_to_string(
            "interlock/scores/list.html#results", {**context, "page": page, "rows": rows}, request=request
        )

    results = cached_body(
        request,
        page="scores",
        stamp=results_stamp() if period is not None else None,
        vary=(period.pk if period else None, "all" if sees_all else request.user.pk, query_key(request)),
        render=render_results,
    )
    if request.htmx:
        return HttpResponse(results)
    context.update(
        results=results,
        job=active_recompute_job(period),
        period_closed=period is not None and period.status == Period.Status.CLOSED,
    )
    return render(request, "interlock/scores/list.html", context)


@tenant_page(read=ALL_ROLES)
def score_detail(request, pk: int):
    snapshot = access_snapshot_by_id(request.membership, pk, user=request.user)
    subject = subject_label(snapshot, repeated_unit_names(holder_unit_names([snapshot])))
    context = {"snap": snapshot, "subject": subject, "x": explain(snapshot)}
    template = "interlock/scores/detail.html#breakdown" if request.htmx else "interlock/scores/detail.html"
    return render(request, template, context)


@tenant_page(read=HR_ONLY, write=HR_ONLY)
def score_recompute(request):
    if request.method != "POST":
        return redirect("score-list", tenant_slug=request.tenant.slug)
    form = RecomputeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a period to recompute."))
        return redirect("score-list", tenant_slug=request.tenant.slug)
    period = form.cleaned_data["period"]
    job = scores_recompute_request(period=period, reason="manual", actor=request.user, force=True)
    if job is None:
        message = _("The period %(period)s is closed and read-only.") % {"period": period.label}
        messages.error(request, message)
        return redirect("score-list", tenant_slug=request.tenant.slug)
    if request.htmx:
        job = access_job_by_id(request.membership, job.pk)  # as the worker has it now
        context = {"job": job, "progress": job_progress(job)}
        return render(request, "interlock/jobs/detail.html#progress", context)
    return redirect("job-detail", tenant_slug=request.tenant.slug, pk=job.pk)


@tenant_page(read=ALL_ROLES)
def job_detail(request, pk: int):
    job = access_job_by_id(request.membership, pk)
    period = None
    if job.key.startswith("period:"):
        period = period_by_id(parse_id(job.key[7:]))
    context = {"job": job, "progress": job_progress(job), "period": period}
    if request.htmx:
        return render(request, "interlock/jobs/detail.html#progress", context)
    return render(request, "interlock/jobs/detail.html", context)
