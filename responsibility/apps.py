from django.apps import AppConfig


class ResponsibilityConfig(AppConfig):
    name = "responsibility"

    def ready(self) -> None:
        from responsibility.audit import audit_register

        audit_register()
