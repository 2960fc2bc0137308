from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Process monitoring and alerts")

    def ready(self) -> None:
        from alerts.audit import audit_register

        audit_register()
