from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_not_talked_to(employee):
    """The manager home's "Not talked to this period" panel (templates/appraisal/check_ins/_home.html). Lazy:
    the providers run for the employee home too, which does not show it."""
    from django.utils import timezone
    from django.utils.functional import SimpleLazyObject

    from appraisal.selectors.check_ins import not_talked_panel

    return SimpleLazyObject(lambda: not_talked_panel(employee, timezone.localdate()))


def home_my_appraisal(employee):
    """The employee and manager homes' "My appraisal" panel (templates/appraisal/assessment/_home.html)."""
    from django.utils.functional import SimpleLazyObject

    from appraisal.selectors.home import my_appraisal_panel

    return SimpleLazyObject(lambda: my_appraisal_panel(employee))


class AppraisalConfig(AppConfig):
    name = "appraisal"
    verbose_name = _("Appraisal")

    def ready(self) -> None:
        from appraisal.audit import audit_register

        audit_register()

        from collab.home import home_panels

        # goals-checkins
        home_panels.register("not_talked_to", home_not_talked_to)
        home_panels.register("my_appraisal", home_my_appraisal)
