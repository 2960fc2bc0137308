from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_unit_alerts(employee):
    """The manager home's "Score and alerts" card: the open alerts of stages the person's unit (or one below
    it) owns or works with (templates/alerts/alert/_home.html). Lazy: the providers run for the employee
    home too, which does not show it, so its queries run only where the template reads it."""
    from django.utils.functional import SimpleLazyObject

    from alerts.selectors.alerts import unit_open_alerts

    return SimpleLazyObject(lambda: unit_open_alerts(employee))


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Process monitoring and alerts")

    def ready(self) -> None:
        from alerts.audit import audit_register
        from alerts.services.event_log_import import JOB_MESSAGES, event_log_import_resume
        from collab.home import home_panels
        from collab.jobs import job_messages_register, register_job_resumer
        from collab.models import Job

        audit_register()
        home_panels.register("unit_alerts", home_unit_alerts)
        job_messages_register(JOB_MESSAGES)
        register_job_resumer(Job.Kind.EVENT_LOG_IMPORT, event_log_import_resume)
