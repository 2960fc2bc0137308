from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"

    def ready(self) -> None:
        from collab.home import home_panels, setup_steps
        from collab.page_cache import display_models_connect
        from goals.audit import audit_register
        from goals.models import KPI, Goal
        from goals.selectors.kpis import kpis_and_goals_set_up
        from goals.selectors.reach import goals_reaching
        from goals.stamp import stamp_receivers_connect

        audit_register()
        stamp_receivers_connect()  # the roll-up cache's key changes with every scoring input
        display_models_connect(KPI, Goal)  # cached page bodies name them (`collab.page_cache`)
        home_panels.register("reach", goals_reaching)  # "My goals" (templates/collab/_my_goals.html)
        setup_steps.register("kpis_and_goals", kpis_and_goals_set_up)  # the HR checklist's step 5
