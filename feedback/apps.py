from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from feedback.audit import audit_register

        audit_register()

        from feedback.services.event_kpis import event_data_sources
        from goals.hooks import kpi_data_sources

        kpi_data_sources.register("feedback.events", event_data_sources)
