"""`{% load collab_jobs %}`: a job's message in the reader's language (`collab.jobs.job_message`)."""

from __future__ import annotations

from django import template

from collab.jobs import job_message as _job_message

register = template.Library()


@register.filter
def job_message(job) -> str:
    return _job_message(job)
