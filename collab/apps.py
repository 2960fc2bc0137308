from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Collab platform"

    def ready(self) -> None:
        from collab import signals
        from collab.audit import AuditAction, audit_actions_register
        from collab.models import Employee, OrgUnit, Position, Tenant
        from collab.page_cache import display_models_connect

        signals.connect()
        audit_actions_register(AuditAction)
        display_models_connect(Tenant, OrgUnit, Position, Employee)  # cached page bodies name them
