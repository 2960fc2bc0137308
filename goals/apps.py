from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"

    def ready(self) -> None:
        from collab.home import home_panels
        from goals.audit import audit_register
        from goals.selectors.reach import goals_reaching

        audit_register()
        home_panels.register("reach", goals_reaching)  # "My goals" (templates/collab/_my_goals.html)
