"""API of the collaboration event log, routed by feedback/urls.py.

`/api/v1/t/<slug>/events/`              list (newest first, keyset pages; filters: unit, employee, kind,
                                        date_from, date_to, q), create one event
`/api/v1/t/<slug>/events/<id>/`         retrieve
`/api/v1/t/<slug>/events/<id>/complete/`  POST {lock_version, done_at}: an open request or deliverable done
`/api/v1/t/<slug>/events/bulk/`         POST a JSON list of up to 5,000 events: all or nothing
`/api/v1/t/<slug>/events/measures/`     GET ?period=<id>[&unit=<id>][&subject=person][&person=<id>]
                                        [&last=<n>]: the derived measures per unit, or per person
                                        (`subject=person`, or one `person`), in the period or its last n
                                        periods of its kind (the trend the measures page charts)

Events are facts: no update, no delete (a correction is a new event; completing is the one change).
Idempotent by `external_id`: a row whose external id is stored already with the same kind, units, time and
title is that event again — nothing is written and the answer is the same (create: 200 with the stored event
instead of 201; bulk: the same ids). Times without a zone are read in the tenant's time zone.

Bulk errors: 400 `{"detail", "rows": {"<index>": {"<field>": [messages]}}}` (indexes from 0; only bad rows);
ids of the bulk's rows are checked like every other field there (a missing or another tenant's unit is that
row's field error, not a 404: the call reports every bad row at once).

Who: everyone reads the events that name them or their unit (HR admins and auditors: all; managers: their
units and the units below). HR admins and managers record (a manager only events from or to their units) and
complete; an employee records events that come from them and completes those naming them; the bulk is for
HR admins (integrations). A person's measures: HR admins and auditors anyone's, a manager those of the people
in their units, everyone their own (anyone else's `person`: 404).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import exceptions, mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from collab.models import Employee, OrgUnit, Period, Role
from collab.routing.errors import field_errors
from collab.routing.fields import LockVersionField, StrictWriteMixin, TenantRelatedField, validated_body
from collab.routing.ids import id_param, parse_id
from collab.routing.viewsets import TenantViewSet
from collab.selectors.audit.events import tenant_zone
from collab.selectors.periods import periods_ordered
from feedback.access import (
    EVENT_WRITERS,
    EventReader,
    access_event_by_id,
    access_event_person_by_id,
    event_reader,
    measured_scope,
)
from feedback.forms.events import EventFilterForm
from feedback.models import CollaborationEvent, EventKind, EventSource
from feedback.models.events import DESCRIPTION_MAX, EXTERNAL_ID_MAX, TITLE_MAX
from feedback.selectors.event_measures import TREND_LENGTH, person_measure_table, trend_periods
from feedback.selectors.events import events_list, measure_table
from feedback.services import events as services


class EventSerializer(serializers.ModelSerializer):
    from_unit_name = serializers.CharField(source="from_unit.name", read_only=True)
    to_unit_name = serializers.CharField(source="to_unit.name", read_only=True)
    from_employee_name = serializers.CharField(source="from_employee.name", read_only=True, allow_null=True)
    to_employee_name = serializers.CharField(source="to_employee.name", read_only=True, allow_null=True)
    lock_version = LockVersionField(read_only=True)

    class Meta:
        model = CollaborationEvent
        fields = [
            "id", "kind", "title", "description", "from_unit", "from_unit_name", "to_unit", "to_unit_name",
            "from_employee", "from_employee_name", "to_employee", "to_employee_name", "occurred_at", "due_at",
            "done_at", "attended", "answers", "source", "external_id", "lock_version", "created_at",
        ]  # fmt: skip
        read_only_fields = fields


class EventWriteSerializer(StrictWriteMixin, serializers.Serializer):
    """One event to record (the body of a create; a row of a bulk)."""

    shown_by = EventSerializer
    kind = serializers.ChoiceField(choices=EventKind.choices)
    title = serializers.CharField(max_length=TITLE_MAX)
    description = serializers.CharField(
        max_length=DESCRIPTION_MAX, required=False, allow_blank=True, default=""
    )
    from_unit = TenantRelatedField(queryset=OrgUnit.objects)
    to_unit = TenantRelatedField(queryset=OrgUnit.objects)
    from_employee = TenantRelatedField(
        queryset=Employee.objects, required=False, allow_null=True, default=None
    )
    to_employee = TenantRelatedField(queryset=Employee.objects, required=False, allow_null=True, default=None)
    occurred_at = serializers.DateTimeField()
    due_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    done_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    attended = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text="Meetings only: did the invited unit attend?"
    )
    answers = TenantRelatedField(
        queryset=CollaborationEvent.objects, required=False, allow_null=True, default=None,
        help_text="A response: the request it answers.",
    )  # fmt: skip
    external_id = serializers.CharField(
        max_length=EXTERNAL_ID_MAX, required=False, allow_blank=True, default="",
        help_text="Your id of the event: a retried call with the same one records nothing new.",
    )  # fmt: skip


class EventCompleteSerializer(StrictWriteMixin, serializers.Serializer):
    refuse_unknown = True
    lock_version = LockVersionField(required=True)
    done_at = serializers.DateTimeField()


class EventMeasuresSerializer(serializers.Serializer):
    """One unit's or one person's measures in one period (a person's row names their unit now)."""

    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    person = serializers.IntegerField(allow_null=True, help_text="By person: the employee; by unit: null.")
    person_name = serializers.CharField(allow_null=True)
    employee_no = serializers.CharField(allow_null=True)
    period = serializers.IntegerField()
    period_label = serializers.CharField()
    requests = serializers.IntegerField(help_text="Requests to the subject that occurred in the period.")
    answered = serializers.IntegerField()
    median_response_hours = serializers.FloatField(
        allow_null=True, help_text="Median calendar hours from request to its first response or done time."
    )
    deliverables_due = serializers.IntegerField(help_text="Deliverables due in the period, done or overdue.")
    delivered_on_time = serializers.IntegerField()
    on_time_rate = serializers.FloatField(allow_null=True, help_text="A fraction from 0 to 1.")
    meetings_invited = serializers.IntegerField()
    meetings_attended = serializers.IntegerField()
    participation_rate = serializers.FloatField(allow_null=True, help_text="A fraction from 0 to 1.")


BULK_RESULT = inline_serializer(
    "EventBulkResult",
    {
        "count": serializers.IntegerField(help_text="Rows received."),
        "ids": serializers.ListField(
            child=serializers.IntegerField(), help_text="The event of each row, in order (a retry: the same)."
        ),
    },
)
BULK_ERRORS = inline_serializer(
    "EventBulkErrors",
    {
        "detail": serializers.CharField(required=False),
        "rows": serializers.DictField(
            child=serializers.DictField(child=serializers.ListField(child=serializers.CharField())),
            required=False,
            help_text='Field errors of each bad row, keyed by its index from 0: {"3": {"to_unit": ["…"]}}.',
        ),
        "non_field_errors": serializers.ListField(child=serializers.CharField(), required=False),
    },
)
LIST_PARAMETERS = [
    OpenApiParameter("unit", OpenApiTypes.INT, description="From or to this unit."),
    OpenApiParameter("employee", OpenApiTypes.INT, description="From or to this person."),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["", *EventKind.values]),
    OpenApiParameter("date_from", OpenApiTypes.DATE, description="Occurred on or after (tenant's zone)."),
    OpenApiParameter("date_to", OpenApiTypes.DATE, description="Occurred on or before (tenant's zone)."),
    OpenApiParameter("q", OpenApiTypes.STR, description="Title contains, or the external id."),
]


