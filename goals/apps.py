from django.apps import AppConfig


class GoalsConfig(AppConfig):
    name = "goals"

    def ready(self) -> None:
        from collab.audit import audit_actions_register
        from collab.home import home_panels
        from goals.audit import GoalsAuditAction
        from goals.selectors.reach import goals_reaching

        audit_actions_register(GoalsAuditAction)
        home_panels.register("reach", goals_reaching)  # "My goals" (templates/collab/_my_goals.html)
