"""Django admin for platform staff: manage tenants; read (never write) the audit log.

Platform staff work outside any tenant, so the tenant-owned models registered here read through
`all_tenants` (each use justified below). Nothing else tenant-owned is registered: staff manage
companies, they do not browse a company's data.
"""

from __future__ import annotations

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_record, snapshot
from collab.models import AuditEvent, Tenant
from collab.tenancy import all_tenants, tenant_scope


@admin.register(Tenant)
class TenantAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "locale", "timezone", "is_active", "created_at")
    list_filter = ("is_active", "locale")
    search_fields = ("slug", "name")
    ordering = ("slug",)
    readonly_fields = ("created_at",)

    def get_readonly_fields(self, request, obj=None):
        # The slug is in every URL and API client of the tenant: fixed once created.
        return ("slug", "created_at") if obj is not None else ("created_at",)

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deleting a tenant would destroy its append-only audit log; deactivate it instead.
        return False

    @transaction.atomic
    def save_model(self, request, obj, form, change):
        before = snapshot(Tenant.objects.get(pk=obj.pk)) if change else None
        super().save_model(request, obj, form, change)
        with tenant_scope(obj):
            audit_record(
                actor=request.user,
                action="tenant.update" if change else "tenant.create",
                obj=obj,
                before=before,
                after=snapshot(obj),
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: no add, change or delete for anyone, superusers included."""

    list_display = ("created_at", "tenant", "actor_name", "action", "object_type", "object_id", "object_repr")
    list_filter = ("tenant", "action", "object_type")
    search_fields = ("actor_name", "action", "object_type", "object_id", "object_repr")
    date_hierarchy = "created_at"
    list_select_related = ("tenant",)
    fields = (
        "tenant",
        "created_at",
        "actor",
        "actor_name",
        "action",
        "object_type",
        "object_id",
        "object_repr",
        "before",
        "after",
    )
    readonly_fields = fields
    actions = None
    show_full_result_count = False

    def get_queryset(self, request):
        # all_tenants: platform staff audit the whole deployment from the admin, outside any tenant;
        # the admin only reads (every write permission below is refused).
        with all_tenants("platform staff read the audit log of every tenant in Django admin"):
            return super().get_queryset(request).select_related("tenant")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    # The queryset above is built unscoped; on PostgreSQL the row-level-security wall is lifted per
    # connection only while `all_tenants` is open, so the views evaluate and render inside it too.
    def changelist_view(self, request, extra_context=None):
        with all_tenants("platform staff list the audit log of every tenant in Django admin"):
            return _rendered(super().changelist_view(request, extra_context))

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        with all_tenants("platform staff read one audit event in Django admin"):
            return _rendered(super().changeform_view(request, object_id, form_url, extra_context))

    def history_view(self, request, object_id, extra_context=None):
        with all_tenants("platform staff read an audit event's admin history"):
            return _rendered(super().history_view(request, object_id, extra_context))


def _rendered(response):
    """Render a TemplateResponse now, while the scope that lets it read is still open."""
    if hasattr(response, "render") and not getattr(response, "is_rendered", True):
        response.render()
    return response


admin.site.site_header = _("Collab platform administration")
admin.site.site_title = _("Collab admin")
