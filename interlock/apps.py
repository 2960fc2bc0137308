from django.apps import AppConfig


def home_scores_of(employee):
    """The home page's "My scores" panel (templates/collab/_my_scores.html): unit and position scores."""
    from interlock.selectors.dashboards import home_scores

    return home_scores(org_unit_id=employee.org_unit_id, position_id=employee.position_id)


def matrix_proposals_section(matrix) -> dict:
    """A section of the matrix page: the scorecard lines the matrix implies, unit by unit."""
    from interlock.proposals import matrix_scorecard_proposals

    return {"proposals": matrix_scorecard_proposals(matrix)}


class InterlockConfig(AppConfig):
    name = "interlock"

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate

        from collab.home import home_panels
        from collab.jobs import job_messages_register, register_job_resumer
        from collab.models import Job, OrgUnit
        from collab.page_cache import display_models_connect
        from collab.signals import period_closing, scoring_inputs_changed
        from interlock.audit import audit_register
        from interlock.models import Scorecard
        from interlock.recompute import (
            JOB_MESSAGES,
            scores_flush_before_close,
            scores_recompute_resume,
            scores_request_on_input_change,
        )
        from interlock.services.collaboration import collaboration_summaries_expire_on_unit_delete
        from interlock.services.scores import scores_backfill_after_migrate
        from responsibility.hooks import matrix_sections

        audit_register()
        period_closing.connect(scores_flush_before_close, dispatch_uid="interlock.scores_flush_before_close")
        scoring_inputs_changed.connect(
            scores_request_on_input_change, dispatch_uid="interlock.scores_request_on_input_change"
        )
        register_job_resumer(Job.Kind.SCORE_RECOMPUTE, scores_recompute_resume)
        job_messages_register(JOB_MESSAGES)
        post_migrate.connect(
            scores_backfill_after_migrate, sender=self, dispatch_uid="interlock.scores_backfill_after_migrate"
        )
        post_delete.connect(
            collaboration_summaries_expire_on_unit_delete, sender=OrgUnit,
            dispatch_uid="interlock.collaboration_summaries_expire_on_unit_delete",
        )  # fmt: skip
        display_models_connect(Scorecard)  # cached page bodies say whether a unit has one, and its state
        home_panels.register("scores", home_scores_of)
        matrix_sections.register("interlock/scorecards/_matrix_proposals.html", matrix_proposals_section)
