from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def home_ratings_of(employee):
    """The home page's "Ratings to give" panel (templates/feedback/ratings/_home.html)."""
    from feedback.selectors.campaigns import ratings_to_give

    return ratings_to_give(employee)


def home_unit_reviews_of(employee):
    """The manager home's "My unit's review results" panel (templates/feedback/results/_home.html). Lazy: the
    providers run for the employee home too, which does not show it, so its queries run only where the
    template reads it."""
    from django.utils.functional import SimpleLazyObject

    from feedback.selectors.unit_home import unit_review_home

    return SimpleLazyObject(lambda: unit_review_home(employee))


class FeedbackConfig(AppConfig):
    name = "feedback"
    verbose_name = _("Feedback")

    def ready(self) -> None:
        from collab.home import home_panels
        from feedback.audit import audit_register
        from feedback.selectors.points import home_points, points_for_scores
        from interlock.hooks import score_points

        audit_register()
        home_panels.register("ratings", home_ratings_of)
        # Approved bonus/penalty points feed the score engine (an entry counts toward its frozen unit's and
        # position's scorecards, see feedback.services.points.ledger) and the homes' "My points" tile.
        score_points.register("feedback.points", points_for_scores)
        home_panels.register("points", home_points)
        home_panels.register("unit_reviews", home_unit_reviews_of)

        from feedback.services.event_kpis import event_data_sources
        from goals.hooks import kpi_data_sources

        kpi_data_sources.register("feedback.events", event_data_sources)

        from feedback.hooks import rating_sections
        from feedback.selectors.events import rating_events

        # While rating, the rater sees what was recorded between the rated side and theirs (facts).
        rating_sections.register("feedback/events/_rating_section.html", rating_events)

        from feedback.selectors.engine_feed import score_ratings, score_review_campaigns
        from interlock.hooks import review_campaigns
        from interlock.hooks import score_ratings as ratings_hook

        # Released internal-customer ratings feed the score engine's review part (k is the engine's); the
        # campaigns behind them tell the breakdown why none counted (none, one still open, too few raters).
        ratings_hook.register("feedback.reviews", score_ratings)
        review_campaigns.register("feedback.reviews", score_review_campaigns)
