"""Reminders and the daily task: only raters with open assignments are reminded (in the app and by e-mail,
in their language), once after launch and then more often as the deadline nears — never twice on a day;
the daily task closes due campaigns once and is idempotent; setup_schedules registers it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from collab.models import Notification, UserProfile
from collab.tenancy import tenant_scope
from feedback.models import CampaignStatus, RaterAssignment, ReviewCampaign
from feedback.services.campaigns.launch import campaign_launch
from feedback.services.campaigns.rating import rating_submit
from feedback.services.campaigns.reminders import campaign_reminders_send, reminder_due
from feedback.tasks import campaigns_daily
from tests.factories.feedback_campaigns import campaign_world, full_scores

pytestmark = pytest.mark.django_db


@pytest.fixture
def world(scope_a):
    world = campaign_world(east=2, west=1, deadline_days=10)
    campaign_launch(actor=None, campaign=world.campaign, lock_version=world.campaign.lock_version)
    return world


def test_the_cadence():
    today = dt.date(2031, 3, 10)
    assert reminder_due(days_left=9, last=None, today=today)  # never reminded: the launch notice
    assert not reminder_due(days_left=9, last=dt.date(2031, 3, 9), today=today)
    assert all(reminder_due(days_left=d, last=dt.date(2031, 3, 9), today=today) for d in (7, 3, 1, 0))
    assert not reminder_due(days_left=3, last=today, today=today)  # never twice a day


def test_only_raters_with_open_assignments_are_reminded(world, tenant_b, django_capture_on_commit_callbacks):
    done = RaterAssignment.objects.get(rater=world.east[0])
    rating_submit(actor=done.rater.user, assignment=done, scores=full_scores(done))
    UserProfile.objects.update_or_create(user=world.west[0].user, defaults={"language": "zh-hans"})
    with tenant_scope(tenant_b):
        other = campaign_world(name="Bravo's")
        campaign_launch(actor=None, campaign=other.campaign, lock_version=other.campaign.lock_version)
    mail.outbox.clear()
    now = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        assert campaign_reminders_send(now=now) == 2
    reminded = set(Notification.objects.values_list("recipient_id", flat=True))
    assert reminded == {world.east[1].user_id, world.west[0].user_id}
    assert world.east[0].user_id not in reminded
    assert {tuple(m.to) for m in mail.outbox} == {(world.east[1].user.email,), (world.west[0].user.email,)}
    chinese = next(m for m in mail.outbox if m.to == [world.west[0].user.email])
    assert "待评价" in chinese.subject
    assert campaign_reminders_send(now=now + dt.timedelta(hours=1)) == 0  # not twice on a day
    assignment = RaterAssignment.objects.get(rater=world.east[1])
    assert assignment.reminders_sent == 1 and assignment.last_reminded_at is not None
    assert campaign_reminders_send(now=now + dt.timedelta(days=1)) == 0  # 9 days left: not a cadence day
    assert campaign_reminders_send(now=now + dt.timedelta(days=3)) == 2  # 7 days left
    assignment.refresh_from_db()
    assert assignment.reminders_sent == 2
    with tenant_scope(tenant_b):
        assert not Notification.objects.exists()


def test_the_rated_side_is_not_notified_per_rating(world):
    before = Notification.objects.count()
    done = RaterAssignment.objects.get(rater=world.east[0])
    rating_submit(actor=done.rater.user, assignment=done, scores=full_scores(done))
    assert Notification.objects.count() == before


def test_the_daily_task_closes_due_campaigns_once_and_reminds(world, tenant_a):
    ReviewCampaign.objects.filter(pk=world.campaign.pk).update(
        deadline=timezone.now() - dt.timedelta(minutes=1)
    )
    result = campaigns_daily.apply(args=[tenant_a.pk]).get()
    assert result == {"closed": [world.campaign.pk], "reminded": 0, "event_kpis": 0}
    world.campaign.refresh_from_db()
    assert world.campaign.status == CampaignStatus.CLOSED
    assert campaigns_daily.apply(args=[tenant_a.pk]).get() == {"closed": [], "reminded": 0, "event_kpis": 0}


def test_setup_schedules_registers_the_daily_run(db):
    from django.core.management import call_command
    from django_celery_beat.models import PeriodicTask

    call_command("setup_schedules")
    call_command("setup_schedules")
    task = PeriodicTask.objects.get(task="feedback.campaigns_daily_all_tenants")
    assert task.enabled and task.crontab.hour == "6"
