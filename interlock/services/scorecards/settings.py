"""The tenant's scoring settings."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from collab.audit import audit_record, snapshot
from collab.tenancy import current_tenant


@transaction.atomic
def tenant_scoring_settings_update(
    *, actor, anonymity_threshold: Any, point_cap: Any, min_collaborative_weight: Any
):
    """The tenant's scoring settings (anonymity threshold k ≥ 3, points cap ≥ 0, minimum collaborative
    weight 0–50 %), validated by the model's own validators."""
    from collab.models import Tenant

    tenant = Tenant.objects.select_for_update().get(pk=current_tenant().pk)
    fields = ["anonymity_threshold", "point_cap", "min_collaborative_weight"]
    before = snapshot(tenant, fields)
    old_values = [getattr(tenant, name) for name in fields]
    tenant.anonymity_threshold = anonymity_threshold
    tenant.point_cap = point_cap
    tenant.min_collaborative_weight = min_collaborative_weight
    tenant.full_clean(exclude=[f.name for f in Tenant._meta.fields if f.name not in fields])
    tenant.save(update_fields=fields)
    audit_record(
        actor=actor,
        action="tenant.scoring_settings",
        object_type="collab.tenant",
        object_id=tenant.pk,
        object_repr=str(tenant),
        before=before,
        after=snapshot(tenant, fields),
    )
    tenant.refresh_from_db(fields=fields)
    if old_values != [getattr(tenant, name) for name in fields]:  # they change scores: recompute open periods
        from interlock.recompute import scores_recompute_request_tenant

        scores_recompute_request_tenant(reason="settings")
    return tenant


__all__ = [
    "tenant_scoring_settings_update",
]
