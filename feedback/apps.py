from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_ratings_of(employee):
    """The home page's "Ratings to give" panel (templates/feedback/ratings/_home.html)."""
    from feedback.selectors.campaigns import ratings_to_give

    return ratings_to_give(employee)


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from collab.home import home_panels
        from feedback.audit import audit_register

        audit_register()
        home_panels.register("ratings", home_ratings_of)
