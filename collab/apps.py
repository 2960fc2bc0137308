from django.apps import AppConfig


class CollabConfig(AppConfig):
    name = "collab"
    verbose_name = "Collab platform"

    def ready(self) -> None:
        from collab import signals
        from collab.audit import AuditAction, audit_actions_register

        signals.connect()
        audit_actions_register(AuditAction)
