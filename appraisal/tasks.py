"""Celery tasks of the appraisal app (thin: a service each, idempotent).

- `appraisals_answers_daily(tenant_id)`: results not answered by their deadline are confirmed
  automatically, and appeals the manager's manager let lapse pass to HR. (The lead folds it into the setup
  part's `appraisals_daily`.) Running it twice on a day changes nothing the second time."""

from __future__ import annotations

from collab.tasks import tenant_task


@tenant_task(name="appraisal.answers_daily", acks_late=True, reject_on_worker_lost=True)
def appraisals_answers_daily(tenant_id: int) -> dict:
    from appraisal.services.appeals import appeals_escalate
    from appraisal.services.release import results_auto_confirm

    return {"auto_confirmed": results_auto_confirm(), "escalated": appeals_escalate()}
