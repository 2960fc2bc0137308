"""The audit log's words for the KPI library, the strategy map, the goal tree and measurements.

The action codes its services record (`collab.audit.audit_record`) with their names, and how the log names
its objects; `audit_register()` runs from the app's `AppConfig.ready()`."""

from django.db import models
from django.db.models import Case, CharField, F, Value, When
from django.db.models.functions import Concat
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_actions_register
from collab.selectors.audit.vocabulary import (
    audit_object_words_register,
    period_label_expr,
    position_label_expr,
    unit_label_expr,
)


class GoalsAuditAction(models.TextChoices):
    KPI_CREATE = "kpi.create", _("KPI added")
    KPI_UPDATE = "kpi.update", _("KPI edited")
    KPI_DELETE = "kpi.delete", _("KPI deleted")
    KPI_IMPORT = "kpi.import", _("KPIs imported")
    OBJECTIVE_CREATE = "objective.create", _("Strategic objective added")
    OBJECTIVE_UPDATE = "objective.update", _("Strategic objective edited")
    OBJECTIVE_DELETE = "objective.delete", _("Strategic objective deleted")
    OBJECTIVE_LINK_CREATE = "objective_link.create", _("Strategy map link added")
    OBJECTIVE_LINK_DELETE = "objective_link.delete", _("Strategy map link removed")
    GOAL_CREATE = "goal.create", _("Goal added")
    GOAL_UPDATE = "goal.update", _("Goal edited")
    GOAL_MOVE = "goal.move", _("Goal moved")
    GOAL_DELETE = "goal.delete", _("Goal deleted")
    GOAL_REWEIGHT = "goal.reweight", _("Goal weights changed")
    GOAL_TREE_PUBLISH = "goal_tree.publish", _("Goal tree published")
    GOAL_TREE_COPY = "goal_tree.copy", _("Goal tree copied")
    MEASUREMENT_CREATE = "measurement.create", _("Measurement recorded")
    MEASUREMENT_UPDATE = "measurement.update", _("Measurement corrected")


def kpi_label_expr(via: str = "") -> Concat:
    """As KPI.__str__: code and name."""
    return Concat(F(f"{via}code"), Value(" "), F(f"{via}name"), output_field=CharField())


def goal_label_expr(via: str = "") -> Concat:
    """As a goal's own events name it (its name fields): unit · position (if it has one) · KPI · period."""
    position = Case(
        When(**{f"{via}position__isnull": True}, then=Value("")),
        default=Concat(Value(" · "), position_label_expr(f"{via}position__"), output_field=CharField()),
        output_field=CharField(),
    )
    return Concat(
        unit_label_expr(f"{via}org_unit__"), position, Value(" · "), kpi_label_expr(f"{via}kpi__"),
        Value(" · "), period_label_expr(f"{via}period__"), output_field=CharField(),
    )  # fmt: skip


def audit_register() -> None:
    audit_actions_register(GoalsAuditAction)
    audit_object_words_register("goals.kpi", label=kpi_label_expr)
    # A goal's stored name is made of ids; a reweight's snapshot values are keyed by its children's ids.
    audit_object_words_register(
        "goals.goal",
        label=goal_label_expr,
        name_fields=("org_unit", "position", "kpi", "period"),
        keyed_by={"weights": "goals.goal"},
        siblings_parent="parent",
    )
    audit_object_words_register("goals.measurement", name_fields=("kpi", "period"))
