"""The audit actions of the KPI library, the strategy map, the goal tree and measurements.

The codes its services record (`collab.audit.audit_record`) and their names in the log, registered from
the app's `AppConfig.ready()`."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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
