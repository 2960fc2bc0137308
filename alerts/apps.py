from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "alerts"
    verbose_name = _("Process monitoring and alerts")

    def ready(self) -> None:
        from alerts.audit import audit_register
        from alerts.services.event_log_import import JOB_MESSAGES, event_log_import_resume
        from collab.jobs import job_messages_register, register_job_resumer
        from collab.models import Job

        audit_register()
        job_messages_register(JOB_MESSAGES)
        register_job_resumer(Job.Kind.EVENT_LOG_IMPORT, event_log_import_resume)
