"""The collaboration event log (绩效颗粒化, seed 000 §二.1): what units and people asked of each other,
answered, delivered, met about, commented and approved, as it happened. Events are facts: recorded once
(in the app, by the API, by an import), never rewritten — the one change allowed is the completion of an
open request or deliverable (`done_at`, once; `LockVersioned` so two people completing it at once get a
409).

The measures derived from the log are defined in `feedback.engine.events`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from collab.concurrency import LockVersioned
from collab.models import Employee, OrgUnit
from collab.tenancy import TenantOwned

TITLE_MAX = 200
DESCRIPTION_MAX = 2000
EXTERNAL_ID_MAX = 100


class EventKind(models.TextChoices):
    REQUEST = "request", _("Request")
    RESPONSE = "response", _("Response")
    DELIVERABLE = "deliverable", _("Deliverable")
    MEETING = "meeting", _("Meeting")
    COMMENT = "comment", pgettext_lazy("collaboration event kind", "Comment")  # not a rating's 评语
    APPROVAL = "approval", _("Approval")


# A comment may stay inside a unit; every other kind is between two units by nature.
SAME_UNIT_KINDS = frozenset({EventKind.COMMENT})
# What can be completed later (done_at): an open request, a deliverable not yet delivered.
COMPLETABLE_KINDS = frozenset({EventKind.REQUEST, EventKind.DELIVERABLE})


class EventSource(models.TextChoices):
    APP = "app", _("Recorded in the app")
    API = "api", _("API")
    IMPORT = "import", _("Import")


class CollaborationEvent(TenantOwned, LockVersioned):
    """One thing that happened between two units (and optionally two people)."""

    kind = models.CharField(_("kind"), max_length=20, choices=EventKind.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    description = models.TextField(_("description"), blank=True)
    # The units' and the answered request's look-ups are served by the composite indexes below (led by the
    # tenant, as the composite tenant foreign keys are): no single-column index of their own to maintain.
    from_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("from unit"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    to_unit = models.ForeignKey(
        OrgUnit, verbose_name=_("to unit"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    from_employee = models.ForeignKey(
        Employee,
        verbose_name=_("from person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    to_employee = models.ForeignKey(
        Employee,
        verbose_name=_("to person"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    occurred_at = models.DateTimeField(_("occurred at"))
    due_at = models.DateTimeField(_("due at"), null=True, blank=True)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    # Meetings: did the invited unit (to_unit) attend? None: not recorded (counts as not attended).
    attended = models.BooleanField(_("attended"), null=True, blank=True)
    answers = models.ForeignKey(
        "self", verbose_name=_("answers request"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="responses", db_index=False,
    )  # fmt: skip
    source = models.CharField(
        _("source"), max_length=10, choices=EventSource.choices, default=EventSource.APP
    )
    external_id = models.CharField(_("external id"), max_length=EXTERNAL_ID_MAX, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recorded by"), null=True, blank=True,
        on_delete=models.SET_NULL, related_name="+", db_index=False,
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["tenant", "external_id"],
                condition=~Q(external_id=""),
                name="event_unique_external_id",
            ),
            models.CheckConstraint(
                condition=Q(due_at__isnull=True) | Q(due_at__gte=models.F("occurred_at")),
                name="event_due_after",
            ),
            models.CheckConstraint(
                condition=Q(done_at__isnull=True) | Q(done_at__gte=models.F("occurred_at")),
                name="event_done_after",
            ),
        ]
        indexes = [
            # The list's order (newest first; keyset pages) and the measures' reads by time.
            models.Index(fields=["tenant", "-occurred_at", "-id"], name="event_list_idx"),
            models.Index(fields=["tenant", "to_unit", "-occurred_at", "-id"], name="event_to_unit_idx"),
            models.Index(fields=["tenant", "from_unit", "-occurred_at", "-id"], name="event_from_unit_idx"),
            models.Index(
                fields=["tenant", "kind", "due_at"],
                name="event_kind_due_idx",
                condition=Q(due_at__isnull=False),
            ),
            models.Index(
                fields=["tenant", "answers"], name="event_answers_idx", condition=Q(answers__isnull=False)
            ),
            # Most events name no person: only those that do take an index entry.
            models.Index(
                fields=["tenant", "from_employee"],
                name="event_from_person_idx",
                condition=Q(from_employee__isnull=False),
            ),
            models.Index(
                fields=["tenant", "to_employee"],
                name="event_to_person_idx",
                condition=Q(to_employee__isnull=False),
            ),
        ]
        ordering = ["-occurred_at", "-id"]
        verbose_name = _("collaboration event")
        verbose_name_plural = _("collaboration events")

    def __str__(self) -> str:
        return self.title

    @property
    def is_completable(self) -> bool:
        return self.kind in COMPLETABLE_KINDS and self.done_at is None
