from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "responsibility"

    def ready(self) -> None:
        from collab.audit import audit_actions_register
        from responsibility.audit import ResponsibilityAuditAction

        audit_actions_register(ResponsibilityAuditAction)
