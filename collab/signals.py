"""Signal handlers of the platform, connected in `CollabConfig.ready()`."""

from __future__ import annotations

from django.db.models.signals import post_migrate
from django.dispatch import Signal

# Sent by `collab.services.org.periods.period_advance` inside its transaction, with the period row locked,
# just before a period becomes closed (read-only): areas that derive data from the period's inputs finish
# pending work now (`period`, `actor`). A receiver's error aborts the close.
period_closing = Signal()

# Sent by the services whose writes change what scores are computed from, inside the writer's transaction
# (so what a receiver queues is rolled back with a failed write, and its work starts once the write
# commits), with `reason` and `actor`, and by reason:
#   "kpi":         `kpi_id`, whose scoring rule (direction, cap, aggregation, active) changed;
#   "measurement": `changes`, {period id: {KPI ids}} whose measurements changed;
#   "matrix":      `kpi_id` and `effective_from` (a period), a responsibility matrix version that changed.
# Upper areas that derive data from these inputs (interlock's scores) connect to it.
scoring_inputs_changed = Signal()


def secure_tenant_tables(sender, using="default", **kwargs) -> None:
    """After every migrate (and flush): row-level security on every tenant table, in every app.

    post_migrate is sent once per app after all migrations ran; acting on the collab app's signal
    covers every app's tables, since the policy set is computed from the whole model registry.
    """
    if getattr(sender, "name", None) != "collab":
        return
    from collab.rls.policies import apply_row_level_security

    apply_row_level_security(using=using)


def connect() -> None:
    post_migrate.connect(secure_tenant_tables, dispatch_uid="collab.secure_tenant_tables")
