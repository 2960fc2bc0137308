"""The words of the log: labels for actions, object types and keys, the naming expressions apps register
(`audit_object_words_register`), and which model a snapshot key refers to.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Case, CharField, F, Model, Value, When
from django.db.models.functions import Cast, Concat, LPad
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from collab.audit import audit_action_labels
from collab.models import Period, Role

# --- words for codes: actions, object types, snapshot fields and values ----------------------------

# Snapshot keys that are not fields of the audited model but still name another object or choices.
EXTRA_REFERENCES = {
    "collab.membership": {"employee": "collab.employee"},
    "collab.period": {"period": "collab.period"},  # a goal tree's publication
}
EXTRA_CHOICES = {"collab.membership": {"roles": Role.choices}}


# Words where a model's own verbose name is missing or not what the pages call it.
OBJECT_TYPE_LABELS = {"collab.tenant": _("Company"), "collab.membership": _("Member")}
KEY_LABELS = {
    "user": _("User"),
    "updated_by": _("Updated by"),
    "goals": _("Goals"),
    "weights": _("Weights"),  # a reweight's
    "sum": _("Weight sum"),
    # fields whose verbose name Django made from the field's name (so never translated)
    "published_at": _("Published at"),
    "created_at": _("Created at"),
    "updated_at": _("Updated at"),
    "deactivated_at": _("Deactivated at"),
    "lock_version": _("Edit version"),
    "version": _("Version"),
    "depth": _("Depth"),
    "path": _("Tree path"),
    # a recompute's counts
    "snapshots": _("Scores written"),
    "deleted": _("Old scores removed"),
    "matrix_rows": _("Matrix rows scored"),
    "partial": _("Partial"),
    "scorecards": _("Scorecards"),
}


# --- how referenced objects are named: database expressions, so that one query names any number of them and
# the log's search matches the words the reader sees. `via` reaches the object through a relation ("kpi__").


def _coded(via: str, name: str, code: str) -> Concat:
    return Concat(F(f"{via}{name}"), Value(" ("), F(f"{via}{code}"), Value(")"), output_field=CharField())


def unit_label_expr(via: str = "") -> Concat:
    """Same-named units exist in every subsidiary (生产部): a unit is named with its code."""
    return _coded(via, "name", "code")


def position_label_expr(via: str = "") -> Concat:
    return _coded(via, "title", "code")


def _employee_label(via: str = "") -> Concat:
    return _coded(via, "name", "employee_no")


def period_label_expr(via: str = "") -> Case:
    """As Period.label: 2026, 2026 Q4, 2026-03."""
    year = Cast(F(f"{via}year"), CharField())
    return Case(
        When(
            **{f"{via}kind": Period.Kind.QUARTER},
            then=Concat(year, Value(" Q"), Cast(F(f"{via}quarter"), CharField())),
        ),
        When(
            **{f"{via}kind": Period.Kind.MONTH},
            then=Concat(year, Value("-"), LPad(Cast(F(f"{via}month"), CharField()), 2, Value("0"))),
        ),
        default=year,
        output_field=CharField(),
    )


REFERENCE_LABELS: dict[str, Callable[[], Any]] = {
    "collab.orgunit": unit_label_expr,
    "collab.position": position_label_expr,
    "collab.employee": _employee_label,
    "collab.period": period_label_expr,
}
# Snapshot values that are dicts keyed by ids of another object (a reweight's {"<goal id>": "40.00"}).
KEYED_BY_REFERENCES: dict[str, dict[str, str]] = {}

# Objects whose own name is made of ids (a scorecard is "unit:44@52"): named by these snapshot fields.
OBJECT_NAME_FIELDS: dict[str, tuple[str, ...]] = {}
# Objects whose events may change their children instead (a reweight of a goal's children is recorded on
# their parent goal with only {"period", "parent", "weights"} in its snapshots): such an event is named by
# the parent (the snapshot key given here), or the period's top level.
SIBLINGS_PARENTS: dict[str, str] = {}


def audit_object_words_register(
    object_type: str,
    *,
    label: Callable[[str], Any] | None = None,
    name_fields: tuple[str, ...] = (),
    keyed_by: dict[str, str] | None = None,
    siblings_parent: str = "",
) -> None:
    """How the log words an app's objects (registered from the app's `AppConfig.ready()`): `label`, a
    database expression naming one by its relation path ("kpi__"); `name_fields`, the snapshot fields that
    name an object whose stored name is made of ids; `keyed_by`, snapshot keys whose dict values are keyed
    by ids of another object type; `siblings_parent`, see SIBLINGS_PARENTS."""
    if label is not None:
        REFERENCE_LABELS[object_type] = label
    if name_fields:
        OBJECT_NAME_FIELDS[object_type] = name_fields
    if keyed_by:
        KEYED_BY_REFERENCES[object_type] = keyed_by
    if siblings_parent:
        SIBLINGS_PARENTS[object_type] = siblings_parent


def action_label(code: str) -> str:
    """The action in the reader's language; an action nobody has named yet shows its code."""
    return str(audit_action_labels().get(code, code))


def _model(object_type: str) -> type[Model] | None:
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    if object_type in OBJECT_TYPE_LABELS:
        return str(OBJECT_TYPE_LABELS[object_type])
    model = _model(object_type)
    return capfirst(model._meta.verbose_name) if model is not None else object_type


def _field(model: type[Model] | None, key: str):
    if model is None:
        return None
    try:
        return model._meta.get_field(key)
    except FieldDoesNotExist:
        return None


def _referenced_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model a snapshot key points to (a foreign key, or a key named in EXTRA_REFERENCES)."""
    if model is None:
        return None
    extra = EXTRA_REFERENCES.get(model._meta.label_lower, {}).get(key)
    if extra:
        return apps.get_model(extra)
    field = _field(model, key)
    if field is not None and field.concrete and field.is_relation:
        return field.related_model
    return None


def _child_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model of rows nested under a reverse relation (a matrix's rows, a scorecard's lines)."""
    field = _field(model, key)
    return field.related_model if field is not None and field.one_to_many else None


def _ids(value: Any) -> list[int]:
    values = value if isinstance(value, list) else [value]
    return [v for v in values if isinstance(v, int) and not isinstance(v, bool)]


def _keyed_model(model: type[Model] | None, key: str) -> type[Model] | None:
    """The model whose ids key a snapshot's dict value (see KEYED_BY_REFERENCES)."""
    if model is None:
        return None
    keyed = KEYED_BY_REFERENCES.get(model._meta.label_lower, {}).get(key)
    return apps.get_model(keyed) if keyed else None


def _key_ids(value: dict) -> list[int]:
    return [int(key) for key in value if str(key).isdigit()]
