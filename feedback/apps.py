from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from feedback.audit import audit_register
        from feedback.selectors.engine_feed import score_ratings
        from interlock.hooks import score_ratings as ratings_hook

        audit_register()
        ratings_hook.register("feedback.reviews", score_ratings)
