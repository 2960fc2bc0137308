"""One recompute per tenant and period at a time: the period row lock (PostgreSQL; SQLite serialises every
writer anyway). Committed data and two connections, so `transaction=True`."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection, connections, transaction

from collab.models import Period
from collab.tenancy import tenant_scope
from interlock.models import ScoreSnapshot
from interlock.services.scores import scores_recompute
from tests.factories.interlock import build_seed_tables

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_second_recompute_waits_for_the_first(tenant_a):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (set DATABASE_URL)")
    with tenant_scope(tenant_a):
        world = build_seed_tables()
    held, release, finished = threading.Event(), threading.Event(), []

    def first_run():  # stands in for a running recompute: holds the period row lock until released
        try:
            with tenant_scope(tenant_a), transaction.atomic():
                Period.objects.select_for_update().get(pk=world.period.pk)
                held.set()
                release.wait(10)
        finally:
            connections.close_all()

    def second_run():
        try:
            with tenant_scope(tenant_a):
                finished.append(scores_recompute(period=world.period.pk))
        finally:
            connections.close_all()

    holder = threading.Thread(target=first_run)
    holder.start()
    assert held.wait(10)
    waiter = threading.Thread(target=second_run)
    waiter.start()
    time.sleep(1.0)
    assert finished == []  # blocked on the lock
    release.set()
    holder.join(10)
    waiter.join(20)
    assert len(finished) == 1 and finished[0].snapshots == 3
    with tenant_scope(tenant_a):
        assert ScoreSnapshot.objects.filter(period=world.period).count() == 3
