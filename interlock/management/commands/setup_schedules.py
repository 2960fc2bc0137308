"""`manage.py setup_schedules`: create or update the Celery beat schedules (django-celery-beat), idempotently.

Run by `make run` and by the deployment after `migrate` (docker-compose's migrate service). It holds
- the nightly full score recompute (02:00 in the server's time zone): a platform task that queues one tenant
  task per active tenant, each queueing the recompute of its active and in-review periods;
- the appraisals' daily run (06:00): `appraisal.appraisals_daily_all_tenants` (calendar moves, reminders);
- the alerts' hourly check (minute 5): `alerts.alerts_check_all_tenants` (evaluate rules, notify, escalate);
- the stale-job sweep (every minute): `collab.requeue_stale_jobs` lists the jobs whose heartbeat stopped (a
  worker killed outright) and requeues each in its tenant's scope, so they resume (collab/jobs.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand
from django.db import transaction

NIGHTLY_NAME = "interlock: nightly score recompute"
NIGHTLY_TASK = "interlock.recompute_all_tenants_nightly"
STALE_JOBS_NAME = "collab: requeue jobs whose worker stopped"
STALE_JOBS_TASK = "collab.requeue_stale_jobs"
STALE_JOBS_EVERY = 60  # seconds
CAMPAIGNS_NAME = "feedback: close due review campaigns, remind raters"
CAMPAIGNS_TASK = "feedback.campaigns_daily_all_tenants"
APPRAISALS_NAME = "appraisal: move appraisals with the calendar, remind before deadlines"
APPRAISALS_TASK = "appraisal.appraisals_daily_all_tenants"
ALERTS_NAME = "alerts: evaluate alert rules, notify, escalate"
ALERTS_TASK = "alerts.alerts_check_all_tenants"


class Command(BaseCommand):
    help = (
        "Create or update the periodic tasks (nightly score recompute, stale-job sweep, review campaigns, "
        "appraisals, alert checks). "
        "Safe to run any number of times."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        from django.conf import settings
        from django_celery_beat.models import CrontabSchedule, IntervalSchedule, PeriodicTask

        crontab, _ = CrontabSchedule.objects.get_or_create(
            minute="0",
            hour="2",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        task, created = PeriodicTask.objects.update_or_create(
            name=NIGHTLY_NAME,
            defaults={"task": NIGHTLY_TASK, "crontab": crontab, "interval": None, "enabled": True},
        )
        verb = "created" if created else "up to date"
        self.stdout.write(f"{NIGHTLY_NAME}: {verb} ({task.task} at 02:00 {settings.TIME_ZONE})")
        every, _ = IntervalSchedule.objects.get_or_create(
            every=STALE_JOBS_EVERY, period=IntervalSchedule.SECONDS
        )
        sweep, created = PeriodicTask.objects.update_or_create(
            name=STALE_JOBS_NAME,
            defaults={"task": STALE_JOBS_TASK, "interval": every, "crontab": None, "enabled": True},
        )
        verb = "created" if created else "up to date"
        self.stdout.write(f"{STALE_JOBS_NAME}: {verb} ({sweep.task} every {STALE_JOBS_EVERY} s)")
        morning, _ = CrontabSchedule.objects.get_or_create(
            minute="0",
            hour="6",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        daily, created = PeriodicTask.objects.update_or_create(
            name=CAMPAIGNS_NAME,
            defaults={"task": CAMPAIGNS_TASK, "crontab": morning, "interval": None, "enabled": True},
        )
        verb = "created" if created else "up to date"
        self.stdout.write(f"{CAMPAIGNS_NAME}: {verb} ({daily.task} at 06:00 {settings.TIME_ZONE})")
        appraisals, created = PeriodicTask.objects.update_or_create(
            name=APPRAISALS_NAME,
            defaults={"task": APPRAISALS_TASK, "crontab": morning, "interval": None, "enabled": True},
        )
        verb = "created" if created else "up to date"
        self.stdout.write(f"{APPRAISALS_NAME}: {verb} ({appraisals.task} at 06:00 {settings.TIME_ZONE})")
        hourly, _ = CrontabSchedule.objects.get_or_create(
            minute="5",
            hour="*",
            day_of_week="*",
            day_of_month="*",
            month_of_year="*",
            timezone=settings.TIME_ZONE,
        )
        alerts, created = PeriodicTask.objects.update_or_create(
            name=ALERTS_NAME,
            defaults={"task": ALERTS_TASK, "crontab": hourly, "interval": None, "enabled": True},
        )
        verb = "created" if created else "up to date"
        self.stdout.write(f"{ALERTS_NAME}: {verb} ({alerts.task} every hour at :05)")