@extend_schema_view(
    list=extend_schema(parameters=LIST_PARAMETERS),
    create=extend_schema(
        request=EventWriteSerializer,
        responses={201: EventSerializer, 200: EventSerializer},
        description="Record one event (201); a retry with a stored external_id answers that event (200).",
    ),
)
class EventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    serializer_class = EventSerializer
    write_roles = EVENT_WRITERS

    def _reader(self) -> EventReader:
        if not hasattr(self, "_event_reader"):
            self._event_reader = event_reader(self.request.membership, self.request.user)
        return self._event_reader

    def get_queryset(self):
        if self.action != "list":
            return events_list(visible=self._reader().visible())
        form = EventFilterForm(self.request.query_params, api=True)
        if not form.is_valid():
            raise exceptions.ValidationError({name: list(errors) for name, errors in form.errors.items()})
        return events_list(
            visible=self._reader().visible(), timezone_name=self.request.tenant.timezone, **form.filters()
        )

    def get_object(self):
        """The one door to an event by id: missing, another tenant's and not-yours are the same 404."""
        return access_event_by_id(self._reader(), self.kwargs.get("pk"), write=self.action == "complete")

    def _zone(self):
        return timezone.override(tenant_zone(self.request.tenant.timezone))

    def _writer_scope(self) -> set[int] | None:
        reader = self._reader()
        if not reader.may_record:
            raise exceptions.PermissionDenied(_("Only HR admins, managers and employees record events."))
        return None if reader.write_units is None else set(reader.write_units)

    def create(self, request, *args, **kwargs):
        scope = self._writer_scope()
        with self._zone():
            data = validated_body(self, EventWriteSerializer)
            event, created = services.event_record(
                actor=request.user, data=data, source=EventSource.API, scope_units=scope,
                sender=self._reader().sender,
            )  # fmt: skip
        event = events_list().get(pk=event.pk)
        return Response(EventSerializer(event).data, status=status.HTTP_201_CREATED if created else 200)

    @extend_schema(request=EventCompleteSerializer, responses={200: EventSerializer})
    @action(detail=True, methods=["post"], url_path="complete")
    def complete(self, request, *args, **kwargs):
        """Mark an open request or deliverable done (once)."""
        event = self.get_object()
        with self._zone():
            data = validated_body(self, EventCompleteSerializer)
            services.event_complete(
                actor=request.user, event=event, lock_version=data["lock_version"], done_at=data["done_at"]
            )
        return Response(EventSerializer(events_list().get(pk=event.pk)).data)

    @extend_schema(request=EventWriteSerializer(many=True), responses={200: BULK_RESULT, 400: BULK_ERRORS})
    @action(detail=False, methods=["post"], url_path="bulk")
    def bulk(self, request, *args, **kwargs):
        """Record up to 5,000 events at once: all or nothing, idempotent by external_id."""
        if not request.membership.has_role(Role.HR_ADMIN):
            raise exceptions.PermissionDenied(_("Only HR admins record events in bulk."))
        rows = request.data
        if not isinstance(rows, list):
            raise exceptions.ValidationError({"non_field_errors": [_("Send a JSON list of events.")]})
        if not rows:
            raise exceptions.ValidationError({"non_field_errors": [_("The list is empty.")]})
        if len(rows) > services.BULK_MAX_ROWS:
            message = _("At most %(n)d events per call.") % {"n": services.BULK_MAX_ROWS}
            raise exceptions.ValidationError({"non_field_errors": [message]})
        try:
            with self._zone():
                result = services.events_record_bulk(actor=request.user, rows=rows, source=EventSource.API)
        except services.EventRowErrors as invalid:
            bad = {
                str(index): field_errors(DjangoValidationError(errors))
                for index, errors in invalid.rows.items()
            }
            detail = _("%(n)d row(s) have errors; nothing was written.") % {"n": len(bad)}
            return Response({"detail": detail, "rows": bad}, status=status.HTTP_400_BAD_REQUEST)
        return Response({"count": len(rows), "ids": result.ids})

    @extend_schema(
        parameters=[
            OpenApiParameter("period", OpenApiTypes.INT, required=True),
            OpenApiParameter("unit", OpenApiTypes.INT, description="Only this unit (by person: its people)."),
            OpenApiParameter(
                "subject", OpenApiTypes.STR, enum=["unit", "person"],
                description="Measure units (the default) or people.",
            ),
            OpenApiParameter(
                "person", OpenApiTypes.INT, description="Only this person (implies subject=person)."
            ),
            OpenApiParameter(
                "last", OpenApiTypes.INT,
                description=f"The period and the ones before it of its kind, 1 to {TREND_LENGTH} "
                "(default 1): the trend.",
            ),
        ],
        responses={200: EventMeasuresSerializer(many=True)},
    )  # fmt: skip
    @action(detail=False, methods=["get"], url_path="measures", pagination_class=None)
    def measures(self, request, *args, **kwargs):
        """The measures derived from the log per unit or person and period (those the reader sees), by
        period then name."""
        errors: dict = {}
        period_id = id_param(request, "period", errors)
        unit_id = id_param(request, "unit", errors)
        person_id = id_param(request, "person", errors)
        by = request.query_params.get("subject") or "unit"
        if by not in ("unit", "person"):
            errors["subject"] = [_("Choose unit or person.")]
        last = parse_id(request.query_params.get("last") or "1")  # not int(): 5,000 digits
        if last is None or not 1 <= last <= TREND_LENGTH:
            errors["last"] = [_("Enter a whole number from 1 to %(n)d.") % {"n": TREND_LENGTH}]
        if period_id is None and "period" not in errors:
            errors["period"] = [_("This field is required.")]
        if errors:
            raise exceptions.ValidationError(errors)
        period = Period.objects.filter(pk=period_id).first()
        if period is None:
            raise exceptions.ValidationError({"period": [_("No such period here.")]})
        if person_id is not None:
            person_id, by = access_event_person_by_id(self._reader(), person_id).pk, "person"
        periods = [period] if last == 1 else trend_periods(periods_ordered(), period, last)
        units, people = measured_scope(self._reader(), by=by, unit_id=unit_id, person_id=person_id)
        zone = request.tenant.timezone
        if by == "person":
            rows = person_measure_table(periods, people=people, units=units, timezone_name=zone)
        else:
            rows = measure_table(periods, units=units, timezone_name=zone)
        return Response(EventMeasuresSerializer(rows, many=True).data)
